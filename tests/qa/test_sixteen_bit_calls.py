"""Call QA holds a long recording at 16 bits (``Pcm16``) and widens it to float32 a range at a time."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.asr.base import SAMPLE_RATE
from simulator.asr.channels import read_channels
from simulator.contracts import Speaker
from simulator.qa.external import ChannelTurn, Span, TurnClips, channels_of
from simulator.qa.importer import COMPACT_AFTER_S
from simulator.wavfile import Pcm16, to_pcm16

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls"


@pytest.mark.parametrize("name", ["call-stereo-mulaw-8k.wav", "call-stereo.mp3", "call-stereo-u8-8k.wav"])
def test_a_call_read_compact_is_its_float_reading_to_within_half_a_16_bit_step(name):
    wide = read_channels(CALLS / name, SAMPLE_RATE)
    compact = read_channels(CALLS / name, SAMPLE_RATE, compact_after_s=0.0)
    assert isinstance(compact.samples, Pcm16) and compact.samples.pcm.dtype == np.int16
    assert compact.samples.pcm.nbytes * 2 == wide.samples.nbytes
    assert (compact.sample_rate, compact.channels, compact.duration_s) == (wide.sample_rate, 2, wide.duration_s)
    assert compact.declared_s == wide.declared_s and compact.damaged_packets == wide.damaged_packets
    for channel in range(2):
        exact, kept = wide.channel(channel), compact.channel(channel)
        assert isinstance(kept, Pcm16)
        widened = kept[:]
        assert widened.dtype == np.float32 and len(kept) == exact.size
        assert np.max(np.abs(widened - np.clip(exact, -1.0, 1.0 - 2.0 ** -15))) <= 0.5 / 32768 + 1e-7
    assert np.allclose(compact.mono(), wide.mono(), atol=1 / 32768)


def test_a_call_up_to_the_length_is_read_exactly_as_before_and_a_longer_one_at_16_bits(tmp_path):
    """Calls as long as the QA's limit keep float32 (the scorer moves under -96 dB of rounding); past it, the
    blocks read before the limit are rounded too, so the whole call is 16-bit and equal to a 16-bit reading."""
    long_call = tmp_path / "three-minutes.wav"
    rng = np.random.default_rng(5)
    with wave.open(str(long_call), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(8000)
        handle.writeframes((rng.standard_normal((8000 * 180, 2)) * 2000).astype("<i2").tobytes())
    wide = read_channels(long_call, SAMPLE_RATE)
    assert COMPACT_AFTER_S > 20 * 60  # every judged call (and tests/data/calls) is far shorter
    for name in ("call-stereo.mp3", "call-stereo-mulaw-8k.wav"):
        as_qa_reads = read_channels(CALLS / name, SAMPLE_RATE, compact_after_s=COMPACT_AFTER_S)
        assert np.array_equal(as_qa_reads.samples, read_channels(CALLS / name, SAMPLE_RATE).samples)
    kept_whole = read_channels(long_call, SAMPLE_RATE, compact_after_s=180.5)
    assert not isinstance(kept_whole.samples, Pcm16) and np.array_equal(kept_whole.samples, wide.samples)
    switched = read_channels(long_call, SAMPLE_RATE, compact_after_s=100.0)  # 16-bit from the 100th second
    all_along = read_channels(long_call, SAMPLE_RATE, compact_after_s=0.0)
    assert isinstance(switched.samples, Pcm16) and isinstance(all_along.samples, Pcm16)
    assert np.array_equal(switched.samples.pcm, all_along.samples.pcm)
    assert np.array_equal(switched.samples.pcm, to_pcm16(wide.samples))


def test_sixteen_bit_samples_come_back_exactly():
    """8- and 16-bit sources (what phone systems record) lose nothing when kept at 16 bits."""
    values = np.arange(-32768, 32768, 7, dtype=np.int16)
    floats = values.astype(np.float32) / 32768
    kept = Pcm16.of(floats)
    assert np.array_equal(kept.pcm, values)
    assert np.array_equal(kept[10:500], floats[10:500])


def test_beyond_full_scale_is_clipped_not_wrapped():
    kept = Pcm16.of(np.array([1.0, 1.5, -1.0, -3.0, 0.0], np.float32))
    assert kept.pcm.tolist() == [32767, 32767, -32768, -32768, 0]


def test_code_written_for_float32_fails_loudly_on_16_bit_samples_instead_of_reading_integers():
    kept = Pcm16.of(np.linspace(-0.5, 0.5, 1000, dtype=np.float32))
    for read_whole in (np.asarray, np.abs, lambda samples: samples.astype(np.float32), lambda samples: samples[3]):
        with pytest.raises((TypeError, AttributeError)):
            read_whole(kept)
    assert (kept.size, kept.shape, len(kept)) == (1000, (1000,), 1000)


def test_turn_clips_cut_each_turn_with_its_padding_when_asked():
    audio = read_channels(CALLS / "call-stereo-mulaw-8k.wav", SAMPLE_RATE, compact_after_s=0.0)
    agent, customer = channels_of(audio, 0)
    assert isinstance(agent, Pcm16) and isinstance(customer, Pcm16)
    turns = [ChannelTurn(Speaker.TRAINEE, (Span(0.0, 1.0),)), ChannelTurn(Speaker.TRAINEE, (Span(2.0, 2.5),))]
    clips = TurnClips(agent, turns)
    assert len(clips) == 2
    first, second = clips[0], clips[1]
    assert first.dtype == np.float32 and second.dtype == np.float32
    pad = first.size - SAMPLE_RATE  # the padding after a turn that starts at 0; both sides of the second
    assert pad > 0 and second.size == int(0.5 * SAMPLE_RATE) + 2 * pad
    assert np.array_equal(second, agent[int(2.0 * SAMPLE_RATE) - pad: int(2.5 * SAMPLE_RATE) + pad])
    assert [clip.size for clip in clips[::-1]] == [second.size, first.size]
