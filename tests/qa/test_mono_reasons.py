"""A one-channel call whose voices were not told apart: empathy and tone withdrawn, the overall re-weighed,
and the fail reasons said again for the scores left, in the scorecard's language."""

from __future__ import annotations

from pathlib import Path

from simulator.qa.mono import without_speakers
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.scorecard import Dimension
from simulator.scoring.wording import wording_for
from tests.scoring.test_verdict_hinges import recorded_call


def test_a_mandarin_mono_call_keeps_its_fail_reasons_in_chinese_and_only_those_of_the_scores_left():
    """Withdrawing empathy and tone re-weighs the overall; its reasons are said again in the scorecard's
    language (a Chinese card had kept its old overall reason and gained an English one)."""
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    mandarin = load_scenario(scenarios / "zh-parcel-lost.yaml").scenario
    assert mandarin.language == "zh"
    card = score_call(recorded_call(set()), mandarin, Rubric(), recording_s=40.0, speakers_told_apart=False)
    assert card.dimension(Dimension.EMPATHY).score == 100.0 and card.overall == 50.0  # empathy lifts it
    mono = without_speakers(card, Rubric(), words=wording_for("zh"))
    words = wording_for("zh")
    assert mono.fail_reasons == (
        words("fail.overall", overall=0.0, mark=70.0),
        words("fail.dimension", dimension=words("dimension.compliance"), score=0.0, mark=60.0))
    assert all("overall" not in reason for reason in mono.fail_reasons)


def test_a_trainers_score_override_on_a_mandarin_card_says_its_reasons_again_in_chinese():
    """The same re-weighing serves a trainer's override of a dimension score (lab/review.py)."""
    from simulator.lab.review import with_dimension_scores

    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    mandarin = load_scenario(scenarios / "zh-parcel-lost.yaml").scenario
    card = score_call(recorded_call(set()), mandarin, Rubric(), recording_s=40.0)
    words = wording_for("zh")
    reviewed = with_dimension_scores(card, {Dimension.COMPLIANCE: 30.0}, Rubric(), words)
    assert reviewed.overall == 65.0 and not reviewed.passed  # (100 x 0.4 + 30 x 0.4) / 0.8
    assert reviewed.fail_reasons == (
        words("fail.overall", overall=65.0, mark=70.0),
        words("fail.dimension", dimension=words("dimension.compliance"), score=30.0, mark=60.0))
