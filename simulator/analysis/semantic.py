"""The semantic turn analyser: empathy, script steps, forbidden moves and intents by meaning.

Each reply is read clause by clause by the built-in contact-centre behaviour model
(``simulator.analysis.behaviour``): which standard steps and forbidden moves each clause performs,
and the reply's empathy (none / weak / strong).  The scenario's own items are then matched
(``ScenarioMatcher``): literally, through their kind, or by likeness to their examples.  The
sentence encoder and the model load on the first analysed turn, not at construction.  The scenario's
language picks the model (``behaviour_<language>.npz``) and the model names its encoder: MiniLM for
English, the multilingual Universal Sentence Encoder for Mandarin.
``after_call=True`` (``callsim analyze``, where no customer waits for the answer) adds the
post-call readers (``behaviour.tuned_reader``) where the language ships them: one decides the
forbidden moves (English), a second pass over the reply of about 15 ms; a step reader (English) decides
the steps it reads better than the clause model, one more pass of about the same.  A live analyser reads a
finished practice call's turns again with them (``reread``).  Recorded outside calls do not use them
(docs/qa.md).
Deterministic: the same reply and context always give the same analysis.
"""

from __future__ import annotations

import re
from dataclasses import replace

from simulator.analysis.base import TurnInput
from simulator.analysis.behaviour.judge import CAPPING_KINDS, IMPLIED_WARMTH_RULE, WARM_KINDS, empathy_judgement
from simulator.analysis.behaviour.model import (
    BehaviourModel,
    BehaviourReading,
    BehaviourWeights,
    WeightsError,
    shipped_weights,
)
from simulator.analysis.behaviour.tuned_reader import ReaderTask, shipped_reader
from simulator.analysis.embeddings import TextEncoder
from simulator.analysis.encoders import shared
from simulator.analysis.matching import ScenarioMatcher, quote_start_s
from simulator.analysis.tone import SINGLE_FILLERS
from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    Evidence,
    ForbiddenHit,
    StepHit,
    Transcript,
    TurnAnalysis,
)
from simulator.scenario.kinds import StepKind
from simulator.scenario.model import Scenario

# A named feeling or an apology is at least weak empathy (ownership alone is not).
SCENARIO_WARM_KINDS = tuple((kind, WARM_KINDS[kind]) for kind in (StepKind.ACKNOWLEDGE_EMOTION, StepKind.APOLOGISE))


class SemanticAnalyser:
    name = "semantic"

    def __init__(self, scenario: Scenario | None, encoder: TextEncoder | None = None,
                 model: BehaviourModel | None = None, after_call: bool = False):
        self.scenario = scenario
        self._encoder = encoder
        self._model = model  # None: the shipped model, loaded on the first turn
        self.after_call = after_call
        self._after_call_model: BehaviourModel | None = None
        self._matcher: ScenarioMatcher | None = None

    @property
    def language(self) -> str:
        return "en" if self.scenario is None else str(self.scenario.language)

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            # The shipped model of the scenario's language names the encoder it was trained with.
            self._encoder = shared(None if self.language == "en" else shipped_weights(self.language).encoder)
        return self._encoder

    @property
    def model(self) -> BehaviourModel:
        if self._model is None:
            weights = shipped_weights(self.language)
            if weights.encoder != self.encoder.name:
                raise WeightsError(f"the behaviour model was trained with {weights.encoder}, not {self.encoder.name}; "
                                   "rebuild it with python -m simulator.analysis.behaviour.train")
            self._model = _with_readers(weights, self.encoder, self.language) if self.after_call else \
                BehaviourModel(weights, self.encoder.encode)
        return self._model

    @property
    def matcher(self) -> ScenarioMatcher | None:
        if self._matcher is None and self.scenario is not None:
            self._matcher = ScenarioMatcher(self.scenario, self.encoder)
        return self._matcher

    def prepare(self, customer_line: str) -> None:
        """Embed the customer's line while it is spoken, so the reply's analysis need not wait for it."""
        if customer_line.strip():
            self.encoder.encode([customer_line])

    def read(self, text: str) -> BehaviourReading:
        return self.model.read(text)

    def analyse(self, turn: TurnInput) -> TurnAnalysis:
        transcript = turn.transcript
        empathy = EmpathyJudgement(EmpathyLevel.NONE, 0.0)
        steps: tuple[StepHit, ...] = ()
        forbidden: tuple[ForbiddenHit, ...] = ()
        intents: tuple[str, ...] = ()
        distress = self.model.customer_distress(turn.customer_line, turn.customer_line_source)
        if not turn.silence and transcript.text.strip():
            reading = self.read(transcript.text)
            empathy, forbidden = self._judged(transcript, reading)
            matcher = self.matcher
            if matcher is not None:
                steps = matcher.steps(transcript, reading)
                intents = matcher.intents(transcript, reading)
        return TurnAnalysis(
            turn_index=turn.turn_index,
            transcript=transcript,
            empathy=empathy,
            steps_hit=steps,
            forbidden=forbidden,
            intents=intents,
            silence=turn.silence,
            silence_s=turn.silence_s,
            interrupted_customer=turn.interrupted_customer,
            timing=turn.timing,
            analyser=self.name,
            customer_distress=distress,
            customer_distressed=(None if distress is None
                                 else distress >= self.model.distress_threshold_for(turn.customer_line_source)),
        )


    def reread(self, analysis: TurnAnalysis) -> TurnAnalysis:
        """A live turn read again by the post-call readers: its forbidden moves, its steps and the
        empathy they decide (a dismissive reply keeps none); intents and tone stay as read."""
        transcript = analysis.transcript
        if self.after_call or analysis.silence or not transcript.text.strip():
            return analysis  # read with the readers already, or nothing to read
        model = self._model_after_call()
        if model is None:
            return analysis
        reading = model.read(_words_alone(transcript.text))
        empathy, forbidden = self._judged(transcript, reading)
        steps = self.matcher.steps(transcript, reading) if self.matcher is not None else analysis.steps_hit
        return replace(analysis, empathy=empathy, forbidden=forbidden, steps_hit=steps)

    def _judged(self, transcript: Transcript, reading: BehaviourReading
                ) -> tuple[EmpathyJudgement, tuple[ForbiddenHit, ...]]:
        """The reply's empathy and the scenario's forbidden entries it breaks, from a reading."""
        empathy = _timed(empathy_judgement(reading), transcript)
        if self.matcher is None:
            return empathy, ()
        return (self._with_scenario_warmth(empathy, transcript, reading),
                self.matcher.forbidden(transcript, reading))

    def _model_after_call(self) -> BehaviourModel | None:
        if self._after_call_model is None:
            model = _with_readers(self.model.weights, self.encoder, self.language)
            if model.forbidden_reader is None and model.step_reader is None:
                return None
            self._after_call_model = model
        return self._after_call_model

    def _with_scenario_warmth(self, judgement: EmpathyJudgement, transcript: Transcript,
                              reading: BehaviourReading) -> EmpathyJudgement:
        """An acknowledgement or apology said as the scenario's own examples of it (its step of that
        kind, a say_like word for word or closely paraphrased) is at least weak empathy, as the
        model's own finding would be (``judge.py``): the scenario's words must count under this
        analyser as they do under ``lexical``.  Where the model heard only warmth without a named
        feeling or apology, the scenario's step is the better evidence and takes that line's place.
        Dismissal or sarcasm still leaves none."""
        matcher = self.matcher
        warm_kinds = [kind for kind, _ in SCENARIO_WARM_KINDS]
        if matcher is None or any(reading.found(kind) for kind in (*CAPPING_KINDS, *warm_kinds)):
            return judgement
        said = matcher.said_like_examples(transcript, reading, warm_kinds)
        if said is None:
            return judgement
        kind = next(s.standard_kind for s in matcher.scenario.script if s.id == said.step_id)
        rule, detail = dict(SCENARIO_WARM_KINDS)[kind]  # type: ignore[index]
        evidence = Evidence(rule, said.quote, f"{detail} (the scenario's step {said.step_id!r}, {said.match.value})",
                            weight=said.confidence, start_s=said.start_s)
        kept = tuple(e for e in _without_none(judgement.evidence) if e.rule != IMPLIED_WARMTH_RULE)
        heard = judgement.level > EmpathyLevel.NONE  # the model's own level stands; else the step makes it weak
        level, score = (judgement.level, judgement.score) if heard else (EmpathyLevel.WEAK, 0.5)
        return EmpathyJudgement(level, score, (*kept, evidence))


_FILLER_WORDS = "|".join(sorted(SINGLE_FILLERS))
_FILLER = re.compile(rf"\b(?:{_FILLER_WORDS})\b[,.]?\s*", re.IGNORECASE)


def _words_alone(text: str) -> str:
    """A spoken turn as the live turn read it: its words without the fillers counted after it (the
    reader learned from written replies, and read a recogniser's "um"-strewn fragments as sarcasm)."""
    return _FILLER.sub("", text).strip() or text


def _without_none(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    return tuple(e for e in evidence if e.rule != "empathy.none")


def _timed(judgement: EmpathyJudgement, transcript: Transcript) -> EmpathyJudgement:
    """Point each piece of evidence at its moment in the audio, when the words have timings."""
    if not transcript.words:
        return judgement
    return replace(judgement, evidence=tuple(
        e if e.start_s is not None else replace(e, start_s=quote_start_s(transcript, e.quote))
        for e in judgement.evidence))


def _with_readers(weights: BehaviourWeights, encoder: TextEncoder, language: str) -> BehaviourModel:
    """The clause model with the language's post-call readers (none where the language ships none)."""
    return BehaviourModel(weights, encoder.encode, shipped_reader(language, ReaderTask.FORBIDDEN),
                          shipped_reader(language, ReaderTask.STEPS))
