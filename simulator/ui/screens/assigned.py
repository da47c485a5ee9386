"""Coaching: the trainee's assignments from their mentor (open, done, overdue), the cases a trainer
assigned them with the moments to study, and the mentor's feedback.  Read in a worker thread."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import getters, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from simulator.ui.assigned import CASE_NAMES, AssignedWork, assigned_work, status_text, target_text
from simulator.ui.attempts import StoreRecords
from simulator.ui.context import NOT_CONFIGURED
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, localise_screen, message_id
from simulator.ui.widgets.banner import Banner


def cases_text(work: AssignedWork, say: Catalogue = ENGLISH_TEXT) -> Text:
    """The cases to study; summaries, notes and the reasons a moment matters are the lab's words."""
    if not work.cases:
        return Text(say("No cases assigned to you yet."), style="dim")
    text = Text()
    for case in work.cases:
        style = "bold green" if case.kind.value == "exemplary" else "bold dark_orange"
        text.append(f"{say(CASE_NAMES[case.kind])}: {case.scenario_id}", style=style)
        score = "-" if case.overall is None else f"{case.overall:.0f}"
        text.append(f"  ({case.trainee}, {score}/100{', ' + ', '.join(case.tags) if case.tags else ''})\n", style="dim")
        if case.summary:
            text.append(case.summary + "\n", style="italic")
        for note in case.call_notes:
            text.append("  " + say("Trainer: {note}", note=note) + "\n")
        for moment in case.moments:
            text.append("  " + say("Turn {number}: ", number=moment.turn_index), style="bold")
            text.append(f"\"{moment.trainee_said}\"\n")
            text.append("    " + say("why: {reasons}", reasons="; ".join(moment.reasons)) + "\n", style="dim")
            for note in moment.notes:
                text.append("    " + say("Trainer: {note}", note=note) + "\n", style="cyan")
        text.append("\n")
    return text


def feedback_text(work: AssignedWork, say: Catalogue = ENGLISH_TEXT) -> Text:
    if not work.feedback:
        return Text(say("No feedback from a mentor yet."), style="dim")
    text = Text()
    for item in work.feedback:
        about = say(" on call {call}", call=item.call_id[:8]) if item.call_id else ""
        text.append(say("{name}{about}, {date}: ", name=item.mentor, about=about, date=item.created_at[:10]),
                    style="bold")
        text.append(item.text + "\n")
    return text


class AssignedScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "assigned.tcss"
    TITLE = "Coaching"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        trainee = self.app.context.trainee
        self.sub_title = trainee.name if trainee else ""
        self.work: AssignedWork | None = None
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with VerticalScroll(id="assigned-body"):
            yield Label(self.text("Assignments from your mentor"), classes="heading")
            yield DataTable(id="assignments", cursor_type="row", zebra_stripes=True)
            yield Label(self.text("Cases to study"), classes="heading")
            yield Static(Text(self.text("Loading..."), style="dim"), id="cases")
            yield Label(self.text("Mentor feedback"), classes="heading")
            yield Static("", id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#assignments", DataTable)
        for label, key in (
                (message_id("Status"), "status"),
                (message_id("Practise"), "work"),
                (message_id("Target"), "target"),
                (message_id("Due"), "due"),
                (message_id("Best"), "best"),
                (message_id("Note"), "note"),
        ):
            table.add_column(self.text(label), key=key)
        records = self.app.context.records
        trainee = self.app.context.trainee
        if not isinstance(records, StoreRecords) or trainee is None:
            why = self.text.message(self.app.context.records_problem or NOT_CONFIGURED)
            self.query_one("#banner", Banner).show(self.text("Coaching needs the training store: {why}", why=why),
                                                   "error")
            self.query_one("#cases", Static).update("")
            return
        self._load(records.store, trainee.name)

    @work(thread=True, exclusive=True, group="assigned", exit_on_error=False)
    def _load(self, store: object, trainee: str) -> None:
        try:
            found = assigned_work(store, trainee, self.app.context.settings.scenarios_dir, datetime.now(UTC))
        except Exception as err:  # the database or a scenario file: say so, never crash the app
            self.app.call_from_thread(self._problem, self.text("could not read your coaching: {error}",
                                                               error=f"{type(err).__name__}: {err}"))
            return
        self.app.call_from_thread(self._show, found)

    def _problem(self, message: str) -> None:
        self.query_one("#banner", Banner).show(message, "error")

    def _show(self, work: AssignedWork) -> None:
        table = self.query_one("#assignments", DataTable)
        table.clear()
        for progress in work.assignments:
            a = progress.assignment
            table.add_row(status_text(progress.status, progress.late, self.text), target_text(a, self.text),
                          f"{a.target_score:.0f}", a.due_at[:16].replace("T", " "),
                          "-" if progress.best_score is None else f"{progress.best_score:.0f}", a.note or "",
                          key=a.assignment_id)
        banner = self.query_one("#banner", Banner)
        if work.overdue:
            banner.show(self.text("{count} assignment(s) overdue", count=work.overdue), "warning")
        elif not work.assignments:
            banner.show(self.text("No assignments from a mentor yet."), "information")
        else:
            banner.clear()
        self.query_one("#cases", Static).update(cases_text(work, self.text))
        self.query_one("#feedback", Static).update(feedback_text(work, self.text))
        self.work = work
