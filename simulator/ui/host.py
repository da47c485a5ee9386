"""The app as its screens see it: the shared context and the moves from one screen to another.

``CallsimApp`` imports the screens (lazily, to open them), so a screen cannot import the app back.
Screens declare ``app = getters.app(CallsimHost)`` instead: their ``self.app`` is then typed, and
Textual checks at run time that the running app is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from simulator.call.textcall import FinishedCall
    from simulator.scenario.loader import LoadedScenario
    from simulator.ui.call_modes import TrainingMode
    from simulator.ui.context import AppContext


class CallsimHost(App[None]):
    context: AppContext

    def start_call(self, loaded: LoadedScenario, mode: TrainingMode, *, in_place_of_current: bool = False) -> None:
        raise NotImplementedError

    def show_results(self, finished: FinishedCall, loaded: LoadedScenario, mode: TrainingMode,
                     call_id: str | None) -> None:
        raise NotImplementedError

    def show_stored_call(self, call_id: str) -> None:
        raise NotImplementedError
