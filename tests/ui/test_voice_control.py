"""The app's hold on a voiced call (real TTS, PortAudio on the ALSA file device, recorded replies):
switching to typing mid-call, and hanging up while the call is listening."""

from __future__ import annotations

import threading

import pytest

from simulator.call.session import CustomerSpoke
from simulator.call.textcall import run_call
from simulator.config import load_settings
from simulator.contracts import Outcome, Speaker
from simulator.scenario.loader import load_scenario
from simulator.ui.call_io import open_call_io
from simulator.ui.context import AppContext
from simulator.ui.typed_input import QueuedTypedReplies

from .conftest import REPLIES

pytestmark = [pytest.mark.audio, pytest.mark.models]


def voiced(tmp_path, replies, *, fast: bool):
    settings = load_settings()
    loaded = load_scenario(settings.scenarios_dir / "billing-overcharge.yaml")
    analyser = AppContext.from_settings(settings, use_store=False).analyser(loaded.scenario)
    typed = QueuedTypedReplies()
    folder = tmp_path / "call"
    io = open_call_io(loaded, settings, folder, typed, want_voice=True, input_device=None, output_device="default",
                      analyser=analyser, mic_from=replies["billing"], fast_replies=fast)
    assert io.voiced, io.banner
    return loaded, analyser, io, folder


def test_switching_to_typing_mid_call_keeps_the_voice_and_takes_typed_replies(file_device, replies, tmp_path,
                                                                             data_dir):
    loaded, analyser, io, folder = voiced(tmp_path, replies, fast=True)
    lines = []

    def on_event(event):
        if isinstance(event, CustomerSpoke):
            lines.append(event)
            if len(lines) == 2:  # after the first spoken reply: go over to typing
                io.switch_to_typing()
                for reply in REPLIES[1:]:
                    io.typed.submit(reply)

    try:
        finished = run_call(loaded, analyser, io.voice, io.trainee, folder, mode=io.mode, on_event=on_event)
    finally:
        io.close()
    record = finished.record
    trainee = record.trainee_turns
    assert "sorry" in trainee[0].text.lower() and trainee[0].audio_path is not None  # spoken, recorded
    assert [t.text for t in trainee[1:]] == list(REPLIES[1:len(trainee)])  # typed, word for word
    assert all(t.audio_path is None for t in trainee[1:])
    customer = [t for t in record.turns if t.speaker == Speaker.CUSTOMER]
    assert all(t.audio_path is not None for t in customer)  # the customer still speaks
    assert not io.voiced and io.switchable.mic.muted


def test_hanging_up_while_the_call_listens_ends_it_at_once(file_device, replies, tmp_path, data_dir):
    loaded, analyser, io, folder = voiced(tmp_path, replies, fast=False)  # replies arrive in real time
    timers = []

    def on_event(event):
        if isinstance(event, CustomerSpoke) and not timers:
            # The opening line is over; hang up a moment into the (5 s) first reply.
            timers.append(threading.Timer(1.0, io.hang_up))
            timers[0].start()

    try:
        finished = run_call(loaded, analyser, io.voice, io.trainee, folder, mode=io.mode, on_event=on_event)
    finally:
        io.close()
    assert finished.record.outcome == Outcome.UNRESOLVED
    assert finished.record.trainee_turns == ()
    assert finished.scorecard is not None
