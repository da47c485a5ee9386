"""The analysers callsim knows by name.  Choosing one is configuration (``--analyser``)."""

from __future__ import annotations

from simulator.analysis.base import AnalyserRegistry
from simulator.analysis.lexical import LexicalAnalyser


def builtin_analysers() -> AnalyserRegistry:
    registry = AnalyserRegistry(default="lexical")
    registry.register("lexical", LexicalAnalyser)
    return registry
