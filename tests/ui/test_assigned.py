"""The trainee's Coaching screen (Pilot): a mentor's assignments with overdue work flagged, the cases a
trainer assigned them (anonymised, with the moments to study) and the mentor's feedback."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from simulator.config import load_settings
from simulator.store import open_store
from simulator.store.coaching import CaseKind, TargetKind
from simulator.ui.screens.assigned import AssignedScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.banner import Banner
from tests.lab.conftest import POOR_REPLIES, play

from .conftest import screen_ready, signed_in_app, wait_for

OPENING = "Hello Margaret, calm down. Your card 4111 1111 1111 1111 is blocked."


def _coaching_for_ada(tmp_path) -> str:
    settings = load_settings()
    colleague = play("billing-overcharge", (OPENING, *POOR_REPLIES), tmp_path / "calls", seed=1)
    with open_store(settings=settings) as store:
        store.ensure_trainee("Ada Trainee", "Blue")
        call_id = store.save_call(colleague.record, colleague.scorecard, trainee="Bo Chen", team="Blue")
        store.mark_case(call_id, CaseKind.CAUTIONARY, tags=["calm down"], summary="Bo Chen told Margaret to calm down.")
        store.add_case_note(call_id, "Acknowledge the double charge first.", turn_index=1)
        store.assign_case(call_id, ["Ada Trainee"])
        store.pair("Mo Mentor", "Ada Trainee")
        store.assign("Mo Mentor", "Ada Trainee", TargetKind.SCENARIO, "billing-overcharge", target_score=80,
                     due_at="2099-06-30T23:59:59.999+00:00", note="open with empathy")
        store.assign("Mo Mentor", "Ada Trainee", TargetKind.DRILL, "rising-heat", target_score=60,
                     due_at="2020-01-31T23:59:59.999+00:00")
        store.leave_feedback("Mo Mentor", "Slow down on the security check.", apprentice="Ada Trainee")
    return call_id


async def test_the_coaching_screen_shows_assignments_cases_and_feedback(make_app, fixed_home, tmp_path):
    _coaching_for_ada(tmp_path)
    app = signed_in_app(make_app)
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        await wait_for(pilot, lambda: any("1 assignment(s) from your mentor overdue" in n.message
                                          for n in app._notifications))
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen_ready(app, AssignedScreen) and app.screen.work is not None)
        screen = app.screen
        table = screen.query_one("#assignments", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        assert [row[:3] for row in rows] == [["overdue", "drill rising-heat", "60"],
                                             ["open", "scenario billing-overcharge", "80"]]
        assert rows[1][3] == "2099-06-30 23:59" and rows[1][5] == "open with empathy"
        assert "1 assignment(s) overdue" in screen.query_one("#banner", Banner).message
        cases = str(screen.query_one("#cases", Static).content)
        assert "Cautionary: billing-overcharge" in cases and "Acknowledge the double charge first." in cases
        assert "Trainee A told Customer to calm down." in cases  # a colleague's call, anonymised
        for secret in ("Bo Chen", "Margaret", "4111"):
            assert secret not in cases
        assert "Slow down on the security check." in str(screen.query_one("#feedback", Static).content)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))


async def test_without_assignments_the_screen_says_so(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        app.action_open_coaching()
        await wait_for(pilot, lambda: screen_ready(app, AssignedScreen) and app.screen.work is not None)
        screen = app.screen
        assert screen.query_one("#assignments", DataTable).row_count == 0
        assert "No assignments from a mentor yet." in screen.query_one("#banner", Banner).message
        assert "No cases assigned to you yet." in str(screen.query_one("#cases", Static).content)
