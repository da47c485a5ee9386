"""Tone of voice from the trainee's audio and word timings.

Measures per turn: speaking rate, level and its swing, pitch level and range, fillers, and a
raised-voice / hostile-tone call made from the voice itself.  Hostility is judged *relative to the
trainee's own voice* in the same call (a speaker baseline), because absolute level depends on the
headset gain and absolute pitch on the speaker: what generalises across people is the change
when they get heated, i.e. louder (level), higher (pitch) and tenser (more 1-4 kHz energy in
voiced speech, a flatter spectral tilt).  The arousal score adds those three rises, each divided
by a clearly audible step (6 dB, 4 semitones, 6 dB; tilt gets the wide step because it also moves
with what is said), and compares the sum with ``ToneThresholds.hostile_arousal``.  The weights and
threshold were chosen on RAVDESS actors 1-3 and checked on actors 4-6 and on calm read speech
with varied wording (``benchmarks/tone_validity.py``); no model is trained, so nothing
non-commercial ships.

Mandarin (a turn whose words are mostly Chinese characters) is a tonal language: every syllable's
lexical tone moves the pitch, so a short turn's median pitch depends on which tones it holds (up to
several semitones between two calm sentences of one speaker).  There a pitch rise counts at most as
much as the voice got louder: it can strengthen a louder voice, never make a turn heated alone
(the same rule as tension in ``OwnVoice``).  Measured on real calm Mandarin with
``benchmarks/zhspeech/measure.py`` (docs/voice.md, "Mandarin").

``ToneAnalyser`` wraps any ``TurnAnalyser`` and fills ``TurnAnalysis.tone`` when the turn has audio.
Pure: numpy and ``wave`` only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

import numpy as np

from simulator.analysis.acoustics import PitchTrack, VoiceFeatures, voice_features
from simulator.analysis.base import AfterCallReread, TurnAnalyser, TurnInput
from simulator.contracts import Evidence, ToneLabel, ToneMeasures, Transcript, TurnAnalysis
from simulator.scenario.model import Scenario, ToneThresholds
from simulator.text import is_mostly_chinese, join_words, normalise
from simulator.wavfile import AudioFileError, read_wav

# One "clearly audible" step of each cue; the arousal score is the sum of rise / step.
LEVEL_STEP_DB = 6.0
PITCH_STEP_SEMITONES = 4.0
TILT_STEP_DB = 6.0
PROBABILITY_SLOPE = 3.0  # logistic slope of angry_probability around the threshold
BASELINE_PERCENTILE = 30  # a speaker's calmer turns: they are the reference, not the average
MIN_WPM_SPAN_S = 1.0
MIN_WPM_WORDS = 3
# an "OK" or "yes" is too short for a stable level or pitch: measured, but neither judged nor a baseline
MIN_JUDGED_SPEECH_S = 0.8

SINGLE_FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "eh"})
PHRASE_FILLERS = ("you know", "i mean", "kind of", "sort of")
WARM_PHRASES = ("happy to help", "glad to", "my pleasure", "great news", "good news", "thank you so much",
                "thanks so much", "wonderful", "lovely", "brilliant", "delighted")


@dataclass(frozen=True, slots=True)
class VoicePoint:
    """The three cues the hostile-tone call compares: level (dBFS), median pitch, spectral tilt."""

    level_db: float
    pitch_hz: float | None
    tilt_db: float

    @classmethod
    def of(cls, features: VoiceFeatures) -> VoicePoint:
        return cls(features.level_db, features.pitch_hz, features.tilt_db)

    @classmethod
    def of_tone(cls, tone: ToneMeasures) -> VoicePoint | None:
        """From stored measures (no audio needed); None for turns stored without them."""
        if tone.loudness_db is None or tone.tilt_db is None or (tone.speech_s or 0.0) < MIN_JUDGED_SPEECH_S:
            return None
        return cls(tone.loudness_db, tone.pitch_hz, tone.tilt_db)


@dataclass(frozen=True, slots=True)
class SpeakerBaseline:
    """The trainee's own voice so far in this call: a reference for 'louder/higher than usual'."""

    turns: tuple[VoicePoint, ...] = ()

    def add(self, features: VoiceFeatures) -> SpeakerBaseline:
        if features.speech_s < MIN_JUDGED_SPEECH_S:
            return self
        return SpeakerBaseline((*self.turns, VoicePoint.of(features)))

    def reference(self) -> VoicePoint | None:
        """Per-cue 30th percentile over the turns: the speaker's calmer voice."""
        if not self.turns:
            return None
        pitched = [t.pitch_hz for t in self.turns if t.pitch_hz]

        def low(values: Sequence[float]) -> float:
            return float(np.percentile(values, BASELINE_PERCENTILE))

        return VoicePoint(
            level_db=low([t.level_db for t in self.turns]),
            pitch_hz=float(2 ** (low([12 * math.log2(p) for p in pitched]) / 12)) if pitched else None,
            tilt_db=low([t.tilt_db for t in self.turns]),
        )


@dataclass(frozen=True, slots=True)
class Arousal:
    """How much more heated this turn sounds than the speaker's reference."""

    level_rise_db: float
    pitch_rise_semitones: float | None
    tilt_rise_db: float
    score: float

    def angry_probability(self, threshold: float) -> float:
        return 1.0 / (1.0 + math.exp(-PROBABILITY_SLOPE * (self.score - threshold)))


def arousal(voice: VoicePoint, reference: VoicePoint, *, tonal: bool = False) -> Arousal:
    """Rises over the reference; ``tonal`` (Mandarin): the pitch term is capped by the level term."""
    level_rise = voice.level_db - reference.level_db
    tilt_rise = voice.tilt_db - reference.tilt_db
    pitch_rise = None
    if voice.pitch_hz and reference.pitch_hz:
        pitch_rise = 12 * math.log2(voice.pitch_hz / reference.pitch_hz)
    level = level_rise / LEVEL_STEP_DB
    pitch = tonal_pitch_term((pitch_rise or 0.0) / PITCH_STEP_SEMITONES, level, tonal)
    return Arousal(level_rise, pitch_rise, tilt_rise, level + tilt_rise / TILT_STEP_DB + pitch)


def tonal_pitch_term(pitch: float, level: float, tonal: bool) -> float:
    """In a tonal language a pitch rise adds at most as much as the level rise (lexical tones move pitch)."""
    return min(pitch, max(level, 0.0)) if tonal else pitch


def count_fillers(text: str) -> int:
    words = normalise(text).split()
    count = sum(w in SINGLE_FILLERS for w in words)
    joined = f" {' '.join(words)} "
    return count + sum(joined.count(f" {phrase} ") for phrase in PHRASE_FILLERS)


def words_per_minute(transcript: Transcript, features: VoiceFeatures | None) -> float | None:
    """Words over the time from the first to the last word (short pauses count, as callers hear them)."""
    count = len(normalise(transcript.text).split())
    if count < MIN_WPM_WORDS:
        return None
    words = transcript.words
    if words:
        span = words[-1].end_s - words[0].start_s
    elif features is not None:
        span = features.speech_span_s
    else:
        return None
    if span < MIN_WPM_SPAN_S:
        return None
    return 60.0 * count / span


def _warm(text: str) -> str | None:
    normalised = f" {normalise(text)} "
    return next((p for p in WARM_PHRASES if f" {normalise(p)} " in normalised), None)


@dataclass(frozen=True, slots=True)
class _Judgement:
    label: ToneLabel
    raised_voice: bool
    angry_probability: float | None
    evidence: tuple[Evidence, ...]


def _judge(heat: Arousal | None, text: str, quote: str, loudest_s: float | None,
           thresholds: ToneThresholds) -> _Judgement:
    probability = heat.angry_probability(thresholds.hostile_arousal) if heat is not None else None
    raised = heat is not None and heat.level_rise_db >= thresholds.raised_voice_db
    angry = probability is not None and probability >= 0.5
    evidence = [] if heat is None else _heat_evidence(heat, raised, angry, quote, loudest_s)
    warm = None if angry else _warm(text)
    if warm:
        evidence.append(Evidence("tone.warm", warm, "warm, positive wording", weight=0.5))
    label = ToneLabel.ANGRY if angry else ToneLabel.POSITIVE if warm else ToneLabel.NEUTRAL
    return _Judgement(label, raised or angry, None if probability is None else round(probability, 3),
                      tuple(evidence))


def _heat_evidence(heat: Arousal, raised: bool, angry: bool, quote: str, loudest_s: float | None) -> list[Evidence]:
    evidence: list[Evidence] = []
    if raised:
        evidence.append(Evidence("tone.raised_voice", quote,
                                 f"voice {heat.level_rise_db:.0f} dB louder than your usual level",
                                 start_s=loudest_s, weight=-1.0))
    if angry:
        cues = [f"{heat.level_rise_db:+.0f} dB level"]
        if heat.pitch_rise_semitones is not None:
            cues.append(f"{heat.pitch_rise_semitones:+.1f} semitones pitch")
        cues.append(f"{heat.tilt_rise_db:+.1f} dB voice tension")
        evidence.append(Evidence("tone.hostile", quote,
                                 "sounded heated compared with your own voice (" + ", ".join(cues) + ")",
                                 start_s=loudest_s, weight=-1.0))
    return evidence


class _Rises(TypedDict):
    """The arousal fields of ``ToneMeasures``."""

    level_rise_db: float | None
    pitch_rise_semitones: float | None
    tilt_rise_db: float | None
    arousal: float | None


def _rises(heat: Arousal | None) -> _Rises:
    return {
        "level_rise_db": None if heat is None else round(heat.level_rise_db, 1),
        "pitch_rise_semitones": (None if heat is None or heat.pitch_rise_semitones is None
                                 else round(heat.pitch_rise_semitones, 1)),
        "tilt_rise_db": None if heat is None else round(heat.tilt_rise_db, 1),
        "arousal": None if heat is None else round(heat.score, 2),
    }


def measure_tone(transcript: Transcript, features: VoiceFeatures, reference: VoicePoint | None,
                 thresholds: ToneThresholds) -> ToneMeasures:
    """The tone of one spoken turn, against the speaker's reference (``None``: no comparison yet)."""
    fillers = count_fillers(transcript.text)
    wpm = words_per_minute(transcript, features)
    minutes = (transcript.words[-1].end_s - transcript.words[0].start_s if transcript.words
               else features.speech_span_s) / 60.0
    fillers_per_minute = fillers / minutes if minutes >= MIN_WPM_SPAN_S / 60 else None
    comparable = features.speech_s >= MIN_JUDGED_SPEECH_S
    heat = (arousal(VoicePoint.of(features), reference, tonal=is_mostly_chinese(transcript.text))
            if reference is not None and comparable else None)
    judged = _judge(heat, transcript.text, _quote_at(transcript, features.loudest_s), features.loudest_s, thresholds)
    return ToneMeasures(
        label=judged.label,
        words_per_minute=None if wpm is None else round(wpm, 1),
        loudness_db=round(features.level_db, 1),
        loudness_swing_db=round(features.level_swing_db, 1),
        pitch_hz=None if features.pitch_hz is None else round(features.pitch_hz, 1),
        pitch_range_semitones=(None if features.pitch_range_semitones is None
                               else round(features.pitch_range_semitones, 1)),
        fillers=fillers,
        fillers_per_minute=None if fillers_per_minute is None else round(fillers_per_minute, 1),
        raised_voice=judged.raised_voice,
        angry_probability=judged.angry_probability,
        evidence=judged.evidence,
        speech_s=round(features.speech_s, 2),
        tilt_db=round(features.tilt_db, 1),
        loudest_s=None if features.loudest_s is None else round(features.loudest_s, 2),
        **_rises(heat),
    )


def rejudge_call(turns: Sequence[tuple[Transcript, ToneMeasures | None]], thresholds: ToneThresholds
                 ) -> list[ToneMeasures | None]:
    """Re-make each turn's raised/hostile call against the *whole* call's baseline, from stored measures.

    Live, turn 1 has no baseline and turn 2 only turn 1; once the call is over every turn can be
    compared with all of them.  Pure: no audio is read.  Turns without stored cues are kept as they are.
    """
    points = [VoicePoint.of_tone(tone) if tone is not None else None for _, tone in turns]
    known = [p for p in points if p is not None]
    if len(known) < 2:
        return [tone for _, tone in turns]
    reference = SpeakerBaseline(tuple(known)).reference()
    assert reference is not None
    result: list[ToneMeasures | None] = []
    for (transcript, tone), point in zip(turns, points, strict=True):
        if tone is None or point is None:
            result.append(tone)
            continue
        heat = arousal(point, reference, tonal=is_mostly_chinese(transcript.text))
        judged = _judge(heat, transcript.text, _quote_at(transcript, tone.loudest_s), tone.loudest_s, thresholds)
        kept = tuple(e for e in tone.evidence if e.rule not in ("tone.raised_voice", "tone.hostile", "tone.warm"))
        result.append(replace(tone, label=judged.label, raised_voice=judged.raised_voice,
                              angry_probability=judged.angry_probability, evidence=kept + judged.evidence,
                              **_rises(heat)))
    return result


# Outside recordings: many turns of every length, phone channels, people moving from the mouthpiece.
# There a speaker's level and pitch swing from turn to turn by several dB and semitones without any
# change of mood, so a turn is only "heated" when it rises beyond the speaker's own usual swing.
MIN_OWN_BASELINE_TURNS = 3  # fewer judged turns: no baseline, so no raised/hostile call at all
SPREAD_WIDTH = 2.0  # a rise counts from two robust standard deviations of the speaker's own turns
MAD_TO_SD = 1.4826  # median absolute deviation -> standard deviation for normal data


@dataclass(frozen=True, slots=True)
class OwnVoice:
    """A speaker's usual voice in one call: the median turn, and how far their turns usually swing."""

    usual: VoicePoint
    level_unit_db: float  # one step of 'louder than usual' for this speaker
    pitch_unit_semitones: float
    tilt_unit_db: float

    @classmethod
    def of(cls, points: Sequence[VoicePoint]) -> OwnVoice | None:
        if len(points) < MIN_OWN_BASELINE_TURNS:
            return None
        levels = np.array([p.level_db for p in points])
        tilts = np.array([p.tilt_db for p in points])
        pitches = np.array([12 * math.log2(p.pitch_hz) for p in points if p.pitch_hz])

        def unit(values: np.ndarray, step: float) -> float:
            spread = MAD_TO_SD * float(np.median(np.abs(values - np.median(values)))) if values.size else 0.0
            return max(step, SPREAD_WIDTH * spread)

        usual = VoicePoint(float(np.median(levels)),
                           float(2 ** (np.median(pitches) / 12)) if pitches.size else None,
                           float(np.median(tilts)))
        return cls(usual, unit(levels, LEVEL_STEP_DB), unit(pitches, PITCH_STEP_SEMITONES), unit(tilts, TILT_STEP_DB))

    def arousal(self, voice: VoicePoint, *, tonal: bool = False) -> Arousal:
        """Rises over the usual voice, scored in this speaker's own units.  Tension (tilt) also moves
        with what is said, so it adds at most as much as the voice got louder or higher: it can
        strengthen a rise of level or pitch, never make one alone (in Mandarin the same holds for pitch)."""
        plain = arousal(voice, self.usual)
        level = plain.level_rise_db / self.level_unit_db
        pitch = tonal_pitch_term((plain.pitch_rise_semitones or 0.0) / self.pitch_unit_semitones, level, tonal)
        tilt = plain.tilt_rise_db / self.tilt_unit_db
        louder_or_higher = max(level, pitch, 0.0)
        score = level + pitch + min(tilt, louder_or_higher)
        return replace(plain, score=score)

    def raised(self, heat: Arousal, thresholds: ToneThresholds) -> bool:
        return heat.level_rise_db >= max(thresholds.raised_voice_db, self.level_unit_db)


def judge_against_own_voice(turns: Sequence[tuple[Transcript, ToneMeasures | None]], thresholds: ToneThresholds
                            ) -> list[ToneMeasures | None]:
    """Re-make each turn's raised/hostile call against the speaker's usual voice in this call and
    their own turn-to-turn swing (``OwnVoice``): for outside recordings, where the fixed steps of
    ``rejudge_call`` mistake ordinary variation for heat.  With fewer than
    ``MIN_OWN_BASELINE_TURNS`` judged turns nothing is called raised or hostile (no baseline).
    Pure: stored measures only."""
    points = [VoicePoint.of_tone(tone) if tone is not None else None for _, tone in turns]
    own = OwnVoice.of([p for p in points if p is not None])
    result: list[ToneMeasures | None] = []
    for (transcript, tone), point in zip(turns, points, strict=True):
        if tone is None:
            result.append(tone)
            continue
        heat = (own.arousal(point, tonal=is_mostly_chinese(transcript.text))
                if own is not None and point is not None else None)
        judged = _judge(heat, transcript.text, _quote_at(transcript, tone.loudest_s), tone.loudest_s, thresholds)
        raised = heat is not None and own is not None and own.raised(heat, thresholds)
        evidence = tuple(e for e in judged.evidence if e.rule != "tone.raised_voice" or raised)
        kept = tuple(e for e in tone.evidence if e.rule not in ("tone.raised_voice", "tone.hostile", "tone.warm"))
        result.append(replace(tone, label=judged.label, raised_voice=raised or judged.label == ToneLabel.ANGRY,
                              angry_probability=judged.angry_probability, evidence=kept + evidence, **_rises(heat)))
    return result


def _quote_at(transcript: Transcript, time_s: float | None) -> str:
    """The few words around ``time_s`` (the loudest moment), else the start of the reply."""
    if time_s is not None and transcript.words:
        nearest = min(range(len(transcript.words)),
                      key=lambda i: abs((transcript.words[i].start_s + transcript.words[i].end_s) / 2 - time_s))
        window = transcript.words[max(0, nearest - 2): nearest + 3]
        return join_words(w.text for w in window)  # no spaces between Chinese words
    return " ".join(transcript.text.split()[:8])


def call_tone(turns: Sequence[tuple[Transcript, VoiceFeatures]], thresholds: ToneThresholds) -> list[ToneMeasures]:
    """Tone of every turn of a finished call against the whole call's baseline (two passes)."""
    baseline = SpeakerBaseline()
    for _, features in turns:
        baseline = baseline.add(features)
    reference = baseline.reference()
    return [measure_tone(transcript, features, reference, thresholds) for transcript, features in turns]


def features_of_file(path: Path | str, pitch: PitchTrack | None = None) -> VoiceFeatures:
    """``pitch``: the file's pitch if already known (a live turn's, tracked as it was spoken)."""
    audio = read_wav(path)
    return voice_features(audio.mono(), audio.sample_rate, pitch)


class ToneAnalyser:
    """Wraps a ``TurnAnalyser``: same analysis, plus ``tone`` when the turn was spoken.

    Live calls have no future turns, so the reference is the trainee's voice in this and the
    earlier turns (a running baseline); the scorer re-judges a finished call against all its turns
    (``rejudge_call``), and ``call_tone`` measures a recording's turns against all of them at once.
    One instance per call (the registry creates one per call).
    """

    def __init__(self, inner: TurnAnalyser, thresholds: ToneThresholds | None = None):
        self.inner = inner
        self.name = inner.name
        self.thresholds = thresholds or ToneThresholds()
        self.baseline = SpeakerBaseline()
        # the latest turn, until its fillers are in: the features and reference its tone was measured with
        self._measured: dict[int, tuple[VoiceFeatures, VoicePoint | None]] = {}

    def prepare(self, customer_line: str) -> None:
        prepare = getattr(self.inner, "prepare", None)
        if prepare is not None:
            prepare(customer_line)

    def analyse(self, turn: TurnInput) -> TurnAnalysis:
        analysis = self.inner.analyse(turn)
        if turn.audio_path is None or turn.silence:
            return analysis
        try:
            features = features_of_file(turn.audio_path, turn.pitch)
        except AudioFileError:
            return analysis  # unreadable audio: the words are still scored; tone stays unmeasured
        self.baseline = self.baseline.add(features)
        reference = self.baseline.reference()
        self._measured = {turn.turn_index: (features, reference)}  # only the latest turn awaits its fillers
        tone = measure_tone(turn.transcript, features, reference, self.thresholds)
        return replace(analysis, tone=tone)

    def reread(self, analysis: TurnAnalysis) -> TurnAnalysis:
        """The inner analyser's after-call reading, where it has one; the tone stays as measured."""
        if isinstance(self.inner, AfterCallReread):
            return replace(self.inner.reread(analysis), tone=analysis.tone)
        return analysis

    def recount_fillers(self, analysis: TurnAnalysis, transcript: Transcript) -> TurnAnalysis:
        """The turn's analysis with ``transcript`` (its words plus fillers counted later): the tone is
        measured again from the same voice features and reference, so only what the fillers change
        (their count and rate, the speaking rate) changes; the baseline is not fed twice."""
        measured = self._measured.pop(analysis.turn_index, None)
        if measured is None or analysis.tone is None:
            return replace(analysis, transcript=transcript)
        features, reference = measured
        return replace(analysis, transcript=transcript,
                       tone=measure_tone(transcript, features, reference, self.thresholds))


def with_tone(factory: Callable[..., TurnAnalyser], thresholds: ToneThresholds | None = None
              ) -> Callable[..., ToneAnalyser]:
    """An analyser factory whose analysers also measure tone (for the analyser registry); options
    (``after_call``) go to the inner analyser."""

    def create(scenario: Scenario | None, **options: bool) -> ToneAnalyser:
        chosen = thresholds
        if chosen is None and scenario is not None and scenario.rubric.tone:
            # the scenario's own overrides; the scorer applies the full project rubric afterwards (and the
            # loader reports bad keys or values with their line), so anything unusable is skipped here
            known = {k: v for k, v in scenario.rubric.tone.items() if k in ToneThresholds.model_fields}
            try:
                chosen = ToneThresholds.model_validate({**ToneThresholds().model_dump(), **known})
            except ValueError:
                chosen = None
        return ToneAnalyser(factory(scenario, **options), chosen)

    return create
