"""A mono recording of both voices: score only what needs no speaker, and say so on the scorecard.

With both speakers on one channel nothing tells the agent's words and voice from the customer's, so
anything judged "of the agent" would be a guess: the customer's raised voice would count as the agent's,
the customer's "calm down" as the agent's forbidden phrase.  Until the speakers are separated, such a call
keeps only compliance (judged on the whole call's words, whoever said them) and says plainly which
dimensions and voice figures were not judged (``simulator.qa.diarise`` tells the voices apart when it can
do so surely; this is what a call gets when it cannot).  A mono file that holds only the agent's side
(``--mono agent``) is scored in full instead.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from simulator.scenario.model import Rubric
from simulator.scoring.hinges import hinges_of
from simulator.scoring.overall import rescored, unscored_fail_reasons
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard, ScoreEvidence, VoiceSummary
from simulator.scoring.wording import ENGLISH, Wording


class MonoContent(enum.StrEnum):
    MIXED = "mixed"  # both voices on one channel, the usual archive format
    AGENT = "agent"  # only the agent's side was recorded


NOT_JUDGED = (Dimension.EMPATHY, Dimension.TONE)
NOT_MEASURED = ("response delay", "dead air", "talk ratio", "overlap", "interruptions", "pace", "raised voice")
SPEAKERS_RULE = "speakers.not_separated"


def speakers_note(words: Wording = ENGLISH) -> str:
    """What a call without its speakers apart is and is not judged on, and what to do (the scorecard's
    language; the command line's notes are English)."""
    return words("speakers.note", flag="--mono agent")


def _not_judged(dim: DimensionScore, separation: float | None, words: Wording) -> DimensionScore:
    why = words("speakers.mono") if separation is None else words("speakers.unsure", separation=separation)
    note = ScoreEvidence(rule=SPEAKERS_RULE, quote="", detail=words("speakers.not_judged", why=why),
                         dimension=dim.dimension)
    return DimensionScore(dim.dimension, None, dim.pass_mark, None, (note,), ())


def without_speakers(card: Scorecard, rubric: Rubric, separation: float | None = None, *,
                     words: Wording = ENGLISH) -> Scorecard:
    """The scorecard of a mixed mono call: empathy, tone and the voice figures withdrawn, overall re-weighed.

    ``separation``: how well voice clustering told the two voices apart, when it was tried and fell short;
    ``words``: the scorecard's language (the scenario's), in which its fail reasons were written.
    """
    dimensions = tuple(_not_judged(d, separation, words) if d.dimension in NOT_JUDGED else d for d in card.dimensions)
    judged = rescored(card, dimensions, rubric, words)
    if all(d.score is None for d in dimensions):
        judged = replace(judged, passed=False, fail_reasons=(
            words("speakers.nothing_judged", note=speakers_note(words)), *unscored_fail_reasons(card, rubric, words)))
    turns = tuple(replace(t, empathy=None, tone=None, voice=None,
                          evidence=tuple(e for e in t.evidence if e.dimension not in NOT_JUDGED
                                         and not e.rule.startswith(("empathy.", "tone."))))
                  for t in card.turns)
    judged = replace(judged, turns=turns, voice=VoiceSummary(), tips=(words("tip.stereo"),))
    return replace(judged, verdict_hinges=hinges_of(judged, rubric))
