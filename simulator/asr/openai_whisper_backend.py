"""The second backend: openai-whisper (PyTorch), selected with ``asr_backend = "openai-whisper"``.

Model: a local checkpoint file (``.pt``), e.g. the packaged tiny.en converted once with
``ct2_to_openai_whisper.py OUT.pt`` (docs/voice.md, Transcription), or a model name openai-whisper
downloads itself ("tiny.en", "base.en"...; needs the internet once, cached in ~/.cache/whisper).
Audio goes in as a numpy array, so no ffmpeg binary is needed.

It is slower and uses about twice the memory of faster-whisper int8 (docs/benchmarks.md has the numbers).
``threads`` is applied with ``torch.set_num_threads`` when the model loads; torch's thread pool is
process-wide, so it also applies to other torch models in the process (the MiniLM analyser).
On a busy 2-core box 1 thread was 2-3x faster than 2 (threads spin while waiting for a core).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.asr.guarded import GuardedWhisper
from simulator.asr.guards import DecodedSegment
from simulator.contracts import Word
from simulator.lazy import require

if TYPE_CHECKING:
    import numpy as np


class OpenAIWhisperTranscriber(GuardedWhisper):
    """Whisper through openai-whisper (PyTorch)."""

    name = "openai-whisper"

    def _load_model(self) -> Any:
        whisper = require("whisper", "openai-whisper", feature="the openai-whisper ASR backend")
        if self.threads > 0:
            require("torch", feature="the openai-whisper ASR backend").set_num_threads(self.threads)
        path = Path(self.model_name).expanduser()
        try:
            return _load_checkpoint(whisper, path) if path.is_file() else whisper.load_model(
                self.model_name, device="cpu")
        except Exception as err:  # download errors, unknown names, corrupt checkpoints
            raise self._load_failed(
                err, "Offline, set asr_model to a local checkpoint file (.pt), e.g. the packaged tiny.en converted "
                     "with ct2_to_openai_whisper.py (docs/voice.md, Transcription); a model name needs the "
                     "internet on first use.") from None

    def _decode(self, model: Any, audio: np.ndarray, initial_prompt: str | None, *,
                text_only: bool = False) -> list[DecodedSegment]:
        torch = require("torch", feature="the openai-whisper ASR backend")
        with torch.no_grad():
            result = model.transcribe(
                audio, fp16=False, language=self.language, temperature=0.0, verbose=None,
                initial_prompt=initial_prompt, condition_on_previous_text=False,
                word_timestamps=self.word_timestamps and not text_only,
                without_timestamps=text_only,
                no_speech_threshold=self.checks.no_speech_threshold,
                logprob_threshold=self.checks.logprob_threshold,
                compression_ratio_threshold=self.checks.compression_ratio_threshold)
        return [_decoded(segment) for segment in result.get("segments", ())]


def _load_checkpoint(whisper: Any, path: Path) -> Any:
    """Load a checkpoint file, applying the word-alignment heads it carries (converted ones do)."""
    torch = require("torch", feature="the openai-whisper ASR backend")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads_b85")
    if heads:
        model.set_alignment_heads(heads.encode() if isinstance(heads, str) else heads)
    return model.eval()


def _decoded(segment: dict) -> DecodedSegment:
    words = tuple(Word(text=w["word"].strip(), start_s=float(w["start"]), end_s=float(w["end"]),
                       probability=float(w.get("probability", 1.0)))
                  for w in segment.get("words", ()) if w["word"].strip())
    return DecodedSegment(text=segment["text"], start_s=float(segment["start"]), end_s=float(segment["end"]),
                          words=words, no_speech_prob=float(segment["no_speech_prob"]),
                          avg_logprob=float(segment["avg_logprob"]),
                          compression_ratio=float(segment["compression_ratio"]))
