"""The mentor view (Pilot): a mentor signs in, sees each apprentice's open and overdue assignments and
recent calls, picks a call and leaves feedback, which the apprentice's Coaching screen then shows."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable, Input, Static

from simulator.config import load_settings
from simulator.store import open_store
from simulator.store.coaching import TargetKind
from simulator.ui.mentor import mentor_view
from simulator.ui.screens.mentor import MentorScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.banner import Banner
from tests.lab.conftest import GOOD_REPLIES, POOR_REPLIES, play

from .conftest import screen_ready, signed_in_app, wait_for


def _apprentices(tmp_path) -> dict[str, str]:
    settings = load_settings()
    calls = {}
    with open_store(settings=settings) as store:
        for name, replies, seed in (("Ada Trainee", GOOD_REPLIES, 1), ("Bo Chen", POOR_REPLIES, 2)):
            finished = play("billing-overcharge", replies, tmp_path / "calls", seed=seed)
            calls[name] = store.save_call(finished.record, finished.scorecard, trainee=name, team="Blue")
            store.pair("Mo Mentor", name)
        store.assign("Mo Mentor", "Bo Chen", TargetKind.DRILL, "rising-heat", target_score=60,
                     due_at="2020-01-31T23:59:59.999+00:00")
        store.assign("Mo Mentor", "Ada Trainee", TargetKind.SCENARIO, "billing-overcharge", target_score=99,
                     due_at="2099-06-30T23:59:59.999+00:00")
    return calls


async def test_a_mentor_sees_apprentices_and_leaves_feedback_on_a_call(make_app, fixed_home, tmp_path):
    calls = _apprentices(tmp_path)
    app = signed_in_app(make_app, "Mo Mentor")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen_ready(app, MentorScreen) and app.screen.view is not None)
        screen = app.screen
        work = screen.query_one("#work", DataTable)
        rows = [[str(cell) for cell in work.get_row_at(n)] for n in range(work.row_count)]
        assert [row[:3] for row in rows] == [["Ada Trainee", "open", "scenario billing-overcharge"],
                                             ["Bo Chen", "overdue", "drill rising-heat"]]
        assert "1 assignment(s) overdue" in screen.query_one("#banner", Banner).message
        table = screen.query_one("#calls", DataTable)
        keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
        assert calls["Bo Chen"] in keys and calls["Ada Trainee"] in keys
        table.focus()
        table.move_cursor(row=keys.index(calls["Bo Chen"]))
        box = screen.query_one("#feedback-text", Input)
        box.focus()
        box.value = "Never tell a customer to calm down."
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Never tell a customer" in str(screen.query_one("#sent", Static).content))
        assert box.value == ""
    with open_store(settings=load_settings()) as store:
        [said] = store.feedback(apprentice="Bo Chen")
        assert (said.mentor, said.call_id, said.text) == ("Mo Mentor", calls["Bo Chen"],
                                                          "Never tell a customer to calm down.")
        assert mentor_view(store, "Ada Trainee", datetime.now(UTC)).apprentices == ()


async def test_someone_with_no_apprentices_is_told_how_to_pair(make_app, fixed_home):
    app = signed_in_app(make_app, "Ada Trainee")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(MentorScreen())
        await wait_for(pilot, lambda: screen_ready(app, MentorScreen) and app.screen.view is not None)
        assert "no apprentices" in app.screen.query_one("#banner", Banner).message
        assert app.screen.query_one("#work", DataTable).row_count == 0
