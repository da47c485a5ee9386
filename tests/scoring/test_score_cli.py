"""``callsim score`` end to end: recorded callsim calls, and outside WAV recordings through the real
Silero VAD and Whisper (faster-whisper with the packaged tiny.en model)."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.lexical import LexicalAnalyser
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import run_call
from simulator.cli import main
from simulator.contracts import EmpathyJudgement, EmpathyLevel, Outcome, Speaker, Transcript, TurnAnalysis
from simulator.record import CallHeader, CallRecorder, TurnRecord
from simulator.scenario.loader import load_scenario
from simulator.scoring.scorecard import scorecard_to_json

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "asr"
RATE = 16_000

# (speaker, words, silence before the line in seconds); espeak-ng voices, so the words are known
CALL = (
    ("customer", "Hello? You have charged me twice this month and I am really upset about it!", 0.5),
    ("agent", "Thank you for calling, my name is Sam. I am so sorry you have been charged twice.", 0.8),
    ("customer", "Yes. I want my money back.", 1.0),
    ("agent", "Could you confirm your date of birth for security please?", 4.5),
    ("customer", "The third of March nineteen fifty eight.", 0.3),
    ("agent", "Thank you. I have refunded the second payment, it will be back within three working days.", 1.2),
)


def _speak(text: str, folder: Path, name: str, voice: str, rate: int) -> np.ndarray:
    raw, out = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)], check=True)
    with wave.open(str(out)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768


def _write(path: Path, samples: np.ndarray) -> Path:
    frames = samples if samples.ndim == 2 else samples[:, None]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(frames.shape[1])
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((np.clip(frames, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """A stereo call (agent left, customer right) and the agent side alone, with the line times."""
    folder = tmp_path_factory.mktemp("external")
    placed, clock = [], 0.0
    for number, (speaker, text, gap) in enumerate(CALL):
        voice, rate = ("en-us", 165) if speaker == "agent" else ("en-gb", 180)
        samples = _speak(text, folder, f"line{number}", voice, rate)
        clock += gap
        placed.append((speaker, clock, samples))
        clock += samples.size / RATE
    stereo = np.zeros((int((clock + 1.0) * RATE), 2), np.float32)
    for speaker, start, samples in placed:
        first = int(start * RATE)
        stereo[first: first + samples.size, 0 if speaker == "agent" else 1] += 0.6 * samples
    times = [(speaker, start, start + samples.size / RATE) for speaker, start, samples in placed]
    return {"stereo": _write(folder / "call.wav", stereo), "mono": _write(folder / "agent.wav", stereo[:, 0]),
            "times": times}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["score", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_recorded_text_call_scores_the_same_as_it_did_live(tmp_path, capsys):
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    replies = ["Thank you for calling, my name is Sam. I'm so sorry you've been charged twice.",
               "Can I take your date of birth for security please?", "Calm down, I've refunded it."]
    finished = run_call(loaded, LexicalAnalyser(loaded.scenario), SilentVoice(),
                        ScriptedReplies([parse_reply(r) for r in replies]), tmp_path / "call")
    code, out, _ = run_cli(capsys, str(tmp_path / "call"), "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["kind"] == "recorded" and payload["scenario"] == "billing-overcharge"
    assert payload["scorecard"] == scorecard_to_json(finished.scorecard)
    code, out, _ = run_cli(capsys, str(tmp_path / "call" / "call.jsonl"))
    assert code == 0 and "Scorecard:" in out and "calm" in out and "tip:" in out
    assert "note:" not in out
    code, out, _ = run_cli(capsys, str(tmp_path / "call"), "--require", "verify_identity", "--language", "zh")
    assert code == 0 and "Scorecard:" in out  # scored against its own (English) scenario, the flags said unused
    assert "note: --require and --language shape the library recordings are scored against" in out


def test_a_stereo_recording_is_cut_into_turns_transcribed_timed_and_scored(recording, capsys):
    code, out, err = run_cli(capsys, str(recording["stereo"]), "--scenario", "billing-overcharge",
                             "--analyser", "lexical", "--json")
    assert code == 0, err
    payload = json.loads(out)
    turns = payload["turns"]
    assert [t["speaker"] for t in turns] == ["customer", "trainee"] * 3
    for turn, (_speaker, start, end) in zip(turns, recording["times"], strict=True):
        assert turn["start_s"] == pytest.approx(start, abs=0.35)
        assert turn["end_s"] == pytest.approx(end, abs=0.35)
    said = " ".join(t["text"].lower() for t in turns)
    for word in ("charged", "twice", "birth", "refunded", "working days", "money back"):
        assert word in said
    card = payload["scorecard"]
    hit = {s["step_id"] for s in card["steps"] if s["hit"]}
    assert {"greet", "verify", "resolve"} <= hit
    tone = next(d for d in card["dimensions"] if d["dimension"] == "tone")
    assert tone["score"] is not None
    dead_air = [e for e in tone["evidence"] if e["rule"] == "tone.dead_air"]
    assert [e["turn_index"] for e in dead_air] == [2]
    agent_two = recording["times"][3]
    assert dead_air[0]["time_s"] == pytest.approx(agent_two[1], abs=0.35)
    voice = card["voice"]
    assert voice["talk_ratio"] is not None and 0.4 < voice["talk_ratio"] < 0.8
    assert voice["longest_response_delay_s"] == pytest.approx(4.5, abs=0.35)
    assert all(t["tone"] is not None for t in card["turns"])


def test_an_agent_only_recording_without_a_scenario_scores_tone_and_leaves_empathy_unjudged(recording, capsys):
    code, out, err = run_cli(capsys, str(recording["mono"]), "--analyser", "lexical", "--mono", "agent", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert not payload["stereo"] and payload["speakers_separated"]
    assert {t["speaker"] for t in payload["turns"]} == {"trainee"}
    assert len(payload["turns"]) == 3
    scores = {d["dimension"]: d["score"] for d in payload["scorecard"]["dimensions"]}
    assert scores["compliance"] is None  # the word-list analyser cannot read the behaviour library's kinds
    assert scores["empathy"] is None  # no customer on the recording and nothing answers a feeling: not judged
    assert scores["tone"] is not None


def test_a_recorded_voiced_call_gets_its_tone_from_the_turn_audio(tmp_path, capsys):
    """An analyser without tone wrote the record; scoring measures tone from the saved WAVs."""
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    header = CallHeader(loaded.scenario.id, loaded.sha256, 0, "voice", "lexical", "2026-01-01T00:00:00",
                        str(loaded.path))
    recorder = CallRecorder(tmp_path / "voiced", header)
    clock = 0.0
    for number in range(1, 4):
        clip = f"pocketsphinx_cards_00{number}.wav"
        shutil.copy(DATA / clip, tmp_path / "voiced" / clip)
        recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Well?", clock, clock + 1.0, mood=60))
        analysis = TurnAnalysis(number, Transcript("ten of clubs"), EmpathyJudgement(EmpathyLevel.NONE, 0.0))
        recorder.add(TurnRecord(0, Speaker.TRAINEE, "ten of clubs", clock + 1.5, clock + 3.0, clip,
                                analysis=analysis))
        clock += 4.0
    recorder.finish(Outcome.UNRESOLVED)
    code, out, err = run_cli(capsys, str(tmp_path / "voiced"), "--json")
    assert code == 0, err
    card = json.loads(out)["scorecard"]
    assert all(t["tone"] is not None for t in card["turns"])
    assert next(d for d in card["dimensions"] if d["dimension"] == "tone")["score"] is not None


@pytest.mark.parametrize("name, content", [("notes.wav", b"this is not audio"), ("missing", None),
                                           ("call.txt", b"hello")])
def test_bad_input_gives_a_clear_error_not_a_crash(tmp_path, capsys, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, _, err = run_cli(capsys, str(path))
    assert code == 1
    assert str(path) in err


def test_without_customer_asr_only_the_agent_is_transcribed(recording, capsys):
    code, out, err = run_cli(capsys, str(recording["stereo"]), "--analyser", "lexical", "--no-customer-asr",
                             "--json")
    assert code == 0, err
    turns = json.loads(out)["turns"]
    assert [t["speaker"] for t in turns] == ["customer", "trainee"] * 3
    assert all(t["text"] == "" for t in turns if t["speaker"] == "customer")
    assert "refunded" in turns[-1]["text"].lower()


def test_a_call_whose_scenario_cannot_be_found_says_how_to_fix_it(tmp_path, capsys):
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    header = CallHeader("no-such-scenario", "0" * 64, 0, "text", "lexical", "2026-01-01T00:00:00",
                        str(tmp_path / "gone.yaml"))
    recorder = CallRecorder(tmp_path / "orphan", header)
    recorder.finish(Outcome.UNRESOLVED)
    code, _, err = run_cli(capsys, str(tmp_path / "orphan"))
    assert code == 1 and "--scenario" in err and "no-such-scenario" in err
    code, out, err = run_cli(capsys, str(tmp_path / "orphan"), "--scenario", str(loaded.path))
    assert code == 0 and "Scorecard:" in out
    assert "changed since this call was recorded" in err  # the recorded hash differs from the file's


def test_several_calls_in_one_run_and_a_bad_one_does_not_stop_the_rest(tmp_path, capsys):
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    folders = []
    for name, reply in (("a", "Thank you for calling, my name is Sam."), ("b", "Calm down.")):
        run_call(loaded, LexicalAnalyser(loaded.scenario), SilentVoice(), ScriptedReplies([parse_reply(reply)]),
                 tmp_path / name)
        folders.append(str(tmp_path / name))
    code, out, err = run_cli(capsys, folders[0], str(tmp_path / "missing"), folders[1], "--json")
    assert code == 1 and "missing" in err
    payload = json.loads(out)
    assert [bool(item.get("error")) for item in payload] == [False, True, False]
    assert payload[2]["scorecard"]["violations"][0]["phrase_id"] == "calm-down"
    code, out, _ = run_cli(capsys, *folders, "--brief")
    assert code == 0 and out.count("Scorecard:") == 2 and f"== {folders[1]}" in out
