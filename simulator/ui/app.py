"""The Textual app: thin.  Screens do the work; the shared state lives in ``AppContext``."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from simulator.call.textcall import FinishedCall
from simulator.scenario.loader import LoadedScenario
from simulator.ui.call_modes import TrainingMode
from simulator.ui.commands import CallsimCommands
from simulator.ui.context import AppContext
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import translate_bindings


class CallsimApp(CallsimHost):
    TITLE = "callsim"
    SUB_TITLE = "call simulator"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CallsimCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f9", "toggle_dark", "Light/dark"),
    ]

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.sub_title = context.text(self.SUB_TITLE)
        translate_bindings(self, context.text)

    def on_mount(self) -> None:
        from simulator.ui.screens.signin import SignInScreen

        self.push_screen(SignInScreen())

    # Screens move to one another through the app, so that no screen imports another.
    def start_call(self, loaded: LoadedScenario, mode: TrainingMode, *, in_place_of_current: bool = False) -> None:
        from simulator.ui.screens.call import CallScreen

        screen = CallScreen(loaded, mode)
        if in_place_of_current:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_results(self, finished: FinishedCall, loaded: LoadedScenario, mode: TrainingMode,
                     call_id: str | None) -> None:
        from simulator.ui.screens.results import ResultsScreen

        self.switch_screen(ResultsScreen(finished, loaded, mode, call_id))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_open_sign_in(self) -> None:
        from simulator.ui.screens.signin import SignInScreen

        self.push_screen(SignInScreen())

    def _needs_trainee(self) -> bool:
        if self.context.trainee is None:
            self.notify(self.context.text("Sign in first."), severity="warning")
            return True
        return False

    def action_open_picker(self) -> None:
        from simulator.ui.screens.picker import PickerScreen

        if not self._needs_trainee():
            self.push_screen(PickerScreen())

    def action_open_history(self) -> None:
        from simulator.ui.screens.history import HistoryScreen

        if not self._needs_trainee():
            self.push_screen(HistoryScreen())

    def action_open_devices(self) -> None:
        from simulator.ui.screens.devices import DevicesScreen

        self.push_screen(DevicesScreen())

    def action_reload_scenarios(self) -> None:
        self.context.reload_catalog()
        broken = len(self.context.catalog.broken)
        self.notify(f"{len(self.context.catalog.playable)} scenarios loaded"
                    + (f", {broken} with problems" if broken else ""),
                    severity="warning" if broken else "information")
        from simulator.ui.screens.picker import PickerScreen

        if isinstance(self.screen, PickerScreen):
            self.screen.refresh_table()
