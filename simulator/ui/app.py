"""The Textual app: thin.  Screens do the work; the shared state lives in ``AppContext``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import get_current_worker

from simulator.call.textcall import FinishedCall
from simulator.record import CallMode
from simulator.scenario.loader import LoadedScenario
from simulator.ui.call_modes import TrainingMode
from simulator.ui.catalog import ScenarioCatalog
from simulator.ui.commands import CallsimCommands
from simulator.ui.context import AppContext
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import translate_bindings

PALETTE_PROMPT = "Search for commands…"


class CallsimApp(CallsimHost):
    TITLE = "callsim"
    SUB_TITLE = "call simulator"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CallsimCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f9", "toggle_dark", "Light/dark"),
    ]

    def __init__(self, context: AppContext, *, review: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.context = context
        self.opening_review = review  # (call id, reviewer): open on that call's review, not the sign-in
        self.sub_title = context.text(self.SUB_TITLE)
        translate_bindings(self, context.text)

    def on_mount(self) -> None:
        if self.opening_review is not None:
            self.open_review(*self.opening_review)
            return
        from simulator.ui.screens.signin import SignInScreen

        self.push_screen(SignInScreen())

    def open_review(self, call_id: str, reviewer: str) -> None:
        from simulator.ui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(call_id, reviewer))

    def show_stored_call(self, call_id: str) -> None:
        """A stored call's results (the reviewed scorecard where there is one), with the trainer's notes."""
        from simulator.ui.screens.results import ResultsScreen

        store = self.context.store
        if store is None:
            return
        stored = store.get_call(call_id)
        entry = self.context.catalog.find(stored.attempt.scenario_id)
        card = stored.effective_scorecard
        if entry is None and stored.record.header.mode == CallMode.IMPORTED:  # scored against the library
            self.notify(self.context.text("A real call, recorded elsewhere: `callsim review show {call}` prints its "
                                          "transcript and judgements.", call=stored.attempt.call_id[:8]))
            return
        if entry is None or entry.loaded is None or card is None:
            self.notify(self.context.text("Scenario {scenario} is not in the catalog: cannot show this call.",
                                          scenario=stored.attempt.scenario_id), severity="warning")
            return
        self.push_screen(ResultsScreen(FinishedCall(stored.record, card), entry.loaded, TrainingMode.PRACTICE,
                                       stored.attempt.call_id))

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette commands (theme, quit, keys, screenshot) in the trainee's language."""
        say = self.context.text
        for command in super().get_system_commands(screen):
            yield command._replace(title=say(command.title), help=say(command.help))

    def action_command_palette(self) -> None:
        """Textual's palette, with its search prompt in the trainee's language."""
        if self.use_command_palette and not CommandPalette.is_open(cast(App[object], self)):
            self.push_screen(CommandPalette(placeholder=self.context.text(PALETTE_PROMPT), id="--command-palette"))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_open_sign_in(self) -> None:
        from simulator.ui.screens.signin import SignInScreen

        if not self._call_in_progress():
            self.push_screen(SignInScreen())

    def _call_in_progress(self) -> bool:
        """A screen opened over a live call was replaced by that call's results when it ended, and the
        trainee was left on the dead call screen (or, after switching trainee, shown another's results)."""
        from simulator.ui.screens.call import CallScreen

        if any(isinstance(screen, CallScreen) for screen in self.screen_stack):
            self.notify(self.context.text("Finish the call first, or hang up (Ctrl+E)."), severity="warning")
            return True
        return False

    def _needs_trainee(self) -> bool:
        if self._call_in_progress():
            return True
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

    def action_open_coaching(self) -> None:
        from simulator.ui.screens.assigned import AssignedScreen

        if not self._needs_trainee():
            self.push_screen(AssignedScreen())

    def action_open_mentor(self) -> None:
        from simulator.ui.screens.mentor import MentorScreen

        if not self._needs_trainee():
            self.push_screen(MentorScreen())

    def action_open_devices(self) -> None:
        from simulator.ui.screens.devices import DevicesScreen

        if not self._call_in_progress():
            self.push_screen(DevicesScreen())

    def action_reload_scenarios(self) -> None:
        self._read_scenarios()

    # Parsing and linting every file takes about a second for 150 of them: off the UI thread, so the
    # app keeps answering keys meanwhile; a second F5 replaces the first read.
    @work(thread=True, exclusive=True, group="catalog", exit_on_error=False)
    def _read_scenarios(self) -> None:
        try:
            catalog = self.context.read_catalog()
        except OSError as err:  # the folder itself unreadable: the catalog shown stays as it was
            self.call_from_thread(self.notify, self.context.text(
                "Cannot read the scenarios folder {folder}: {problem}",
                folder=str(self.context.settings.scenarios_dir), problem=err.strerror or str(err)), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_scenarios, catalog)

    def _show_scenarios(self, catalog: ScenarioCatalog) -> None:
        self.context.use_catalog(catalog)
        broken = len(self.context.catalog.broken)
        say = self.context.text
        self.notify(say("{count} scenarios loaded", count=len(self.context.catalog.playable))
                    + (say(", {count} with problems", count=broken) if broken else ""),
                    severity="warning" if broken else "information")
        from simulator.ui.screens.picker import PickerScreen

        if isinstance(self.screen, PickerScreen):
            self.screen.refresh_table()
