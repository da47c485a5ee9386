"""Trainer review and calibration on real stores (SQLite and PostgreSQL) with real scored calls."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from simulator.analysis.behaviour.corpus import read_items_file
from simulator.cli import main
from simulator.lab import review
from simulator.lab.calibration import calibration_report, cohen_kappa, labelled_items, mean_abs_difference
from simulator.scoring.scorecard import Dimension
from simulator.store import StoreError, open_store
from simulator.store.types import ReviewTarget

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play


def judge(store, call_id: str, reviewer: str, target: ReviewTarget, turn: int, item: str, value: str, reason: str):
    """One override through the lab layer, against the shipped scenarios."""
    return review.override(store, call_id, reviewer, review.Change(target, turn, item, value, reason), SCENARIOS)


# -- the arithmetic, against tables worked by hand ---------------------------------------------------------
def test_kappa_two_categories_by_hand() -> None:
    # 10 items:        B yes  B no
    #          A yes     4      1      A yes 5/10
    #          A no      2      3      B yes 6/10
    # observed = (4+3)/10 = 0.7; chance = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4
    pairs = [(True, True)] * 4 + [(True, False)] + [(False, True)] * 2 + [(False, False)] * 3
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_three_levels_by_hand() -> None:
    # empathy levels, 6 turns: (0,0) (1,1) (2,2) (2,1) (1,1) (0,1); agreed 4 -> observed 4/6
    # A: 0 x2, 1 x2, 2 x2; B: 0 x1, 1 x4, 2 x1 -> chance = (2*1 + 2*4 + 2*1)/36 = 1/3
    # kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert cohen_kappa([(0, 0), (1, 1), (2, 2), (2, 1), (1, 1), (0, 1)]) == pytest.approx(0.5)


def test_kappa_undefined_and_mean_difference() -> None:
    assert cohen_kappa([(False, False)] * 5) is None  # one category throughout: chance agreement is total
    assert cohen_kappa([]) is None
    assert cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1.0)
    assert mean_abs_difference([(70.0, 60.0), (80.0, 85.0)]) == pytest.approx(7.5)  # (10 + 5) / 2


# -- overrides, notes and audit on both engines ---------------------------------------------------------------
def test_override_audit_round_trip(store, tmp_path: Path) -> None:
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    call_id = store.save_call(good.record, good.scorecard, trainee="ana", team="red")
    machine = good.scorecard
    assert "verify" in [s.step_id for s in machine.steps if s.hit and s.turn_index == 2]

    kept, card = judge(store, call_id[:8], "kim", ReviewTarget.STEP, 2, "verify", "no",
                       "asked for the date of birth but never checked it")
    assert (kept.machine, kept.reviewed, kept.reviewer) == (True, False, "kim")
    assert not next(s for s in card.steps if s.step_id == "verify").hit
    assert card.dimension(Dimension.COMPLIANCE).score < machine.dimension(Dimension.COMPLIANCE).score
    # the same judgement changed again: one override (the latest), two audit entries with before/after
    judge(store, call_id, "kim", ReviewTarget.STEP, 2, "verify", "yes", "on second listen it was fine")
    _, card = judge(store, call_id, "kim", ReviewTarget.DIMENSION, 0, "empathy", "40", "warm words, flat delivery")
    # verify judged done again: the rescored call is the machine's, but for the empathy score set by hand
    assert card.dimension(Dimension.COMPLIANCE).score == machine.dimension(Dimension.COMPLIANCE).score
    assert [s.hit for s in card.steps] == [s.hit for s in machine.steps]
    overrides = store.overrides(call_id)
    assert [(o.target, o.item, o.reviewed) for o in overrides] == [
        (ReviewTarget.STEP, "verify", True), (ReviewTarget.DIMENSION, "empathy", 40)]
    audit = store.audit(call_id)
    assert [(a.actor, a.action, a.before, a.after) for a in audit] == [
        ("kim", "override", True, False), ("kim", "override", False, True),
        ("kim", "override", machine.dimension(Dimension.EMPATHY).score, 40)]
    assert all(a.at for a in audit) and audit[0].reason.startswith("asked for")

    note = review.add_note(store, call_id, "kim", "Name her worry about the rent here", turn_index=2)
    assert store.notes(call_id) == [note] and note.turn_index == 2
    with pytest.raises(review.ReviewError, match="not in scenario billing-overcharge's script"):
        judge(store, call_id, "kim", ReviewTarget.STEP, 2, "nonsense", "yes", "x")
    with pytest.raises(review.ReviewError, match="needs a reason"):
        judge(store, call_id, "kim", ReviewTarget.EMPATHY, 1, "", "weak", "  ")
    with pytest.raises(review.ReviewError, match="trainee turns 1-4"):
        judge(store, call_id, "kim", ReviewTarget.EMPATHY, 9, "", "weak", "x")
    for moment in (float("inf"), float("nan"), -5.0):  # inf was kept and then broke the call's views and export
        with pytest.raises(StoreError, match="0 or more seconds"):
            review.add_note(store, call_id, "kim", "here", at_s=moment)
    assert store.notes(call_id) == [note]

    # the machine's card is kept; everything that reads scores gets the reviewed one and says so
    stored = store.get_call(call_id)
    assert stored.scorecard == machine
    assert stored.reviewed is not None and stored.reviewed.overall == card.overall < machine.overall
    attempt = store.attempts("ana")[0]
    assert (attempt.overall, attempt.reviewed_by, attempt.machine_overall) == (card.overall, ("kim",), machine.overall)
    assert store.scorecards("ana")[0][1].dimension(Dimension.EMPATHY).score == 40
    label = review.effective_score(attempt).label
    assert label == f"{card.overall:.1f} (reviewed by kim; machine {machine.overall:.1f})"
    best = store.best_score("ana")  # the reviewed pass/fail decides whether the call can be a best
    assert (best.overall == card.overall) if card.passed else best is None


def test_store_at_0002_with_calls_upgrades_and_keeps_them(db_url: str, tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from simulator.store import models as m
    from simulator.store.engine import MIGRATIONS_DIR, create_engine
    from simulator.store.rows import call_values, insert_turn, replace_scorecard
    from simulator.store.types import CallKind

    call = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=3)
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")  # the schema as it was before reviews
    with engine.begin() as conn:
        assert "review_overrides" not in sa.inspect(conn).get_table_names()
        trainee_id = conn.execute(m.trainees.insert().values(name="bo", created_at="2026-12-01T00:00:00.000+00:00")
                                  .returning(m.trainees.c.id)).scalar_one()
        conn.execute(m.calls.insert().values(call_values("c0002", call.record.header, call.record.folder, trainee_id,
                                                         CallKind.TRAINING, None)))
        for turn in call.record.turns:
            insert_turn(conn, "c0002", turn, call.record.folder)
        conn.execute(m.calls.update().values(status="finished", outcome=call.record.outcome.value,
                                             ended_at=call.record.ended_at))
        replace_scorecard(conn, "c0002", call.scorecard)
    engine.dispose()

    with open_store(db_url) as upgraded:
        assert upgraded.schema_revision >= "0003"
        attempt = upgraded.attempts("bo")[0]
        assert (attempt.call_id, attempt.overall, attempt.turns) == ("c0002", call.scorecard.overall,
                                                                     len(call.record.turns))
        assert attempt.reviewed_by == () and upgraded.get_call("c0002").scorecard == call.scorecard
        judge(upgraded, "c0002", "kim", ReviewTarget.EMPATHY, 1, "", "weak", "some warmth")
        assert upgraded.attempts("bo")[0].reviewed_by == ("kim",)


# -- calibration over reviews, against the hand-worked figures ----------------------------------------------------
def test_calibration_figures(store, tmp_path: Path) -> None:
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    call_id = store.save_call(good.record, good.scorecard, trainee="ana")
    levels = [int(t.analysis.empathy.level) for t in good.record.turns if t.analysis]
    verify = [("verify" in t.analysis.step_ids) for t in good.record.turns if t.analysis]
    assert levels == [2, 0, 0, 1] and verify == [False, True, False, False]  # the machine, as the figures assume

    judge(store, call_id, "kim", ReviewTarget.STEP, 2, "verify", "no", "never checked")
    judge(store, call_id, "lee", ReviewTarget.EMPATHY, 1, "", "weak", "generic sorry")
    report = calibration_report(store, lambda stored: review.scenario_or_none(stored, SCENARIOS))
    machine = {a.kind: a for a in report.machine}
    trainers = {a.kind: a for a in report.trainers}
    assert (report.reviewed_calls, report.reviews, report.trainer_pairs) == (1, 2, 1)
    # billing-overcharge's step "verify" is the standard kind verify_identity: figures are by kind
    # step verify, machine vs the two reviews (8 turn items): machine F T F F | F T F F, trainers F F F F | F T F F
    # observed 7/8; machine yes 2/8, trainers yes 1/8: chance = 2/8*1/8 + 6/8*7/8 = 44/64; kappa = (56-44)/(64-44) = 0.6
    assert (machine["step:verify_identity"].agreed, machine["step:verify_identity"].items) == (7, 8)
    assert machine["step:verify_identity"].kappa == pytest.approx(0.6)
    # empathy: machine 2 0 0 1 | 2 0 0 1, trainers 2 0 0 1 | 1 0 0 1: observed 7/8;
    # chance = (2*1 + 4*4 + 2*3)/64 = 24/64; kappa = (56-24)/(64-24) = 0.8
    assert machine["empathy"].kappa == pytest.approx(0.8)
    # kim vs lee on verify: F F F F vs F T F F: observed 3/4, chance = 0*1/4 + 1*3/4 = 3/4 -> kappa 0
    assert trainers["step:verify_identity"].kappa == pytest.approx(0.0) and trainers["step:verify_identity"].agreed == 3
    # kim vs lee on empathy: 2 0 0 1 vs 1 0 0 1: observed 3/4; chance = (1*0 + 2*2 + 1*2)/16 = 6/16 -> kappa 0.6
    assert trainers["empathy"].kappa == pytest.approx(0.6)
    reviewed = {r.reviewer: r.scorecard for r in store.call_reviews(call_id)}
    expected = (abs(reviewed["kim"].dimension(Dimension.COMPLIANCE).score - good.scorecard.dimension(
        Dimension.COMPLIANCE).score) + 0.0) / 2  # lee left compliance as the machine had it
    assert machine["dimension:compliance"].mean_abs_diff == pytest.approx(expected) and expected > 0
    kinds = [k.kind for k in report.most_overridden]
    assert set(kinds) == {"empathy", "step:verify_identity"}
    assert report.most_overridden[0].examples[0].reason in {"never checked", "generic sorry"}


def test_cli_review_and_calibration_json(lab_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    poor = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=2)
    with open_store(db) as opened:
        call_id = opened.save_call(poor.record, poor.scorecard, trainee="ana")
    capsys.readouterr()
    assert main(["review", "override", call_id[:8], "--by", "kim", "--turn", "1", "--empathy", "weak",
                 "--reason", "a flat but polite opener", "--db", db, "--json"]) == 0
    changed = json.loads(capsys.readouterr().out)
    assert changed["override"]["machine"] == 0 and changed["override"]["reviewed"] == 1
    assert changed["reviewed"]["overall"] >= poor.scorecard.overall
    assert main(["review", "note", call_id[:8], "Listen to her tone here", "--by", "kim", "--turn", "2", "--db", db,
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["turn"] == 2
    assert main(["review", "show", call_id, "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["reviewed_by"] == ["kim"] and shown["notes"][0]["text"] == "Listen to her tone here"
    assert shown["machine"]["overall"] == poor.scorecard.overall
    assert main(["history", "ana", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reviewed_by"] == ["kim"]

    labels = tmp_path / "labels.jsonl"
    assert main(["calibration", "--db", db, "--json", "--export-labels", str(labels)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["reviewed_calls"] == 1 and figures["exported"]["items"] == 1
    assert figures["most_overridden"][0]["kind"] == "empathy"
    (item,) = read_items_file(labels)  # the behaviour model's own reader takes the export
    assert item.empathy == 1 and item.reply == poor.record.trainee_turns[0].text

    assert main(["review", "override", call_id[:8], "--by", "kim", "--turn", "1", "--step", "nonsense=yes",
                 "--reason", "x", "--db", db]) == 1
    assert "not in scenario billing-overcharge's script" in capsys.readouterr().err
    assert main(["review", "audit", call_id[:8], "--db", db, "--json"]) == 0
    assert [e["action"] for e in json.loads(capsys.readouterr().out)] == ["override", "note"]
    assert main(["review", "open", "ffffffff", "--by", "kim", "--db", db]) == 1  # the app never starts
    assert "no call with id 'ffffffff'" in capsys.readouterr().err


def test_export_maps_scenario_steps_to_standard_kinds(store, tmp_path: Path) -> None:
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    call_id = store.save_call(good.record, good.scorecard, trainee="ana")
    judge(store, call_id, "kim", ReviewTarget.FORBIDDEN, 3, "not-my-fault", "yes", "shifted blame")
    (item,) = labelled_items(store, lambda stored: review.scenario_or_none(stored, SCENARIOS))
    # billing-overcharge: not-my-fault has kind blame_customer; turn 3's "resolve" has no standard kind
    scenario = review.load_call_scenario(store.get_call(call_id), SCENARIOS).scenario
    kind = next(f.standard_kind for f in scenario.forbidden if f.id == "not-my-fault")
    assert item["forbidden"] == ([kind.value] if kind else [])
    assert item["id"].startswith(f"review-{call_id[:8]}-kim-t3")


def test_leaderboard_growth_level_and_report_use_the_reviewed_score_and_say_so(
        lab_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "ranks.db")
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    poor = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=1)
    with open_store(db) as opened:
        good_id = opened.save_call(good.record, good.scorecard, trainee="ana", team="red")
        opened.save_call(poor.record, poor.scorecard, trainee="bo", team="red")  # failed: never counted
        for dimension in ("empathy", "compliance"):  # a trainer heard a far better call than the machine did
            judge(opened, good_id, "kim", ReviewTarget.DIMENSION, 0, dimension, "100", "the transcript is wrong")
    capsys.readouterr()
    assert main(["leaderboard", "--db", db, "--json"]) == 0
    board = json.loads(capsys.readouterr().out)
    # billing-overcharge is difficulty 2: a ranked score weighs (5 + 2) / 10 of the reviewed overall
    assert (board["people"][0]["trainee"], board["people"][0]["score"]) == ("ana", 70.0)
    assert board["reviewed_calls"] == [{"call_id": good_id, "scenario": "billing-overcharge", "overall": 100.0,
                                        "machine_overall": good.scorecard.overall, "reviewed_by": ["kim"]}]
    assert main(["leaderboard", "--db", db]) == 0
    assert f"{good_id[:8]} billing-overcharge: 100.0 (reviewed by kim; machine" in capsys.readouterr().out
    assert main(["growth", "ana", "--db", db, "--json"]) == 0
    growth = json.loads(capsys.readouterr().out)
    assert growth["trends"][0]["latest"] == 100.0 and growth["reviewed_calls"][0]["reviewed_by"] == ["kim"]

    html, csv_path = tmp_path / "report.html", tmp_path / "calls.csv"
    assert main(["report", "--html", str(html), "--csv", str(csv_path), "--db", db]) == 0
    page = html.read_text(encoding="utf-8")
    assert "Trainer reviews and calibration" in page and "1 call(s) reviewed by a trainer" in page
    assert "Trainers against the machine" in page and "dimension:compliance" in page
    rows = {r["trainee"]: r for r in csv.DictReader(csv_path.read_text(encoding="utf-8").splitlines())}
    assert (rows["ana"]["overall"], rows["ana"]["reviewed_by"]) == ("100.0", "kim")
    assert rows["bo"]["reviewed_by"] == ""


def test_reviews_travel_with_export_and_go_with_forget(store, tmp_path: Path) -> None:
    from simulator.store.transfer import export_data, forget_trainee, import_data

    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    call_id = store.save_call(good.record, good.scorecard, trainee="ana")
    judge(store, call_id, "kim", ReviewTarget.EMPATHY, 1, "", "weak", "formulaic")
    review.add_note(store, call_id, "kim", "Say what you will do next", turn_index=3)
    exported = export_data(store, ["ana"])
    with open_store(tmp_path / "other.db") as other:
        assert import_data(other, exported).calls_added == 1
        assert other.overrides(call_id) == store.overrides(call_id)
        assert other.notes(call_id)[0].text == "Say what you will do next"
        assert other.audit(call_id) == store.audit(call_id)
        assert other.attempts("ana")[0].overall == store.attempts("ana")[0].overall < good.scorecard.overall
    forget_trainee(store, "ana")
    assert store.overrides() == [] and store.audit() == [] and store.call_reviews() == []


def test_a_changed_scenario_file_is_named_before_rescoring(store, tmp_path: Path) -> None:
    import shutil

    from simulator.analysis.registry import builtin_analysers
    from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
    from simulator.call.textcall import new_call_folder, run_call
    from simulator.scenario.loader import load_scenario

    own = tmp_path / "scenarios"
    own.mkdir()
    path = Path(shutil.copy(SCENARIOS / "billing-overcharge.yaml", own / "billing-overcharge.yaml"))
    loaded = load_scenario(path)
    call = run_call(loaded, builtin_analysers().create("lexical", loaded.scenario), SilentVoice(),
                    ScriptedReplies([parse_reply(r) for r in GOOD_REPLIES]),
                    new_call_folder(tmp_path / "calls", "billing-overcharge"), seed=1)
    call_id = store.save_call(call.record, call.scorecard, trainee="ana")
    assert review.scenario_changed(store, call_id, own) is None
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited after the call\n", encoding="utf-8")
    assert "has changed since call" in (review.scenario_changed(store, call_id, own) or "")
