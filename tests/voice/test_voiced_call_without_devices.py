"""A whole voiced call with no sound device: recorded speech from tests/data as the microphone
(``WavMic``), a speaker that collects the customer's lines, real TTS, Silero VAD and Whisper,
built by ``open_voiced_call`` as the app and ``callsim play`` build it, with the two devices replaced.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.audio.capture import ReplayPace, WavMic
from simulator.audio.clip import CALL_RATE, read_wav, to_int16
from simulator.audio.endpoint import VAD_WINDOW, EndpointConfig
from simulator.call.session import TraineeAnswered
from simulator.call.textcall import run_call
from simulator.call.voiced import VoiceOptions
from simulator.call.voiced_setup import open_voiced_call
from simulator.config import Settings
from simulator.contracts import Speaker
from simulator.record import read_call
from simulator.scenario.loader import load_scenario
from tests.conftest import absent
from tests.helpers.audio import CollectingSpeaker

pytestmark = pytest.mark.models
LEAD_SAMPLES = 4800  # silence the mic plays before each clip
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "asr"
# Each clip with a word Whisper tiny.en gets right in it (the references are in test_asr_faster_whisper.py).
SPOKEN = {"pocketsphinx_goforward.wav": "forward", "pocketsphinx_forever_2.wav": "forever",
          "whisper_jfk.wav": "country"}


def position_in(haystack: np.ndarray, needle: np.ndarray) -> int | None:
    """Where ``needle`` occurs in ``haystack`` (silence past its end), to within the one step of
    16-bit rounding a WAV written back can differ by; None if it does not."""
    padded = np.concatenate([haystack, np.zeros(len(needle), np.float32)])
    size = 1 << int(np.ceil(np.log2(len(padded) + len(needle))))
    correlation = np.fft.irfft(np.fft.rfft(padded, size) * np.conj(np.fft.rfft(needle, size)), size)
    start = int(np.argmax(correlation[:len(haystack)]))
    difference = np.abs(padded[start:start + len(needle)] - needle)
    return start if difference.max() <= 1.5 / 32768 else None


def speech_span(samples: np.ndarray) -> tuple[int, int]:
    """First and last sample of the speech in a whole clip, by the VAD run over the whole file
    (faster-whisper's own use of it), not by the streaming endpointer under test."""
    from faster_whisper.vad import get_vad_model

    usable = samples[:len(samples) // VAD_WINDOW * VAD_WINDOW]
    speech = np.flatnonzero(np.asarray(get_vad_model()(usable)).reshape(-1) > 0.5)
    return int(speech[0]) * VAD_WINDOW, (int(speech[-1]) + 1) * VAD_WINDOW


class RecordingAnalyser:
    """The word-list analyser, keeping every turn it is handed (what the engine then reacts to)."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.inputs = []

    def analyse(self, turn):
        self.inputs.append(turn)
        return self.inner.analyse(turn)


@pytest.fixture(scope="module")
def device_free_call(tmp_path_factory):
    clips = [DATA / name for name in SPOKEN]
    missing = [clip for clip in clips if not clip.is_file()]
    if missing:
        absent(f"{missing[0]} is absent")
    folder = tmp_path_factory.mktemp("device-free") / "call"
    settings = Settings(analyser="lexical", data_dir=folder.parent / "data")
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    speaker = CollectingSpeaker()
    # The pauses inside the JFK clip (over a second) must not end its turn.
    options = VoiceOptions(endpoint=EndpointConfig(end_silence_s=1.5))
    mic = WavMic(clips, pace=ReplayPace.FAST, lead_s=LEAD_SAMPLES / CALL_RATE)
    call = open_voiced_call(loaded, settings, folder, options, mic=mic, speaker=speaker)
    analyser = RecordingAnalyser(builtin_analysers().create("lexical", loaded.scenario))
    answered = []

    def keep_answers(event) -> None:
        if isinstance(event, TraineeAnswered):
            answered.append(event)

    try:
        finished = run_call(loaded, analyser, call, call, folder, mode="voice", on_event=keep_answers)
    finally:
        call.close()
    return {"finished": finished, "folder": folder, "speaker": speaker, "analyser": analyser, "answered": answered,
            "clips": clips}


def test_the_recorded_speech_is_transcribed_and_reaches_the_engine(device_free_call):
    heard = [turn.transcript.text.lower() for turn in device_free_call["analyser"].inputs]
    assert len(heard) == len(SPOKEN)
    for text, word in zip(heard, SPOKEN.values(), strict=True):
        assert word in text, (word, text)
    # The analysis of each transcript is what the dialogue engine reacted to: one customer line each.
    answered = device_free_call["answered"]
    assert [event.analysis.transcript.text.lower() for event in answered] == heard
    record = device_free_call["finished"].record
    assert [t.speaker for t in record.turns] == [Speaker.CUSTOMER, Speaker.TRAINEE] * len(SPOKEN) + [Speaker.CUSTOMER]


def test_the_call_record_is_written_with_both_sides_audio(device_free_call):
    folder = device_free_call["folder"]
    record = read_call(folder)  # from disk, as the lab and the UI read it
    assert record.complete and record.header.mode == "voice" and record.outcome is not None
    assert [t.text.lower() for t in record.trainee_turns] == [i.transcript.text.lower()
                                                              for i in device_free_call["analyser"].inputs]
    for turn, clip in zip(record.trainee_turns, device_free_call["clips"], strict=True):
        # The trainee's WAV is a stretch of the clip the microphone played, sample for sample,
        # holding all of its speech (the endpointer drops only the quiet at either end).
        clip_samples = read_wav(clip).samples
        played = np.concatenate([np.zeros(LEAD_SAMPLES, np.float32), clip_samples])  # as the mic did
        heard = read_wav(record.audio(turn)).samples
        start = position_in(played, heard)
        assert start is not None, f"{record.audio(turn).name} is not a piece of {clip.name}"
        speech_start, speech_end = (LEAD_SAMPLES + at for at in speech_span(clip_samples))
        assert start <= speech_start and start + len(heard) >= speech_end
        assert turn.start_s < turn.end_s
    # Each customer line in the record is the line the speaker was given, sample for sample.
    customer = [t for t in record.turns if t.speaker == Speaker.CUSTOMER]
    lines = device_free_call["speaker"].lines
    assert len(lines) == len(customer)
    for turn, line in zip(customer, lines, strict=True):
        kept = np.round(read_wav(record.audio(turn)).samples * 32768).astype(np.int16)  # the file's PCM
        assert np.array_equal(kept, to_int16(line.samples))
