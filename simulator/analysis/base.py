"""The turn-analyser interface and its registry.

An analyser turns one trainee reply (text, and audio when spoken) into a ``TurnAnalysis``.  It is
pure: no audio devices, UI or database.  The dialogue engine reacts to its output and the scorers
keep it, so the same analysis drives the customer and the scorecard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from simulator.contracts import Transcript, TurnAnalysis, TurnTiming
from simulator.scenario.model import Scenario


@dataclass(frozen=True, slots=True)
class TurnInput:
    """Everything an analyser may look at for one trainee turn."""

    turn_index: int  # 1-based trainee turn number
    transcript: Transcript
    customer_line: str  # what the customer said just before (the empathy context)
    steps_done: frozenset[str] = frozenset()  # steps hit in earlier turns
    timing: TurnTiming = TurnTiming()
    silence: bool = False
    silence_s: float = 0.0
    interrupted_customer: bool = False
    audio_path: Path | None = None  # the trainee's WAV for this turn, when spoken
    customer_audio_path: Path | None = None


class TurnAnalyser(Protocol):
    name: str

    def analyse(self, turn: TurnInput) -> TurnAnalysis: ...


AnalyserFactory = Callable[[Scenario | None], TurnAnalyser]


class AnalyserRegistry:
    """Named analyser factories; ``default`` is what a call uses unless configured otherwise."""

    def __init__(self, default: str):
        self.default = default
        self._factories: dict[str, AnalyserFactory] = {}

    def register(self, name: str, factory: AnalyserFactory) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, scenario: Scenario | None, name: str | None = None) -> TurnAnalyser:
        chosen = name or self.default
        try:
            factory = self._factories[chosen]
        except KeyError:
            raise LookupError(f"unknown analyser {chosen!r}; choose one of: {', '.join(self.names())}") from None
        return factory(scenario)
