"""The terminal app with Mandarin scenarios and its own labels in Chinese, at 80x24 (Textual's Pilot).

Chinese characters are two cells wide: every rendered row must still be exactly 80 cells (a wide
character cut at a border or counted as one cell would make a row 79 or 81 long), and the scenario's
own Chinese text must reach the screen whole where it fits."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input

from simulator.ui.i18n import UnknownLanguage, load_catalogue
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import CHINESE_SCENARIO as SCENARIO
from .conftest import screen_ready, signed_in_app, wait_for

SIZE = (80, 24)


def screen_rows(app) -> list[str]:
    strips = app.screen._compositor.render_strips()
    assert all(strip.cell_length == SIZE[0] for strip in strips), [strip.cell_length for strip in strips]
    rows = [strip.text for strip in strips]
    assert all(cell_len(row) == SIZE[0] for row in rows)
    return rows


async def test_picker_and_call_screen_lay_out_chinese_at_80x24(make_app, chinese_home):
    app = signed_in_app(make_app)
    assert app.context.text.language == "zh"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        table = app.screen.query_one("#scenarios", DataTable)
        row = next(i for i, entry in enumerate(app.screen._shown) if entry.scenario_id == SCENARIO)
        table.move_cursor(row=row)
        await pilot.pause()
        shown = "\n".join(screen_rows(app))
        for label in ("场景", "难度", "模式：练习", "历史", "切换学员"):  # the app's own words, in Chinese
            assert label in shown, label
        assert "物流显示已签收" in shown  # the scenario's title, whole
        assert "应完成的步骤" in shown or "客户：" in shown  # the preview, in Chinese labels

        await app.push_screen(CallScreen(app.context.catalog.find(SCENARIO).loaded))
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        transcript = app.screen.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        app.screen.query_one("#reply", Input).value = "您好，很高兴为您服务，请问有什么可以帮您？"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(transcript.lines) >= 3)
        await pilot.pause()
        shown = "\n".join(screen_rows(app))
        for label in ("挂断", "通话记录", "情绪", "陈丽", "您：", "没有麦克风：打字模式", "麦克风"):
            assert label in shown, label
        assert "很高兴为您服务" in shown  # the trainee's Chinese reply, wrapped inside the transcript box


def test_an_unknown_interface_language_names_the_choices():
    with pytest.raises(UnknownLanguage, match="en, zh"):
        load_catalogue("fr")
    assert load_catalogue("zh")("Hang up") == "挂断"
    assert load_catalogue("en")("Hang up") == "Hang up"
    assert load_catalogue("zh")("Signed in as {name}", name="陈丽") == "已登录：陈丽"


def test_lang_flag_reaches_the_app_and_an_unknown_one_is_refused(data_dir, fixed_home, capsys):
    from simulator.cli import main

    assert main(["--lang", "fr"]) == 2
    assert "no interface language 'fr'; choose one of en, zh" in capsys.readouterr().err
    assert main(["--lang", "zh", "schema"]) == 0  # a command does not show the app's labels: it says so
    assert "--lang sets the terminal app's labels only; schema writes English" in capsys.readouterr().err


@pytest.mark.parametrize("written", ["ZH", " zh-CN", "zh_CN.UTF-8"])
def test_a_language_written_in_capitals_or_with_a_region_is_the_language(written, monkeypatch):
    """``--lang ZH`` was refused as "no interface language 'ZH'"."""
    from simulator.config import load_settings

    monkeypatch.setenv("CALLSIM_UI_LANGUAGE", written)
    assert load_settings().ui_language == "zh"
    assert load_settings(ui_language=written.upper()).ui_language == "zh"
