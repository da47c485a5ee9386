"""Tone and timing over a call, against the rubric's thresholds (``ToneThresholds``).

Each spoken turn starts at 100 and loses points for what a caller hears as poor delivery: a
raised or hostile voice, a pace outside the comfortable band, many fillers, a flat voice, dead
air before answering, talking over the customer.  The call's tone is the mean of its turns,
less a penalty when the trainee's share of the talking is outside the rubric's band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import fmean

from simulator.contracts import Speaker, ToneLabel
from simulator.record import CallRecord
from simulator.scenario.model import ToneThresholds
from simulator.scoring.scorecard import Dimension, ScoreEvidence, VoiceSummary
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import Wording
from simulator.text import normalise

T = Dimension.TONE
HOSTILE_POINTS = 45.0
RAISED_POINTS = 25.0
MONOTONE_POINTS = 10.0
OVERLAP_POINTS = 15.0
SILENT_TURN_POINTS = 40.0
TALK_RATIO_POINTS = 10.0


@dataclass(frozen=True, slots=True)
class ToneResult:
    score: float | None
    evidence: tuple[ScoreEvidence, ...]
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]]
    voice: VoiceSummary


def _words_span_s(turn: ScoredTurn, rate_wpm: float) -> float:
    """The time the turn's words span, as its rate was measured over (words over the rate)."""
    return 60.0 * len(normalise(turn.text).split()) / rate_wpm


def _dead_air_points(seconds: float, limit_s: float) -> float:
    """What a silence over its limit costs the turn: 10 points, 5 more a second, at most 30."""
    return min(30.0, 10.0 + 5.0 * (seconds - limit_s))


def _turn_tone(turn: ScoredTurn, limits: ToneThresholds, words: Wording,
               pace_from_s: float = 0.0) -> tuple[float, list[ScoreEvidence]]:
    analysis = turn.analysis
    tone = analysis.tone
    items: list[ScoreEvidence] = []
    if analysis.silence:
        items.append(turn.evidence(T, "tone.dead_air", "", words("tone.no_answer", seconds=analysis.silence_s),
                                   -SILENT_TURN_POINTS))
    if tone is not None:
        by_rule = {e.rule: e for e in tone.evidence}
        if tone.label == ToneLabel.ANGRY:
            cue = by_rule.get("tone.hostile")
            items.append(turn.evidence(T, "tone.hostile", cue.quote if cue else "",
                                       words.heard(cue, tone) if cue else words("tone.hostile"), -HOSTILE_POINTS,
                                       cue.start_s if cue else None))
        elif tone.raised_voice:
            cue = by_rule.get("tone.raised_voice")
            items.append(turn.evidence(T, "tone.raised_voice", cue.quote if cue else "",
                                       words.heard(cue, tone) if cue else words("tone.raised_voice"), -RAISED_POINTS,
                                       cue.start_s if cue else None))
        wpm = tone.words_per_minute  # Chinese text counts each character as a word
        band = limits.pace_band(turn.text)
        if wpm and _words_span_s(turn, wpm) >= pace_from_s and not band.low <= wpm <= band.high:
            distance = band.low - wpm if wpm < band.low else wpm - band.high
            side = "tone.too_slow" if wpm < band.low else "tone.too_fast"
            items.append(turn.evidence(T, "tone.pace", "", words(side, rate=wpm, unit=words(f"pace.unit.{band.unit}"),
                                                                band=words("pace.band", low=band.low, high=band.high)),
                                       -min(30.0, 10.0 + 0.5 * distance)))
        per_minute = tone.fillers_per_minute
        if per_minute is not None and tone.fillers and per_minute > limits.max_fillers_per_minute:
            items.append(turn.evidence(T, "tone.fillers", "", words("tone.fillers", count=tone.fillers, rate=per_minute,
                                                                    limit=limits.max_fillers_per_minute),
                                       -min(20.0, 5.0 + 2.0 * (per_minute - limits.max_fillers_per_minute))))
        pitch_range = tone.pitch_range_semitones
        if pitch_range is not None and pitch_range < limits.min_pitch_range_semitones:
            items.append(turn.evidence(T, "tone.monotone", "", words("tone.monotone", range=pitch_range),
                                       -MONOTONE_POINTS))
    delay = analysis.timing.response_delay_s
    if delay is not None and delay > limits.dead_air_s and not analysis.silence:
        items.append(turn.evidence(T, "tone.dead_air", "", words("tone.dead_air", delay=delay, limit=limits.dead_air_s),
                                   -_dead_air_points(delay, limits.dead_air_s)))
    silence = analysis.timing.unexplained_silence_s
    if silence is not None and silence > limits.unexplained_silence_s:
        items.append(turn.evidence(T, "tone.dead_air", "", words("tone.unexplained_silence", seconds=silence,
                                                                 limit=limits.unexplained_silence_s),
                                   -_dead_air_points(silence, limits.unexplained_silence_s)))
    overlap = analysis.timing.overlap_s
    if analysis.interrupted_customer or overlap > limits.max_overlap_s:
        detail = words("tone.overlap_for", seconds=overlap) if overlap else words("tone.overlap")
        items.append(turn.evidence(T, "tone.overlap", "", detail, -OVERLAP_POINTS))
    return round(max(0.0, 100.0 + sum(e.weight for e in items)), 1), items


def _talk_times(record: CallRecord | None, turns: Sequence[ScoredTurn]) -> tuple[float | None, float | None]:
    # both sides measured the same way (turn start to end) so the ratio compares like with like
    trainee = 0.0
    for turn in turns:
        tone = turn.analysis.tone
        if turn.record is not None and turn.record.start_s is not None and turn.record.end_s is not None:
            trainee += max(0.0, turn.record.end_s - turn.record.start_s)
        elif tone is not None and tone.speech_s is not None:
            trainee += tone.speech_s
    customer = 0.0
    if record is not None:
        for item in record.turns:
            if item.speaker == Speaker.CUSTOMER and item.start_s is not None and item.end_s is not None:
                customer += max(0.0, item.end_s - item.start_s)
    return (round(trainee, 2) if trainee else None), (round(customer, 2) if customer else None)


def call_pace_wpm(turns: Sequence[ScoredTurn]) -> float | None:
    """The trainee's pace over the call, as contact centres measure it: all words over all talk time,
    a turn's talk time running from its first word to its last (pauses inside a turn count; the
    silences between turns do not).  Each turn's own rate is measured the same way, so this is the
    word-weighted harmonic mean of the turns' rates: a two-word "bye-bye" does not move it."""
    words = 0
    minutes = 0.0
    for turn in turns:
        tone = turn.analysis.tone
        if tone is None or not tone.words_per_minute:
            continue
        count = len(normalise(turn.text).split())
        words += count
        minutes += count / tone.words_per_minute
    return round(words / minutes, 1) if minutes else None


def _wait_began_s(turn: ScoredTurn | None) -> float | None:
    if turn is None or turn.start_s is None or turn.analysis.timing.response_delay_s is None:
        return None
    if turn.analysis.timing.waited_from_s is not None:
        return turn.analysis.timing.waited_from_s
    return round(turn.start_s - turn.analysis.timing.response_delay_s, 2)


def score_tone(record: CallRecord | None, turns: Sequence[ScoredTurn], limits: ToneThresholds, *,
               words: Wording, pace_from_s: float = 0.0) -> ToneResult:
    """``pace_from_s``: a turn's pace is judged only when its words span at least this long (recorded calls)."""
    voiced = any(t.analysis.tone is not None for t in turns)
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]] = {}
    evidence: list[ScoreEvidence] = []
    scores = []
    for turn in turns:
        if not voiced and turn.analysis.timing.response_delay_s is None:
            per_turn[turn.index] = (None, ())
            continue
        score, items = _turn_tone(turn, limits, words, pace_from_s)
        per_turn[turn.index] = (score, tuple(items))
        evidence.extend(items)
        scores.append(score)
    trainee_s, customer_s = _talk_times(record, turns)
    ratio = round(trainee_s / (trainee_s + customer_s), 3) if trainee_s and customer_s else None
    measured = [t.analysis.tone for t in turns if t.analysis.tone is not None]
    pace = call_pace_wpm(turns)
    speech_s = sum(m.speech_s or 0.0 for m in measured)
    delays = [t.analysis.timing.response_delay_s for t in turns if t.analysis.timing.response_delay_s is not None]
    longest = max((t for t in turns if t.analysis.timing.response_delay_s is not None),
                  key=lambda t: t.analysis.timing.response_delay_s or 0.0, default=None)
    voice = VoiceSummary(
        trainee_talk_s=trainee_s, customer_talk_s=customer_s, talk_ratio=ratio,
        mean_words_per_minute=pace,
        fillers_per_minute=round(60.0 * sum(m.fillers for m in measured) / speech_s, 1) if speech_s >= 1 else None,
        dead_air_turns=tuple(t.index for t in turns if t.analysis.silence or (
            t.analysis.timing.response_delay_s or 0.0) > limits.dead_air_s or (
            t.analysis.timing.unexplained_silence_s or 0.0) > limits.unexplained_silence_s),
        longest_unexplained_silence_s=max((s for t in turns if (s := t.analysis.timing.unexplained_silence_s)
                                           is not None), default=None),
        longest_response_delay_s=round(max(delays), 2) if delays else None,
        longest_response_delay_at_s=_wait_began_s(longest),
        overlap_s=round(sum(t.analysis.timing.overlap_s for t in turns), 2),
        interruptions=sum(t.analysis.interrupted_customer for t in turns),
        raised_voice_turns=tuple(t.index for t in turns if t.analysis.tone and t.analysis.tone.raised_voice),
    )
    if not scores:
        return ToneResult(None, (), per_turn, voice)
    score = fmean(scores)
    # at call level a turn's penalty is shared by all scored turns
    evidence = [replace(e, weight=round(e.weight / len(scores), 2)) for e in evidence]
    if ratio is not None and not limits.min_talk_ratio <= ratio <= limits.max_talk_ratio:
        side = "tone.talk_most" if ratio > limits.max_talk_ratio else "tone.talk_little"
        evidence.append(ScoreEvidence("tone.talk_ratio", "", words(side, ratio=ratio, low=limits.min_talk_ratio,
                                                                   high=limits.max_talk_ratio),
                                      None, -TALK_RATIO_POINTS, None, None, T))
        score -= TALK_RATIO_POINTS
    return ToneResult(round(max(0.0, score), 1), tuple(evidence), per_turn, voice)
