"""The trainer's review screen (Pilot): override a turn, add a note, and the trainee sees both."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, OptionList, Static

from simulator.config import load_settings
from simulator.store import open_store
from simulator.ui.app import CallsimApp
from simulator.ui.context import AppContext
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.review import ReviewScreen
from tests.lab.conftest import POOR_REPLIES, play

from .conftest import screen_ready, wait_for


def stored_call(data_dir: Path) -> tuple[str, float]:
    call = play("billing-overcharge", POOR_REPLIES, data_dir / "calls", seed=4)
    with open_store(settings=load_settings()) as store:
        return store.save_call(call.record, call.scorecard, trainee="Ada Trainee", team="Blue"), call.scorecard.overall


async def test_override_a_turn_add_a_note_and_the_trainee_sees_them(data_dir: Path, fixed_home: Path) -> None:
    call_id, machine_overall = stored_call(data_dir)
    app = CallsimApp(AppContext.from_settings(load_settings(), clock=lambda: 0.0, voice_enabled=False),
                     review=(call_id, "kim"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, ReviewScreen))
        screen = app.screen
        timeline = screen.query_one("#timeline", OptionList)
        # the synced transcript: the customer's opening line, then the trainee's first turn
        first_turn = next(i for i in range(timeline.option_count) if timeline.get_option_at_index(i).id == "1")
        assert "Trainee (turn 1): What do you want?" in str(timeline.get_option_at_index(first_turn).prompt)
        timeline.highlighted = first_turn
        await pilot.pause()
        assert "empathy none" in str(screen.query_one("#judgements", Static).content)

        screen.query_one("#change", Input).value = "empathy weak"
        screen.query_one("#reason", Input).focus()
        screen.query_one("#reason", Input).value = "she did ask what the customer needed"
        await pilot.press("enter")
        store = app.context.store
        await wait_for(pilot, lambda: bool(store.overrides(call_id)) and screen.view.stored.reviewed is not None)
        (kept,) = store.overrides(call_id)
        assert (kept.reviewer, kept.turn_index, kept.machine, kept.reviewed) == ("kim", 1, 0, 1)
        assert "Reviewed" in str(screen.query_one("#review-summary", Static).content)

        screen.query_one("#note", Input).focus()
        screen.query_one("#note", Input).value = "Open with your name and the company"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(store.notes(call_id)))
        assert store.notes(call_id)[0].turn_index == 1
        await wait_for(pilot, lambda: any("Open with your name" in str(timeline.get_option_at_index(i).prompt)
                                          for i in range(timeline.option_count)))

        # the trainee, signed in, opens the call from History and sees the reviewed score and the note
        app.context.sign_in("Ada Trainee", "Blue")
        await app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        reviewed = app.screen.query_one("#reviewed-calls", OptionList)
        assert "reviewed by kim, 1 note(s)" in str(reviewed.get_option_at_index(0).prompt)
        reviewed.focus()
        reviewed.highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, ResultsScreen))
        results = app.screen
        summary = str(results.query_one("#summary", Static).content)
        card = store.get_call(call_id).reviewed
        assert f"Overall {card.overall:.1f}/100" in summary and "reviewed by kim" in summary
        assert f"machine {machine_overall:.1f}" in summary and card.overall != machine_overall
        notes = results.query_one("#notes", Static)
        assert notes.display and "kim: Open with your name and the company" in str(notes.content)
        turns = results.query_one("#turns", OptionList)
        assert "✎" in str(turns.get_option_at_index(1).prompt)  # the trainee turn the note is about


RECORDING = Path(__file__).resolve().parents[1] / "data" / "calls" / "call-stereo.mp3"


def stored_real_call():
    """(attempt, record): the recording stored as Ada's real call (Whisper hears it; the word-list analyser)."""
    from simulator.cli import main

    assert main(["behaviour", "add", str(RECORDING), "--trainee", "Ada Trainee", "--team", "Blue"]) == 0
    with open_store(settings=load_settings()) as store:
        [attempt] = store.attempts(trainee="Ada Trainee")
        return attempt, store.get_call(attempt.call_id).record


@pytest.mark.models
async def test_a_reviewed_real_call_in_the_trainee_s_history_says_where_to_read_it(data_dir: Path,
                                                                                 fixed_home: Path) -> None:
    from simulator.lab import review
    from simulator.store.types import ReviewTarget

    attempt, _ = stored_real_call()
    app = CallsimApp(AppContext.from_settings(load_settings(), clock=lambda: 0.0, voice_enabled=False))
    async with app.run_test(size=(120, 36)) as pilot:
        store = app.context.store
        review.override(store, attempt.call_id, "kim", review.Change(ReviewTarget.DIMENSION, 0, "tone", 40,
                                                                     "flat and rushed"), fixed_home / "scenarios")
        app.context.sign_in("Ada Trainee", "Blue")
        await app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        reviewed = app.screen.query_one("#reviewed-calls", OptionList)
        await wait_for(pilot, lambda: reviewed.option_count > 0)
        reviewed.focus()
        reviewed.highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(f"callsim review show {attempt.call_id[:8]}" in str(n.message)
                                          for n in app._notifications))
        assert isinstance(app.screen, HistoryScreen)  # no results screen for a call with no scenario file


@pytest.mark.audio
@pytest.mark.models
async def test_a_real_call_s_turn_is_replayed_from_its_recording(data_dir: Path, fixed_home: Path, file_device) -> None:
    """A QA analyst listens before overriding: a stored real call's turn plays its stretch of the recording it
    was scored from (both sides mixed), through PortAudio on the ALSA file device, sample for sample."""
    from simulator.asr.channels import read_channels
    from simulator.audio.clip import CALL_RATE

    attempt, record = stored_real_call()
    position, turn = next((i, t) for i, t in enumerate(record.turns) if t.analysis is not None)
    app = CallsimApp(AppContext.from_settings(load_settings(), clock=lambda: 0.0, voice_enabled=False),
                     review=(attempt.call_id, "kim"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, ReviewScreen))
        timeline = app.screen.query_one("#timeline", OptionList)
        row = next(i for i in range(timeline.option_count) if timeline.get_option_at_index(i).id == str(position))
        assert str(timeline.get_option_at_index(row).prompt).endswith("♪")  # it can be heard
        timeline.focus()
        timeline.highlighted = row
        file_device.playback.unlink(missing_ok=True)
        audio = read_channels(RECORDING, CALL_RATE)
        expected = audio.samples[round(turn.start_s * CALL_RATE):round(turn.end_s * CALL_RATE)].mean(
            axis=1, dtype=np.float32)
        await pilot.press("p")
        await wait_for(pilot, lambda: file_device.playback.exists()
                       and file_device.playback.stat().st_size >= 4 * len(expected), 30)
        await wait_for(pilot, lambda: not any(w.group == "replay" and w.is_running for w in app.workers), 30)
    played = file_device.played()
    start, lead = int(np.flatnonzero(played)[0]), int(np.flatnonzero(expected)[0])
    assert np.array_equal(played[start:start + len(expected) - lead], expected[lead:])
