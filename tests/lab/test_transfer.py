"""Export/import round trip between real stores, and forget (privacy) removing rows and files."""

from __future__ import annotations

import errno
import json
import os
import wave
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.cli import main
from simulator.contracts import Outcome, Speaker
from simulator.record import CallHeader, CallRecorder, TurnRecord, now_iso
from simulator.store import CallKind, StoreError, models, open_store
from simulator.store.transfer import export_data, forget_trainee, import_data
from simulator.store.types import KpiRow

from .conftest import GOOD_REPLIES, POOR_REPLIES, play


def _populate(store, tmp_path: Path) -> dict[str, str]:
    ids = {}
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    poor = play("missed-delivery", POOR_REPLIES, tmp_path / "calls", seed=2)
    other = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=3)
    ids["good"] = store.save_call(good.record, good.scorecard, trainee="ana", team="red")
    ids["poor"] = store.save_call(poor.record, poor.scorecard, trainee="ana", kind=CallKind.DRILL)
    ids["other"] = store.save_call(other.record, other.scorecard, trainee="bo", team="blue")
    store.rate(ids["good"], 5, "felt real")
    store.put_kpis([KpiRow("ana", "2026-11", 88.0, 75.0, 300.0, 0), KpiRow("bo", "2026-11", 70.0, None, None, 2)],
                   "kpi.csv")
    store.certify("ana", 1, [ids["good"]])
    store.save_drill_run("rising-heat", "ana", now_iso(), {"drill": "rising-heat", "stages": []})
    return ids


def test_export_import_round_trip(store, tmp_path: Path) -> None:
    ids = _populate(store, tmp_path)
    exported = export_data(store, team="red")
    assert [t["name"] for t in exported["trainees"]] == ["ana"]
    assert {c["id"] for c in exported["calls"]} == {ids["good"], ids["poor"]}
    text = json.dumps(exported)  # JSON-safe as is

    with open_store(tmp_path / "receiving.db") as other:
        report = import_data(other, json.loads(text))
        assert (report.trainees, report.calls_added, report.calls_skipped, report.kpis) == (1, 2, 0, 1)
        for call_id in (ids["good"], ids["poor"]):
            mine, theirs = store.get_call(call_id), other.get_call(call_id)
            assert theirs.attempt == mine.attempt
            assert theirs.scorecard == mine.scorecard
            assert theirs.record.turns == mine.record.turns
        assert other.get_trainee("ana").team == "red"
        assert other.get_trainee("bo") is None  # not in the cohort
        assert [(r.stars, r.comment) for r in other.ratings("ana")] == [(5, "felt real")]
        assert other.kpis("ana") == store.kpis("ana")
        assert [c.call_ids for c in other.certifications("ana")] == [(ids["good"],)]
        assert len(other.drill_runs("ana")) == 1
        again = import_data(other, json.loads(text))  # idempotent
        assert (again.calls_added, again.calls_skipped) == (0, 2)
        assert len(other.attempts()) == 2


def test_import_rejects_damaged_files_whole(store, tmp_path: Path) -> None:
    _populate(store, tmp_path)
    exported = export_data(store)
    del exported["calls"][-1]["scenario_id"]  # the last call is damaged
    with open_store(tmp_path / "receiving.db") as other:
        with pytest.raises(StoreError, match="nothing was imported"):
            import_data(other, exported)
        assert other.attempts() == [] and other.list_trainees() == []
        with pytest.raises(StoreError, match="not a callsim export"):
            import_data(other, {"calls": []})


@pytest.mark.parametrize(("field", "value", "says"), [
    ("kind", "weird", "'weird' is not a valid CallKind"),  # was imported, then history/leaderboard/growth stopped
    ("outcome", "weird", "'weird' is not a valid Outcome"),
    ("seed", 10**30, "is not a whole number from 0 to"),  # OverflowError
    ("started_at", "yesterday", "Invalid isoformat string"),
    ("ratings", [{"stars": 9, "comment": None, "created_at": "2026-11-01T00:00:00+00:00"}], "a rating of 9 stars"),
])
def test_import_refuses_values_the_store_cannot_read_back(store, tmp_path: Path, field, value, says) -> None:
    _populate(store, tmp_path)
    exported = export_data(store)
    exported["calls"][0][field] = value
    with open_store(tmp_path / "receiving.db") as other:
        with pytest.raises(StoreError, match="nothing was imported") as refused:
            import_data(other, exported)
        assert says in str(refused.value) and exported["calls"][0]["id"] in str(refused.value)
        assert other.attempts() == [] and other.list_trainees() == []


@pytest.mark.parametrize("damage", [lambda e: e.__setitem__("teams", [1, None]),
                                    lambda e: e["trainees"][0].__setitem__("name", 5),
                                    lambda e: e["calls"][0].__setitem__("review", "x")])
def test_import_of_wrong_types_is_the_damaged_export_message(store, tmp_path: Path, damage) -> None:
    """These ended on AttributeError tracebacks."""
    _populate(store, tmp_path)
    exported = export_data(store)
    damage(exported)
    with open_store(tmp_path / "receiving.db") as other, pytest.raises(StoreError, match="damaged or incomplete"):
        import_data(other, exported)


def test_forget_removes_rows_and_files(store, tmp_path: Path) -> None:
    ids = _populate(store, tmp_path)
    folder = tmp_path / "voiced"
    recorder = CallRecorder(folder, CallHeader("billing-overcharge", "0" * 64, 0, "voice", "lexical", now_iso(),
                                               trainee="ana"))
    with wave.open(str(folder / "turn-001.wav"), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(16000)
        handle.writeframes(b"\x00\x01" * 800)
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    recorder.add(TurnRecord(0, Speaker.TRAINEE, "Hi", audio_path="turn-001.wav"))
    voiced_id = store.save_call(recorder.finish(Outcome.RESOLVED), None, trainee="ana")
    assert len(store.recordings(voiced_id)) == 1
    ana_folders = [Path(store.get_call(i).attempt.folder) for i in (ids["good"], ids["poor"], voiced_id)]
    stray = tmp_path / "calls" / "stray"  # a call of hers that never reached the store
    CallRecorder(stray, CallHeader("billing-overcharge", "0" * 64, 0, "text", "lexical", now_iso(),
                                   trainee="ana")).close()

    report = forget_trainee(store, "ana", tmp_path / "calls")
    assert report.calls_deleted == 3
    assert all(not f.exists() for f in ana_folders) and not stray.exists()
    assert store.get_trainee("ana") is None and store.attempts("ana") == []
    with store.engine.connect() as conn:
        for table in (models.turns, models.scorecards, models.evidence, models.ratings, models.recordings):
            assert conn.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.call_id.in_([*list(ids.values())[:2], voiced_id]))).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(models.kpis)).scalar() == 1  # bo's
        assert conn.execute(sa.select(sa.func.count()).select_from(models.certifications)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(models.drill_runs)).scalar() == 0
    assert store.get_call(ids["other"]).attempt.trainee == "bo"  # someone else's data is untouched
    assert Path(store.get_call(ids["other"]).attempt.folder).is_dir()
    with pytest.raises(StoreError, match="no trainee"):
        forget_trainee(store, "ana")


def test_cli_export_import_forget(db_url: str, tmp_path: Path, lab_env: Path, capsys) -> None:
    with open_store(db_url) as store:
        _populate(store, tmp_path)
    out = tmp_path / "cohort.json"
    assert main(["export", str(out), "--cohort", "blue", "--db", db_url]) == 0
    target = str(tmp_path / "lab2.db")
    assert main(["import", str(out), "--db", target]) == 0
    assert "1 call(s) added" in capsys.readouterr().out
    (tmp_path / "broken.json").write_text('{"format": "callsim-export",\n  "version": 1,,}')
    assert main(["import", str(tmp_path / "broken.json"), "--db", target]) == 1
    assert "broken.json:2:16: not valid JSON" in capsys.readouterr().err
    assert main(["forget", "bo", "--db", target]) == 2  # no --yes, no terminal: refuses
    assert main(["forget", "bo", "--yes", "--db", target]) == 0
    assert main(["history", "--json", "--db", target]) == 0
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1]) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full (a device that is always full) is Linux's")
def test_an_export_that_cannot_be_written_says_so_and_leaves_the_earlier_one_whole(db_url: str, tmp_path: Path,
                                                                                 lab_env: Path, capsys,
                                                                                 monkeypatch) -> None:
    with open_store(db_url) as store:
        _populate(store, tmp_path)
    assert main(["export", "/dev/full", "--db", db_url]) == 1  # a full disk
    assert "cannot write /dev/full: No space left on device; nothing was exported" in capsys.readouterr().err
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    assert main(["export", str(in_the_way / "cohort.json"), "--db", db_url]) == 1
    assert "Not a directory" in capsys.readouterr().err
    earlier = tmp_path / "exports" / "cohort.json"
    earlier.parent.mkdir()
    assert main(["export", str(earlier), "--db", db_url]) == 0
    before = earlier.read_bytes()

    def disk_fills(descriptor: int) -> None:  # the disk fills as the new export is being written out
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_fills)
    assert main(["export", str(earlier), "--cohort", "blue", "--db", db_url]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert earlier.read_bytes() == before and [p.name for p in earlier.parent.iterdir()] == ["cohort.json"]


def test_forget_leaves_outside_recordings_but_names_them(store, tmp_path: Path) -> None:
    outside = tmp_path / "trainer-files" / "real-call.wav"
    outside.parent.mkdir()
    with wave.open(str(outside), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(16000)
        handle.writeframes(b"\x00\x01" * 800)
    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "data" / "calls")
    call_id = store.save_call(finished.record, finished.scorecard, trainee="ana", kind=CallKind.REAL)
    store.add_recording(call_id, outside)
    report = forget_trainee(store, "ana", tmp_path / "data" / "calls")
    assert report.files_left == (str(outside.resolve()),) and outside.is_file()
    assert not Path(finished.record.folder).exists()


def _coach(store, ids: dict[str, str]) -> None:
    """A case on ana's call with notes and an assignment, a playlist, and kim mentoring ana."""
    from simulator.store.coaching import CaseKind, TargetKind

    store.mark_case(ids["good"], CaseKind.EXEMPLARY, tags=["refund"], summary="clear next step", marked_by="kim")
    store.add_case_note(ids["good"], "listen to the apology", turn_index=1, author="kim")
    store.add_case_note(ids["good"], "whole call is tidy", author="kim")
    store.assign_case(ids["good"], ["ana", "bo"], assigned_by="kim")
    store.mark_case(ids["other"], CaseKind.CAUTIONARY, summary="bo's call")  # not ana's: stays behind
    store.save_playlist("monday", [ids["good"], ids["other"]], title="Monday review", team="red", created_by="kim")
    store.pair("kim", "ana")
    store.pair("kim", "bo")
    store.assign("kim", "ana", TargetKind.SCENARIO, "billing-overcharge", target_score=80,
                 due_at="2026-12-20T00:00:00Z", note="the refund wording")
    store.assign("kim", "bo", TargetKind.DRILL, "rising-heat", target_score=70, due_at="2026-12-21T00:00:00Z")
    store.leave_feedback("kim", "good apology, faster refund please", call_id=ids["good"])
    store.leave_feedback("kim", "keep going", apprentice="ana")
    store.leave_feedback("kim", "for bo only", apprentice="bo")


def test_cases_playlists_and_mentoring_travel_with_the_trainee(db_url: str, tmp_path: Path) -> None:
    with open_store(db_url) as store:
        ids = _populate(store, tmp_path)
        _coach(store, ids)
        exported = json.loads(json.dumps(export_data(store, ["ana"])))
        mine = (store.get_case(ids["good"]), store.assignments(apprentice="ana"), store.feedback(apprentice="ana"),
                store.mentorships(apprentice="ana"))
    with open_store(tmp_path / "receiving.db") as other:
        import_data(other, exported)
        case = other.get_case(ids["good"])
        assert (case.kind, case.tags, case.summary, case.marked_by, case.notes) == (
            mine[0].kind, mine[0].tags, mine[0].summary, mine[0].marked_by, mine[0].notes)
        assert [c.call_id for c in other.assigned_cases("ana")] == [ids["good"]]
        assert other.get_trainee("bo") is None  # bo's assignment and bo's case stayed behind
        playlist = other.get_playlist("monday")  # only the cases that travelled, in their order
        assert (playlist.title, playlist.team, playlist.call_ids) == ("Monday review", "red", (ids["good"],))
        assert other.mentorships() == mine[3]
        assert other.assignments() == mine[1]
        assert other.feedback() == mine[2]
        import_data(other, exported)  # idempotent
        assert len(other.get_case(ids["good"]).notes) == 2 and len(other.feedback()) == 2
        assert len(other.assignments()) == 1 and len(other.mentorships()) == 1
        assert len(other.assigned_cases("ana")) == 1
