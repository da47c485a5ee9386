"""A stereo file whose two channels carry the same signal ("dual mono", as converters write a mono call): found
on real speech with the real Silero VAD, however the copy was scaled, shifted or coded, and told from a real
two-sided stereo call, crosstalk included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.asr.channels import read_channels
from simulator.qa.duplicate_channels import SAME_SIGNAL_CORRELATION, duplicate_channels, measure
from simulator.qa.importer import vad_span_finder
from tests.qa.test_diarise import RATE, two_voice_call

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls"


@pytest.fixture(scope="module")
def vad():
    return vad_span_finder()


@pytest.fixture(scope="module")
def voices() -> np.ndarray:
    return two_voice_call()[0]


def _channels(samples: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(samples[:, c]) for c in range(samples.shape[1])]


def _found(vad, left: np.ndarray, right: np.ndarray):
    return duplicate_channels([left, right], [vad(left), vad(right)], RATE)


def _late(samples: np.ndarray, delay_s: float) -> np.ndarray:
    shift = round(delay_s * RATE)
    return np.concatenate([np.zeros(shift, np.float32), samples[: samples.size - shift]])


def test_the_same_samples_on_both_channels_are_one_signal(vad, voices):
    found = _found(vad, voices, voices.copy())
    assert found is not None and found.correlation == pytest.approx(1.0, abs=1e-3)
    assert found.delay_ms == 0.0 and found.gain_db == 0.0
    assert "same signal" in found.note and "mono recording of both voices" in found.note


@pytest.mark.parametrize(("delay_s", "gain"), [(0.003, 0.5), (-0.012, 1.6)])
def test_a_copy_scaled_shifted_and_noisy_is_one_signal_with_its_delay_and_gain(vad, voices, delay_s, gain):
    """A converter's copy: another level, a few milliseconds off, and codec-like noise 20 dB below the speech."""
    noise = np.random.default_rng(5).normal(0.0, 0.1 * float(np.std(voices)), voices.size).astype(np.float32)
    copy = gain * (_late(voices, delay_s) if delay_s > 0 else np.roll(voices, round(delay_s * RATE))) + gain * noise
    found = _found(vad, voices, copy)
    assert found is not None and found.correlation > 0.97
    assert found.delay_ms == pytest.approx(1000 * delay_s, abs=0.1)
    assert found.gain_db == pytest.approx(20 * np.log10(gain), abs=0.3)
    assert found.kept == int(gain > 1)  # the louder channel is the one scored


def test_an_inverted_copy_is_one_signal_too(vad, voices):
    found = _found(vad, voices, -voices)
    assert found is not None and found.correlation == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("name", ["call-dualmono-mulaw-8k.wav", "call-dualmono-shifted.mp3"])
def test_the_dual_mono_fixtures_are_found(vad, name):
    """The fixture call written as converters do: a mu-law copy, and an MP3 coding each channel apart, 3 ms late
    and 6 dB down on the right (tests/data/calls/make_fixtures.sh)."""
    found = _found(vad, *_channels(read_channels(CALLS / name, RATE).samples))
    assert found is not None and found.correlation >= SAME_SIGNAL_CORRELATION
    if name.endswith(".mp3"):
        assert found.delay_ms == pytest.approx(3.0, abs=0.2) and found.gain_db == pytest.approx(-6.0, abs=0.5)


@pytest.mark.parametrize("name", ["call-stereo-mulaw-8k.wav", "call-stereo.mp3", "call-stereo-u8-8k.wav"])
def test_a_real_two_sided_call_is_not_one_signal(vad, name):
    left, right = _channels(read_channels(CALLS / name, RATE).samples)
    alike = measure([left, right], [vad(left), vad(right)], RATE)
    assert alike is not None and alike.correlation < 0.1
    assert _found(vad, left, right) is None


def test_crosstalk_of_each_side_on_the_other_line_stays_stereo(vad):
    """Each party's voice leaking onto the other's line at -10 dB (an echoing hybrid) is still two sides."""
    left, right = _channels(read_channels(CALLS / "call-stereo-mulaw-8k.wav", RATE).samples)
    leak = 10 ** (-10 / 20)
    assert _found(vad, left + leak * right, right + leak * left) is None


def test_nothing_is_measured_without_speech(vad):
    silence = np.zeros(RATE * 5, np.float32)
    assert measure([silence, silence], [vad(silence), vad(silence)], RATE) is None
