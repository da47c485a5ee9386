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
from simulator.ui.call_io import CallScreenHooks, VoiceRequest, open_call_io
from simulator.ui.context import AppContext
from simulator.ui.typed_input import QueuedTypedReplies

from .conftest import REPLIES

pytestmark = [pytest.mark.audio, pytest.mark.models]
SPEECH_DBFS = -40.0  # a block this loud is the reply, not the silence before it


def voiced(tmp_path, replies, *, fast: bool, on_level=None):
    settings = load_settings()
    loaded = load_scenario(settings.scenarios_dir / "billing-overcharge.yaml")
    analyser = AppContext.from_settings(settings, use_store=False).analyser(loaded.scenario)
    typed = QueuedTypedReplies()
    folder = tmp_path / "call"
    request = VoiceRequest(want_voice=True, output_device="default", mic_from=replies["billing"], fast_replies=fast)
    io = open_call_io(loaded, settings, folder, typed, request, analyser=analyser,
                      hooks=CallScreenHooks(on_level=on_level))
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
    opening_over = threading.Event()
    hung_up = threading.Event()

    def on_level(level_db: float) -> None:
        # The mic is silent until the (5 s) first reply starts: hang up as it is heard, from
        # another thread as the screen would, whatever the machine's speed.
        if opening_over.is_set() and level_db > SPEECH_DBFS and not hung_up.is_set():
            hung_up.set()
            threading.Thread(target=io.hang_up, name="hang-up").start()

    loaded, analyser, io, folder = voiced(tmp_path, replies, fast=False, on_level=on_level)  # in real time

    def on_event(event):
        if isinstance(event, CustomerSpoke):
            opening_over.set()

    try:
        finished = run_call(loaded, analyser, io.voice, io.trainee, folder, mode=io.mode, on_event=on_event)
    finally:
        io.close()
    assert hung_up.is_set()
    assert finished.record.outcome == Outcome.UNRESOLVED
    assert finished.record.trainee_turns == ()
    assert finished.scorecard is not None
