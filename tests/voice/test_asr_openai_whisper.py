"""The openai-whisper backend on a checkpoint converted from the packaged tiny.en weights.

The checkpoint is made once (and cached in .pytest_cache) by running the project-external
converter ../shared/tools/ct2_to_openai_whisper.py, as docs/voice.md tells users to.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.asr.audio_file import read_audio
from simulator.asr.base import SAMPLE_RATE, AsrModelError
from simulator.asr.openai_whisper_backend import OpenAIWhisperTranscriber
from simulator.asr.registry import builtin_transcribers
from simulator.asr.wer import corpus_wer, wer
from tests.conftest import absent

pytestmark = pytest.mark.models

REPO = Path(__file__).resolve().parents[2]
CONVERTER = REPO.parent / "shared" / "tools" / "ct2_to_openai_whisper.py"
DATA = REPO / "tests" / "data" / "asr"
CLIPS = {
    "whisper_jfk.wav": "And so my fellow Americans, ask not what your country can do for you, "
                       "ask what you can do for your country.",
    "speechrecognition_english.wav": "one two three",
}


@pytest.fixture(scope="session")
def openai_checkpoint(request, tmp_path_factory) -> Path:
    if not CONVERTER.is_file():
        absent(f"the converter {CONVERTER} is not here (it ships with ../shared, which CI has)")
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    folder = cache.mkdir("callsim-asr") if cache is not None else tmp_path_factory.mktemp("callsim-asr")
    checkpoint = folder / "tiny_en_openai.pt"
    if not checkpoint.is_file():
        partial = checkpoint.with_suffix(".tmp.pt")
        subprocess.run([sys.executable, str(CONVERTER), str(partial)], check=True, capture_output=True)
        partial.replace(checkpoint)
    return checkpoint


@pytest.fixture(scope="module")
def transcriber(openai_checkpoint) -> OpenAIWhisperTranscriber:
    model = builtin_transcribers().create("openai-whisper", model=str(openai_checkpoint))
    assert isinstance(model, OpenAIWhisperTranscriber)
    model.load()
    return model


@pytest.fixture(scope="module")
def transcripts(transcriber):
    return {name: transcriber.transcribe(read_audio(DATA / name)) for name in CLIPS}


def test_real_speech_within_a_reasonable_wer(transcripts):
    pairs = [(CLIPS[name], transcripts[name].text) for name in CLIPS]
    assert corpus_wer(pairs, drop_fillers=True).wer <= 0.15
    for reference, hypothesis in pairs:
        assert wer(reference, hypothesis, drop_fillers=True) <= 0.5, (reference, hypothesis)


def test_word_timestamps_from_the_checkpoints_alignment_heads(transcripts):
    for name, transcript in transcripts.items():
        assert transcript.words, name
        assert " ".join(w.text for w in transcript.words) == transcript.text
        previous_start = 0.0
        for word in transcript.words:
            assert 0.0 <= word.start_s <= word.end_s <= transcript.duration_s + 0.01, (name, word)
            assert word.start_s >= previous_start - 1e-6
            previous_start = word.start_s


def test_silence_and_noise_give_empty_transcripts(transcriber):
    rng = np.random.default_rng(11)
    for audio in (np.zeros(3 * SAMPLE_RATE, np.float32),
                  (rng.standard_normal(3 * SAMPLE_RATE) * 0.3).astype(np.float32)):
        assert transcriber.transcribe(audio).is_empty


def test_a_missing_checkpoint_or_unknown_name_is_a_clear_error(tmp_path):
    with pytest.raises(AsrModelError, match=r"checkpoint file \(\.pt\)"):
        OpenAIWhisperTranscriber("no-such-whisper-model").load()
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(AsrModelError, match=r"broken\.pt"):
        OpenAIWhisperTranscriber(str(broken)).load()
