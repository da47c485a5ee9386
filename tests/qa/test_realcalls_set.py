"""The real-call yardstick (benchmarks/realcalls/): its manifest, its splits and fetch.py's build.

The audio itself is not in the repository, so these check what decides how each call is fetched
and scored: every call judged, in exactly one split, with an agent side compare.py can act on, and
fetch.py re-creating a call from a local git repository and refusing one whose bytes changed.
"""

from __future__ import annotations

import array
import hashlib
import importlib.util
import io
import json
import subprocess
import sys
import wave
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES

REALCALLS = Path(__file__).resolve().parents[2] / "benchmarks" / "realcalls"
STANDARD_STEPS = frozenset(STEP_KIND_NAMES)
FORBIDDEN_KINDS = frozenset(FORBIDDEN_KIND_NAMES)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"realcalls_{name}", REALCALLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compare() -> ModuleType:
    return load("compare")


@pytest.fixture(scope="module")
def fetch() -> ModuleType:
    return load("fetch")


@pytest.fixture(scope="module")
def calls() -> list[dict]:
    return yaml.safe_load((REALCALLS / "manifest.yaml").read_text(encoding="utf-8"))["calls"]


def test_every_call_is_in_exactly_one_split(compare: ModuleType, calls: list[dict]) -> None:
    splits = compare.split_of([c["id"] for c in calls])
    assert set(splits) == {c["id"] for c in calls}
    assert {"tuning", "held-out", "held-out-new", "held-out-hvb", "held-out-spokenwoz"} == set(splits.values())
    # the calls added by realqa2 are held out, never tuning
    for call_id in ("bda-bank-card-cancel", "google-chromecast-order", "callytics-logistics-ap",
                    "c9-support-power-reset"):
        assert splits[call_id] == "held-out-new"


def test_a_call_missing_from_the_splits_is_reported(compare: ModuleType, calls: list[dict]) -> None:
    with pytest.raises(ValueError, match="in no split \\['a-new-call'\\]"):
        compare.split_of([*(c["id"] for c in calls), "a-new-call"])


def test_every_call_is_judged_and_its_pass_follows_its_score(calls: list[dict]) -> None:
    for call in calls:
        judged = call["judgement"]
        assert judged["pass"] == (judged["score"] >= 70), call["id"]
        steps = [*judged["steps_done"], *judged["steps_partly"], *judged["steps_missed"]]
        assert len(steps) == len(set(steps)), call["id"]  # no step judged twice
        assert set(steps) <= STANDARD_STEPS, call["id"]
        assert judged["outcome"] in ("resolved", "unresolved", "escalated", "unknown"), call["id"]


def test_each_call_says_which_side_is_the_agent(compare: ModuleType, calls: list[dict]) -> None:
    sides = {c["id"]: compare.how_recorded(c["audio"]) for c in calls}
    assert sides["bda-bank-card-cancel"] == (False, 1)  # stereo, agent on the right
    assert sides["lca-auto-repairs-40"] == (False, 0)
    assert sides["lca-acme-bank-agent"] == (True, 0)
    assert sides["google-chromecast-order"] == (False, 0)
    assert sides["swoz-sng0072"] == (False, 1)  # SpokenWOZ: customer left, agent right
    with pytest.raises(ValueError, match="agent_channel 'left' is not one of"):
        compare.how_recorded({"file": "x.wav", "agent_channel": "left"})


def test_the_manifest_reads_and_copies_keep_their_hash(fetch: ModuleType) -> None:
    sources = fetch.read_manifest(REALCALLS / "manifest.yaml")
    assert len(sources) >= 12
    for source in sources:
        if source.build == "copy":
            assert source.output_sha256 == source.files[0].sha256, source.call_id


def tiny_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(bytes(range(256)) * 8)
    return out.getvalue()


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_fetch_builds_a_call_from_a_local_mirror_and_refuses_changed_bytes(fetch: ModuleType, tmp_path: Path) -> None:
    work = tmp_path / "owner+calls" / "work"
    work.mkdir(parents=True)
    audio = tiny_wav()
    (work / "call.wav").write_bytes(audio)
    git("init", "-q", cwd=work)
    git("add", "call.wav", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a call", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    git("clone", "-q", "--bare", str(work), str(tmp_path / "owner+calls" / "repo"), cwd=tmp_path)
    digest = hashlib.sha256(audio).hexdigest()

    def manifest(sha: str) -> Path:
        path = tmp_path / f"manifest-{sha[:6]}.yaml"
        entry = {"id": "a-call", "source": {"repo": "owner/calls", "commit": commit, "build": "copy",
                                            "files": [{"path": "call.wav", "sha256": sha}]},
                 "audio": {"file": "a-call.wav", "sha256": sha}}
        path.write_text(yaml.safe_dump({"calls": [entry]}), encoding="utf-8")
        return path

    dest = tmp_path / "out"
    assert fetch.main(["--manifest", str(manifest(digest)), "--mirror-root", str(tmp_path), "--dest", str(dest)]) == 0
    assert (dest / "a-call.wav").read_bytes() == audio
    assert fetch.main(["--manifest", str(manifest(digest)), "--dest", str(dest), "--check"]) == 0

    wrong = "0" * 64
    assert fetch.main(["--manifest", str(manifest(wrong)), "--mirror-root", str(tmp_path),
                       "--dest", str(tmp_path / "other")]) == 1
    assert not (tmp_path / "other" / "a-call.wav").exists()


def test_an_agent_file_that_started_later_is_put_back_on_the_calls_clock(fetch: ModuleType) -> None:
    """HarperValleyBank's agent files start about 2 s after the caller's on six calls: built as they
    are, the agent would answer before the customer finished."""
    agent, customer = tiny_wav(), tiny_wav()  # 1024 frames each at 8 kHz, the first sample 256
    with wave.open(io.BytesIO(fetch.interleave_agent_left(agent, customer, "c", agent_delay_ms=250))) as reader:
        assert reader.getnframes() == 2000 + 1024  # the customer's side is silent at the end instead
        samples = array.array("h", reader.readframes(reader.getnframes()))  # left, right, left, right...
    assert not any(samples[0:4000:2]) and samples[4000] == 256  # the agent: 250 ms of silence, then the file
    assert samples[1] == 256 and not any(samples[2 * 1024 + 1::2])  # the customer from the start
    delayed = [s for s in fetch.read_manifest(REALCALLS / "manifest.yaml") if s.agent_delay_ms]
    assert {s.call_id for s in delayed} <= set(load("compare").HVB_HELD_OUT) and len(delayed) == 6
    assert all(1900 <= s.agent_delay_ms <= 2100 for s in delayed)


def test_whether_empathy_was_called_for_reads_the_same_on_both_sides(compare: ModuleType, calls: list[dict]) -> None:
    assert {str(c["judgement"]["empathy"]) for c in calls} <= {"True", "partly", "not needed"}
    called = {c["id"]: compare.analyst_verdict(c).empathy_called_for for c in calls}
    assert called["pca-auto0-mono"] is False and called["bda-bank-card-cancel"] is True

    def card(score: float | None, rule: str) -> dict:
        return {"dimensions": [{"dimension": "empathy", "score": score, "evidence": [{"rule": rule}]}]}

    assert compare.empathy_called_for(card(None, "speakers.not_separated")) is None  # not judged
    assert compare.empathy_called_for(card(100.0, "empathy.not_needed")) is False
    assert compare.empathy_called_for(card(40.0, "empathy.needed")) is True


def test_a_scorecard_saved_before_hinges_were_written_gets_them_worked_out_the_same(compare: ModuleType) -> None:
    """compare.py --results reads scorecards of earlier runs: without ``verdict_hinges`` it works them out
    from the evidence, as the scorer would have."""
    from simulator.scoring.scorecard import scorecard_to_json
    from tests.scoring.test_verdict_hinges import ALL_STEPS, scored_call

    for said in (ALL_STEPS, ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"}):
        saved = scorecard_to_json(scored_call(said))
        expected = bool(saved["verdict_hinges"])
        assert compare.rests_on_one_finding(saved) is expected
        del saved["verdict_hinges"]
        assert compare.rests_on_one_finding(saved) is expected
    assert expected  # the second call rests on one finding, so the worked-out path was tried both ways


def test_the_callers_own_rating_is_set_against_both_verdicts(compare: ModuleType, calls: list[dict]) -> None:
    rated = [c for c in calls if "caller_rating" in c["judgement"]]
    assert {c["id"] for c in rated} == set(compare.HVB_HELD_OUT)  # only the HarperValleyBank calls carry one
    assert all(0 <= c["judgement"]["caller_rating"] <= 10 for c in rated)

    def verdict(passed: bool, rating: int | None = None) -> object:
        return compare.Verdict(80.0 if passed else 40.0, passed, None, None, "resolved", caller_rating=rating)

    rows = [("a", "held-out-hvb", verdict(True, 9), verdict(True)),    # satisfied, both pass
            ("b", "held-out-hvb", verdict(False, 3), verdict(True)),   # unhappy caller: analyst fails, scorer passes
            ("c", "held-out-hvb", verdict(True, 7), verdict(False)),   # 7 counts as satisfied
            ("d", "tuning", verdict(True), verdict(True))]             # no rating: left out
    line = compare.against_the_caller(rows)
    assert "2 of 3 were" in line and "analyst's pass/fail agrees on 3/3" in line and "scorer's on 1/3" in line
    assert compare.against_the_caller(rows[3:]) is None


def test_the_agents_words_and_their_labels_line_up_and_stay_apart_from_the_judged_calls(calls: list[dict]) -> None:
    turns = [json.loads(line) for line in (REALCALLS / "hvb_agent_turns.jsonl").read_text().splitlines()]
    labels = [json.loads(line) for line in (REALCALLS / "hvb_agent_labels.jsonl").read_text().splitlines()]
    assert len(turns) == len(labels) == 654
    assert [(t["sid"], t["index"]) for t in turns] == [(lab["sid"], lab["index"]) for lab in labels]
    assert len({(t["sid"], t["index"]) for t in turns}) == len(turns) and all(t["text"].strip() for t in turns)
    for label in labels:
        assert set(label["steps"]) <= STANDARD_STEPS and set(label["forbidden"]) <= FORBIDDEN_KINDS, label
        assert label["empathy"] in (0, 1, 2) and set(label["unsure"]) <= STANDARD_STEPS | FORBIDDEN_KINDS, label
    judged = {c["id"].removeprefix("hvb-") for c in calls if c["id"].startswith("hvb-")}
    assert not judged & {t["sid"] for t in turns}, "a judged call's words must not also be in the agents' set"


def test_the_false_alarm_count_takes_the_kinds_the_analyst_found_off(tmp_path: Path) -> None:
    counter = load("reader_false_alarms")
    listed = tmp_path / "turns.jsonl"
    listed.write_text('{"sid": "x", "index": 1, "text": "thank you for calling"}\n'
                      '{"sid": "x", "index": 3, "text": "whatever"}\n')
    turns = counter.listed_turns(listed)
    assert [(t.call_id, t.index, t.allowed) for t in turns] == [("x", 1, frozenset()), ("x", 3, frozenset())]

    class Reading:
        def __init__(self, kinds: list[str]) -> None:
            self.forbidden = [type("Finding", (), {"kind": kind, "confidence": 0.9})() for kind in kinds]

    class Model:
        def read_many(self, texts: list[str]) -> list[Reading]:
            return [Reading(["rude_or_sarcastic", "jargon"] if text == "whatever" else []) for text in texts]

    judged = [counter.AgentTurn("call", 2, "whatever", frozenset({"jargon"}))]
    assert [f.kind for f in counter.flags_of(Model(), turns)] == ["rude_or_sarcastic", "jargon"]
    assert [f.kind for f in counter.flags_of(Model(), judged)] == ["rude_or_sarcastic"]


def test_the_second_analyst_judged_the_six_spokenwoz_calls(compare: ModuleType) -> None:
    second = yaml.safe_load((REALCALLS / "spokenwoz_second_analyst.yaml").read_text(encoding="utf-8"))
    assert sorted(c["id"] for c in second) == sorted(compare.SPOKENWOZ_HELD_OUT)
    for call in second:
        judged = call["judgement"]
        assert judged["pass"] == (judged["score"] >= 70), call["id"]
        assert judged["outcome"] in ("resolved", "unresolved", "escalated", "unknown"), call["id"]


def test_two_analysts_and_the_scorer_are_compared_call_by_call(compare: ModuleType) -> None:
    verdict = compare.Verdict
    rows = [("a", "split", verdict(80, True, None, None, "resolved"), verdict(60.0, False, None, None, "resolved")),
            ("b", "split", verdict(64, False, None, None, "resolved"), verdict(40.0, False, None, None, "resolved")),
            ("c", "split", verdict(90, True, None, None, "resolved"), verdict(None, None, None, None, None))]
    second = {"a": verdict(76, True, None, None, "resolved"), "b": verdict(72, True, None, None, "resolved"),
              "c": verdict(88, True, None, None, "resolved")}
    line = compare.against_a_second_analyst(rows, second)
    # c has no scorecard, so only a and b count
    assert line == ("a second analyst on 2 calls: the analysts' pass/fail agrees on 1/2 (mean |score difference| "
                    "6.0 points); the scorer's agrees with the first on 1/2, with the second on 0/2")
    assert compare.against_a_second_analyst(rows, {}) is None
