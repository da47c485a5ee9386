"""Recorded replies played in as the microphone (``--mic-from``) in any format a recording may be in: the call
layer gives ``WavMic`` the decoder ``callsim score`` uses, so an MP3 or mu-law reply plays as its PCM WAV would."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from simulator.asr.channels import decoded_mono
from simulator.audio.capture import ReplayPace, WavMic, reply_files
from simulator.audio.clip import CALL_RATE
from simulator.wavfile import AudioFileError
from tests.voice.test_asr_cli import DATA, _write_mp3

CALLS = DATA.parent / "calls"


def _played(mic: WavMic) -> np.ndarray:
    """One reply as the call hears it, lead-in silence included, until the trailing silence."""
    assert mic.expect_reply(1)
    blocks = []
    while mic._pending.size:  # what is left of the reply; then only silence follows
        block = mic.read()
        assert block is not None
        blocks.append(block.samples)
    return np.concatenate(blocks)


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    _write_mp3(folder / "1-hello.mp3", decoded_mono(DATA / "pocketsphinx_goforward.wav", 16_000))
    shutil.copy(CALLS / "call-stereo-mulaw-8k.wav", folder / "2-mulaw.wav")
    (folder / "notes.txt").write_text("not a reply")
    return folder


def test_a_reply_folder_holds_audio_in_any_format(replies):
    assert [p.name for p in reply_files(replies)] == ["1-hello.mp3", "2-mulaw.wav"]


def test_mp3_and_mu_law_replies_play_like_the_pcm_they_came_from(replies):
    mic = WavMic(replies, pace=ReplayPace.FAST, lead_s=0.0, read=decoded_mono)
    first = _played(mic)
    source = decoded_mono(DATA / "pocketsphinx_goforward.wav", CALL_RATE)
    assert first.size == pytest.approx(source.size, abs=2 * 1152 + 256)  # MP3 adds an encoder delay
    assert np.sqrt(np.mean(first ** 2)) == pytest.approx(np.sqrt(np.mean(source ** 2)), rel=0.1)
    second = _played(mic)
    assert second.size == pytest.approx(11.2 * CALL_RATE, abs=256) and np.abs(second).max() > 0.1


def test_without_the_decoder_only_pcm_wav_is_read(replies):
    with pytest.raises(AudioFileError):
        WavMic(replies, pace=ReplayPace.FAST)
