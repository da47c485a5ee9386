"""Sign in: pick a trainee (the last one is pre-selected) or create one with a team."""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList
from textual.widgets.option_list import Option

from simulator.ui.host import CallsimHost
from simulator.ui.i18n import localise_screen
from simulator.ui.roster import RosterError, Trainee, clean_name
from simulator.ui.widgets.banner import Banner


class SignInScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "signin.tcss"
    TITLE = "Sign in"
    BINDINGS = [Binding("f3", "app.open_devices", "Devices")]

    def __init__(self) -> None:
        super().__init__()
        self._trainees: tuple[Trainee, ...] = ()
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with Vertical(id="signin-box"):
            yield Label(self.text("Who is at the headset?"), classes="heading")
            yield OptionList(id="trainees")
            yield Input(placeholder=self.text("your name (new or existing)"), id="name")
            yield Input(placeholder=self.text("team (optional)"), id="team")
            # Always there, with a fixed height: an error appearing must not move the dialog.
            yield Label("", id="signin-error", markup=False)
            with Horizontal(id="signin-buttons"):
                yield Button(self.text("Sign in"), variant="primary", id="sign-in")
        yield Footer()

    def on_mount(self) -> None:
        context = self.app.context
        problems = [self.text.message(p) for p in (context.roster.problem, context.records_problem) if p]
        if problems:
            self.query_one("#banner", Banner).show("; ".join(problems), "warning")
        elif context.recovery_notice:
            self.query_one("#banner", Banner).show(self.text.message(context.recovery_notice), "information")
        self._trainees = context.trainees()
        options = self.query_one("#trainees", OptionList)
        for trainee in self._trainees:
            label = trainee.name + (f"  ({trainee.team})" if trainee.team else "")
            options.add_option(Option(label, id=trainee.name))
        if not self._trainees:
            options.display = False
        last = context.last_trainee()
        if last is not None:
            self.query_one("#name", Input).value = last.name
            self.query_one("#team", Input).value = last.team or ""
            options.highlighted = next(i for i, t in enumerate(self._trainees) if t.name == last.name)
            self.query_one("#sign-in", Button).focus()
        else:
            self.query_one("#name", Input).focus()

    @on(OptionList.OptionHighlighted, "#trainees")
    @on(OptionList.OptionSelected, "#trainees")
    def _trainee_chosen(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        trainee = next((t for t in self._trainees if t.name == event.option.id), None)
        if trainee is None:
            return
        self.query_one("#name", Input).value = trainee.name
        self.query_one("#team", Input).value = trainee.team or ""
        if isinstance(event, OptionList.OptionSelected):
            self._sign_in()

    @on(Input.Submitted, "#name")
    def _name_entered(self) -> None:
        # Enter on a blank or unusable name stays in the name field, so what is typed next lands there.
        try:
            clean_name(self.query_one("#name", Input).value)
        except RosterError as err:
            self._show_error(self.text.message(err.phrase))
            return
        self.query_one("#team", Input).focus()

    @on(Input.Changed, "#name")
    @on(Input.Changed, "#team")
    def _typing(self, event: Input.Changed) -> None:
        if event.input.has_focus:  # the trainee is correcting it; a value filled in from the list is not
            self._show_error("")

    def _show_error(self, message: str) -> None:
        shown = self.text("Cannot sign in: {message}", message=message) if message else ""
        self.query_one("#signin-error", Label).update(shown)

    @on(Input.Submitted, "#team")
    @on(Button.Pressed, "#sign-in")
    def _sign_in(self) -> None:
        name = self.query_one("#name", Input).value
        team = self.query_one("#team", Input).value
        try:
            trainee = self.app.context.sign_in(name, team)
        except RosterError as err:
            self._show_error(self.text.message(err.phrase))
            return
        except OSError as err:  # the bare errno ("Not a directory: .../ui") said nothing about what to do
            where = err.filename or self.app.context.settings.data_dir
            self._show_error(self.text(
                "the trainee list cannot be written at {path} ({reason}); remove what is in the way, or set "
                "data_dir (CALLSIM_DATA_DIR) to a folder you can write", path=where, reason=err.strerror or err))
            return
        from simulator.ui.screens.picker import PickerScreen

        self.notify(self.text("Signed in as {name}", name=trainee.name), timeout=2)
        self.app.push_screen(PickerScreen())
