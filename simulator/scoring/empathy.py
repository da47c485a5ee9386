"""Empathy over a call, judged where it matters.

A reply that only verifies an account or reads out a refund is a business turn: it is not marked
down for lacking empathy.  Empathy is judged on the replies that called for it:

* the first reply to a customer whose words show distress (the analyser's reading of the
  customer's line; an agent's greeting before the customer spoke, or to a calm opening, is not a
  reply to a complaint),
* replies to a customer who is angry or got angrier (mood at or above the scenario's
  ``angry_at``, or a clear rise), or who had just escalated (asked for a manager, lost patience),
* replies to a line whose words show distress.

Once the trainee has shown empathy, a procedural reply with nothing dismissive in it ("can I take
your account number?") is a business turn again, until the customer gets angrier.

On an outside call (no simulated customer whose anger reacts turn by turn) a distressed customer
turn leaves empathy *owed*: the reply right after it is judged, and if it did not acknowledge the
feeling, one of the next few replies may still do so while the customer is on the same problem
(``EmpathyWindow``), for less credit the later it comes (``late_credit``).  Practice calls keep
"in the reply right after": their tips teach exactly that, and a simulated customer left
unacknowledged gets angrier, which calls for empathy again in the next reply.

Dismissive wording counts against empathy in *any* turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.contracts import EmpathyLevel, EngineEvent
from simulator.scenario.model import Scenario
from simulator.scoring.scorecard import Dimension, Phase, ScoreEvidence
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import ENGLISH, Wording
from simulator.text import normalise

E = Dimension.EMPATHY
# Only for analysers that do not read the customer's words (the lexical dry-run analyser): a few
# plain cues of distress.  The semantic analyser's learned reading replaces them.
DISTRESS_CUES = (
    "angry", "furious", "frustrated", "upset", "worried", "fed up", "sick of", "ridiculous", "unacceptable",
    "disgusting", "scared", "can't believe", "not happy", "disappointed", "manager", "complaint",
)
# the engine nudges mood a few points every turn; a rise this big is the customer reacting
ESCALATION_MOOD_DELTA = 5
ESCALATION_EVENTS = frozenset({EngineEvent.PATIENCE_LOST, EngineEvent.FORBIDDEN_PHRASE})
# Outside calls: how many agent replies after the one right after a distressed customer turn may still
# acknowledge the feeling (about as many as it takes to verify the caller and take the details).  Each
# reply that passes the feeling by costs an equal share of the credit, so the credit reaches nothing
# just as the window closes: 100%, 75%, 50%, 25%.
LATE_REPLIES_CREDITED = 3


@dataclass(frozen=True, slots=True)
class EmpathyWindow:
    """The agent replies that may acknowledge one distressed customer turn of an outside call: the
    reply right after it, then later ones while the customer is still on the same problem."""

    replies: tuple[int, ...]  # turn indices, the reply right after the customer turn first
    # the reply, without empathy, that took the call on to resolving or closing, ending the window early
    moved_on: tuple[int, Phase] | None = None


def late_credit(replies_late: int) -> float:
    """The share of its empathy a reply is credited with when it comes ``replies_late`` agent replies
    after the one right after the distressed customer turn."""
    return max(0.0, 1.0 - replies_late / (LATE_REPLIES_CREDITED + 1))


@dataclass(frozen=True, slots=True)
class EmpathyResult:
    score: float | None
    evidence: tuple[ScoreEvidence, ...]
    judged_turns: tuple[int, ...]
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]]
    reasons: dict[int, str]  # why each judged turn called for empathy
    first_empathy_turn: int | None  # the first reply showing any empathy


def distress_cues(text: str) -> list[str]:
    haystack = f" {normalise(text)} "
    return [w for w in DISTRESS_CUES if f" {normalise(w)} " in haystack]


def opening_reply(turns: Sequence[ScoredTurn]) -> int | None:
    """The trainee's first answer to the customer (an agent's greeting before the customer spoke is
    not one); with no customer side at all (an agent-only recording), the first turn."""
    answering = [t.index for t in turns if t.customer is not None]
    if answering:
        return answering[0]
    return turns[0].index if turns else None


def distress_in_words(turn: ScoredTurn, words: Wording = ENGLISH) -> str | None:
    """Why the customer's line reads as distressed, or None when it reads calm."""
    analysis = turn.analysis
    if analysis.customer_distressed is not None:
        if not analysis.customer_distressed:
            return None
        return words("reason.words_distress", sure=100 * (analysis.customer_distress or 0))
    if turn.customer is None:
        return None
    cues = distress_cues(turn.customer.text)
    if cues:
        return words("reason.emotion_cue", cue=cues[0])
    if "!" in turn.customer.text:
        return words("reason.emotion")
    return None


def fresh_escalation(turn: ScoredTurn, words: Wording = ENGLISH) -> str | None:
    """The customer has just got angrier or escalated: empathy is called for again, whatever came before."""
    customer = turn.customer
    if customer is None:
        return None
    if customer.mood_delta >= ESCALATION_MOOD_DELTA:
        return words("reason.angrier")
    if ESCALATION_EVENTS & set(customer.events):
        return words("reason.escalated")
    return None


def why_empathy_needed(turn: ScoredTurn, opening: int | None, scenario: Scenario | None,
                       words: Wording = ENGLISH) -> str | None:
    """Plain-words reason this reply called for empathy, or None for a business turn."""
    customer = turn.customer
    if customer is None:
        return words("reason.first_reply") if turn.index == opening else None
    escalation = fresh_escalation(turn, words)
    if escalation:
        return escalation
    if scenario is not None and customer.mood is not None and customer.mood >= scenario.angry_at:
        return words("reason.angry")
    distress = distress_in_words(turn, words)
    if turn.index == opening and turn.analysis.customer_distressed is None:
        return words("reason.first_reply_complaint")  # the analyser does not read the words
    if distress is None:
        return None
    return words("reason.first_reply_distress", distress=distress) if turn.index == opening else distress


def procedural_after_empathy(turn: ScoredTurn, empathy_shown_before: bool) -> bool:
    """A reply without empathy, but without anything dismissive either, after empathy was shown and
    with no fresh escalation since: a business turn ("can I take your account number?")."""
    analysis = turn.analysis
    return (empathy_shown_before and not analysis.silence and analysis.empathy.level == EmpathyLevel.NONE
            and not any(e.weight < 0 for e in analysis.empathy.evidence) and fresh_escalation(turn) is None)


def score_empathy(turns: Sequence[ScoredTurn], scenario: Scenario | None,
                  needed_by_call: Mapping[int, str | None] | None = None, customer_heard: bool = True,
                  windows: Mapping[int, EmpathyWindow] | None = None, *, words: Wording) -> EmpathyResult:
    """``needed_by_call``: where empathy was called for, already read off an outside call.  When
    nothing called for it and the customer is not on the recording (``customer_heard`` False), the
    need is unknown: empathy is not judged (None), rather than scored 100 as "not needed".
    ``windows``: per judged reply of an outside call, the later replies that may still acknowledge
    the feeling it was owed; the first that does is credited at ``late_credit``."""
    evidence: list[ScoreEvidence] = []
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]] = {}
    reasons: dict[int, str] = {}
    judged_scores: list[float] = []
    penalties = 0.0
    first_empathy = None
    opening = opening_reply(turns)
    needed: dict[int, str | None] = {}
    for turn in turns:
        if needed_by_call is not None:
            # each distressed customer turn read off an outside call is a fresh one: it is answered or not
            needed[turn.index] = needed_by_call.get(turn.index)
        else:
            reason = why_empathy_needed(turn, opening, scenario, words)
            needed[turn.index] = None if procedural_after_empathy(turn, first_empathy is not None) else reason
        if first_empathy is None and turn.analysis.shows_empathy:
            first_empathy = turn.index
    judged_count = max(1, sum(reason is not None for reason in needed.values()))
    by_index = {turn.index: turn for turn in turns}
    late_items: dict[int, list[ScoreEvidence]] = {}  # evidence on the replies that paid empathy owed earlier
    for turn in turns:
        analysis = turn.analysis
        judgement = analysis.empathy
        items = [turn.evidence(E, e.rule, e.quote, words.heard(e), 0.0, e.start_s) for e in judgement.evidence]
        items.extend(late_items.pop(turn.index, []))
        dismissive = [e for e in judgement.evidence if e.weight < 0]
        reason = needed[turn.index]
        turn_score: float | None = None
        if reason is not None:
            reasons[turn.index] = reason
            turn_score = 0.0 if analysis.silence else 100.0 * judgement.score
            level = words("level.no_reply" if analysis.silence else f"level.{judgement.level.name.lower()}")
            detail = words("empathy.needed", reason=reason, level=level, score=turn_score)
            window = (windows or {}).get(turn.index)
            if window is not None and not analysis.shows_empathy:
                answer = _late_answer(window, by_index)
                if answer is None:
                    detail = words("empathy.needed.unanswered", needed=detail, why=_unanswered(turn, window, words))
                else:
                    late_turn, late = answer
                    turn_score = max(turn_score, 100.0 * late_turn.analysis.empathy.score * late_credit(late))
                    detail, there = _answered_late(turn, reason, level, late_turn, late, turn_score, words)
                    late_items.setdefault(late_turn.index, []).append(
                        late_turn.evidence(E, "empathy.late", _short(late_turn.text), there, 0.0))
            judged_scores.append(turn_score)
            items.insert(0, turn.evidence(E, "empathy.needed", _short(turn.text), detail,
                                          -(100.0 - turn_score) / judged_count))
        elif dismissive:
            turn_score = 0.0
            penalties += 10.0
            items.insert(0, turn.evidence(E, "empathy.dismissive", dismissive[0].quote,
                                          words("empathy.dismissive"), -10.0, dismissive[0].start_s))
        per_turn[turn.index] = (None if turn_score is None else round(turn_score, 1), tuple(items))
        evidence.extend(items)
    if not turns:
        return EmpathyResult(None, (), (), {}, {}, None)
    if not judged_scores and needed_by_call is not None and not customer_heard:
        evidence.append(ScoreEvidence("empathy.not_judged", "", words("empathy.not_judged"), dimension=E))
        return EmpathyResult(None, tuple(evidence), (), per_turn, reasons, first_empathy)
    if not judged_scores:
        evidence.append(ScoreEvidence("empathy.not_needed", "", words("empathy.not_needed"), dimension=E))
    score = sum(judged_scores) / len(judged_scores) if judged_scores else 100.0
    return EmpathyResult(round(max(0.0, score - penalties), 1), tuple(evidence), tuple(sorted(reasons)), per_turn,
                         reasons, first_empathy)


def _late_answer(window: EmpathyWindow, by_index: Mapping[int, ScoredTurn]) -> tuple[ScoredTurn, int] | None:
    """The first later reply of the window that shows empathy, and how many replies late it came."""
    for late, index in enumerate(window.replies[1:], start=1):
        reply = by_index.get(index)
        if reply is not None and reply.analysis.shows_empathy:
            return reply, late
    return None


# The sentences about empathy owed on an outside call, all here (their words are in the catalogues).
def _answered_late(owed: ScoredTurn, reason: str, level: str, answered: ScoredTurn, late: int, score: float,
                   words: Wording) -> tuple[str, str]:
    """(said of the reply that owed it, said of the later reply that acknowledged the feeling)."""
    replies = words("replies.one" if late == 1 else "replies.many")
    credit = 100 * late_credit(late)
    late_level = words(f"level.{answered.analysis.empathy.level.name.lower()}")
    return (words("empathy.needed.late", reason=reason, level=level, late=late, replies=replies,
                  turn=words.turn(answered.index), late_level=late_level, credit=credit, score=score),
            words("empathy.late", turn=words.turn(owed.index), late=late, replies=replies, credit=credit))


def _unanswered(owed: ScoredTurn, window: EmpathyWindow, words: Wording) -> str:
    if window.moved_on is not None:
        turn, phase = window.moved_on
        which = words("empathy.this_reply") if turn == owed.index else words.turn(turn)
        return words("empathy.unanswered.moved_on", which=which, phase=words(f"phase.{phase.value}"))
    later = len(window.replies) - 1
    if later >= LATE_REPLIES_CREDITED:
        return words("empathy.unanswered.window", later=later)
    return words("empathy.unanswered.ended")


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
