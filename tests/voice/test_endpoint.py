"""Endpointing on constructed audio captured through PortAudio from the ALSA file device.

Times are sample positions of the capture stream (the file device is not clocked), so every
check here is exact and independent of machine speed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulator.audio.capture import DeviceMic
from simulator.audio.clip import CALL_RATE
from simulator.audio.endpoint import (
    VAD_WINDOW,
    EndpointConfig,
    Endpointer,
    NoSpeech,
    SileroVad,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    TurnEnded,
    end_silence_for,
)
from simulator.audio.noise import noise

pytestmark = pytest.mark.audio
SR = CALL_RATE


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.float32)


def capture_events(file_device, audio: np.ndarray, config: EndpointConfig, *, listen: bool = True,
                   stop_after: type | None = TurnEnded, limit_s: float | None = None):
    """Play ``audio`` into the mic, run the endpointer over what PortAudio delivers."""
    file_device.set_capture(audio)
    endpointer = Endpointer(SileroVad(), config)
    if listen:
        endpointer.listen()
    mic = DeviceMic("default")
    mic.start()
    events, captured = [], []
    total = len(audio) / SR + 1.0 if limit_s is None else limit_s
    try:
        while endpointer.position_s < total:
            block = mic.read(2.0)
            assert block is not None, "the file device stopped delivering audio"
            captured.append(block.samples)
            for event in endpointer.feed(block):
                events.append((event, endpointer.position_s))
            if stop_after is not None and any(isinstance(e, stop_after) for e, _ in events):
                break
    finally:
        mic.close()
    return events, np.concatenate(captured)


def test_capture_through_portaudio_is_bit_exact(file_device):
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(SR) * 0.1).astype(np.float32)
    file_device.set_capture(audio)
    mic = DeviceMic("default")
    mic.start()
    got, start_samples = [], []
    try:
        while sum(map(len, got)) < SR:
            block = mic.read(2.0)
            got.append(block.samples)
            start_samples.append(block.start_sample)
    finally:
        mic.close()
    assert np.array_equal(np.concatenate(got)[:SR], audio)
    assert start_samples[:3] == [0, len(got[0]), len(got[0]) + len(got[1])]


def test_turn_ends_after_the_configured_silence(file_device, speech_clip):
    lead = 1.0
    audio = np.concatenate([silence(lead), speech_clip.samples, silence(3.0)])
    config = EndpointConfig(end_silence_s=0.4)
    events, _ = capture_events(file_device, audio, config)
    kinds = [type(e) for e, _ in events]
    assert kinds.index(SpeechStarted) < kinds.index(SpeechPaused) < kinds.index(TurnEnded)
    onset = next(e for e, _ in events if isinstance(e, SpeechStarted))
    ended, reported_at = next((e, at) for e, at in events if isinstance(e, TurnEnded))
    speech_end = lead + speech_clip.duration_s
    assert abs(onset.at_s - lead) < 0.1
    assert abs(ended.utterance.end_s - speech_end) < 0.12
    # The end is reported once the configured silence has passed, not before and not much later.
    assert speech_end + 0.4 - 0.05 <= reported_at <= speech_end + 0.4 + 0.15
    assert not ended.utterance.was_interrupted
    # The utterance holds the whole speech: the pre-roll before the onset, the tail after the end.
    utterance = ended.utterance
    assert utterance.start_s <= lead - 0.1 and utterance.end_s >= speech_end - 0.12
    assert len(utterance.audio.samples) >= len(speech_clip.samples)


def test_longer_end_silence_keeps_a_pause_inside_the_turn(file_device, speech_clip):
    gap = 0.6
    audio = np.concatenate([silence(0.5), speech_clip.samples, silence(gap), speech_clip.samples, silence(3.0)])
    short = [e for e, _ in capture_events(file_device, audio, EndpointConfig(end_silence_s=0.3))[0]
             if isinstance(e, TurnEnded)]
    long = [e for e, _ in capture_events(file_device, audio, EndpointConfig(end_silence_s=1.0))[0]
            if isinstance(e, TurnEnded)]
    assert short[0].utterance.end_s < 0.5 + speech_clip.duration_s + 0.15  # split at the pause
    assert long[0].utterance.end_s > 0.5 + 2 * speech_clip.duration_s + gap - 0.15  # one turn


def test_a_mandarin_turn_keeps_a_half_second_sentence_pause_that_ends_an_english_turn(file_device, speech_clip):
    # 0.5 s: the pauses between sentences of one Mandarin answer were 0.38-0.51 s (docs/voice.md)
    gap = 0.5
    audio = np.concatenate([silence(0.5), speech_clip.samples, silence(gap), speech_clip.samples, silence(3.0)])

    def first_turn_end(language: str) -> float:
        events, _ = capture_events(file_device, audio, EndpointConfig(end_silence_s=end_silence_for(language)))
        return next(e for e, _ in events if isinstance(e, TurnEnded)).utterance.end_s

    assert first_turn_end("en") < 0.5 + speech_clip.duration_s + 0.15
    assert first_turn_end("zh") > 0.5 + 2 * speech_clip.duration_s + gap - 0.15


def test_saying_nothing_gives_a_silence_event_after_the_configured_time(file_device):
    events, _ = capture_events(file_device, silence(5.0), EndpointConfig(no_speech_s=3.0),
                               stop_after=NoSpeech, limit_s=5.0)
    assert [type(e) for e, _ in events] == [NoSpeech]
    event, at = events[0]
    assert 3.0 <= event.silence_s < 3.0 + 2 * VAD_WINDOW / SR
    assert at == pytest.approx(event.silence_s, abs=1e-6)


@pytest.mark.parametrize("kind", ["office", "street", "bad_line"])
def test_background_noise_alone_is_not_a_turn(file_device, kind):
    audio = noise(kind, -30.0, 6 * SR, seed=3)
    events, _ = capture_events(file_device, audio, EndpointConfig(no_speech_s=5.0), stop_after=NoSpeech, limit_s=6.0)
    assert [type(e) for e, _ in events] == [NoSpeech]


def test_speech_over_noise_is_still_found(file_device, speech_clip):
    speech = np.concatenate([silence(1.0), speech_clip.samples, silence(2.0)])
    audio = speech + noise("office", -35.0, len(speech), seed=4)
    events, _ = capture_events(file_device, audio, EndpointConfig())
    ended = [e for e, _ in events if isinstance(e, TurnEnded)]
    assert len(ended) == 1
    assert abs(ended[0].utterance.end_s - (1.0 + speech_clip.duration_s)) < 0.2


def test_a_ten_minute_monologue_is_cut_at_the_maximum_turn_length_without_losing_audio(file_device, speech_clip):
    # Continuous speech (the clip back to back, 0.1 s breaths) for ten minutes.
    unit = np.concatenate([speech_clip.samples, silence(0.1)])
    repeats = int(np.ceil(600 * SR / len(unit)))
    monologue = np.tile(unit, repeats)[:600 * SR]
    lead = 0.5
    audio = np.concatenate([silence(lead), monologue, silence(2.0)])
    config = EndpointConfig(max_turn_s=45.0, end_silence_s=0.5)
    events, captured = capture_events(file_device, audio, config, stop_after=None, limit_s=lead + 600 + 1.5)
    turns = [e.utterance for e, _ in events if isinstance(e, TurnEnded)]
    assert len(turns) == int(np.ceil(600 / 45))
    for turn in turns[:-1]:
        assert turn.was_interrupted
        assert turn.audio.duration_s <= 45.0 + VAD_WINDOW / SR
    assert not turns[-1].was_interrupted
    # The turns tile the monologue: each starts where the previous one was cut, nothing missing.
    for before, after in itertools.pairwise(turns):
        assert after.start_s == pytest.approx(before.end_s, abs=1e-9)
    joined = np.concatenate([t.audio.samples for t in turns])
    start = round(turns[0].start_s * SR)
    assert np.array_equal(joined, captured[start:start + len(joined)])
    assert turns[0].start_s <= lead and turns[-1].end_s >= lead + 600 - 0.15


def test_a_turn_limit_lets_the_customer_cut_in_on_a_long_reply(file_device, speech_clip):
    audio = np.concatenate([silence(0.5), np.tile(speech_clip.samples, 4), silence(2.0)])
    file_device.set_capture(audio)
    endpointer = Endpointer(SileroVad(), EndpointConfig())
    endpointer.listen(turn_limit_s=5.0)
    mic = DeviceMic("default")
    mic.start()
    try:
        ended = None
        while ended is None:
            for event in endpointer.feed(mic.read(2.0)):
                if isinstance(event, TurnEnded):
                    ended = event
    finally:
        mic.close()
    assert ended.utterance.was_interrupted
    assert ended.utterance.audio.duration_s == pytest.approx(5.0, abs=VAD_WINDOW / SR)


def test_streaming_vad_matches_faster_whisper_whole_file_vad(speech_clip):
    from faster_whisper.vad import get_vad_model

    audio = np.concatenate([silence(0.5), speech_clip.samples, silence(0.5)])
    audio = audio[:len(audio) // VAD_WINDOW * VAD_WINDOW]
    whole = np.asarray(get_vad_model()(audio)).reshape(-1)
    vad = SileroVad()
    streamed = [vad.probability(audio[i:i + VAD_WINDOW]) for i in range(0, len(audio), VAD_WINDOW)]
    assert np.allclose(streamed, whole, atol=1e-5)
    assert max(streamed) > 0.9 and min(streamed[:10]) < 0.1


def test_a_pause_shorter_than_the_end_silence_is_reported_and_then_resumed(file_device, speech_clip):
    audio = np.concatenate([silence(0.5), speech_clip.samples, silence(0.3), speech_clip.samples, silence(2.0)])
    events, _ = capture_events(file_device, audio, EndpointConfig(end_silence_s=0.6, pause_s=0.1))
    kinds = [type(e) for e, _ in events]
    first_half_end = 0.5 + speech_clip.duration_s
    paused = [e for e, _ in events if isinstance(e, SpeechPaused)]
    resumed = [e for e, _ in events if isinstance(e, SpeechResumed)]
    assert any(abs(p.speech_end_s - first_half_end) < 0.15 for p in paused)
    assert any(abs(r.at_s - (first_half_end + 0.3)) < 0.15 for r in resumed)
    assert kinds.count(TurnEnded) == 1 and kinds[-1] is TurnEnded
    # Every pause before the end was followed by a resumption; the last one was the end.
    assert kinds.count(SpeechPaused) == kinds.count(SpeechResumed) + 1
