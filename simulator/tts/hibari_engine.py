"""A neural customer voice: hibari-tts (Apache-2.0 code and weights, a distilled Kokoro-82M voice in
an 8 MB ONNX file inside the wheel), reshaped into several customers by ``tts.reshape``.

Only the package's bundled voice is used: its other voices download at first use, and callsim runs
offline, so the model is opened by path and a download is never attempted.  The engine predicts a
pitch curve and spectral envelopes per 12.5 ms frame; we edit those before hibari's own signal
processing turns them into a waveform, so each voice profile's pitch, melody, vocal-tract length and
the mood's effort are ours.  Not thread-safe (one ONNX session): ``TtsWorker`` owns it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioClip
from simulator.lazy import require
from simulator.scenario.voices import Prosody, VoiceProfile
from simulator.tts.base import SystemVoice, TtsError
from simulator.tts.reshape import Reshape, loudness_matched, nearest_bins, reshape_pitch, tilt, warp_bins
from simulator.wavfile import resample

PACKAGE = "hibari-tts[fast]==0.2.1"
BUNDLED_VOICE = "heart"  # the only voice inside the wheel (American English, female; Kokoro af_heart)
SEED = 0  # the synthesiser mixes in noise: a fixed seed makes a line sound the same every time
SEMITONES_PER_PITCH_STEP = 0.25  # a profile's mood pitch (espeak's 0-99 steps) as a neural pitch shift
RANGE_PER_AROUSAL = 0.3  # angrier: a livelier melody; calmer: a flatter one
TILT_DB_PER_AROUSAL = 2.5  # angrier: more effort, a brighter spectrum
REFERENCE_VOLUME = 0.8  # a profile's volume that plays at LEVEL_DBFS
LEVEL_DBFS = -20.0
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def reshape_for(voice: VoiceProfile, prosody: Prosody) -> tuple[float, Reshape]:
    """The synthesiser's speed and the edit for ``voice`` at ``prosody`` (mood): the profile's
    shape, moved by the mood as the espeak fields move (rate, pitch), plus effort from the arousal."""
    speed = voice.neural.speed * prosody.rate_wpm / voice.rate_wpm
    edit = Reshape(
        pitch_semitones=voice.neural.pitch_semitones + (prosody.pitch - voice.pitch) * SEMITONES_PER_PITCH_STEP,
        pitch_range=max(0.2, voice.neural.pitch_range * (1.0 + RANGE_PER_AROUSAL * prosody.arousal)),
        formant_ratio=voice.neural.formant_ratio,
        tilt_db_per_octave=TILT_DB_PER_AROUSAL * prosody.arousal)
    return min(2.0, max(0.5, speed)), edit


class HibariEngine:
    name = "hibari"

    def __init__(self, threads: int = 1):
        hibari_tts = require("hibari.tts", PACKAGE, feature="the neural customer voice")
        hibari_voices = require("hibari.voices", PACKAGE, feature="the neural customer voice")
        self._dsp = require("hibari.dsp", PACKAGE, feature="the neural customer voice")
        model = hibari_voices.voice_path(BUNDLED_VOICE, download_missing=False)
        try:
            self._tts: Any = hibari_tts.Hibari(voice=BUNDLED_VOICE, model=model, threads=threads)
        except Exception as err:  # onnxruntime raises its own types for a damaged model file
            raise TtsError(f"hibari-tts could not load its model {model} ({err}); reinstall it: "
                           f"pip install --force-reinstall '{PACKAGE}'") from None
        self.sample_rate = int(self._tts.sample_rate)

    def system_voices(self) -> list[SystemVoice]:
        return [SystemVoice(BUNDLED_VOICE, "hibari heart (American English, female; reshaped per profile)",
                            ("en-us",), "female")]

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        if _CJK.search(text):
            raise TtsError(f"voice profile {voice.id!r}: the hibari engine speaks English only; give this "
                           f"scenario a Mandarin voice profile (engine: kokoro-zh, e.g. middle-woman-mandarin)")
        speed, edit = reshape_for(voice, prosody)
        rng = np.random.default_rng(SEED)
        pieces = [self._sentence(phonemes, speed, edit, rng) for phonemes in self._tts.phonemize(text)]
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        if samples.size == 0:
            raise TtsError(f"hibari produced no audio for {text[:40]!r} (nothing it could pronounce)")
        at_call_rate = resample(samples, self.sample_rate, CALL_RATE)
        target = LEVEL_DBFS + 20.0 * math.log10(max(0.05, prosody.volume) / REFERENCE_VOLUME)
        return AudioClip(loudness_matched(at_call_rate, target), CALL_RATE)

    def _sentence(self, phonemes: str, speed: float, edit: Reshape, rng: np.random.Generator) -> np.ndarray:
        ids = self._tts.ids(phonemes)
        if len(ids) < 3:
            return np.zeros(0, np.float32)
        outputs = self._tts.sess.run(None, {"ids": np.asarray([ids], np.int64),
                                            "speed": np.asarray([speed], np.float32)})
        harmonic, harmonic_phase, noise, free, free_phase, f0 = (o[0] for o in outputs)
        ratio = edit.formant_ratio
        harmonic = tilt(warp_bins(harmonic, ratio), self.sample_rate, edit.tilt_db_per_octave)
        noise = tilt(warp_bins(noise, ratio), self.sample_rate, edit.tilt_db_per_octave)
        free = tilt(warp_bins(free, ratio), self.sample_rate, edit.tilt_db_per_octave)
        samples: np.ndarray = self._dsp.synth(harmonic, nearest_bins(harmonic_phase, ratio), noise, free,
                                              nearest_bins(free_phase, ratio), reshape_pitch(f0, edit), rng)
        return samples.astype(np.float32, copy=False)
