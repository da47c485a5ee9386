"""Snapshots of every screen (fixed scenarios, seed, data dir and a frozen clock).

Update after an intended visual change with ``pytest tests/ui --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import new_call_folder, run_call
from simulator.ui.call_modes import TrainingMode
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import REPLIES, results_shown, screen_ready, signed_in_app, wait_for

BROKEN_SCENARIO = "id: broken\ntitle: [unclosed\n"


async def settle(pilot) -> None:
    """Stop the text cursors blinking (a blink mid-screenshot would change the picture), then draw."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()
    for view in pilot.app.screen.query(TranscriptView):
        await wait_for(pilot, lambda view=view: view.scroll_y == view.max_scroll_y)
    await pilot.pause()


def _type_replies(replies, until_results: bool = False):
    async def run(pilot):
        app = pilot.app
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        loaded = app.context.catalog.find("billing-overcharge").loaded
        await app.push_screen(CallScreen(loaded, TrainingMode.PRACTICE))
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        transcript = app.screen.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        for number, reply in enumerate(replies, start=1):
            app.screen.query_one("#reply", Input).value = reply
            await pilot.press("enter")
            await wait_for(pilot, lambda number=number: screen_ready(app, ResultsScreen)
                           or len(app.screen.query_one("#transcript", TranscriptView).lines) >= 2 * number + 1)
        if until_results:
            await wait_for(pilot, lambda: results_shown(app))
        await settle(pilot)

    return run


def test_sign_in_screen(snap_compare, make_app, fixed_home, data_dir):
    app = make_app()
    app.context.records.sign_in("Ben Okafor", "Green")
    app.context.records.sign_in("Ada Trainee", "Blue")

    async def ready(pilot):
        await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 32), run_before=ready)


def test_picker_at_80x24_with_a_bad_scenario_file(snap_compare, make_app, fixed_home):
    (fixed_home / "scenarios" / "broken.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    app = signed_in_app(make_app)

    async def open_picker(pilot):
        await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
        await pilot.app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(pilot.app, PickerScreen))
        preview = pilot.app.screen.query_one("#preview")
        await wait_for(pilot, lambda: "Margaret" in str(preview.content))
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_picker)


def test_call_screen_mid_call_at_80x24(snap_compare, make_app, fixed_home):
    app = signed_in_app(make_app)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_type_replies(REPLIES[:2]))


def test_call_screen(snap_compare, make_app, fixed_home):
    app = signed_in_app(make_app)
    assert snap_compare(app, terminal_size=(100, 32), run_before=_type_replies(REPLIES[:2]))


def test_results_screen(snap_compare, make_app, fixed_home):
    app = signed_in_app(make_app)
    assert snap_compare(app, terminal_size=(100, 32), run_before=_type_replies(REPLIES, until_results=True))


def test_history_screen(snap_compare, make_app, fixed_home, data_dir: Path):
    app = signed_in_app(make_app)
    loaded = app.context.catalog.find("billing-overcharge").loaded
    # Three earlier calls, getting better: first a poor one, then the model answers.
    scripts = [["whatever", "calm down"], list(REPLIES[:2]), list(REPLIES)]
    for number, replies in enumerate(scripts):
        folder = new_call_folder(app.context.recordings_dir, f"{number}-{loaded.scenario.id}")
        keeper = app.context.records.keeper(folder, app.context.trainee, "training")
        finished = run_call(loaded, app.context.analyser(loaded.scenario), SilentVoice(),
                            ScriptedReplies(parse_reply(r) for r in replies), folder, trainee_name="Ada Trainee",
                            on_event=keeper.on_event)
        keeper.finish(finished)

    async def open_history(pilot):
        await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
        await pilot.app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(pilot.app, HistoryScreen))
        await settle(pilot)

    assert len(app.context.attempts()) == 3
    progress = app.context.progress()
    assert progress.stars is not None and progress.stars.stars == 1 and progress.stars.next_title == "Steady hands"
    assert progress.series["overall"][0] < progress.series["overall"][-1]
    assert snap_compare(app, terminal_size=(100, 32), run_before=open_history)
