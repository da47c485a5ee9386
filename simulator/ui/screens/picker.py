"""Scenario picker: a table to filter as you type, with a preview of the call to come."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from simulator.text import is_mostly_chinese
from simulator.ui.assigned import overdue_assignments
from simulator.ui.attempts import StoreRecords, stats_by_scenario
from simulator.ui.call_modes import TrainingMode
from simulator.ui.catalog import CatalogEntry, difficulty_stars, matches_filter
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, bullet, localise_screen, message_id
from simulator.ui.widgets.banner import Banner


def preview_text(entry: CatalogEntry, mode: TrainingMode, say: Catalogue = ENGLISH_TEXT) -> Text:
    if entry.loaded is None:
        text = Text(say("This scenario file cannot be loaded.") + "\n\n", style="bold red")
        for diagnostic in entry.problems.diagnostics if entry.problems else ():
            text.append(entry.short(diagnostic) + "\n")
        text.append("\n" + say("Fix the file (see `callsim check`), then reload scenarios (F5)."), style="dim")
        return text
    scenario = entry.loaded.scenario
    persona = scenario.persona
    text = Text()
    text.append(scenario.title + "\n", style="bold")
    text.append(f"{difficulty_stars(scenario.difficulty)}  "
                + say("about {minutes} min", minutes=f"{scenario.expected_minutes:g}") + "\n", style="dim")
    text.append(scenario.summary + "\n\n")
    text.append(say("Customer: "), style="bold")
    full_stop = "。" if is_mostly_chinese(persona.name) else ". "  # a Chinese name ends a Chinese sentence
    text.append(f"{persona.name}{full_stop}{persona.situation}\n\n")
    if mode is TrainingMode.EXAM:
        text.append(say("Exam mode: the steps and live hints are hidden."), style="italic")
        return text
    text.append(say("Steps to hit:") + "\n", style="bold")
    for step in scenario.script:
        text.append(bullet(step.description, " ") + ("" if step.required else say(" (optional)")) + "\n")
    if mode is TrainingMode.DRILL and scenario.drill.turn_time_limit_s:
        text.append("\n" + say("Drill: {seconds} s per reply.", seconds=f"{scenario.drill.turn_time_limit_s:g}"),
                    style="italic")
    return text


TAGS_CELLS = 20  # long tag lists must not push the score columns off an 80-column screen


def tags_cell(tags: tuple[str, ...]) -> Text:
    """The tags, cut with an ellipsis at ``TAGS_CELLS`` cells (the filter still matches all of them)."""
    text = Text(", ".join(tags))
    text.truncate(TAGS_CELLS, overflow="ellipsis")
    return text


class PickerScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "picker.tcss"
    TITLE = "Scenarios"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("f4", "cycle_mode", "Mode"),
        Binding("f2", "app.open_history", "History"),
        Binding("f3", "app.open_devices", "Devices"),
        Binding("f6", "app.open_coaching", "Coaching", show=False),  # F6 or the palette: the footer stays as it was
        Binding("f7", "app.open_mentor", "Mentor view", show=False),
        Binding("f5", "app.reload_scenarios", "Reload"),
        Binding("escape", "app.pop_screen", "Switch trainee"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mode = TrainingMode.PRACTICE
        self._shown: list[CatalogEntry] = []
        trainee = self.app.context.trainee
        self.sub_title = trainee.name if trainee else ""
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with Horizontal(id="picker-body"):
            with Vertical(id="picker-left"):
                with Horizontal(id="filter-row"):
                    yield Input(placeholder=self.text("type to filter: title, tag, skill"), id="filter")
                    yield Label("", id="mode")
                yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview-box"):
                yield Static("", id="preview")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        for label, key in (
                (message_id("Scenario"), "title"),
                (message_id("Level"), "level"),
                (message_id("Tags"), "tags"),
                (message_id("Best"), "best"),
                (message_id("Tries"), "tries"),
        ):
            table.add_column(self.text(label), key=key)
        self._show_mode()
        self.refresh_table()
        self.query_one("#filter", Input).focus()
        records, trainee = self.app.context.records, self.app.context.trainee
        if isinstance(records, StoreRecords) and trainee is not None:
            self._remind_overdue(records.store, trainee.name)

    @work(thread=True, exclusive=True, group="overdue", exit_on_error=False)
    def _remind_overdue(self, store: object, trainee: str) -> None:
        try:
            overdue = overdue_assignments(store, trainee, datetime.now(UTC))
        except Exception:  # a reminder only: the Coaching screen reports what went wrong
            return
        if overdue:
            self.app.call_from_thread(
                self.notify, self.text("{count} assignment(s) from your mentor overdue: F6 shows them", count=overdue),
                title=self.text("Coaching"), severity="warning", timeout=8)

    def on_screen_resume(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        context = self.app.context
        catalog = context.catalog
        banner = self.query_one("#banner", Banner)
        if catalog.broken:
            first = catalog.broken[0]
            more = self.text(" (+{count} more files)", count=len(catalog.broken) - 1) if len(catalog.broken) > 1 \
                else ""
            banner.show(self.text("Bad scenario file: {problem}{more}", problem=first.first_problem, more=more),
                        "error")
        elif not catalog.entries:
            banner.show(self.text("No scenarios in {folder}: set CALLSIM_HOME to a folder with scenarios/",
                                  folder=catalog.folder), "error")
        else:
            banner.clear()
        stats = stats_by_scenario(context.attempts())
        text = self.query_one("#filter", Input).value
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        self._shown = [e for e in catalog.entries if matches_filter(e, text)]
        for entry in self._shown:
            if entry.loaded is None:
                table.add_row(Text(f"⚠ {entry.path.name}", style="red"), "",
                              Text(self.text("cannot load"), style="red"), "", "", key=str(entry.path))
                continue
            scenario = entry.loaded.scenario
            seen = stats.get(scenario.id)
            best = f"{seen.best:.0f}" if seen and seen.best is not None else "-"
            table.add_row(scenario.title, difficulty_stars(scenario.difficulty), tags_cell(scenario.tags),
                          best, str(seen.attempts if seen else 0), key=str(entry.path))
        self._show_preview()

    def _current(self) -> CatalogEntry | None:
        table = self.query_one("#scenarios", DataTable)
        if not self._shown or table.cursor_row < 0 or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row]

    def _show_preview(self) -> None:
        entry = self._current()
        preview = self.query_one("#preview", Static)
        preview.update(preview_text(entry, self.mode, self.text) if entry
                       else Text(self.text("No scenario matches the filter."), style="dim"))

    def _show_mode(self) -> None:
        self.query_one("#mode", Label).update(self.text("Mode: {mode}", mode=self.text(self.mode.label)))

    def action_cycle_mode(self) -> None:
        self.mode = self.mode.next()
        self._show_mode()
        self._show_preview()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(DataTable.RowHighlighted, "#scenarios")
    def _row_highlighted(self) -> None:
        self._show_preview()

    @on(Input.Submitted, "#filter")
    @on(DataTable.RowSelected, "#scenarios")
    def _start(self) -> None:
        entry = self._current()
        if entry is None:
            self.notify(self.text("No scenario matches the filter."), severity="warning")
            return
        if entry.loaded is None:
            self.notify(entry.first_problem, title=self.text("Cannot load scenario"), severity="error", timeout=8)
            return
        self.app.start_call(entry.loaded, self.mode)

    def on_key(self, event) -> None:
        # Down from the filter moves into the table; typing in the table goes on filtering.
        filter_box = self.query_one("#filter", Input)
        table = self.query_one("#scenarios", DataTable)
        if event.key == "down" and self.focused is filter_box:
            table.focus()
            event.stop()
        elif self.focused is table and event.is_printable and event.character:
            filter_box.focus()
            filter_box.insert_text_at_cursor(event.character)
            event.stop()
