"""A whole voiced call through the app on the ALSA file device: recorded spoken replies as the
microphone, the customer's TTS played through PortAudio, Whisper transcripts, then a replay."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import DataTable, OptionList

from simulator.audio.clip import read_wav
from simulator.contracts import Speaker
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.level_meter import LevelMeter
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import results_shown, screen_ready, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.models]


async def test_voiced_call_on_the_file_device_then_replay_a_turn(make_app, file_device, replies, data_dir):
    app = make_app(voice_enabled=True, mic_from=replies["billing"], fast_replies=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        app.screen.query_one("#name").value = "Vera Voice"
        await pilot.click("#sign-in")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        await pilot.press(*"charged twice", "enter")
        # The call screen's widgets are taken the moment it is mounted, inside the wait's condition: with
        # replies fed fast the whole call can finish during the wait's closing pause, and the finished
        # call's screen and widgets are gone by the next line (seen on a fast CI machine).
        held: dict[str, object] = {}

        def call_screen_mounted() -> bool:
            if not screen_ready(app, CallScreen):
                return False
            screen = app.screen
            held.update(call=screen, transcript=screen.query_one("#transcript", TranscriptView),
                        level=screen.query_one("#level", LevelMeter), banner=screen.query_one("#banner", Banner),
                        reply=screen.query_one("#reply"))
            return True

        await wait_for(pilot, call_screen_mounted)
        call, transcript, level = held["call"], held["transcript"], held["level"]
        banner, reply = held["banner"], held["reply"]
        assert isinstance(call, CallScreen) and isinstance(transcript, TranscriptView)
        assert isinstance(level, LevelMeter) and isinstance(banner, Banner)
        await wait_for(pilot, lambda: call.io is not None)
        assert call.io.voiced and banner.message == ""
        assert not reply.display  # no typing box in a voiced call
        await wait_for(pilot, lambda: level.level_db > -60 or screen_ready(app, ResultsScreen), 120)
        await wait_for(pilot, lambda: results_shown(app), 240)
        assert transcript.partial_updates >= 1  # words showed while the reply was being transcribed

        results = app.screen
        record = results.finished.record
        assert record.header.mode == "voice" and record.header.trainee == "Vera Voice"
        said = [t.text.lower() for t in record.trainee_turns]
        assert len(said) == 4 and "security" in said[1] and "refund" in said[2]
        assert all(record.audio(t) is not None for t in record.turns)
        assert str(results.query_one("#dimensions", DataTable).get_row("tone")[3]) in {"pass", "fail"}

        # Replay the trainee's second reply: its WAV goes out through PortAudio bit for bit.
        turns = results.query_one("#turns", OptionList)
        position = next(i for i, t in enumerate(record.turns)
                        if t.speaker == Speaker.TRAINEE and t.analysis and t.analysis.turn_index == 2)
        turns.focus()
        turns.highlighted = position
        file_device.playback.unlink(missing_ok=True)
        await pilot.press("p")
        expected = read_wav(record.audio(record.turns[position])).samples
        await wait_for(pilot, lambda: file_device.playback.exists()
                       and file_device.playback.stat().st_size >= 4 * len(expected), 30)
        await wait_for(pilot, lambda: not any(w.group == "replay" and w.is_running for w in app.workers), 30)
    played = file_device.played()
    start = int(np.flatnonzero(played)[0])
    lead = int(np.flatnonzero(expected)[0])
    assert np.array_equal(played[start:start + len(expected) - lead], expected[lead:])
