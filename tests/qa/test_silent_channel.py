"""A stereo file with both voices on one channel and the other silent (as some phone systems write mono calls):
found on real speech with the real Silero VAD, and told from a real two-sided stereo call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.asr.channels import read_channels
from simulator.qa.importer import vad_span_finder
from simulator.qa.silent_channel import SILENT_LEVEL_DB, silent_channel
from tests.qa.test_diarise import RATE, two_voice_call

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls"


@pytest.fixture(scope="module")
def vad():
    return vad_span_finder()


def one_sided_stereo(silent: int, bleed: float = 0.003) -> np.ndarray:
    """Two real voices on one channel; on the other a faint bleed of them and line hiss, as on the Nissan MP3."""
    voices, _ = two_voice_call()
    hiss = np.random.default_rng(7).normal(0.0, 3e-4, voices.size).astype(np.float32)
    quiet = bleed * voices + hiss
    return np.stack([quiet, voices] if silent == 0 else [voices, quiet], axis=1)


def _found(vad, samples: np.ndarray):
    channels = [np.ascontiguousarray(samples[:, c]) for c in range(samples.shape[1])]
    return silent_channel(channels, [vad(c) for c in channels])


@pytest.mark.parametrize("silent", [0, 1])
def test_a_channel_with_only_a_faint_bleed_is_silent(vad, silent):
    found = _found(vad, one_sided_stereo(silent))
    assert found is not None and found.channel == silent
    assert found.level_db < SILENT_LEVEL_DB and found.other_speech_s > 30
    assert f"channel {1 - silent}" in found.note and "mono" in found.note


def test_a_channel_of_loud_noise_without_speech_is_silent_too(vad):
    """Level alone would not tell: line noise at speech level, with no speech in it."""
    samples = one_sided_stereo(1)
    samples[:, 1] = np.random.default_rng(3).normal(0.0, 0.05, len(samples)).astype(np.float32)
    found = _found(vad, samples)
    assert found is not None and found.channel == 1 and found.level_db > SILENT_LEVEL_DB
    assert found.speech_s < 0.05 * found.other_speech_s


@pytest.mark.parametrize("name", ["call-stereo-mulaw-8k.wav", "call-stereo.mp3"])
def test_a_real_two_sided_call_is_left_stereo(vad, name):
    """The fixture call: one voice per channel, each silent while the other speaks."""
    audio = read_channels(CALLS / name, RATE)
    assert _found(vad, audio.samples) is None


def test_nothing_is_called_silent_when_no_channel_holds_speech(vad):
    assert _found(vad, np.zeros((RATE * 5, 2), np.float32)) is None
