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


def _write_mp3(path: Path, samples: np.ndarray, rate: int = 16_000) -> None:
    """Encoded with PyAV (what ``callsim`` decodes with), so the test needs no ffmpeg or sox."""
    import av  # installed with faster-whisper, and callsim reads every recording with it: absent is a failure

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mp3", rate=rate)
        stream.layout = "mono"
        for start in range(0, samples.size, 1152):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + 1152].astype(np.float32), format="fltp",
                                               layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_a_long_mp3_is_transcribed_to_its_end(tmp_path, capsys):
    """Past Whisper's first 30 s window: the last words, the whole duration (a cut MP3 would lose them)."""
    cards = [read_audio(DATA / f"pocketsphinx_cards_00{n}.wav") for n in range(1, 6)]
    clips = [*cards, read_audio(DATA / "whisper_jfk.wav"), *cards, read_audio(DATA / "pocketsphinx_goforward.wav")]
    gap = np.zeros(8_000, np.float32)
    samples = np.concatenate([piece for clip in clips for piece in (clip, gap)])
    last_starts_s = (samples.size - gap.size - clips[-1].size) / 16_000
    assert samples.size / 16_000 > 35 and last_starts_s > 30
    path = tmp_path / "long.mp3"
    _write_mp3(path, samples)
    assert main(["transcribe", str(path), "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["duration_s"] == pytest.approx(samples.size / 16_000, abs=0.1)
    assert wer(GO_FORWARD, " ".join(w["word"] for w in line["words"] if w["start"] >= last_starts_s - 0.5)) <= 0.25
    assert line["words"][-1]["end"] > last_starts_s + 1.0


def test_mp3s_joined_end_to_end_are_read_past_the_join(tmp_path, capsys):
    """Two MP3 files joined (a tag in the middle, as concatenated recordings are): the decoder used to stop there."""
    first, second = tmp_path / "first.mp3", tmp_path / "second.mp3"
    _write_mp3(first, read_audio(DATA / "whisper_jfk.wav"))
    _write_mp3(second, read_audio(DATA / "pocketsphinx_goforward.wav"))
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    assert main(["transcribe", str(joined), "--json"]) == 0
    captured = capsys.readouterr()
    line = json.loads(captured.out)
    assert line["duration_s"] > 13.5  # 11.0 s + 2.8 s, not the first file's 11.0 s
    assert wer(GO_FORWARD, " ".join(w["word"] for w in line["words"] if w["start"] > 10.8)) <= 0.25
    assert "damaged packet(s) could not be decoded" in captured.err


def test_mu_law_and_a_law_recordings_are_transcribed(capsys):
    calls = DATA.parent / "calls"
    assert main(["transcribe", str(calls / "call-stereo-mulaw-8k.wav"), str(calls / "call-mono-alaw-8k.wav"),
                 "--json"]) == 0
    for line in capsys.readouterr().out.splitlines():
        said = json.loads(line)["text"].lower()
        assert "forward" in said and "forever" in said
