"""A full typed call through the screens: sign in, pick, reply, read the scorecard."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList

from simulator.record import read_call
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import REPLIES, results_shown, screen_ready, wait_for


async def test_typed_call_from_sign_in_to_scorecard(make_app, data_dir, monkeypatch):
    monkeypatch.delenv("CALLSIM_ANALYSER")  # the default analyser, as a trainee gets it
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await pilot.click("#name")
        await pilot.press(*"Ada Trainee")
        await pilot.click("#team")
        await pilot.press(*"Blue", "enter")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))

        await pilot.press(*"billing")
        table = app.screen.query_one("#scenarios", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        assert call.query_one("#banner", Banner).message == "no microphone: typing mode"
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        assert transcript.lines[0].startswith("Margaret Hughes: ")

        for number, reply in enumerate(REPLIES, start=1):
            call.query_one("#reply", Input).value = reply
            await pilot.press("enter")
            await wait_for(pilot, lambda number=number: len(transcript.lines) >= 2 * number + 1
                           or screen_ready(app, ResultsScreen))
        await wait_for(pilot, lambda: results_shown(app))
        results = app.screen
        card = results.finished.scorecard
        assert card.outcome is not None and card.outcome.value == "resolved"
        dimensions = results.query_one("#dimensions", DataTable)
        compliance = dimensions.get_row("compliance")
        assert str(compliance[3]) == "pass"
        empathy = dimensions.get_row("empathy")
        assert str(empathy[3]) in {"pass", "fail"}
        assert str(dimensions.get_row("tone")[3]).startswith("not measured")

        evidence = results.query_one("#evidence", OptionList)
        assert evidence.option_count >= 4
        verify_row = next(i for i, row in enumerate(results.rows) if row.evidence.rule == "step.verify")
        evidence.highlighted = verify_row
        await pilot.press("enter")
        turns = results.query_one("#turns", OptionList)
        await wait_for(pilot, lambda: app.focused is turns)
        chosen = results.finished.record.turns[turns.highlighted]
        assert chosen.text == REPLIES[1]

    records = list((data_dir / "calls").glob("*/call.jsonl"))
    assert len(records) == 1
    record = read_call(records[0])
    assert record.header.trainee == "Ada Trainee"
    assert [t.text for t in record.trainee_turns] == list(REPLIES)
