"""Call records survive crashes: every finished turn is on disk, a cut-off line is dropped."""

from __future__ import annotations

import json

import pytest

from simulator.contracts import EngineEvent, Outcome, Speaker, Word
from simulator.record import CALL_FILE, CallHeader, CallRecorder, TurnRecord, read_call


def header() -> CallHeader:
    return CallHeader("billing-overcharge", "0" * 64, 1, "text", "lexical", "2026-01-01T00:00:00Z")


def test_round_trip(tmp_path):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?", node_id="opening", mood=60,
                            events=(EngineEvent.SILENCE,)))
    recorder.add(TurnRecord(0, Speaker.TRAINEE, "Hi there", start_s=1.0, end_s=2.0,
                            words=(Word("Hi", 1.0, 1.3, 0.9), Word("there", 1.3, 2.0, 0.8))))
    finished = recorder.finish(Outcome.RESOLVED)
    again = read_call(tmp_path / "call")
    assert again == finished
    assert [t.index for t in again.turns] == [0, 1]
    assert again.turns[1].words[1].end_s == 2.0


def test_turns_are_on_disk_before_the_call_ends(tmp_path):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    # another process (or the next start after a crash) reads it while the call is open
    partial = read_call(tmp_path / "call")
    assert not partial.complete and partial.outcome is None and len(partial.turns) == 1
    recorder.close()


def test_truncated_last_line_is_dropped_not_fatal(tmp_path):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    recorder.add(TurnRecord(0, Speaker.TRAINEE, "Hi"))
    recorder.close()
    path = tmp_path / "call" / CALL_FILE
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"type": "turn", "index": 2, "speaker": "cust')  # killed mid-write
    record = read_call(path)
    assert len(record.turns) == 2 and not record.complete


def test_corruption_in_the_middle_is_reported_with_its_line(tmp_path):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    recorder.finish(Outcome.RESOLVED)
    path = tmp_path / "call" / CALL_FILE
    lines = path.read_text().splitlines()
    lines[1] = "garbage"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"call.jsonl:2"):
        read_call(path)


@pytest.mark.parametrize(("line_2", "says"), [
    ("[]", r"call.jsonl:2: not a call record line"),  # behaviour add stopped on TypeError
    ('{"type": "turn", "index": "x", "speaker": "customer", "text": "Hi"}', r"call.jsonl:2: index: .*integer"),
    ('{"type": "turn", "index": 0, "speaker": "robot", "text": "Hi"}', r"call.jsonl:2: speaker: "),
    ('{"type": "end", "outcome": "weird"}', r"call.jsonl:2: not a valid end line"),
    ('{"type": "turn"}', r"call.jsonl:2: index: Field required"),
])
def test_a_damaged_line_is_named_with_what_is_wrong_not_a_library_dump(tmp_path, line_2, says):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    recorder.finish(Outcome.RESOLVED)
    path = tmp_path / "call" / CALL_FILE
    lines = path.read_text().splitlines()
    lines[1] = line_2
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=says) as refused:
        read_call(path)
    assert "pydantic" not in str(refused.value) and len(str(refused.value).splitlines()) == 1


def test_a_record_from_a_newer_callsim_is_not_read_as_this_versions(tmp_path):
    recorder = CallRecorder(tmp_path / "call", header())
    recorder.finish(Outcome.RESOLVED)
    path = tmp_path / "call" / CALL_FILE
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["format_version"] = 99  # was accepted in silence
    lines[0] = json.dumps(first)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"call.jsonl:1: written by a newer callsim \(record format 99"):
        read_call(path)


def test_a_binary_file_is_not_a_call_record(tmp_path):
    path = tmp_path / "noise.jsonl"
    path.write_bytes(bytes(range(128, 256)))
    with pytest.raises(ValueError, match=r"noise.jsonl: not a callsim call record \(not UTF-8 text\)"):
        read_call(path)


def test_an_existing_call_is_never_overwritten(tmp_path):
    CallRecorder(tmp_path / "call", header()).close()
    with pytest.raises(FileExistsError):
        CallRecorder(tmp_path / "call", header())


def test_header_line_is_plain_json(tmp_path):
    CallRecorder(tmp_path / "call", header()).close()
    first = json.loads((tmp_path / "call" / CALL_FILE).read_text().splitlines()[0])
    assert first["type"] == "call" and first["scenario_id"] == "billing-overcharge"


def test_a_full_disk_mid_call_gives_a_clear_message_and_keeps_finished_turns(tmp_path):
    """The file-size limit makes writes fail like a full disk does (EFBIG instead of ENOSPC)."""
    import resource
    import signal
    import subprocess
    import sys
    from pathlib import Path

    reference = Path(__file__).resolve().parents[2] / "scenarios" / "billing-overcharge.yaml"
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello there, my name is Sam.\n" * 12)
    limit = 4096

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", str(reference), "--text", "--replies", str(replies),
         "--record-to", str(tmp_path / "calls"), "--analyser", "lexical"],
        capture_output=True, text=True, preexec_fn=limit_file_size, timeout=120)
    assert result.returncode == 4
    assert "cannot write to" in result.stderr and "--record-to" in result.stderr
    assert "Traceback" not in result.stderr
    [folder] = list((tmp_path / "calls").iterdir())
    assert (folder / CALL_FILE).stat().st_size <= limit
    record = read_call(folder)
    assert len(record.turns) >= 3 and not record.complete
    assert (folder / CALL_FILE).read_bytes().endswith(b"\n")
