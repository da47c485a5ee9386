"""Live coaching lines for the hints panel, read off each turn's analysis.  Pure Python.

Nothing new is judged here: empathy is flagged only where the scorer would judge it
(``simulator.scoring.empathy.why_empathy_needed``), and every other hint restates what the
analyser found (``TurnAnalysis``) against the scenario's own script and forbidden phrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simulator.contracts import EmpathyLevel
from simulator.record import CallHeader, CallMode, CallRecord, TurnRecord
from simulator.scenario.model import Scenario
from simulator.scoring.empathy import opening_reply, procedural_after_empathy, why_empathy_needed
from simulator.scoring.policy import policy_breaches
from simulator.scoring.turns import scored_turns
from simulator.scoring.wording import wording_for
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, Phrase, bullet, message_id

EMPATHY_HINTS = {
    EmpathyLevel.NONE: message_id("no empathy heard: acknowledge how the customer feels first."),
    EmpathyLevel.WEAK: message_id("generic empathy: name what happened to the customer."),
    EmpathyLevel.STRONG: message_id("strong empathy. Keep it up."),
}


@dataclass(frozen=True, slots=True)
class Coaching:
    empathy: Phrase | None  # a line about the last reply's empathy, when empathy was called for
    steps_done: tuple[str, ...]
    steps_to_do: tuple[str, ...]  # descriptions of required steps not yet hit, in script order
    warnings: tuple[Phrase, ...]

    def lines(self, say: Catalogue = ENGLISH_TEXT) -> list[str]:
        """The panel's lines in the trainee's language (the scenario's steps and reasons as written;
        why empathy was called for, and why a promise breaks a card, are the scorer's own words, in
        the scenario's language)."""
        lines = [say.message(self.empathy)] if self.empathy else []
        lines.extend(say.message(warning) for warning in self.warnings)
        if self.steps_to_do:
            lines.append(say("Still to do:"))
            lines.extend(bullet(description) for description in self.steps_to_do)
        elif self.steps_done:
            lines.append(say("Every required step done."))
        return lines


def coach(scenario: Scenario, turns: Sequence[TurnRecord], said_on: date | None = None) -> Coaching:
    """Coaching after the latest trainee turn, from the call's turns so far (both sides); ``said_on``:
    today, to count a promised weekday from."""
    words = wording_for(scenario.language)
    header = CallHeader(scenario.id, "", 0, CallMode.TEXT, "", "")
    scored = scored_turns(CallRecord(header, tuple(turns)))
    done: list[str] = []
    for turn in scored:
        done.extend(step for step in turn.analysis.step_ids if step not in done)
    to_do = tuple(s.description for s in scenario.script if s.required and s.id not in done)
    warnings: list[Phrase] = []
    empathy = None
    if scored:
        last = scored[-1]
        analysis = last.analysis
        for hit in analysis.forbidden:
            why = next((f.why for f in scenario.forbidden if f.id == hit.phrase_id), None)
            warnings.append(Phrase("Avoid “{quote}”: {why}", {"quote": hit.quote, "why": why}) if why
                            else Phrase("Avoid “{quote}”.", {"quote": hit.quote}))
        for found in policy_breaches(scenario, [(last.index, last.text)], said_on=said_on, words=words):
            warnings.append(Phrase("Out of policy: {why}. Card “{title}”: {text}",
                                   {"why": found.why, "title": found.card.title, "text": found.card.text}))
        if analysis.silence:
            warnings.append(Phrase("Dead air: say what you are doing."))
        else:
            shown_before = any(t.analysis.shows_empathy for t in scored[:-1])
            reason = None if procedural_after_empathy(last, shown_before) else why_empathy_needed(
                last, opening_reply(scored), scenario, words)
            if reason is not None:
                empathy = Phrase("Empathy was called for ({reason}): {hint}",
                                 {"reason": reason, "hint": Phrase(EMPATHY_HINTS[analysis.empathy.level])})
    return Coaching(empathy, tuple(done), to_do, tuple(warnings))
