"""Star levels, exam certificates and honours follow a trainer's reviewed scorecard, not the machine's."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.cli import main
from simulator.lab import review
from simulator.lab.growth import load_catalog
from simulator.lab.honours import honours_from_store
from simulator.lab.ladder import load_ladder, standing_in_store
from simulator.store import CallKind, open_store
from simulator.store.types import ReviewTarget

from .conftest import GOOD_REPLIES, SCENARIOS, play

LADDER = """levels:
  - stars: 1
    title: Getting started
    require:
      - {passed: 1, difficulty_at_least: 1, min_overall: 60}
    exam: {scenarios: [billing-overcharge], seed: 7, min_overall: 70}
"""


def _fail_it(store, call_id: str) -> None:
    """A trainer marks the machine's passing call down to a fail (compliance far below its mark)."""
    review.override(store, call_id, "kim", review.Change(ReviewTarget.DIMENSION, 0, "compliance", 10,
                                                         "promised a refund date outside policy"), SCENARIOS)


def test_a_reviewed_fail_takes_back_the_level_the_certificate_and_the_honour(db_url: str, tmp_path: Path,
                                                                             lab_env: Path, capsys) -> None:
    ladder_file = tmp_path / "ladder.yaml"
    ladder_file.write_text(LADDER, encoding="utf-8")
    ladder = load_ladder(ladder_file, SCENARIOS)
    difficulty = {s.id: s.difficulty for s in load_catalog(SCENARIOS)}
    with open_store(db_url) as store:
        exam = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=7)
        assert exam.scorecard.passed and exam.scorecard.overall >= 70  # the machine passes it
        call_id = store.save_call(exam.record, exam.scorecard, trainee="ana", kind=CallKind.EXAM)
        store.certify("ana", 1, [call_id])
        before = standing_in_store(store, ladder, "ana", difficulty)
        assert (before.stars, before.certified_stars) == (1, 1)
        assert [m.stars for m in honours_from_store(store, ladder, difficulty).milestones] == [1]

        _fail_it(store, call_id)
        after = standing_in_store(store, ladder, "ana", difficulty)
        assert (after.stars, after.certified_stars) == (0, 0)  # the certificate rested on a call now failed
        assert not after.levels[0].certified
        assert honours_from_store(store, ladder, difficulty).milestones == ()
    assert main(["level", "ana", "--ladder", str(ladder_file), "--json", "--db", db_url]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["stars"], shown["certified_stars"]) == (0, 0)


def test_a_case_shows_the_reviewed_score(store, tmp_path: Path) -> None:
    """The case library (and the playlist and Coaching screen built on it) shows the call's reviewed
    score and verdict, not the machine's it replaced."""
    from simulator.store.coaching import CaseKind

    call = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    call_id = store.save_call(call.record, call.scorecard, trainee="ana")
    store.mark_case(call_id, CaseKind.EXEMPLARY, summary="clear refund")
    assert store.get_case(call_id).passed is True
    _fail_it(store, call_id)
    case = store.get_case(call_id)
    reviewed = store.attempts("ana")[0]
    assert (case.overall, case.passed) == (reviewed.overall, False) and case.overall < call.scorecard.overall
