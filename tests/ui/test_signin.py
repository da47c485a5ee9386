"""The sign-in dialog: Enter on an empty name keeps the trainee in the name field, and the error
appears inside the dialog without moving it."""

from __future__ import annotations

from textual.widgets import Input, Label

from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.signin import SignInScreen

from .conftest import wait_for


def error_text(screen) -> str:
    shown = screen.query("#signin-error")
    return str(shown.first(Label).render()).strip() if shown else ""


async def signin_screen(pilot) -> SignInScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.query_one("#name", Input).has_focus)  # nobody signed in before
    return screen


async def test_enter_on_an_empty_name_stays_in_the_name_field_and_keeps_the_dialog_still(make_app, fixed_home):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await signin_screen(pilot)
        name, team = screen.query_one("#name", Input), screen.query_one("#team", Input)
        box = screen.query_one("#signin-box")
        before = box.region

        await pilot.press("enter")
        await wait_for(pilot, lambda: error_text(screen) != "" or team.has_focus)

        assert name.has_focus and not team.has_focus
        assert "Cannot sign in: type a name" in error_text(screen)
        assert box.region == before

        await pilot.press(*"Ada")
        await wait_for(pilot, lambda: name.value == "Ada")
        assert team.value == ""
        assert error_text(screen) == ""  # typing a name clears the complaint about it
        assert box.region == before

        await pilot.press("enter")
        await wait_for(pilot, lambda: team.has_focus)
        await pilot.press(*"Blue", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
    assert app.context.trainee.name == "Ada" and app.context.trainee.team == "Blue"


async def test_the_longest_sign_in_error_fits_without_moving_the_dialog(make_app, fixed_home):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await signin_screen(pilot)
        box = screen.query_one("#signin-box")
        before = box.region
        screen.query_one("#name", Input).value = "<script>"  # not a usable name: the long rule message

        await pilot.click("#sign-in")
        await wait_for(pilot, lambda: error_text(screen) != "")

        shown = screen.query_one("#signin-error", Label)
        assert "letters, digits, spaces" in error_text(screen)
        assert box.region == before
        width = shown.content_region.width
        needed = shown.get_content_height(shown.content_size, app.size, width)
        assert needed <= shown.content_region.height  # every line of it is visible
        assert isinstance(app.screen, SignInScreen)
