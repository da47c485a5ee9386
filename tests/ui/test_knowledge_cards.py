"""Knowledge cards in the app: F8 opens them during a typed call without stopping it, each opening is
counted in the call record and the scorecard, and an exam refuses them.  The Honours screen lists
each honour with its calls."""

from __future__ import annotations

from textual.widgets import Input, Static

from simulator.record import read_call
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.honours import HonoursScreen
from simulator.ui.screens.results import summary_text
from simulator.ui.widgets.knowledge import KnowledgePanel
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import REPLIES, results_shown, screen_ready, signed_in_app, wait_for
from .test_screens import start_picker


async def _reply(pilot, call, transcript, number: int, text: str) -> None:
    call.query_one("#reply", Input).value = text
    await pilot.press("enter")
    await wait_for(pilot, lambda: results_shown(pilot.app) or len(transcript.lines) >= 2 * number + 1)


async def test_f8_opens_the_cards_during_a_typed_call_and_the_count_reaches_the_record(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(120, 32)) as pilot:
        await start_picker(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        panel = call.query_one("#cards", KnowledgePanel)
        assert not panel.display
        await pilot.press("f8")  # open: the reply box keeps the focus and the call goes on
        assert panel.display and "3 working days" in str(panel.content)
        assert app.focused is call.query_one("#reply", Input)
        await _reply(pilot, call, transcript, 1, REPLIES[0])
        await pilot.press("f8")  # close
        assert not panel.display
        await _reply(pilot, call, transcript, 2, REPLIES[1])
        await pilot.press("f8")  # open again: a second lookup, after turn 2
        for number, reply in enumerate(REPLIES[2:], start=3):
            await _reply(pilot, call, transcript, number, reply)
        await wait_for(pilot, lambda: results_shown(app))
        card = app.screen.finished.scorecard
        assert "Knowledge cards opened 2 time(s)" in str(summary_text(app.screen.finished))
    assert card.cards_opened == 2 and card.passed  # counted, not penalised
    [attempt] = app.context.records.store.attempts("Ada Trainee")
    record = read_call(attempt.folder)
    assert [lookup.after_turn for lookup in record.card_lookups] == [0, 2]
    assert app.context.records.store.get_call(attempt.call_id).scorecard.cards_opened == 2


async def test_an_exam_refuses_the_cards(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(120, 32)) as pilot:
        picker = await start_picker(pilot)
        preview = picker.query_one("#preview", Static)
        await wait_for(pilot, lambda: "Steps to hit" in str(preview.content))
        await pilot.press("f4", "f4")  # practice -> drill -> exam
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        await pilot.press("f8")
        assert not call.query_one("#cards", KnowledgePanel).display
        assert any("off in exams" in str(n.message) for n in app._notifications)
        assert call.card_lookups.snapshot() == ()


async def test_the_honours_screen_names_the_calls(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(120, 32)) as pilot:
        await start_picker(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        for number, reply in enumerate(REPLIES, start=1):
            await _reply(pilot, call, transcript, number, reply)
        await wait_for(pilot, lambda: results_shown(app))
        [attempt] = app.context.records.store.attempts("Ada Trainee")
        await app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        assert "1 yours" in str(app.screen.query_one("#honours-summary", Static).content)
        await pilot.press("h")
        await wait_for(pilot, lambda: screen_ready(app, HonoursScreen))
        shown = str(app.screen.query_one("#honours", Static).content)
        assert "First to 1 star: Ada Trainee" in shown and attempt.call_id[:8] in shown


def test_the_pickers_best_is_the_best_passed_call() -> None:
    from simulator.ui.attempts import Attempt, stats_by_scenario

    stats = stats_by_scenario([Attempt("a", "2026-12-01", 72.0, False, {}), Attempt("a", "2026-12-02", 70.0, True, {}),
                               Attempt("b", "2026-12-03", 88.0, False, {})])
    assert stats["a"].best == 70.0 and stats["a"].attempts == 2  # the failed 72 is not a best
    assert stats["b"].best is None
