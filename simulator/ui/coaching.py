"""Live coaching lines for the hints panel, read off each turn's analysis.  Pure Python.

Nothing is judged here: every hint restates what the analyser found (``TurnAnalysis``) against
the scenario's own script and forbidden phrases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simulator.contracts import EmpathyLevel, TurnAnalysis
from simulator.scenario.model import Scenario

EMPATHY_HINTS = {
    EmpathyLevel.NONE: "Last reply: no empathy heard. If the customer is upset, acknowledge it first.",
    EmpathyLevel.WEAK: "Last reply: generic empathy. Name what happened to the customer.",
    EmpathyLevel.STRONG: "Last reply: strong empathy. Keep it up.",
}


@dataclass(frozen=True, slots=True)
class Coaching:
    empathy: EmpathyLevel | None
    steps_done: tuple[str, ...]
    steps_to_do: tuple[str, ...]  # descriptions of required steps not yet hit, in script order
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        lines = []
        if self.empathy is not None:
            lines.append(EMPATHY_HINTS[self.empathy])
        lines.extend(self.warnings)
        if self.steps_to_do:
            lines.append("Still to do:")
            lines.extend(f"• {description}" for description in self.steps_to_do)
        elif self.steps_done:
            lines.append("Every required step done.")
        return lines


def coach(scenario: Scenario, analyses: Iterable[TurnAnalysis]) -> Coaching:
    analyses = list(analyses)
    done: list[str] = []
    for analysis in analyses:
        done.extend(step for step in analysis.step_ids if step not in done)
    to_do = tuple(s.description for s in scenario.script if s.required and s.id not in done)
    warnings: list[str] = []
    if analyses:
        last = analyses[-1]
        for hit in last.forbidden:
            why = next((f.why for f in scenario.forbidden if f.id == hit.phrase_id), None)
            warnings.append(f"Avoid “{hit.quote}”" + (f": {why}" if why else "."))
        if last.silence:
            warnings.append("Dead air: say what you are doing.")
    empathy = analyses[-1].empathy.level if analyses and not analyses[-1].silence else None
    return Coaching(empathy, tuple(done), to_do, tuple(warnings))
