"""The semantic turn analyser: empathy, script steps, forbidden phrases and intents by meaning.

It recognises what the trainee did in any wording (sentence embeddings from the packaged MiniLM
model), and still reports literal matches as such, so the evidence says whether the exact words or
only the meaning were found.  The model loads on the first analysed turn, not at construction.
Deterministic: the same reply and context always give the same analysis.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.analysis.base import TurnInput
from simulator.analysis.embeddings import SentenceEncoder, shared_encoder
from simulator.analysis.empathy import EmpathyJudge
from simulator.analysis.matching import ScenarioMatcher, quote_start_s
from simulator.analysis.text import split_sentences
from simulator.contracts import EmpathyJudgement, EmpathyLevel, TurnAnalysis
from simulator.scenario.model import Scenario


class SemanticAnalyser:
    name = "semantic"

    def __init__(self, scenario: Scenario | None, encoder: SentenceEncoder | None = None):
        self.scenario = scenario
        self._encoder = encoder
        self._judge: EmpathyJudge | None = None
        self._matcher: ScenarioMatcher | None = None

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    @property
    def judge(self) -> EmpathyJudge:
        if self._judge is None:
            self._judge = EmpathyJudge(self.encoder)
        return self._judge

    @property
    def matcher(self) -> ScenarioMatcher | None:
        if self._matcher is None and self.scenario is not None:
            self._matcher = ScenarioMatcher(self.scenario, self.encoder)
        return self._matcher

    def prepare(self, customer_line: str) -> None:
        """Embed the customer's line while it is spoken, so the reply's analysis need not wait for it."""
        if customer_line.strip():
            self.encoder.encode([customer_line])

    def analyse(self, turn: TurnInput) -> TurnAnalysis:
        transcript = turn.transcript
        text = transcript.text
        sentences = [] if turn.silence else split_sentences(text) or ([text] if text.strip() else [])
        empathy = EmpathyJudgement(EmpathyLevel.NONE, 0.0)
        steps, forbidden, intents = (), (), ()
        if sentences:
            vectors = self.encoder.encode(sentences)
            readings = self.judge.read_sentences(sentences, vectors, turn.customer_line)
            empathy = self.judge.judge_readings(readings, turn.customer_line)
            if transcript.words:
                empathy = EmpathyJudgement(empathy.level, empathy.score, tuple(
                    e if e.start_s is not None else replace(e, start_s=quote_start_s(transcript, e.quote))
                    for e in empathy.evidence))
            matcher = self.matcher
            if matcher is not None:
                steps = matcher.steps(transcript, sentences, vectors)
                forbidden = matcher.forbidden(transcript, sentences, vectors)
                intents = matcher.intents(transcript, sentences, vectors)
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
        )

