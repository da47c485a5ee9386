"""The UI tests' wait: it returns only once the app has finished the step the test waited for."""

from __future__ import annotations

from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.signin import SignInScreen

from .conftest import screen_ready, signed_in_app, wait_for


async def test_closing_the_app_the_moment_a_switched_screen_is_mounted_is_safe(make_app, fixed_home):
    """A switched-to screen counts as mounted while its Header's title updates are still queued on
    the app; closing the app then made Textual's Header raise ``NoMatches: HeaderTitle`` (how
    test_a_drill_turn_that_runs_out_of_time_is_dead_air failed on a loaded machine).  Polling
    without any delay finds that moment every time; the wait must let the app finish first."""
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        app.call_later(app.switch_screen, HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen), poll_s=0)
    # Leaving the ``async with`` closes the app and re-raises anything it raised meanwhile.
