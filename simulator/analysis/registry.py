"""The analysers callsim knows by name.  Choosing one is configuration (``--analyser``).

- ``semantic`` (default): empathy, steps, forbidden phrases and intents by meaning (MiniLM
  sentence embeddings, loaded lazily on the first turn), literal matches still reported as such.
- ``lexical``: word lists only; no model, instant start (fast tests, dry runs).

Both measure tone from the voice when a turn has audio (``simulator.analysis.tone``).
"""

from __future__ import annotations

from simulator.analysis.base import AnalyserRegistry
from simulator.analysis.lexical import LexicalAnalyser
from simulator.analysis.semantic import SemanticAnalyser
from simulator.analysis.tone import with_tone


def builtin_analysers() -> AnalyserRegistry:
    registry = AnalyserRegistry("analyser", default="semantic")
    registry.register("semantic", with_tone(SemanticAnalyser))
    registry.register("lexical", with_tone(LexicalAnalyser))
    return registry
