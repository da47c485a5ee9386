"""``callsim transcribe``: JSON lines per file, any WAV layout, other formats via PyAV, bad files."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.asr.audio_file import read_audio
from simulator.asr.wer import wer
from simulator.cli import main
from tests.conftest import absent

pytestmark = pytest.mark.models

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
GO_FORWARD = "go forward ten meters"


@pytest.fixture(autouse=True)
def default_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("CALLSIM_ASR_BACKEND", "CALLSIM_ASR_MODEL", "CALLSIM_ASR_THREADS"):
        monkeypatch.delenv(name, raising=False)


def _write_stereo_44k(path: Path) -> None:
    mono = read_audio(DATA / "pocketsphinx_goforward.wav")
    positions = np.arange(int(len(mono) * 44_100 / 16_000)) * (16_000 / 44_100)
    upsampled = np.interp(positions, np.arange(len(mono)), mono)
    frames = (np.stack([upsampled, upsampled * 0.5], axis=1) * 32_767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44_100)
        wav.writeframes(frames.tobytes())


def _write_empty_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One CLI run over good and bad files (one model load): (exit code, stdout lines, stderr, paths)."""
    folder = tmp_path_factory.mktemp("transcribe")
    paths = {"16k": DATA / "pocketsphinx_goforward.wav", "44k stereo": folder / "stereo44k.wav",
             "empty": folder / "empty.wav", "missing": folder / "missing.wav", "garbage": folder / "garbage.wav"}
    _write_stereo_44k(paths["44k stereo"])
    _write_empty_wav(paths["empty"])
    paths["garbage"].write_bytes(b"RIFF....WAVEjunk" * 20)
    if shutil.which("sox"):
        paths["flac"] = folder / "goforward.flac"
        subprocess.run(["sox", str(DATA / "pocketsphinx_goforward.wav"), str(paths["flac"])], check=True)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.setenv("CALLSIM_CONFIG", str(folder / "no-config.toml"))  # the defaults, not a user's config
        for name in ("CALLSIM_ASR_BACKEND", "CALLSIM_ASR_MODEL", "CALLSIM_ASR_THREADS"):
            patch.delenv(name, raising=False)
        code = main(["transcribe", "--json", *map(str, paths.values())])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return code, lines, err.getvalue(), paths


def _line(batch, key):
    _code, lines, _err, paths = batch
    (line,) = [entry for entry in lines if entry["path"] == str(paths[key])]
    return line


def test_one_json_line_per_file_in_order(batch):
    code, lines, _err, paths = batch
    assert [line["path"] for line in lines] == [str(p) for p in paths.values()]
    assert code == 1  # some files were bad


def test_json_line_format(batch):
    line = _line(batch, "16k")
    assert set(line) == {"path", "text", "duration_s", "words"}
    assert wer(GO_FORWARD, line["text"], drop_fillers=True) <= 0.25, line["text"]
    assert line["duration_s"] == pytest.approx(2.79, abs=0.01)
    assert line["words"] and all(set(w) == {"word", "start", "end", "probability"} for w in line["words"])
    starts = [w["start"] for w in line["words"]]
    assert starts == sorted(starts) and all(0 <= w["start"] <= w["end"] <= line["duration_s"] for w in line["words"])


def test_any_rate_and_channel_count_is_converted(batch):
    line = _line(batch, "44k stereo")
    assert line["duration_s"] == pytest.approx(2.79, abs=0.01)
    assert wer(GO_FORWARD, line["text"], drop_fillers=True) <= 0.25, line["text"]


def test_other_formats_are_decoded_with_pyav(batch):
    if "flac" not in batch[3]:
        absent("sox (part of the install) is needed to make the FLAC file")
    line = _line(batch, "flac")
    assert wer(GO_FORWARD, line["text"], drop_fillers=True) <= 0.25, line["text"]


def test_an_empty_wav_is_an_empty_transcript(batch):
    line = _line(batch, "empty")
    assert line["text"] == "" and line["words"] == [] and line["duration_s"] == 0


def test_bad_files_give_an_error_line_not_a_traceback(batch):
    _code, _lines, err, paths = batch
    missing, garbage = _line(batch, "missing"), _line(batch, "garbage")
    assert set(missing) == {"path", "error"} and "no such file" in missing["error"]
    assert str(paths["garbage"]) in garbage["error"]
    assert "Traceback" not in err
    assert f"{paths['missing']}: no such file" in err


def test_plain_output_and_exit_codes(capsys, tmp_path):
    clip = DATA / "speechrecognition_english.wav"
    assert main(["transcribe", str(clip)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{clip} (2.7 s): ") and wer("one two three", line.split(": ", 1)[1]) <= 0.34
    assert main(["transcribe", "--backend", "no-such-backend", str(DATA / "pocketsphinx_goforward.wav")]) == 2
    assert "faster-whisper, openai-whisper" in capsys.readouterr().err
    assert main(["transcribe", "--model", str(tmp_path / "no-model-here"),
                 str(DATA / "pocketsphinx_goforward.wav")]) == 3
    assert "could not load the Whisper model" in capsys.readouterr().err
