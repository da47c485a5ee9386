"""Judging a call recorded outside callsim as a QA analyst would.

A simulated call has a script, a customer whose anger the engine tracks and a scripted ending; an
outside recording has none of these, so the scorer reads them off the call itself:

* **phases** (opening, discovery, resolution, close) from the standard step kinds the behaviour
  model finds in each reply (``PHASE_OF_KIND``); a reply with none stays in the phase before it.
  The agent's greeting is the opening, never a reply to a complaint.
* **customer distress** per customer turn, from their words (the analyser's learned
  ``customer_distress``, or plain cues for an analyser that does not read them) and their voice
  against their own usual voice (the turn's ``mood``): words and voice must agree, or the voice
  must rise sharply; when the voice could not be measured (a short turn) it is read as in the
  customer's latest measured turn, and only before any measured turn do the words decide alone.
* **where empathy is called for**: a distressed customer turn leaves empathy owed.  The reply
  right after it is judged; if it does not acknowledge the feeling, the next few replies
  (``LATE_REPLIES_CREDITED``) may still do so for less credit, until a reply without empathy takes
  the call on into resolving or closing (``empathy_windows``).  With no customer on the recording
  (an agent-only or unseparated channel) empathy is not judged, unless the agent's own words answer
  a feeling (then the customer must have shown one).
* **the outcome** from the close: resolved (a fix explained, confirmed, offered, timed or owned; or,
  with none, an "anything else?" in a calm close: a request met on the spot), unresolved (sent
  elsewhere, or nothing towards a fix),
  escalated (handed to someone else at the close), or unknown when the recording is cut before
  any close.
* **compliance** against the built-in behaviour library when no scenario is given (a scenario
  tagged ``LIBRARY_TAG``): the steps every service call has are required; acknowledging the
  feeling and apologising only when the customer showed distress (never on a one-channel call
  whose voices were not told apart: who was upset is unknown); the close steps are excused
  when the recording is cut before the close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from simulator.analysis.behaviour.judge import DISMISSIVE_RULE
from simulator.contracts import EmpathyLevel, Speaker
from simulator.record import CallRecord
from simulator.scenario.kinds import ForbiddenKind, StepKind
from simulator.scenario.model import Scenario
from simulator.scoring.empathy import LATE_REPLIES_CREDITED, EmpathyWindow, distress_cues
from simulator.scoring.scorecard import JudgedOutcome, OutcomeJudgement, Phase
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import Wording
from simulator.text import normalise

LIBRARY_TAG = "behaviour-library"  # a scenario built from the standard kinds (no --scenario given)
# Word-list analysers find a scenario's literal phrases only, not the standard kinds the library is made of.
KIND_BLIND_ANALYSERS = frozenset({"lexical"})

PHASE_OF_KIND: dict[StepKind, Phase] = {
    StepKind.GREET: Phase.OPENING,
    StepKind.IDENTIFY_SELF: Phase.OPENING,
    StepKind.VERIFY_IDENTITY: Phase.DISCOVERY,
    StepKind.ACKNOWLEDGE_EMOTION: Phase.DISCOVERY,
    StepKind.APOLOGISE: Phase.DISCOVERY,
    StepKind.RESTATE_PROBLEM: Phase.DISCOVERY,
    StepKind.TAKE_OWNERSHIP: Phase.RESOLUTION,
    StepKind.EXPLAIN_NEXT_STEPS: Phase.RESOLUTION,
    StepKind.SET_TIMELINE: Phase.RESOLUTION,
    StepKind.OFFER_ALTERNATIVE: Phase.RESOLUTION,
    StepKind.CONFIRM_RESOLUTION: Phase.RESOLUTION,
    StepKind.ANYTHING_ELSE: Phase.CLOSE,
    StepKind.CLOSE: Phase.CLOSE,
}
PHASE_ORDER = (Phase.OPENING, Phase.DISCOVERY, Phase.RESOLUTION, Phase.CLOSE)

# Library steps every inbound service call has, whatever it is about.
CORE_STEPS = frozenset({StepKind.GREET, StepKind.IDENTIFY_SELF, StepKind.EXPLAIN_NEXT_STEPS,
                        StepKind.CONFIRM_RESOLUTION, StepKind.ANYTHING_ELSE, StepKind.CLOSE})
# ... only when the customer showed distress.
DISTRESS_STEPS = frozenset({StepKind.ACKNOWLEDGE_EMOTION, StepKind.APOLOGISE})
# ... that a recording cut before the close cannot show.
CLOSE_STEPS = frozenset({StepKind.CONFIRM_RESOLUTION, StepKind.ANYTHING_ELSE, StepKind.CLOSE})
FORBIDDEN_SEVERITY: dict[ForbiddenKind, str] = {
    ForbiddenKind.BLAME_CUSTOMER: "major", ForbiddenKind.DISMISS_FEELINGS: "major",
    ForbiddenKind.NOT_MY_JOB: "major", ForbiddenKind.FALSE_PROMISE: "major",
    ForbiddenKind.RUDE_OR_SARCASTIC: "major", ForbiddenKind.JARGON: "minor",
}

# A forbidden move is an accusation: on an outside call, scored against the library with no human
# review, it counts only when the model is sure.  Unsure findings on ASR fragments of real calls
# ("One second." read as rude, "you're checking account" as blaming) are dropped.
SURE_FORBIDDEN = 0.9
SHARP_RISE_MOOD = 90  # the customer's voice rose so clearly over their usual that it counts without words
# A turn's pace is judged on a recorded call only over this much speech: Whisper's word times are off by
# 0.1-0.3 s at each end, which moves the rate of a 2.4-s turn by 12% and of a 5-s one by 6%, and the short
# turns are formulaic ones anyone says quickly; an analyst judges pace over sustained speech (docs/qa.md).
PACE_JUDGED_FROM_S = 5.0
CUT_MARGIN_S = 1.0  # speech running this close to the end of the file: the recording was cut
RESOLUTION_KINDS = (StepKind.CONFIRM_RESOLUTION, StepKind.EXPLAIN_NEXT_STEPS, StepKind.OFFER_ALTERNATIVE,
                    StepKind.SET_TIMELINE, StepKind.TAKE_OWNERSHIP)
HANDOVER_WORDS = ("transfer you", "put you through", "escalate", "supervisor", "my manager", "specialist")


@dataclass(frozen=True, slots=True)
class OutsideReading:
    turns: tuple[ScoredTurn, ...]  # as scored: unsure library forbidden findings dropped
    phases: dict[int, Phase]  # trainee turn -> phase
    empathy_needed: dict[int, str | None]  # trainee turn -> why empathy was called for, or None
    empathy_windows: dict[int, EmpathyWindow]  # each of those turns -> the replies that may still acknowledge it
    customer_distressed: bool  # anywhere in the call
    customer_heard: bool  # the recording has the customer's side
    outcome: OutcomeJudgement
    scenario: Scenario  # with the library's situational steps required or excused


def step_kinds(turn: ScoredTurn, scenario: Scenario) -> tuple[StepKind, ...]:
    """The standard kinds of the steps found in this reply (steps without a kind have none)."""
    kinds = {step.id: step.standard_kind for step in scenario.script}
    return tuple(kind for step_id in turn.analysis.step_ids if (kind := kinds.get(step_id)) is not None)


def forbidden_kinds(turn: ScoredTurn, scenario: Scenario) -> tuple[ForbiddenKind, ...]:
    kinds = {item.id: item.standard_kind for item in scenario.forbidden}
    return tuple(kind for hit in turn.analysis.forbidden if (kind := kinds.get(hit.phrase_id)) is not None)


def turn_phases(turns: Sequence[ScoredTurn], scenario: Scenario) -> dict[int, Phase]:
    """Each reply's phase: the latest phase among its step kinds; a reply with none stays where the
    call was (and a reply after the first is past the opening)."""
    phases: dict[int, Phase] = {}
    current = Phase.OPENING
    for position, turn in enumerate(turns):
        found = [PHASE_OF_KIND[kind] for kind in step_kinds(turn, scenario)]
        if found:
            current = max(found, key=PHASE_ORDER.index)
        elif position > 0 and current == Phase.OPENING:
            current = Phase.DISCOVERY
        phases[turn.index] = current
    return phases


def answers_directly(turn: ScoredTurn) -> bool:
    """The reply comes right after the customer's turn (no earlier reply of the agent's in between)."""
    if turn.record is None or turn.customer is None:
        return False
    return turn.record.index == turn.customer.index + 1


def customer_distress(turn: ScoredTurn, angry_at: int, words: Wording,
                      earlier: Mapping[int, int | None] = MappingProxyType({})) -> str | None:
    """Why the customer turn this reply answers showed distress, or None.

    Words and voice must agree (the voice at the scenario's ``angry_at`` or above, on the same 0-100
    scale as a simulated customer's anger), or the voice must rise sharply over the customer's usual
    voice (``SHARP_RISE_MOOD``).  A voice too short to measure is read as the customer's voice in
    their latest measured turn before it (``earlier``, from ``earlier_moods``: a caller's state does
    not flip in a one-second "and I don't know"); with no measured turn yet, the words decide.
    """
    customer = turn.customer
    if customer is None:
        return None
    earlier_mood = earlier.get(customer.index)
    analysis = turn.analysis
    said: str | None
    if analysis.customer_distressed is not None:
        said = (words("outside.words_distress", sure=100 * (analysis.customer_distress or 0))
                if analysis.customer_distressed else None)
    else:
        cues = distress_cues(customer.text)  # an analyser that does not read the customer: plain cues
        said = (words("outside.words_cue", cue=cues[0]) if cues
                else words("outside.words_exclaim") if "!" in customer.text else None)
    mood = customer.mood
    if mood is not None and mood >= SHARP_RISE_MOOD:
        return words("outside.voice_sharp", mood=mood)
    if said and mood is None and earlier_mood is None:
        return words("outside.voice_unmeasured", words=said)
    if said and mood is None and earlier_mood is not None and earlier_mood >= angry_at:
        return words("outside.words_and_earlier_voice", words=said, mood=earlier_mood)
    if said and mood is not None and mood >= angry_at:
        return words("outside.words_and_voice", words=said, mood=mood)
    return None


def earlier_moods(record: CallRecord) -> dict[int, int | None]:
    """Per customer turn (by record index) whose voice was too short to measure: the customer's voice
    reading in their latest measured turn before it, or None when there is none yet."""
    earlier: dict[int, int | None] = {}
    latest: int | None = None
    for turn in record.turns:
        if turn.speaker != Speaker.CUSTOMER:
            continue
        if turn.mood is None:
            earlier[turn.index] = latest
        else:
            latest = turn.mood
    return earlier


def agent_answers_a_feeling(turn: ScoredTurn, scenario: Scenario, words: Wording) -> str | None:
    """With no customer on the recording: the agent's own words acknowledge a feeling."""
    if StepKind.ACKNOWLEDGE_EMOTION in step_kinds(turn, scenario):
        return words("outside.agent_words_feeling")
    if turn.analysis.empathy.level == EmpathyLevel.STRONG:
        return words("outside.agent_feeling")
    return None


def empathy_needs(turns: Sequence[ScoredTurn], scenario: Scenario, phases: dict[int, Phase],
                  customer_heard: bool, words: Wording, earlier: Mapping[int, int | None] = MappingProxyType({})
                  ) -> dict[int, str | None]:
    """``earlier``: ``earlier_moods`` of the call (the voice of short customer turns)."""
    needs: dict[int, str | None] = {}
    for turn in turns:
        if phases.get(turn.index) == Phase.OPENING and turn.customer is None:
            needs[turn.index] = None  # the greeting: nobody has said anything to answer yet
        elif not customer_heard:
            needs[turn.index] = agent_answers_a_feeling(turn, scenario, words)
        elif answers_directly(turn):
            needs[turn.index] = customer_distress(turn, scenario.angry_at, words, earlier)
        else:
            needs[turn.index] = None  # judged once, in the reply to it; later replies may pay it (empathy_windows)
    return needs


def empathy_windows(turns: Sequence[ScoredTurn], phases: dict[int, Phase], needs: dict[int, str | None]
                    ) -> dict[int, EmpathyWindow]:
    """Per reply right after a distressed customer turn: that reply and up to ``LATE_REPLIES_CREDITED``
    more, while the customer is still on the same problem.  The window ends early at a reply that
    takes the call on into resolving or closing (a later phase than the call was in when the customer
    spoke): sympathy after the fix or at the goodbye no longer answers the feeling.  That reply is
    the window's last; it still counts if it acknowledges the feeling itself."""
    windows: dict[int, EmpathyWindow] = {}
    for position, turn in enumerate(turns):
        if needs.get(turn.index) is None:
            continue
        was_in = phases.get(turns[position - 1].index, Phase.OPENING) if position > 0 else Phase.OPENING
        replies: list[int] = []
        moved_on: tuple[int, Phase] | None = None
        for later in turns[position:position + LATE_REPLIES_CREDITED + 1]:
            replies.append(later.index)
            phase = phases.get(later.index, was_in)
            if phase in (Phase.RESOLUTION, Phase.CLOSE) and PHASE_ORDER.index(phase) > PHASE_ORDER.index(was_in):
                moved_on = (later.index, phase)
                break
        windows[turn.index] = EmpathyWindow(tuple(replies), moved_on)
    return windows


def _quote(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def _last_speech_s(record: CallRecord) -> float | None:
    ends = [t.end_s for t in record.turns if t.end_s is not None]
    return max(ends) if ends else None


def _closing_turns(turns: Sequence[ScoredTurn], phases: dict[int, Phase]) -> list[ScoredTurn]:
    closing: list[ScoredTurn] = []
    for turn in reversed(turns):
        if phases.get(turn.index) != Phase.CLOSE:
            break
        closing.insert(0, turn)
    return closing


def judge_outcome(record: CallRecord, turns: Sequence[ScoredTurn], scenario: Scenario, phases: dict[int, Phase],
                  recording_s: float | None, words: Wording,
                  needs: Mapping[int, str | None] = MappingProxyType({})) -> OutcomeJudgement:
    """``needs``: the replies that owed the customer empathy (``empathy_needs``): a close that answers
    a distressed customer is not a request met."""
    closing = _closing_turns(turns, phases)
    last = _last_speech_s(record)
    cut = recording_s is not None and last is not None and recording_s - last < CUT_MARGIN_S
    if not closing and cut:
        speaker = record.turns[-1].speaker if record.turns else Speaker.TRAINEE
        who = words("outside.who_customer" if speaker == Speaker.CUSTOMER else "outside.who_agent")
        return OutcomeJudgement(JudgedOutcome.UNKNOWN, words("outside.cut", seconds=recording_s, who=who))
    if not turns:
        return OutcomeJudgement(JudgedOutcome.UNKNOWN, words("outside.agent_silent"))
    handover = _handover(closing)
    if handover is not None:
        turn, word = handover
        return OutcomeJudgement(JudgedOutcome.ESCALATED, words("outside.handed_over", word=word), turn.index,
                                _quote(turn.text))
    for turn in turns:
        if ForbiddenKind.NOT_MY_JOB in forbidden_kinds(turn, scenario):
            return OutcomeJudgement(JudgedOutcome.UNRESOLVED, words("outside.sent_elsewhere"), turn.index,
                                    _quote(turn.text))
    closed = "" if closing else words("outside.no_close")
    for kind in RESOLUTION_KINDS:
        done = [t for t in turns if kind in step_kinds(t, scenario)]
        if done:
            latest = done[-1]
            return OutcomeJudgement(JudgedOutcome.RESOLVED, words("outside.resolved_by", kind=words.kind(kind),
                                                                  closed=closed), latest.index, _quote(latest.text))
    # A request met on the spot (a balance read out, a payment made) has no fix to explain or confirm:
    # an agent who asks whether anything else is needed, in a close that owes the caller nothing, has met it.
    asked = [t for t in closing if StepKind.ANYTHING_ELSE in step_kinds(t, scenario)]
    if asked and all(needs.get(t.index) is None for t in closing):
        return OutcomeJudgement(JudgedOutcome.RESOLVED, words("outside.nothing_more"), asked[-1].index,
                                _quote(asked[-1].text))
    return OutcomeJudgement(JudgedOutcome.UNRESOLVED, words("outside.nothing", closed=closed))


def _handover(closing: Sequence[ScoredTurn]) -> tuple[ScoredTurn, str] | None:
    for turn in closing:
        text = f" {normalise(turn.text)} "
        word = next((w for w in HANDOVER_WORDS if f" {w}" in text), None)
        if word is not None:
            return turn, word
    return None


def library_requirements(scenario: Scenario, distressed: bool, outcome: OutcomeJudgement, analyser: str
                         ) -> Scenario:
    """The library's situational steps required or excused for this call (other scenarios unchanged).
    An analyser that does not read step kinds cannot judge the library: then nothing is checked."""
    if LIBRARY_TAG not in scenario.tags:
        return scenario
    if analyser in KIND_BLIND_ANALYSERS:
        return scenario.model_copy(update={"script": (), "forbidden": ()})
    cut = outcome.outcome == JudgedOutcome.UNKNOWN
    script = []
    for step in scenario.script:
        kind = step.standard_kind
        required = step.required
        if kind in DISTRESS_STEPS:
            required = required or distressed  # required already: the centre's form asks for it on every call
        if kind in CLOSE_STEPS and cut:
            required = False
        script.append(step if required == step.required else step.model_copy(update={"required": required}))
    return scenario.model_copy(update={"script": tuple(script)})


def sure_forbidden_only(turns: Sequence[ScoredTurn], scenario: Scenario) -> tuple[ScoredTurn, ...]:
    """Library scoring keeps only the forbidden findings the model is sure of (``SURE_FORBIDDEN``), on
    compliance and on empathy alike: a dismissive or sarcastic reading too unsure to count as a forbidden
    move does not cost the reply its empathy points either."""
    if LIBRARY_TAG not in scenario.tags:
        return tuple(turns)
    kept = []
    for turn in turns:
        analysis = turn.analysis
        sure = tuple(hit for hit in analysis.forbidden if hit.confidence >= SURE_FORBIDDEN)
        empathy = analysis.empathy
        evidence = tuple(e for e in empathy.evidence if e.rule != DISMISSIVE_RULE or -e.weight >= SURE_FORBIDDEN)
        if len(sure) == len(analysis.forbidden) and len(evidence) == len(empathy.evidence):
            kept.append(turn)
            continue
        kept.append(replace(turn, analysis=replace(analysis, forbidden=sure,
                                                   empathy=replace(empathy, evidence=evidence))))
    return tuple(kept)


def read_outside_call(record: CallRecord, turns: Sequence[ScoredTurn], scenario: Scenario,
                      recording_s: float | None = None, *, words: Wording, speakers_told_apart: bool = True
                      ) -> OutsideReading:
    """``speakers_told_apart``: False when both voices share one channel unsplit: the words that seem to
    answer a feeling may be the customer's own, so whether the customer was upset is unknown and the
    library's steps that answer distress are not required (shown as optional steps when done)."""
    turns = sure_forbidden_only(turns, scenario)
    heard = any(t.speaker == Speaker.CUSTOMER for t in record.turns)
    phases = turn_phases(turns, scenario)
    needs = empathy_needs(turns, scenario, phases, heard, words, earlier_moods(record))
    windows = empathy_windows(turns, phases, needs) if heard else {}
    outcome = judge_outcome(record, turns, scenario, phases, recording_s, words, needs)
    distressed = any(reason is not None for reason in needs.values())
    return OutsideReading(turns, phases, needs, windows, distressed, heard, outcome,
                          library_requirements(scenario, distressed and speakers_told_apart, outcome,
                                               record.header.analyser))
