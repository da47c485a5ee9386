"""The turn-analyser interface and its registry.

An analyser turns one trainee reply (text, and audio when spoken) into a ``TurnAnalysis``.  It is
pure: no audio devices, UI or database.  The dialogue engine reacts to its output and the scorers
keep it, so the same analysis drives the customer and the scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from simulator.contracts import CustomerLineSource, Transcript, TurnAnalysis, TurnTiming
from simulator.registry import Registry

if TYPE_CHECKING:
    from simulator.analysis.acoustics import PitchTrack


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
    # the pitch of ``audio_path``'s samples, worked out while the turn was spoken (voiced calls)
    pitch: PitchTrack | None = None
    customer_line_source: CustomerLineSource = CustomerLineSource.WRITTEN  # a scenario's line, or a recogniser's


class TurnAnalyser(Protocol):
    name: str

    def analyse(self, turn: TurnInput) -> TurnAnalysis: ...


@runtime_checkable
class FillerRecount(Protocol):
    """An analyser that can take a turn's fillers in after the fact.

    A voiced call answers from the words alone and counts the fillers while the customer speaks
    (their decode is off the turn path); the turn's analysis then gets the transcript with them.
    """

    def recount_fillers(self, analysis: TurnAnalysis, transcript: Transcript) -> TurnAnalysis:
        """``analysis`` of a turn this analyser analysed, with ``transcript``: the same words plus fillers."""


@runtime_checkable
class AfterCallReread(Protocol):
    """An analyser with a slower reading for when the call is over and no one waits for the answer.

    The live turn keeps its budget; at the call's end each trainee turn is read again and the
    record keeps both (the live analysis drove the customer, the re-read one is scored)."""

    def reread(self, analysis: TurnAnalysis) -> TurnAnalysis:
        """``analysis`` of a turn this analyser analysed, read again after the call (the same when
        nothing changes)."""


# A factory takes the scenario (or None for a turn outside any scenario).
AnalyserRegistry = Registry[TurnAnalyser]
