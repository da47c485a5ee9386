"""The case library on real SQLite and PostgreSQL: anonymised exports, review playlists, assigned cases,
and the 0004 migration upgrading a store that already holds calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab.anonymise import EMAIL_MARK, NUMBER_MARK, Anonymiser, letter_labels
from simulator.lab.cases import build_playlist, playlist_to_html, playlist_to_json, playlist_to_markdown
from simulator.store import StoreError, open_store
from simulator.store.coaching import CaseKind

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play

NAMED_OPENING = "Hello Margaret, calm down. Read me your card, 4111 1111 1111 1111, and email ana.silva@bank.co.uk."


# -- the anonymiser ---------------------------------------------------------------------------------
def test_names_from_the_roster_and_scenario_are_replaced_whole_and_in_part() -> None:
    hide = Anonymiser({"Ana Silva": "Trainee A", "Margaret Hughes": "Customer", "Will": "Trainee B"})
    assert hide("margaret hughes, this is ANA SILVA") == "Customer, this is Trainee A"
    assert hide("Thanks Margaret. Mrs Hughes, Ana here.") == "Thanks Customer. Mrs Customer, Trainee A here."
    # a one-word name, or part of a name, is a name only where it is capitalised: the verb survives
    assert hide("Will said it will be back") == "Trainee B said it will be back"
    assert hide("an anagram of ana") == "an anagram of ana"  # whole words only, and "ana" is lower case
    # labels put in are never read as names again, though "Trainee" is part of a name here
    both = Anonymiser({"Bo Chen": "Trainee A", "Ada Trainee": "Trainee B"})
    assert both("Bo Chen told Ada Trainee and Ada") == "Trainee A told Trainee B and Trainee B"


def test_account_card_and_phone_numbers_and_emails_are_masked_short_numbers_kept() -> None:
    hide = Anonymiser({})
    assert hide("card 4111 1111 1111 1111 ok") == f"card {NUMBER_MARK} ok"
    assert hide("call +44 20 7946 0958 or (020) 7946-0958") == f"call {NUMBER_MARK} or {NUMBER_MARK}"
    assert hide("account 12345678, sort code 12-34-56") == f"account {NUMBER_MARK}, sort code {NUMBER_MARK}"
    assert hide("it's four five six seven eight") == f"it's {NUMBER_MARK}"
    assert hide("write to ana.silva+x@bank.co.uk today") == f"write to {EMAIL_MARK} today"
    # amounts and short numbers carry the meaning of the call and identify no one
    assert hide("£64.99 back in 3 to 5 working days, ref 123") == "£64.99 back in 3 to 5 working days, ref 123"


def test_labels_follow_first_appearance() -> None:
    labels = letter_labels(["bo", "ana", "bo", *[f"p{n}" for n in range(26)]], "Trainee")
    assert labels["bo"] == "Trainee A" and labels["ana"] == "Trainee B"
    assert labels["p24"] == "Trainee AA"


# -- cases and playlists in the store ---------------------------------------------------------------
def _two_cases(store, tmp_path: Path) -> tuple[str, str]:
    poor = play("billing-overcharge", (NAMED_OPENING, *POOR_REPLIES), tmp_path / "calls", seed=1)
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=2)
    poor_id = store.save_call(poor.record, poor.scorecard, trainee="Ana Silva", team="red")
    good_id = store.save_call(good.record, good.scorecard, trainee="Bo Chen", team="red")
    store.mark_case(poor_id, CaseKind.CAUTIONARY, tags=["Calm down", "escalation"],
                    summary="Ana Silva told Margaret to calm down.", marked_by="Tess")
    store.mark_case(good_id[:8], CaseKind.EXEMPLARY, tags=["refund"], summary="A clean refund.")
    return poor_id, good_id


def test_marking_notes_and_assigning_round_trip(store, tmp_path: Path) -> None:
    poor_id, good_id = _two_cases(store, tmp_path)
    again = store.mark_case(poor_id, CaseKind.CAUTIONARY, tags=["escalation", "Escalation "], summary="Changed.")
    assert again.tags == ("escalation",) and again.summary == "Changed." and again.created_at <= again.updated_at
    store.add_case_note(poor_id, "Never tell a caller to calm down.", turn_index=1, author="Tess")
    store.add_case_note(poor_id, "Play the first minute only.")
    case = store.get_case(poor_id[:8])
    assert (case.trainee, case.team, case.kind, case.scenario_id) == ("Ana Silva", "red", CaseKind.CAUTIONARY,
                                                                      "billing-overcharge")
    assert [(n.turn_index, n.author) for n in case.notes] == [(1, "Tess"), (None, None)]
    assert [c.call_id for c in store.cases()] == [poor_id, good_id]
    assert [c.call_id for c in store.cases(kind=CaseKind.EXEMPLARY)] == [good_id]
    assert [c.call_id for c in store.cases(tag="ESCALATION")] == [poor_id]
    assert [c.call_id for c in store.cases(trainee="Bo Chen")] == [good_id]

    store.ensure_trainee("Cy", "blue")
    assert store.assign_case(poor_id, ["Cy", "Bo Chen"], "Tess") == 2
    assert store.assign_case(poor_id, ["Cy"]) == 0  # assigning twice keeps one
    store.assign_case(good_id, ["Cy"])
    assert [c.call_id for c in store.assigned_cases("Cy")] == [good_id, poor_id]  # newest first
    with pytest.raises(StoreError, match="no trainee"):
        store.assign_case(poor_id, ["nobody"])

    # the call stays untouched by the case, and taking the case out leaves the call
    store.unmark_case(good_id)
    assert [c.call_id for c in store.assigned_cases("Cy")] == [poor_id]
    assert store.get_call(good_id).attempt.overall is not None
    with pytest.raises(StoreError, match="not a case"):
        store.add_case_note(good_id, "x")
    trainee_turns = len(store.get_call(poor_id).record.trainee_turns)
    with pytest.raises(StoreError, match=f"--turn 99: the call has trainee turns 1-{trainee_turns}"):
        store.add_case_note(poor_id, "x", turn_index=99)  # was noted, and shown as an empty turn 99


def test_the_playlist_keeps_meeting_order_and_shows_the_moments_to_discuss(store, tmp_path: Path) -> None:
    poor_id, good_id = _two_cases(store, tmp_path)
    store.add_case_note(poor_id, "Margaret hears this as dismissive; call her Mrs Hughes.", turn_index=2)
    store.add_case_note(poor_id, "Start at 00:00.")
    saved = store.save_playlist("weekly", [good_id[:8], poor_id], title="Week 49 review", team="red")
    assert store.get_playlist("weekly").call_ids == (good_id, poor_id)
    with pytest.raises(StoreError, match="twice"):
        store.save_playlist("bad", [good_id, good_id[:10]])

    built = build_playlist(store, saved, SCENARIOS)
    assert [c.call_id for c in built.cases] == [good_id, poor_id] and [c.position for c in built.cases] == [1, 2]
    good, poor = built.cases
    # trainees labelled in meeting order; the customer and the numbers hidden everywhere
    assert (good.trainee, poor.trainee) == ("Trainee A", "Trainee B")
    assert poor.summary == "Trainee B told Customer to calm down."
    stored_card = store.get_call(poor_id).scorecard
    scores = {t.turn_index: t for t in stored_card.turns}
    first = poor.moments[0]
    assert first.turn_index == 1 and "calm down" in first.trainee_said
    assert first.trainee_said == (f"Hello Customer, calm down. Read me your card, {NUMBER_MARK}, "
                                  f"and email {EMAIL_MARK}.")
    assert any(r.startswith("finding (major)") for r in first.reasons)  # the calm-down finding
    assert first.customer_said.startswith("Hello?")  # what the customer said just before
    noted = next(m for m in poor.moments if m.turn_index == 2)
    assert "trainer's note" in noted.reasons
    assert noted.notes == ("Customer hears this as dismissive; call her Mrs Customer.",)
    assert poor.call_notes == ("Start at 00:00.",)
    # the two weakest scored turns are always among the moments
    weakest = sorted((t for t in stored_card.turns if t.empathy is not None), key=lambda t: (
        sum(s for s in (t.empathy, t.compliance, t.tone) if s is not None)
        / len([s for s in (t.empathy, t.compliance, t.tone) if s is not None]), t.turn_index))[:2]
    assert {t.turn_index for t in weakest} <= {m.turn_index for m in poor.moments}
    assert all(scores[m.turn_index].text for m in poor.moments)

    text = json.dumps(playlist_to_json(built)) + playlist_to_markdown(built) + playlist_to_html(built)
    for secret in ("Ana", "Silva", "Margaret", "Hughes", "Bo Chen", "4111", "ana.silva@"):
        assert secret not in text, secret
    assert "<script" not in playlist_to_html(built) and "Week 49 review" in playlist_to_markdown(built)
    # the original is kept untouched in the store
    stored = store.get_call(poor_id)
    assert NAMED_OPENING in [t.text for t in stored.record.turns]
    assert store.get_case(poor_id).summary == "Ana Silva told Margaret to calm down."

    plain = build_playlist(store, saved, SCENARIOS, anonymise=False)
    assert plain.cases[1].trainee == "Ana Silva" and "4111" in plain.cases[1].moments[0].trainee_said


def test_case_cli_json(lab_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    with open_store(db) as store:
        poor_id, good_id = _two_cases(store, tmp_path)
    capsys.readouterr()

    def run(*argv: str) -> object:
        assert main([*argv, "--db", db, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    marked = run("case", "mark", poor_id[:8], "--kind", "cautionary", "--tag", "calm-down", "--summary", "Listen.")
    assert marked["call_id"] == poor_id and marked["tags"] == ["calm-down"] and marked["trainee"] == "Ana Silva"
    assert run("case", "note", poor_id[:8], "Empathy first", "--turn", "1")["turn"] == 1
    assert [c["call_id"] for c in run("case", "list", "--kind", "exemplary")] == [good_id]
    assert run("case", "assign", poor_id[:8], "--team", "red")["trainees"] == ["Ana Silva", "Bo Chen"]
    assert run("case", "playlist", "weekly", poor_id[:8], good_id[:8])["cases"] == [poor_id, good_id]
    out = tmp_path / "out"
    exported = run("case", "export", "weekly", "--md", str(out / "w.md"), "--html", str(out / "w.html"),
                   "--out-json", str(out / "w.json"), "--hide-name", "Sam")
    assert exported["anonymised"] and [c["trainee"] for c in exported["cases"]] == ["Trainee A", "Trainee B"]
    assert json.loads((out / "w.json").read_text())["cases"][0]["call_id"] == poor_id
    assert "Empathy first" in (out / "w.md").read_text() and "Ana" not in (out / "w.html").read_text()
    shown = run("case", "show", poor_id[:8])
    assert shown["trainee"] == "Trainee A" and shown["moments"][0]["turn"] == 1
    assert run("case", "unmark", good_id[:8]) == {"call_id": good_id, "case": False}
    assert [c["call_id"] for c in run("case", "list")] == [poor_id]
    assert main(["case", "mark", "nope", "--kind", "exemplary", "--db", db]) == 1
    assert "no call with id 'nope'" in capsys.readouterr().err


# -- the migration ----------------------------------------------------------------------------------
def test_a_store_at_0002_with_calls_upgrades_and_keeps_them(db_url: str, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from simulator.store.engine import MIGRATIONS_DIR, create_engine
    from simulator.store.rows import call_values, insert_turn, replace_scorecard
    from simulator.store.types import CallKind

    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=3)
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:  # the schema as it was before the case library
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    import sqlalchemy as sa

    with engine.begin() as conn:
        assert not sa.inspect(conn).has_table("cases")
        conn.exec_driver_sql("INSERT INTO trainees (name, created_at) VALUES ('ana', '2026-12-01T10:00:00+00:00')")
        trainee_id = conn.exec_driver_sql("SELECT id FROM trainees").scalar()
        from simulator.store import models as m

        conn.execute(m.calls.insert().values(call_values("c0ffee00" * 4, finished.record.header,
                                                         finished.record.folder, trainee_id, CallKind.TRAINING, None)))
        for turn in finished.record.turns:
            insert_turn(conn, "c0ffee00" * 4, turn, finished.record.folder)
        replace_scorecard(conn, "c0ffee00" * 4, finished.scorecard)
    engine.dispose()

    with open_store(db_url) as store:
        assert store.schema_revision == "0004"
        kept = store.get_call("c0ffee00")
        assert kept.scorecard == finished.scorecard
        assert [t.text for t in kept.record.turns] == [t.text for t in finished.record.turns]
        assert store.mark_case("c0ffee00", CaseKind.EXEMPLARY).trainee == "ana"


def test_forgetting_a_trainee_takes_their_cases_and_mentoring_with_them(store, tmp_path: Path) -> None:
    from simulator.store.coaching import TargetKind
    from simulator.store.transfer import forget_trainee

    poor_id, good_id = _two_cases(store, tmp_path)
    store.save_playlist("weekly", [poor_id, good_id])
    store.assign_case(good_id, ["Ana Silva"])
    store.pair("Bo Chen", "Ana Silva")
    store.assign("Bo Chen", "Ana Silva", TargetKind.SCENARIO, "billing-overcharge", target_score=70,
                 due_at="2099-01-01T00:00:00.000+00:00")
    store.leave_feedback("Bo Chen", "ok", call_id=poor_id)
    forget_trainee(store, "Ana Silva")
    assert [c.call_id for c in store.cases()] == [good_id]
    assert store.get_playlist("weekly").call_ids == (good_id,)
    assert store.mentorships() == [] and store.assignments() == [] and store.feedback() == []


def test_a_scored_real_call_can_be_a_case(lab_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "real.db")
    taken = play("billing-overcharge", (NAMED_OPENING, *POOR_REPLIES), tmp_path / "real")
    assert main(["behaviour", "add", str(taken.record.folder), "--trainee", "Ana Silva", "--date", "2026-11-21",
                 "--db", db]) == 0
    with open_store(db) as store:
        [real] = store.attempts("Ana Silva")
    capsys.readouterr()
    assert main(["case", "mark", real.call_id[:8], "--kind", "cautionary", "--db", db]) == 0
    assert main(["case", "playlist", "real-calls", real.call_id[:8], "--db", db]) == 0
    capsys.readouterr()
    assert main(["case", "export", "real-calls", "--json", "--db", db]) == 0
    [case] = json.loads(capsys.readouterr().out)["cases"]
    assert (case["call_kind"], case["trainee"]) == ("real", "Trainee A")
    assert case["moments"][0]["trainee_said"].startswith("Hello Customer, calm down.")
