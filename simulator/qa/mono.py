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
STEREO_TIP = ("Record the agent and the customer on separate channels (stereo) so that empathy, tone and timing "
              "can be judged.")


def speakers_note() -> str:
    judged = ", ".join(d.value for d in NOT_JUDGED)
    return (f"speakers were not separated (mono recording with both voices): {judged} and the voice figures "
            f"({', '.join(NOT_MEASURED)}) are not judged; compliance is judged on the words of the whole call, "
            "whoever said them, without requiring the steps that answer an upset customer (acknowledging the "
            "feeling, apologising: who was upset is unknown). Record the agent and the customer on separate "
            "channels (stereo) to have them judged, "
            "or pass --mono agent if this file holds only the agent's side")


def _not_judged(dim: DimensionScore, separation: float | None) -> DimensionScore:
    why = "mono recording" if separation is None else f"mono recording, voices not told apart surely: {separation:.2f}"
    note = ScoreEvidence(rule=SPEAKERS_RULE, quote="", detail=f"not judged: speakers not separated ({why})",
                         dimension=dim.dimension)
    return DimensionScore(dim.dimension, None, dim.pass_mark, None, (note,), ())


def without_speakers(card: Scorecard, rubric: Rubric, separation: float | None = None, *,
                     words: Wording = ENGLISH) -> Scorecard:
    """The scorecard of a mixed mono call: empathy, tone and the voice figures withdrawn, overall re-weighed.

    ``separation``: how well voice clustering told the two voices apart, when it was tried and fell short;
    ``words``: the scorecard's language (the scenario's), in which its fail reasons were written.
    """
    dimensions = tuple(_not_judged(d, separation) if d.dimension in NOT_JUDGED else d for d in card.dimensions)
    judged = rescored(card, dimensions, rubric, words)
    if all(d.score is None for d in dimensions):
        judged = replace(judged, passed=False, fail_reasons=(
            "nothing could be judged: " + speakers_note(), *unscored_fail_reasons(card, rubric, words)))
    turns = tuple(replace(t, empathy=None, tone=None, voice=None,
                          evidence=tuple(e for e in t.evidence if e.dimension not in NOT_JUDGED
                                         and not e.rule.startswith(("empathy.", "tone."))))
                  for t in card.turns)
    judged = replace(judged, turns=turns, voice=VoiceSummary(), tips=(STEREO_TIP,))
    return replace(judged, verdict_hinges=hinges_of(judged, rubric))
