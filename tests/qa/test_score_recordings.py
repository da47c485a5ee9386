"""``callsim score`` on recordings as phone systems write them, through real Silero VAD and Whisper:
MP3, mu-law and 8-bit stereo at 8 kHz, A-law mono; JSON errors; the batch command end to end."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.asr.channels import read_channels
from simulator.asr.wer import normalise as wer_words
from simulator.cli import build_parser, main
from tests.lab.conftest import db_url  # noqa: F401  (the fixture)

pytestmark = pytest.mark.models

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls"
STEREO = ("call-stereo.mp3", "call-stereo-mulaw-8k.wav", "call-stereo-u8-8k.wav")
# (speaker, start, end of speech, a word) in the fixture call (tests/data/calls/make_fixtures.sh places the clips,
# whose own leading and trailing silences make the speech times)
LINES = (("customer", 0.75, 2.55, "forward"), ("trainee", 4.0, 7.2, "forever"), ("customer", 8.05, 10.6, "three"))


def _score(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["score", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", STEREO)
def test_stereo_recordings_in_phone_formats_keep_the_two_sides_apart(capsys, name):
    code, out, err = _score(capsys, str(CALLS / name), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["stereo"] and payload["speakers_separated"]
    assert "duplicate_channels" not in payload and "silent_channel" not in payload
    turns = payload["turns"]
    assert [t["speaker"] for t in turns] == [speaker for speaker, *_ in LINES]
    for turn, (_speaker, start, end, word) in zip(turns, LINES, strict=True):
        assert turn["start_s"] == pytest.approx(start, abs=0.3) and turn["end_s"] == pytest.approx(end, abs=0.3)
        assert word in wer_words(turn["text"])  # "3" and "three" alike: Whisper writes either


def test_a_mono_call_of_both_voices_says_what_was_not_judged_and_splits_no_speakers(capsys):
    path = str(CALLS / "call-mono-alaw-8k.wav")
    code, out, err = _score(capsys, path, "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert not payload["stereo"] and payload["speakers_separated"] is False
    assert {"empathy", "tone", "talk ratio", "response delay"} <= set(payload["not_judged"])
    assert {t["speaker"] for t in payload["turns"]} == {"unknown"}  # no fake agent/customer split
    said = " ".join(t["text"].lower() for t in payload["turns"])
    assert "forward" in said and "forever" in said
    card = payload["scorecard"]
    dims = {d["dimension"]: d for d in card["dimensions"]}
    assert dims["empathy"]["score"] is None and dims["tone"]["score"] is None
    assert "speakers not separated" in dims["empathy"]["evidence"][0]["detail"]
    # voice clustering was tried: eleven seconds are too little speech to trust a split, and the card says so
    assert payload["speaker_split"]["confident"] is False and "too little speech" in payload["speaker_split"]["note"]
    assert card["voice"]["talk_ratio"] is None and card["voice"]["longest_response_delay_s"] is None
    assert all(t["empathy"] is None and t["tone"] is None for t in card["turns"])
    code, out, _ = _score(capsys, path, "--analyser", "lexical")
    assert "speakers were not separated" in out and "empathy, tone" in out
    assert "empathy     n/a (not judged: speakers not separated" in out
    # the same file declared as the agent's side only is scored in full
    code, out, _ = _score(capsys, path, "--analyser", "lexical", "--mono", "agent", "--json")
    payload = json.loads(out)
    assert payload["speakers_separated"] and {t["speaker"] for t in payload["turns"]} == {"trainee"}
    assert {d["dimension"]: d["score"] for d in payload["scorecard"]["dimensions"]}["tone"] is not None


def test_a_mono_call_of_two_real_voices_is_split_by_voice_and_scored_with_speakers(tmp_path, capsys):
    from simulator.audio.clip import AudioClip, write_wav
    from tests.qa.test_diarise import RATE, two_voice_call

    samples, truth = two_voice_call()
    path = write_wav(tmp_path / "mono.wav", AudioClip(samples, RATE))
    code, out, err = _score(capsys, str(path), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert not payload["stereo"] and payload["speakers_separated"] is True and "not_judged" not in payload
    assert payload["speaker_split"]["confident"] and "spoke first" in payload["speaker_split"]["note"]
    role = {"cards": "trainee", "jfk": "customer"}  # the lexical analyser hears no greeting: the first voice
    right = total = 0.0
    for turn in payload["turns"]:
        for start, end, voice in truth:
            both = max(0.0, min(turn["end_s"], end) - max(turn["start_s"], start))
            total += both
            right += both if role[voice] == turn["speaker"] else 0.0
    # (Whisper tiny hears no words in some of the card reader's short turns: those turns are dropped)
    assert {t["speaker"] for t in payload["turns"]} == {"trainee", "customer"}
    assert total > 25 and right / total >= 0.9
    card = payload["scorecard"]
    assert card["voice"]["talk_ratio"] is not None and card["voice"]["longest_response_delay_s"] is not None
    assert {d["dimension"]: d["score"] for d in card["dimensions"]}["tone"] is not None
    code, out, _ = _score(capsys, str(path), "--analyser", "lexical", "--agent", "second")
    assert code == 0 and "told apart by voice clustering" in out and "--agent second" in out


def test_json_output_names_a_bad_file_and_goes_on_with_the_others(tmp_path, capsys):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"ID3 this is no mp3")
    code, out, err = _score(capsys, str(bad), "--json")
    assert code == 1 and str(bad) in err
    assert json.loads(out).keys() == {"path", "error"} and json.loads(out)["path"] == str(bad)
    code, out, _ = _score(capsys, str(bad), str(CALLS / "call-stereo.mp3"), "--analyser", "lexical", "--json")
    first, second = json.loads(out)
    assert code == 1 and first["path"] == str(bad) and "error" in first and "scorecard" in second


def test_decoding_keeps_each_channel_at_the_rate_asked(tmp_path):
    native = read_channels(CALLS / "call-stereo-mulaw-8k.wav")
    assert native.sample_rate == 8000 and native.channels == 2
    wide = read_channels(CALLS / "call-stereo-mulaw-8k.wav", 16_000)
    assert wide.sample_rate == 16_000 and len(wide.samples) == pytest.approx(2 * len(native.samples), abs=64)
    agent, customer = wide.channel(0), wide.channel(1)
    first_line = slice(int(0.5 * 16_000), int(2.5 * 16_000))  # the customer speaks, the agent is silent
    assert abs(customer[first_line]).max() > 10 * max(abs(agent[first_line]).max(), 1e-3)


def test_a_batch_writes_jsonl_resumes_and_stores_each_call_once(tmp_path, capsys, db_url):  # noqa: F811
    from simulator.store import open_store
    from simulator.store.types import CallKind

    folder = tmp_path / "calls" / "monday"
    folder.mkdir(parents=True)
    for name in ("call-stereo.mp3", "call-stereo-mulaw-8k.wav"):
        shutil.copy(CALLS / name, folder / name)
    (folder / "broken.wav").write_bytes(b"RIFF nonsense")
    agents = tmp_path / "agents.csv"
    agents.write_text("file,trainee\ncall-stereo.mp3,sam\ncall-stereo-mulaw-8k.wav,alex\nbroken.wav,sam\n")
    out = tmp_path / "qa.jsonl"
    argv = [str(tmp_path / "calls"), "--jsonl", str(out), "--analyser", "lexical", "--workers", "2",
            "--db", db_url, "--agents", str(agents)]
    code, _, err = _score(capsys, *argv)
    assert code == 1 and "broken.wav" in err and "[3/3]" in err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(Path(line["path"]).name for line in lines) == ["broken.wav", "call-stereo-mulaw-8k.wav",
                                                                   "call-stereo.mp3"]
    scored = [line for line in lines if "scorecard" in line]
    assert len(scored) == 2 and all(len(line["sha256"]) == 64 for line in scored)
    # the summary counts the verdicts a single finding decides, as the lines name them
    on_one_finding = sum(bool(line["scorecard"]["verdict_hinges"]) for line in scored)
    assert (f"{on_one_finding} verdict(s) rest on one finding" in err) == bool(on_one_finding)
    code, _, err = _score(capsys, *argv)  # again: the two scored calls are skipped, the broken one retried
    assert "2 skipped" in err
    assert sum("scorecard" in json.loads(line) for line in out.read_text().splitlines()) == 2
    with open_store(db_url) as store:
        stored = store.attempts(kind=CallKind.REAL)
    assert sorted((a.trainee, a.call_id) for a in stored) == sorted(
        ({"call-stereo.mp3": "sam"}.get(Path(line["path"]).name, "alex"), line["sha256"][:32]) for line in scored)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full (a device that is always full) is Linux's")
def test_a_batch_whose_results_cannot_be_written_stops_and_says_so_then_resumes(tmp_path, capsys):
    """A full disk: the batch stops at the first result it cannot keep (exit 4, the file and the reason named),
    rather than scoring on into the void or ending on a traceback; run again, it goes on where it stopped."""
    folder = tmp_path / "calls"
    folder.mkdir()
    for name in ("call-stereo.mp3", "call-stereo-mulaw-8k.wav"):
        shutil.copy(CALLS / name, folder / name)
    code, _, err = _score(capsys, str(folder), "--jsonl", "/dev/full", "--analyser", "lexical")
    assert code == 4 and "Traceback" not in err
    assert "cannot write results to /dev/full: No space left on device" in err
    assert "0 result(s) written before it are kept" in err and "[2/2]" not in err  # stopped at the first
    out = tmp_path / "qa.jsonl"
    code, _, err = _score(capsys, str(folder), "--jsonl", str(out), "--analyser", "lexical")
    assert code == 0 and len(out.read_text().splitlines()) == 2


def test_results_named_as_a_folder_or_someone_elses_file_are_refused_before_scoring(tmp_path, capsys):
    """A folder ended on IsADirectoryError, a WAV given by mistake on UnicodeDecodeError; neither is touched."""
    recording = tmp_path / "mistake.wav"
    shutil.copy(CALLS / "call-stereo-mulaw-8k.wav", recording)
    before = recording.read_bytes()
    for out, says in ((tmp_path, "is a folder"), (recording, "is not the results of an earlier run")):
        code, _, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--jsonl", str(out), "--analyser", "lexical")
        assert code == 1 and says in err and "Traceback" not in err and "[1/1]" not in err
    assert recording.read_bytes() == before


def test_a_batch_whose_store_cannot_be_opened_says_so_before_scoring_anything(tmp_path, capsys):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    db = in_the_way / "lab.db"  # as a full disk or a server that is down: the store cannot be opened
    code, _, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--db", str(db), "--trainee", "sam",
                          "--analyser", "lexical")
    assert code == 1 and "Traceback" not in err and "[1/1]" not in err
    assert "cannot open the training store" in err and "a-file exists and is not a folder" in err


def _broken_model(tmp_path: Path) -> Path:
    """A folder that looks like a CTranslate2 model and is not one."""
    broken = tmp_path / "whisper-model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a CTranslate2 model")
    return broken


def test_a_whisper_model_that_will_not_load_stops_scoring_at_once_with_what_to_do(tmp_path, capsys, monkeypatch):
    """Not one error per call (every call would fail alike, each loading the model again), and no traceback."""
    broken = _broken_model(tmp_path)
    monkeypatch.setenv("CALLSIM_ASR_MODEL", str(broken))
    code, out, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--analyser", "lexical")
    assert code == 3 and "could not load the Whisper model" in err and "Set asr_model to" in err and out == ""
    folder = tmp_path / "calls"
    folder.mkdir()
    for name in ("call-stereo.mp3", "call-stereo-mulaw-8k.wav"):
        shutil.copy(CALLS / name, folder / name)
    out_file = tmp_path / "qa.jsonl"
    code, _, err = _score(capsys, str(folder), "--jsonl", str(out_file), "--analyser", "lexical")
    assert code == 3 and err.count("could not load the Whisper model") == 1 and "Traceback" not in err
    assert "the batch stopped at its first call" in err and out_file.read_text() == ""  # retried on the next run
    from simulator.store import open_store

    db = str(tmp_path / "lab.db")
    assert main(["behaviour", "add", str(CALLS / "call-stereo.mp3"), "--trainee", "sam", "--db", db]) == 3
    assert "could not load the Whisper model" in capsys.readouterr().err
    with open_store(db) as store:
        assert store.attempts("sam") == []
    lines = tmp_path / "turns.jsonl"
    lines.write_text("".join(json.dumps({"id": n, "audio": str(CALLS / "call-stereo.mp3")}) + "\n" for n in range(3)))
    assert main(["analyze", "--jsonl", str(lines), "--analyser", "lexical"]) == 3
    err = capsys.readouterr().err
    assert err.count("could not load the Whisper model") == 1 and "nothing was analysed" in err


def test_the_batch_runs_on_a_ray_cluster_started_on_loopback(tmp_path, capsys):
    import ray  # pinned in requirements/test.txt: a missing Ray fails the test, it does not skip it

    repo = Path(__file__).resolve().parents[2]
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             object_store_memory=100 * 1024 * 1024, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(repo)}})
    try:
        out = tmp_path / "qa.jsonl"
        originals = [str(CALLS / name) for name in (*STEREO, "call-mono-alaw-8k.wav")]
        code, _, err = _score(capsys, *originals, "--jsonl", str(out), "--analyser", "lexical", "--ray", "auto")
    finally:
        ray.shutdown()
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 4 and all("scorecard" in line for line in lines)
    assert sum(line["speakers_separated"] for line in lines) == 3


def test_a_stereo_file_with_one_silent_channel_is_scored_as_a_mono_call(tmp_path, capsys):
    """Both voices on the right, the left (the default agent channel) only a faint bleed: split by voice, and said."""
    from simulator.audio.clip import to_int16
    from tests.qa.test_silent_channel import RATE, one_sided_stereo

    path = tmp_path / "one-sided.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(to_int16(one_sided_stereo(silent=0)).tobytes())
    code, out, err = _score(capsys, str(path), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["stereo"] is False and payload["silent_channel"]["channel"] == 0
    assert "scored as a mono recording" in payload["silent_channel"]["note"]
    assert payload["speaker_split"]["confident"] and payload["speakers_separated"] is True
    assert {t["speaker"] for t in payload["turns"]} == {"trainee", "customer"}
    code, out, _ = _score(capsys, str(path), "--analyser", "lexical")
    assert code == 0 and "note: channel 0 (left) of this stereo file is silent" in out


@pytest.mark.parametrize("name", ["call-dualmono-mulaw-8k.wav", "call-dualmono-shifted.mp3"])
def test_a_stereo_file_with_the_same_call_on_both_channels_is_scored_as_a_mono_call(capsys, name):
    """Dual mono (the fixture's mono mix on both channels; the MP3 with the right 3 ms late and 6 dB down): read as
    stereo every word would be heard twice, as the agent's and as the customer's.  It is the mono call instead."""
    path = str(CALLS / name)
    code, out, err = _score(capsys, path, "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    duplicate = payload["duplicate_channels"]
    assert payload["stereo"] is False and "silent_channel" not in payload
    assert duplicate["correlation"] >= 0.9 and "scored as a mono recording" in duplicate["note"]
    assert duplicate["delay_ms"] == pytest.approx(3.0 if name.endswith(".mp3") else 0.0, abs=0.2)
    # eleven seconds of speech are too little to tell the voices apart: scored without speakers, as the mono call
    assert payload["speakers_separated"] is False and {t["speaker"] for t in payload["turns"]} == {"unknown"}
    said = wer_words(" ".join(t["text"] for t in payload["turns"]))
    assert said.count("forward") == 1 and said.count("forever") == 1  # each word once, not once per channel
    code, out, _ = _score(capsys, path, "--analyser", "lexical", "--agent-channel", "1", "--json")
    assert code == 0 and json.loads(out)["stereo"] is False
    code, out, _ = _score(capsys, path, "--analyser", "lexical")
    assert code == 0 and "note: the two channels of this stereo file carry the same signal" in out


def test_a_dual_mono_call_of_two_real_voices_is_split_by_voice(tmp_path, capsys):
    """A minute of two real voices on both channels, the right 2 ms late: told apart by voice like the mono call."""
    from simulator.audio.clip import to_int16
    from tests.qa.test_diarise import RATE, two_voice_call

    voices, _ = two_voice_call()
    late = np.concatenate([np.zeros(round(0.002 * RATE), np.float32), voices[: -round(0.002 * RATE)]])
    path = tmp_path / "dual-mono.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(to_int16(np.stack([voices, 0.7 * late], axis=1)).tobytes())
    code, out, err = _score(capsys, str(path), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["stereo"] is False and payload["duplicate_channels"]["delay_ms"] == pytest.approx(2.0, abs=0.1)
    assert payload["duplicate_channels"]["kept_channel"] == 0  # the louder one
    assert payload["speaker_split"]["confident"] and payload["speakers_separated"] is True
    assert {t["speaker"] for t in payload["turns"]} == {"trainee", "customer"}
    assert payload["scorecard"]["voice"]["overlap_s"] < 1.0  # read as stereo, every word overlapped itself


@pytest.mark.parametrize("name", ["call-stereo.mp3", "call-stereo-mulaw-8k.wav"])
def test_behaviour_add_stores_a_recording_in_any_format_score_reads(tmp_path, capsys, name):
    """``callsim behaviour add`` reads recordings as ``callsim score`` does (it accepted only PCM WAV), same card."""
    from simulator.store import open_store

    path = str(CALLS / name)
    code, out, err = _score(capsys, path, "--analyser", "lexical", "--json")
    assert code == 0, err
    scored = json.loads(out)
    db = str(tmp_path / "lab.db")
    code = main(["behaviour", "add", path, "--trainee", "sam", "--analyser", "lexical", "--db", db])
    out = capsys.readouterr().out
    assert code == 0 and "stored as real call" in out
    prefix = out.split("stored as real call ")[1].split()[0]
    with open_store(db) as store:
        call_id = store.resolve_call_id(prefix)
        stored = store.get_call(call_id)
        recordings = store.recordings(call_id)
    assert stored.scorecard is not None and stored.scorecard.overall == scored["scorecard"]["overall"]
    said = [(t.speaker.value, wer_words(t.text)) for t in stored.record.turns]
    assert [speaker for speaker, _ in said] == [speaker for speaker, *_ in LINES]
    assert all(word in words for (_, words), (*_, word) in zip(said, LINES, strict=True))
    assert [r.path.name for r in recordings] == [name]


def test_analyze_measures_tone_of_audio_lines_in_any_format(tmp_path, capsys):
    """``callsim analyze`` lines with MP3 or mu-law audio: words and tone, as for a PCM WAV (tone needed PCM WAV)."""
    lines = tmp_path / "turns.jsonl"
    lines.write_text("".join(json.dumps({"id": name, "audio": str(CALLS / name), "speaker": "agent"}) + "\n"
                             for name in ("call-stereo.mp3", "call-stereo-mulaw-8k.wav", "call-stereo-u8-8k.wav")))
    code = main(["analyze", "--jsonl", str(lines), "--analyser", "lexical"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    assert len(results) == 3 and all("tone_error" not in r and r.get("tone") for r in results)
    assert all("forever" in wer_words(r["text"]) for r in results)


def test_joined_mp3s_are_scored_to_their_end_and_the_damaged_packet_is_reported(tmp_path, capsys):
    """Two MP3s joined end to end: score refused such a file (the decoder raised at the join); now it reads on."""
    from simulator.asr.audio_file import read_audio
    from tests.voice.test_asr_cli import DATA, _write_mp3

    first, second = tmp_path / "first.mp3", tmp_path / "second.mp3"
    _write_mp3(first, read_audio(DATA / "pocketsphinx_forever_2.wav"))
    _write_mp3(second, read_audio(DATA / "pocketsphinx_goforward.wav"))
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    code, out, err = _score(capsys, str(joined), "--analyser", "lexical", "--mono", "agent", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["damaged_packets"] >= 1
    said = wer_words(" ".join(t["text"] for t in payload["turns"]))
    assert "forever" in said and "forward" in said
    code, out, _ = _score(capsys, str(joined), "--analyser", "lexical", "--mono", "agent")
    assert code == 0 and "damaged packet(s) of the file could not be decoded" in out


def _silent_recording(path: Path, channels: int) -> Path:
    rng = np.random.default_rng(3)  # a faint line hiss (-70 dBFS), as a dead line records
    hiss = (rng.standard_normal(8000 * 6 * channels) * 10).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(hiss.tobytes())
    return path


@pytest.mark.parametrize("channels", [1, 2])
def test_a_recording_with_no_words_is_not_scored_as_a_failed_call_nor_stored(tmp_path, capsys, channels):
    """A silent or cut-off file is a bad recording, not a call the agent failed (it scored 0/100, or for no
    turns at all stopped on an internal error)."""
    from simulator.store import open_store

    path = _silent_recording(tmp_path / f"dead-line-{channels}ch.wav", channels)
    code, out, err = _score(capsys, str(path), "--json")
    assert code == 1 and json.loads(out) == {"path": str(path), "error": err.strip().removeprefix("callsim: ")}
    assert "no words were recognised in its 6.0 s of audio" in err and str(path) in err
    db = str(tmp_path / "lab.db")
    code = main(["behaviour", "add", str(path), "--trainee", "sam", "--db", db])
    err = capsys.readouterr().err
    assert code == 1 and "no words were recognised" in err
    with open_store(db) as store:
        assert store.attempts("sam") == []


def test_a_batch_counts_recordings_with_no_words_apart_and_does_not_score_them_again(tmp_path, capsys):
    """Abandoned and ghost calls are a normal part of a day's recordings: not failures, and done once."""
    folder = tmp_path / "calls"
    folder.mkdir()
    shutil.copy(CALLS / "call-stereo.mp3", folder / "answered.mp3")
    _silent_recording(folder / "abandoned.wav", 2)
    out = tmp_path / "qa.jsonl"
    code, _, err = _score(capsys, str(folder), "--jsonl", str(out), "--analyser", "lexical")
    assert code == 0, err
    assert "1 call(s) scored, 1 with no words in them" in err and "0 failed" in err
    lines = {Path(line["path"]).name: line for line in map(json.loads, out.read_text().splitlines())}
    assert "no words were recognised" in lines["abandoned.wav"]["no_words"] and "error" not in lines["abandoned.wav"]
    assert "scorecard" in lines["answered.mp3"]
    code, _, err = _score(capsys, str(folder), "--jsonl", str(out), "--analyser", "lexical")
    assert code == 0 and "2 skipped" in err and len(out.read_text().splitlines()) == 2


def _cut(source: Path, target: Path, keep: float) -> Path:
    """The file as an incomplete copy leaves it: the header intact, the data cut at ``keep`` of its bytes."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def test_a_header_says_how_long_the_audio_is_in_any_wav_encoding_and_in_mp3s_that_count_their_frames(tmp_path):
    from simulator.declared_length import declared_s

    for name in ("call-stereo-mulaw-8k.wav", "call-stereo-u8-8k.wav", "call-mono-alaw-8k.wav"):
        audio = read_channels(CALLS / name)
        assert declared_s(CALLS / name) == pytest.approx(audio.duration_s, abs=0.01) and not audio.cut_off
    mp3 = read_channels(CALLS / "call-stereo.mp3")  # the Info header's frames include the encoder's padding
    assert declared_s(CALLS / "call-stereo.mp3") == pytest.approx(mp3.duration_s, abs=0.15) and not mp3.cut_off
    streaming = bytearray((CALLS / "call-stereo-u8-8k.wav").read_bytes())
    at = streaming.index(b"data") + 4
    streaming[at: at + 4] = b"\xff\xff\xff\xff"  # a recorder that never went back to write the size
    (tmp_path / "streaming.wav").write_bytes(bytes(streaming))
    assert declared_s(tmp_path / "streaming.wav") is None and not read_channels(tmp_path / "streaming.wav").cut_off
    no_index = bytearray((CALLS / "call-stereo.mp3").read_bytes())
    at = no_index.index(b"Info")
    no_index[at: at + 4] = b"\0\0\0\0"  # an MP3 without a frame count: its length is only an estimate
    (tmp_path / "no-index.mp3").write_bytes(bytes(no_index))
    assert declared_s(tmp_path / "no-index.mp3") is None
    joined = tmp_path / "joined.mp3"  # two calls end to end: the first one's header counts only its own frames
    joined.write_bytes((CALLS / "call-stereo.mp3").read_bytes() * 2)
    assert not read_channels(joined).cut_off


@pytest.mark.parametrize("name", ["call-stereo-mulaw-8k.wav", "call-stereo.mp3"])
def test_a_cut_off_file_is_scored_as_far_as_it_goes_and_says_it_is_cut_off(tmp_path, capsys, name):
    cut = _cut(CALLS / name, tmp_path / f"cut{Path(name).suffix}", 0.6)
    code, out, err = _score(capsys, str(cut), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["cut_off"]["declared_s"] == pytest.approx(11.2, abs=0.15)
    assert payload["cut_off"]["held_s"] == pytest.approx(0.6 * 11.2, abs=0.3)
    assert payload["turns"][0]["speaker"] == "customer" and "forward" in wer_words(payload["turns"][0]["text"])
    code, out, _ = _score(capsys, str(cut), "--analyser", "lexical")
    assert out.startswith("note: the file is cut off: its header says 0:11.")
    code, out, _ = _score(capsys, str(CALLS / name), "--analyser", "lexical", "--json")
    assert "cut_off" not in json.loads(out)


def test_a_file_of_more_than_two_channels_is_read_from_the_first_two_and_says_so(tmp_path, capsys):
    call = read_channels(CALLS / "call-stereo-mulaw-8k.wav")
    three = np.concatenate([call.samples, np.zeros((len(call.samples), 1), np.float32)], axis=1)
    path = tmp_path / "three-channels.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(3)
        out.setsampwidth(2)
        out.setframerate(call.sample_rate)
        out.writeframes((three * 32767).astype("<i2").tobytes())
    code, out, err = _score(capsys, str(path), "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["file_channels"] == 3 and payload["stereo"]
    assert [t["speaker"] for t in payload["turns"]] == [speaker for speaker, *_ in LINES]
    code, out, _ = _score(capsys, str(path), "--analyser", "lexical")
    assert out.startswith("note: the file has 3 channels: channels 0 and 1 were read as the call's two sides")


def _compliance_rules(payload: dict) -> set[str]:
    compliance = next(d for d in payload["scorecard"]["dimensions"] if d["dimension"] == "compliance")
    return {e["rule"] for e in compliance["evidence"]}


def _required(payload: dict) -> dict[str, bool]:
    return {step["step_id"]: step["required"] for step in payload["scorecard"]["steps"]}


def test_a_centres_own_required_steps_are_checked_on_every_call_from_the_flag_or_the_config(
        tmp_path, capsys, monkeypatch):
    """A centre's QA form: steps it asks of every call cost points when missed, its fatal items (a bank's
    identity check) fail the call; the library alone asks for neither."""
    call = str(CALLS / "call-stereo.mp3")
    code, out, err = _score(capsys, call, "--json")
    assert code == 0, err
    plain = json.loads(out)
    assert _required(plain)["verify_identity"] is False
    code, out, err = _score(capsys, call, "--json", "--require", "verify-identity", "--require", "restate_problem")
    assert code == 0, err
    required = json.loads(out)
    assert _required(required)["verify_identity"] and _required(required)["restate_problem"]
    missed = next(s for s in required["scorecard"]["steps"] if s["step_id"] == "verify_identity")
    assert not missed["hit"]  # the agent in this call never asks for security details
    assert "step.verify_identity" not in _compliance_rules(plain)
    assert "step.verify_identity" in _compliance_rules(required)  # a missed step, quoted against the call
    # the library's and the form's steps are weighted items (compliance has no mark of its own) ...
    for card in (plain["scorecard"], required["scorecard"]):
        compliance = next(d for d in card["dimensions"] if d["dimension"] == "compliance")
        assert compliance["pass_mark"] == 0 and not any(s["critical"] for s in card["steps"])
        assert not any("critical step missed" in reason for reason in card["fail_reasons"])
    # ... unless the form makes one a fatal item: then its miss fails the call whatever the score
    code, out, err = _score(capsys, call, "--json", "--critical", "verify_identity")
    assert code == 0, err
    fatal = json.loads(out)["scorecard"]
    critical = next(s for s in fatal["steps"] if s["step_id"] == "verify_identity")
    assert critical["required"] and critical["critical"] and not critical["hit"] and not fatal["passed"]
    assert [r for r in fatal["fail_reasons"] if r.startswith("critical step missed: asks for security")]
    monkeypatch.setenv("CALLSIM_QA_CRITICAL_STEPS", "verify_identity")
    code, out, err = _score(capsys, call, "--json")
    assert code == 0, err
    assert json.loads(out)["scorecard"]["fail_reasons"] == fatal["fail_reasons"]
    monkeypatch.delenv("CALLSIM_QA_CRITICAL_STEPS")
    monkeypatch.setenv("CALLSIM_QA_REQUIRED_STEPS", "verify_identity")
    code, out, err = _score(capsys, call, "--json")
    assert code == 0, err
    assert _required(json.loads(out))["verify_identity"]
    code, out, err = _score(capsys, call, "--json", "--require", "")  # the flag overrides the config
    assert code == 0, err
    assert _required(json.loads(out)) == _required(plain)


def test_require_given_again_adds_to_the_kinds_given_before():
    parse = build_parser().parse_args
    assert parse(["score", "x.wav", "--require", "greet,close", "--require", "verify_identity"]).require == \
        "greet,close,verify_identity"
    assert parse(["score", "x.wav", "--require", "", "--require", "close"]).require == "close"
    assert parse(["score", "x.wav", "--require", ""]).require == ""  # none, over the setting
    assert parse(["score", "x.wav"]).require is None  # the setting
    assert parse(["score", "x.wav", "--critical", "verify_identity", "--critical", "close"]).critical == \
        "verify_identity,close"


def test_an_unknown_required_step_or_one_beside_a_scenario_is_refused_before_scoring(tmp_path, capsys, monkeypatch):
    call = str(CALLS / "call-stereo.mp3")
    code, out, err = _score(capsys, call, "--require", "verify_identty")
    assert code == 2 and not out and "did you mean 'verify_identity'" in err and "--require" in err
    code, _, err = _score(capsys, call, "--require", "verify_identity", "--scenario", "billing-overcharge")
    assert code == 2 and "with --scenario the scenario's script says which steps are required" in err
    code, _, err = _score(capsys, call, "--critical", "verify_identty")
    assert code == 2 and "did you mean 'verify_identity'" in err and "--critical" in err
    code, _, err = _score(capsys, call, "--critical", "verify_identity", "--analyser", "lexical")
    assert code == 2 and "--critical needs an analyser that reads the library's step kinds" in err
    monkeypatch.setenv("CALLSIM_QA_REQUIRED_STEPS", "greeting")
    code, _, err = _score(capsys, call, "--jsonl", str(tmp_path / "out.jsonl"))
    assert code == 2 and "did you mean 'greet'" in err
    assert "qa_required_steps (config file or CALLSIM_QA_REQUIRED_STEPS)" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_behaviour_add_requires_the_configured_steps_as_score_does(tmp_path, capsys, monkeypatch):
    from simulator.store import open_store

    monkeypatch.setenv("CALLSIM_QA_REQUIRED_STEPS", "verify_identity")
    path, db = str(CALLS / "call-stereo.mp3"), str(tmp_path / "lab.db")
    code = main(["behaviour", "add", path, "--trainee", "sam", "--db", db])
    out = capsys.readouterr().out
    assert code == 0
    with open_store(db) as store:
        stored = store.get_call(store.resolve_call_id(out.split("stored as real call ")[1].split()[0]))
    assert stored.scorecard is not None
    assert {s.step_id: s.required for s in stored.scorecard.steps}["verify_identity"]
    monkeypatch.setenv("CALLSIM_QA_REQUIRED_STEPS", "verfy")
    assert main(["behaviour", "add", path, "--trainee", "sam", "--db", db]) == 1
    assert "qa_required_steps (config file or CALLSIM_QA_REQUIRED_STEPS)" in capsys.readouterr().err


ASR_CLIPS = Path(__file__).resolve().parents[1] / "data" / "asr"
ZH_CLIP = ASR_CLIPS / "paddlespeech_zh.wav"


def test_a_recording_in_another_language_is_not_scored_as_a_poor_english_call(tmp_path, capsys):
    """tiny.en wrote this Mandarin clip as "When we pop, we do the other two-shoes." and the call scored
    33/100 with tips to greet the caller."""
    code, out, err = _score(capsys, str(ZH_CLIP), "--mono", "agent", "--json")
    assert code == 1 and "the speech is in Chinese (zh)" in err and "--language zh" in err
    assert json.loads(out).keys() == {"path", "error"}
    results = tmp_path / "out.jsonl"
    code, _, err = _score(capsys, str(ZH_CLIP), str(CALLS / "call-stereo.mp3"), "--jsonl", str(results))
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert code == 1 and len(lines) == 2
    by_file = {Path(line["path"]).name: line for line in lines}
    assert "Chinese (zh)" in by_file[ZH_CLIP.name]["error"] and "scorecard" in by_file["call-stereo.mp3"]
    assert by_file[ZH_CLIP.name]["other_language"] == "zh"
    assert "1 call(s) scored, 1 in another language" in err and "0 failed" in err
    assert all(", 0 failed, about" in line for line in err.splitlines() if line.startswith("[")), err  # progress
    code, _, err = _score(capsys, str(ZH_CLIP), "--jsonl", str(results), "--language", "zh", "--mono", "agent")
    assert code == 0 and "1 call(s) scored" in err  # tried again, in its language, not skipped as done


def test_a_mandarin_recording_is_scored_in_mandarin_with_language_zh(capsys):
    code, out, err = _score(capsys, str(ZH_CLIP), "--mono", "agent", "--language", "zh", "--json")
    assert code == 0, err
    payload = json.loads(out)
    text = "".join(turn["text"] for turn in payload["turns"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # heard as Chinese characters, not English words
    code, out, err = _score(capsys, str(ZH_CLIP), "--mono", "agent", "--language", "zh", "--brief")
    assert code == 0 and "评分卡" in out and "问候来电客户" in out  # the scorecard and the library's steps in Chinese
    code, out, err = _score(capsys, str(ZH_CLIP), "--language", "zh")  # both voices, maybe: not told apart
    assert code == 0, err
    card = out[out.index("评分卡"):]  # the command line's own notes above it are English
    assert "没有分开两位说话人" in card and "不同声道" in card  # why empathy and tone were not judged, and the tip
    assert "not judged" not in card and "Record the agent" not in card  # in English, amid a Chinese scorecard
    code, _, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--language", "zh")
    assert code == 1 and "the speech is in English (en)" in err and "--language en" in err
    code, _, err = _score(capsys, str(ZH_CLIP), "--language", "zh", "--scenario", "billing-overcharge")
    assert code == 2 and "--language is the built-in behaviour library's" in err


def test_a_call_the_recogniser_is_sure_of_never_loads_the_language_model(monkeypatch):
    from simulator.asr import registry
    from simulator.config import load_settings
    from simulator.qa.importer import RecordingScorer

    asked = []
    real = registry.language_identifier_from_settings

    def counted(settings, **options):
        identifier = real(settings, **options)
        if identifier is None:
            return None
        identify = identifier.identify
        identifier.identify = lambda audio: asked.append(len(audio)) or identify(audio)
        return identifier

    monkeypatch.setattr(registry, "language_identifier_from_settings", counted)
    settings = load_settings()
    RecordingScorer(settings).score(CALLS / "call-stereo.mp3")
    assert asked == []
    scorer = RecordingScorer(settings)
    with pytest.raises(ValueError, match="Chinese"):
        scorer.score(ZH_CLIP)
    assert len(asked) == 1 and asked[0] <= 30 * 16_000


def test_a_call_in_doubt_is_told_apart_by_the_model_that_heard_the_agent(monkeypatch):
    """Agents are heard with base, the model that tells languages apart: a call in doubt loaded it twice."""
    import faster_whisper

    from simulator.config import load_settings
    from simulator.qa.importer import RecordingScorer

    loaded: list[str] = []
    whisper_model = faster_whisper.WhisperModel

    class CountedWhisperModel(whisper_model):  # type: ignore[misc, valid-type]
        def __init__(self, model_path, *args, **kwargs):
            loaded.append(str(model_path))
            super().__init__(model_path, *args, **kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", CountedWhisperModel)
    with pytest.raises(ValueError, match="Chinese"):
        RecordingScorer(load_settings()).score(ZH_CLIP)
    assert loaded and len(loaded) == len(set(loaded)), loaded  # each model loaded once


def test_behaviour_add_keeps_a_mandarin_call_only_when_told_its_language(tmp_path, capsys):
    db = str(tmp_path / "lab.db")
    assert main(["behaviour", "add", str(ZH_CLIP), "--trainee", "li", "--db", db]) == 1
    assert "the speech is in Chinese (zh)" in capsys.readouterr().err
    assert main(["behaviour", "add", str(ZH_CLIP), "--trainee", "li", "--db", db, "--language", "zh"]) == 0
    assert "stored as real call" in capsys.readouterr().out


def test_recorded_calls_are_heard_by_the_qa_model_and_say_which(capsys, monkeypatch):
    """QA can afford a surer recogniser for the agent's words than a practice call's live turn: ``qa_asr_model``."""
    call = str(CALLS / "call-stereo.mp3")
    code, out, err = _score(capsys, call, "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["asr_models"] == {"agent": "base", "customer": "tiny.en"}  # the scored side only
    monkeypatch.setenv("CALLSIM_QA_ASR_MODEL", "tiny.en")
    code, out, err = _score(capsys, call, "--analyser", "lexical", "--json")
    assert code == 0, err
    assert json.loads(out)["asr_models"] == {"agent": "tiny.en", "customer": "tiny.en"}
    assert [t["speaker"] for t in payload["turns"]] == [speaker for speaker, *_ in LINES]
    assert all(word in wer_words(t["text"]) for t, (*_, word) in zip(payload["turns"], LINES, strict=True))


def test_a_qa_model_that_will_not_load_is_named_by_its_setting(tmp_path, capsys, monkeypatch):
    """The backend's message says "Set asr_model to ..." while asr_model was fine: qa_asr_model was not."""
    broken = _broken_model(tmp_path)
    monkeypatch.setenv("CALLSIM_QA_ASR_MODEL", str(broken))
    code, out, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--analyser", "lexical")
    assert code == 3 and out == "" and "This model is the qa_asr_model setting" in err and str(broken) in err


def test_a_model_both_settings_name_is_blamed_on_both(tmp_path, capsys, monkeypatch):
    """Setting qa_asr_model to '' (asr_model's model) would not help when asr_model names the same broken model."""
    broken = _broken_model(tmp_path)
    monkeypatch.setenv("CALLSIM_QA_ASR_MODEL", str(broken))
    monkeypatch.setenv("CALLSIM_ASR_MODEL", str(broken))
    code, out, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--analyser", "lexical")
    assert code == 3 and out == "" and str(broken) in err
    assert "Both the asr_model and the qa_asr_model settings name this model" in err and "or to ''" not in err


def test_analyze_names_an_audio_line_in_another_language_and_reads_the_rest(tmp_path, capsys):
    lines = tmp_path / "turns.jsonl"
    lines.write_text(json.dumps({"id": "zh", "audio": str(ZH_CLIP)}) + "\n"
                     + json.dumps({"id": "en", "audio": str(CALLS / "call-stereo.mp3"), "speaker": "agent"}) + "\n")
    assert main(["analyze", "--jsonl", str(lines), "--analyser", "lexical"]) == 1
    captured = capsys.readouterr()
    first, second = (json.loads(line) for line in captured.out.splitlines())
    assert "the speech is in Chinese (zh)" in first["error"] and "Mandarin (language: zh) scenario" in first["error"]
    assert "error" not in second and second["text"]


def test_the_language_check_hears_english_held_to_mandarin_and_gives_the_scenario_hint(capsys):
    """The multilingual model held to Mandarin wrote clear English as English words, sure of them, and the
    call was scored 0 as a Mandarin call; with --scenario the hint named --language, which is then refused."""
    code, _, err = _score(capsys, str(ASR_CLIPS / "whisper_jfk.wav"), "--mono", "agent", "--language", "zh")
    assert code == 1 and "the speech is in English (en)" in err
    code, _, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--scenario", "zh-parcel-lost")
    assert code == 1 and "score it with a scenario in English (en)" in err and "--language" not in err


def test_library_options_are_refused_only_where_they_cannot_apply(capsys, monkeypatch, tmp_path):
    call = str(CALLS / "call-stereo.mp3")
    code, _, err = _score(capsys, call, "--analyser", "lexical", "--require", "verify_identity")
    assert code == 2 and "--require needs an analyser that reads the library's step kinds" in err
    monkeypatch.setenv("CALLSIM_QA_REQUIRED_STEPS", "bogus")
    code, _, err = _score(capsys, call, "--analyser", "lexical", "--scenario", "billing-overcharge")
    assert code == 0, err  # the setting shapes the library only: a scenario run does not read it
    monkeypatch.delenv("CALLSIM_QA_REQUIRED_STEPS")
    for language in ("zh", "en"):  # "en" too: a Mandarin scenario's calls are not heard as English by it
        code = main(["behaviour", "add", call, "--trainee", "li", "--db", str(tmp_path / "b.db"),
                     "--scenario", "billing-overcharge", "--language", language])
        assert code == 2 and "--language is the built-in behaviour library's" in capsys.readouterr().err


def test_analyze_says_a_silent_audio_line_has_no_reply_and_a_blank_qa_model_is_unset(tmp_path, capsys, monkeypatch):
    """A silent clip came back as a reply with "empathy none" (score refuses the same file)."""
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        handle.writeframes(np.zeros(16_000 * 2, "<i2").tobytes())
    lines = tmp_path / "turns.jsonl"
    lines.write_text(json.dumps({"id": "quiet", "audio": str(silent)}) + "\n")
    assert main(["analyze", "--jsonl", str(lines), "--analyser", "lexical"]) == 1
    assert "no words were recognised in its 2.0 s of audio" in json.loads(capsys.readouterr().out)["error"]
    monkeypatch.setenv("CALLSIM_QA_ASR_MODEL", "  ")
    code, out, err = _score(capsys, str(CALLS / "call-stereo.mp3"), "--analyser", "lexical", "--json")
    assert code == 0, err
    assert json.loads(out)["asr_models"]["agent"] == "tiny.en"


def test_a_batch_run_again_with_other_options_scores_the_calls_again(tmp_path, capsys):
    """The skip key was the file's hash alone: a run with --require (or another QA model, scenario...) into
    the same results file skipped every call as already scored, keeping results made without it."""
    results = tmp_path / "out.jsonl"
    call = str(CALLS / "call-stereo.mp3")
    code, _, err = _score(capsys, call, "--jsonl", str(results))
    assert code == 0 and "1 call(s) scored" in err
    code, _, err = _score(capsys, call, "--jsonl", str(results))
    assert code == 0 and "0 call(s) scored" in err and "1 skipped" in err
    code, _, err = _score(capsys, call, "--jsonl", str(results), "--require", "verify_identity")
    assert code == 0 and "1 call(s) scored" in err and "0 skipped" in err
    code, _, err = _score(capsys, call, "--jsonl", str(results), "--require", "verify_identity")
    assert code == 0 and "1 skipped" in err
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [line.get("options") for line in lines] == ["qa_asr_model=base", "require=verify_identity;qa_asr_model=base"]
    assert _required(lines[1])["verify_identity"] and not _required(lines[0])["verify_identity"]
    # a line from before the agent's model was recorded was heard by that day's default (tiny.en): not today's
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text(json.dumps({key: value for key, value in lines[0].items() if key != "options"}) + "\n")
    code, _, err = _score(capsys, call, "--jsonl", str(earlier))
    assert code == 0 and "1 call(s) scored" in err and "0 skipped" in err
