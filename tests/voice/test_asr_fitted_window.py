"""Whisper's encoder on the speech and a margin, the rest of its positions from an all-padding window:
real tiny.en on real speech, against the same decode over the whole 30-s window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.asr.audio_file import read_audio
from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber
from simulator.asr.fitted_window import DEFAULT_MARGIN_S, FittedWindow, speech_frames
from simulator.asr.registry import transcriber_from_settings
from simulator.asr.wer import normalise
from simulator.config import Settings

pytestmark = pytest.mark.models

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
CLIPS = ("whisper_jfk.wav", "pocketsphinx_goforward.wav", "pocketsphinx_forever_2.wav", "pocketsphinx_cards_001.wav")


class RecordingEncoder:
    """The model's encoder, noting how many frames each call was given."""

    def __init__(self, encode):
        self.encode = encode
        self.frames: list[int] = []

    def __call__(self, features):
        self.frames.append(features.shape[-1])
        return self.encode(features)


@pytest.fixture(scope="module")
def models() -> dict[str, FasterWhisperTranscriber]:
    fitted, full = FasterWhisperTranscriber(), FasterWhisperTranscriber(window_margin_s=None)
    fitted.load()
    full.load()
    return {"fitted": fitted, "full": full}


def recorded(model: FasterWhisperTranscriber) -> tuple[FittedWindow, RecordingEncoder]:
    window = model._ensure_loaded().encode._encode
    assert isinstance(window, FittedWindow)
    if not isinstance(window._encode, RecordingEncoder):
        window._encode = RecordingEncoder(window._encode)
    return window, window._encode


def test_speech_frames_end_where_the_exact_zero_padding_starts():
    features = np.zeros((80, 3000), np.float32)
    assert speech_frames(features) == 0
    features[:, :417] = np.random.default_rng(0).normal(-0.5, 0.3, (80, 417))
    features[3, 416] = features[:, 416].sum()  # any non-zero band keeps a frame
    assert speech_frames(features) == 417
    assert speech_frames(features[None]) == 417  # the batched shape too


def test_a_short_turn_is_encoded_short_and_gives_the_full_windows_words(models):
    window, encoder = recorded(models["fitted"])
    for name in CLIPS:
        audio = read_audio(DATA / name)
        encoder.frames.clear()
        models["fitted"].forget_encoding()
        fitted_text = models["fitted"].transcribe_words(audio).text
        full_text = models["full"].transcribe_words(audio).text
        assert normalise(fitted_text) == normalise(full_text), (name, fitted_text, full_text)
        speech_s = len(audio) / 16000
        # the speech and the margin, never all 30 s (the all-padding window was encoded at load)
        short = [frames for frames in encoder.frames if frames < 3000]
        longest_frames = round((speech_s + DEFAULT_MARGIN_S) * 100) + 4
        assert 3000 not in encoder.frames and len(short) == 1 and short[0] <= longest_frames, encoder.frames
    assert window.fitted >= len(CLIPS)


def test_speech_that_fills_the_window_with_its_margin_is_encoded_whole(models):
    window, encoder = recorded(models["fitted"])
    gap = np.zeros(8000, np.float32)
    names = ("whisper_jfk.wav", "pocketsphinx_forever_2.wav", "pocketsphinx_goforward.wav",
             "pocketsphinx_cards_005.wav", "speechrecognition_english.wav")
    long_turn = np.concatenate([part for name in names for part in (read_audio(DATA / name), gap)])
    assert len(long_turn) / 16000 + DEFAULT_MARGIN_S > 30  # 25.9 s of audio
    encoder.frames.clear()
    before = window.fitted
    models["fitted"].forget_encoding()
    text = models["fitted"].transcribe_words(long_turn).text
    assert window.fitted == before and encoder.frames == [3000]
    heard = " ".join(normalise(text))
    assert "fellow americans" in heard and "go forward ten meters" in heard and "go on forever" in heard, text


def test_the_filler_pass_still_reuses_the_fitted_encoding(models):
    model = models["fitted"]
    _, encoder = recorded(model)
    audio = read_audio(DATA / "pocketsphinx_goforward.wav")
    model.forget_encoding()
    encoder.frames.clear()
    model.transcribe(audio)  # word pass and filler pass
    assert len([f for f in encoder.frames if f < 3000]) == 1


def test_settings_choose_the_fitted_or_the_full_window():
    assert transcriber_from_settings(Settings()).window_margin_s == DEFAULT_MARGIN_S
    assert transcriber_from_settings(Settings(asr_window="full")).window_margin_s is None
    with pytest.raises(ValueError, match="fitted"):
        Settings(asr_window="half")
