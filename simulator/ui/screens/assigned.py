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

from simulator.lab.mentoring import AssignmentStatus
from simulator.ui.assigned import AssignedWork, assigned_work
from simulator.ui.attempts import StoreRecords
from simulator.ui.host import CallsimHost
from simulator.ui.widgets.banner import Banner

STATUS_STYLE = {AssignmentStatus.OVERDUE: "bold red", AssignmentStatus.OPEN: "yellow",
                AssignmentStatus.DONE: "green"}


def cases_text(work: AssignedWork) -> Text:
    if not work.cases:
        return Text("No cases assigned to you yet.", style="dim")
    text = Text()
    for case in work.cases:
        style = "bold green" if case.kind.value == "exemplary" else "bold dark_orange"
        text.append(f"{case.kind.value.capitalize()}: {case.scenario_id}", style=style)
        score = "-" if case.overall is None else f"{case.overall:.0f}"
        text.append(f"  ({case.trainee}, {score}/100{', ' + ', '.join(case.tags) if case.tags else ''})\n", style="dim")
        if case.summary:
            text.append(case.summary + "\n", style="italic")
        for note in case.call_notes:
            text.append(f"  Trainer: {note}\n")
        for moment in case.moments:
            text.append(f"  Turn {moment.turn_index}: ", style="bold")
            text.append(f"\"{moment.trainee_said}\"\n")
            text.append(f"    why: {'; '.join(moment.reasons)}\n", style="dim")
            for note in moment.notes:
                text.append(f"    Trainer: {note}\n", style="cyan")
        text.append("\n")
    return text


def feedback_text(work: AssignedWork) -> Text:
    if not work.feedback:
        return Text("No feedback from a mentor yet.", style="dim")
    text = Text()
    for item in work.feedback:
        about = f" on call {item.call_id[:8]}" if item.call_id else ""
        text.append(f"{item.mentor}{about}, {item.created_at[:10]}: ", style="bold")
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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with VerticalScroll(id="assigned-body"):
            yield Label("Assignments from your mentor", classes="heading")
            yield DataTable(id="assignments", cursor_type="row", zebra_stripes=True)
            yield Label("Cases to study", classes="heading")
            yield Static(Text("Loading...", style="dim"), id="cases")
            yield Label("Mentor feedback", classes="heading")
            yield Static("", id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#assignments", DataTable)
        for label, key in (("Status", "status"), ("Practise", "work"), ("Target", "target"), ("Due", "due"),
                           ("Best", "best"), ("Note", "note")):
            table.add_column(label, key=key)
        records = self.app.context.records
        trainee = self.app.context.trainee
        if not isinstance(records, StoreRecords) or trainee is None:
            self.query_one("#banner", Banner).show("Coaching needs the training store: "
                                                   + (self.app.context.records_problem or "not configured"), "error")
            self.query_one("#cases", Static).update("")
            return
        self._load(records.store, trainee.name)

    @work(thread=True, exclusive=True, group="assigned", exit_on_error=False)
    def _load(self, store: object, trainee: str) -> None:
        try:
            found = assigned_work(store, trainee, self.app.context.settings.scenarios_dir, datetime.now(UTC))
        except Exception as err:  # the database or a scenario file: say so, never crash the app
            self.app.call_from_thread(self._problem, f"could not read your coaching: {type(err).__name__}: {err}")
            return
        self.app.call_from_thread(self._show, found)

    def _problem(self, message: str) -> None:
        self.query_one("#banner", Banner).show(message, "error")

    def _show(self, work: AssignedWork) -> None:
        table = self.query_one("#assignments", DataTable)
        table.clear()
        for progress in work.assignments:
            a = progress.assignment
            status = progress.status.value + (" (late)" if progress.late else "")
            table.add_row(Text(status, style=STATUS_STYLE[progress.status]), f"{a.target_kind.value} {a.target_id}",
                          f"{a.target_score:.0f}", a.due_at[:16].replace("T", " "),
                          "-" if progress.best_score is None else f"{progress.best_score:.0f}", a.note or "",
                          key=a.assignment_id)
        banner = self.query_one("#banner", Banner)
        if work.overdue:
            banner.show(f"{work.overdue} assignment(s) overdue", "warning")
        elif not work.assignments:
            banner.show("No assignments from a mentor yet.", "information")
        else:
            banner.clear()
        self.query_one("#cases", Static).update(cases_text(work))
        self.query_one("#feedback", Static).update(feedback_text(work))
        self.work = work
