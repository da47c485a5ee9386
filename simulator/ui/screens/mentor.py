"""Mentor view: the signed-in person's apprentices, their open and overdue assignments and recent
calls; the mentor picks a call (or an apprentice's row) and leaves feedback, which the apprentice
sees on their Coaching screen.  Reading and writing the store happen in worker threads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from simulator.ui.assigned import status_text, target_text
from simulator.ui.attempts import StoreRecords
from simulator.ui.context import NOT_CONFIGURED
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, localise_screen, message_id
from simulator.ui.mentor import MentorView, mentor_view
from simulator.ui.widgets.banner import Banner

APPRENTICE_KEY = "apprentice:"  # a calls-table row about the apprentice in general, not one call


def feedback_text(view: MentorView, say: Catalogue = ENGLISH_TEXT) -> Text:
    if not view.feedback:
        return Text(say("You have not left any feedback yet."), style="dim")
    text = Text()
    for item in view.feedback:
        about = say(" on call {call}", call=item.call_id[:8]) if item.call_id else ""
        text.append(say("To {name}{about}, {date}: ", name=item.apprentice, about=about, date=item.created_at[:10]),
                    style="bold")
        text.append(item.text + "\n")
    return text


class MentorScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "mentor.tcss"
    TITLE = "Mentor view"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("f5", "reload", "Reload")]

    def __init__(self) -> None:
        super().__init__()
        trainee = self.app.context.trainee
        self.mentor = trainee.name if trainee else ""
        self.sub_title = self.mentor
        self.view: MentorView | None = None
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with VerticalScroll(id="mentor-body"):
            yield Label(self.text("Your apprentices' assignments"), classes="heading")
            yield DataTable(id="work", cursor_type="row", zebra_stripes=True)
            yield Label(self.text("Recent calls (pick one, then write your feedback below)"), classes="heading")
            yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder=self.text("Feedback on the selected call; Enter sends it"), id="feedback-text")
            yield Label(self.text("Feedback you left"), classes="heading")
            yield Static("", id="sent")
        yield Footer()

    def on_mount(self) -> None:
        for label, key in (
                (message_id("Apprentice"), "who"),
                (message_id("Status"), "status"),
                (message_id("Practise"), "work"),
                (message_id("Target"), "target"),
                (message_id("Due"), "due"),
                (message_id("Best"), "best"),
        ):
            self.query_one("#work", DataTable).add_column(self.text(label), key=key)
        for label, key in (
                (message_id("Apprentice"), "who"),
                (message_id("When"), "when"),
                (message_id("Scenario"), "scenario"),
                (message_id("Score"), "score"),
                (message_id("Verdict"), "verdict"),
        ):
            self.query_one("#calls", DataTable).add_column(self.text(label), key=key)
        if not isinstance(self.app.context.records, StoreRecords) or not self.mentor:
            why = self.text.message(self.app.context.records_problem or NOT_CONFIGURED)
            self.query_one("#banner", Banner).show(self.text("The mentor view needs the training store: {why}",
                                                             why=why), "error")
            self.query_one("#feedback-text", Input).disabled = True
            return
        self.action_reload()

    def action_reload(self) -> None:
        records = self.app.context.records
        if isinstance(records, StoreRecords):
            self._load(records.store)

    @work(thread=True, exclusive=True, group="mentor", exit_on_error=False)
    def _load(self, store: object) -> None:
        try:
            found = mentor_view(store, self.mentor, datetime.now(UTC))
        except Exception as err:  # the database: say so, never crash the app
            self.app.call_from_thread(self._problem, self.text("could not read your apprentices: {error}",
                                                               error=f"{type(err).__name__}: {err}"))
            return
        self.app.call_from_thread(self._show, found)

    def _problem(self, message: str) -> None:
        self.query_one("#banner", Banner).show(message, "error")

    def _show(self, view: MentorView) -> None:
        work_table = self.query_one("#work", DataTable)
        work_table.clear()
        calls = self.query_one("#calls", DataTable)
        calls.clear()
        for apprentice in view.apprentices:
            for progress in apprentice.assignments:
                a = progress.assignment
                work_table.add_row(apprentice.name, status_text(progress.status, progress.late, self.text),
                                   target_text(a, self.text), f"{a.target_score:.0f}",
                                   a.due_at[:16].replace("T", " "),
                                   "-" if progress.best_score is None else f"{progress.best_score:.0f}",
                                   key=a.assignment_id)
            calls.add_row(apprentice.name, "-", Text(self.text("(general feedback)"), style="dim"), "", "",
                          key=APPRENTICE_KEY + apprentice.name)
            for attempt in apprentice.recent_calls:
                verdict = self.text("pass") if attempt.passed else (self.text("fail") if attempt.passed is False
                                                                    else "-")
                calls.add_row(apprentice.name, attempt.started_at[:16].replace("T", " "), attempt.scenario_id,
                              "-" if attempt.overall is None else f"{attempt.overall:.0f}", verdict,
                              key=attempt.call_id)
        banner = self.query_one("#banner", Banner)
        if not view.apprentices:
            banner.show(self.text("{name} has no apprentices (pair them: callsim mentor pair MENTOR APPRENTICE)",
                                  name=self.mentor), "information")
        elif view.overdue:
            banner.show(self.text("{count} assignment(s) overdue across your apprentices", count=view.overdue),
                        "warning")
        else:
            banner.clear()
        self.query_one("#sent", Static).update(feedback_text(view, self.text))
        self.view = view

    @on(Input.Submitted, "#feedback-text")
    def _send(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        calls = self.query_one("#calls", DataTable)
        if not text or calls.row_count == 0 or not isinstance(self.app.context.records, StoreRecords):
            return
        key = calls.coordinate_to_cell_key(calls.cursor_coordinate).row_key.value or ""
        self._leave(self.app.context.records.store, text, key)

    @work(thread=True, exclusive=True, group="mentor-send", exit_on_error=False)
    def _leave(self, store: Any, text: str, key: str) -> None:
        general = key.startswith(APPRENTICE_KEY)
        try:
            store.leave_feedback(self.mentor, text,
                                 call_id=None if general else key,
                                 apprentice=key.removeprefix(APPRENTICE_KEY) if general else None)
        except Exception as err:  # a StoreError names what is wrong (not paired, no such call)
            self.app.call_from_thread(self._problem, self.text("feedback not saved: {error}", error=err))
            return
        self.app.call_from_thread(self._sent)

    def _sent(self) -> None:
        self.query_one("#feedback-text", Input).value = ""
        self.notify(self.text("Feedback saved: your apprentice sees it on their Coaching screen."), timeout=3)
        self.action_reload()
