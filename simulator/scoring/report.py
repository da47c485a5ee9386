"""The scorecard as plain text for the terminal (``callsim play --text``, ``callsim score``)."""

from __future__ import annotations

from simulator.contracts import ToneMeasures
from simulator.scoring.scorecard import Dimension, Scorecard, ScoreEvidence


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f" @{int(minutes)}:{rest:04.1f}"


def _evidence_line(item: ScoreEvidence) -> str:
    where = f"turn {item.turn_index}" if item.turn_index is not None else "call"
    quote = f" \"{item.quote}\"" if item.quote else ""
    points = f" ({item.weight:+.1f})" if item.weight else ""
    return f"      {where}{_clock(item.time_s)}: {item.detail}{quote}{points}"


def _voice_line(tone: ToneMeasures) -> str:
    parts = [tone.label.value]
    if tone.words_per_minute is not None:
        parts.append(f"{tone.words_per_minute:.0f} wpm")
    if tone.loudness_db is not None:
        rise = f" ({round(tone.level_rise_db):+d} dB on your usual)" if tone.level_rise_db is not None else ""
        parts.append(f"level {tone.loudness_db:.0f} dBFS{rise}")
    if tone.pitch_hz is not None:
        spread = f", range {tone.pitch_range_semitones:.0f} st" if tone.pitch_range_semitones is not None else ""
        parts.append(f"pitch {tone.pitch_hz:.0f} Hz{spread}")
    if tone.fillers:
        parts.append(f"{tone.fillers} filler(s)")
    return "; ".join(parts)


def _outcome(card: Scorecard) -> str:
    judged = card.judged_outcome
    if card.outcome is None and judged is not None:
        return f"{judged.outcome.value} (from the close: {judged.reason})"
    return str(card.outcome or "unfinished")


def _why_unscored(card: Scorecard, dimension: Dimension, evidence: tuple[ScoreEvidence, ...] = ()) -> str:
    said = [e.detail for e in evidence if e.rule.startswith("speakers.")]  # e.g. a mono call of both voices
    if said:
        return said[0]
    if not card.turns:
        return "no replies"
    if dimension == Dimension.EMPATHY and card.judged_outcome is not None:
        return "not judged: no customer on the recording"
    return {Dimension.TONE: "no audio", Dimension.COMPLIANCE: "no script steps"}.get(dimension, "not measured")


def format_scorecard(card: Scorecard, *, detailed: bool = False) -> str:
    # Scores are shown with the one decimal the scorers store them with: a rounded 99.5 would print
    # as 100/100 while the JSON and the store say 99.5.
    lines = [f"Scorecard: {card.overall:.1f}/100 (pass mark {card.pass_mark:.0f}) "
             f"{'PASSED' if card.passed else 'NOT PASSED'}; outcome: {_outcome(card)}"]
    for dim in card.dimensions:
        score = f"n/a ({_why_unscored(card, dim.dimension, dim.evidence)})" if dim.score is None else f"{dim.score:.1f}"
        verdict = "" if dim.passed is None else (" pass" if dim.passed else " below mark")
        judged = f"  (judged on turns {', '.join(map(str, dim.judged_turns))})" if detailed and dim.judged_turns else ""
        lines.append(f"  {dim.dimension.value:<11} {score}{verdict}{judged}")
        if detailed:
            lines.extend(_evidence_line(e) for e in dim.evidence if e.weight)
    hit = [s.step_id for s in card.steps if s.hit]
    missed = [s.step_id for s in card.steps_missed]
    lines.append(f"  steps hit: {', '.join(hit) or '-'}; missed: {', '.join(missed) or '-'}")
    for step in card.steps_out_of_order:
        lines.append(f"  out of order: {step.step_id} in turn {step.turn_index} ({step.order_problem})")
    for step in card.steps:
        if step.hit and not step.on_time:
            lines.append(f"  late: {step.step_id} in turn {step.turn_index} (due by turn {step.due_by_turn})")
    for violation in card.violations:
        if violation.phrase_id.startswith("card."):  # a broken knowledge card: the promise beside the card
            lines.append(f"  out of policy ({violation.severity}) turn {violation.turn_index}"
                         f"{_clock(violation.time_s)}: {violation.why}")
            continue
        lines.append(f"  forbidden ({violation.severity}) turn {violation.turn_index}{_clock(violation.time_s)}: "
                     f"\"{violation.quote}\"")
    if card.cards_opened:
        lines.append(f"  knowledge cards opened {card.cards_opened} time(s) (counted, not penalised)")
    voice = card.voice
    if voice.talk_ratio is not None or voice.mean_words_per_minute is not None:
        parts = []
        if voice.mean_words_per_minute is not None:
            parts.append(f"pace {voice.mean_words_per_minute:.0f} wpm")
        if voice.talk_ratio is not None:
            parts.append(f"you talked {voice.talk_ratio:.0%} of the time")
        if voice.longest_response_delay_s is not None:
            at = _clock(voice.longest_response_delay_at_s)
            parts.append(f"longest wait before answering {voice.longest_response_delay_s:.1f} s{at}")
        if voice.raised_voice_turns:
            parts.append(f"raised voice in turn(s) {', '.join(map(str, voice.raised_voice_turns))}")
        lines.append("  voice: " + "; ".join(parts))
    if detailed:
        for turn in card.turns:
            scores = " ".join(f"{name} {'-' if value is None else f'{value:.1f}'}" for name, value in
                              (("empathy", turn.empathy), ("compliance", turn.compliance), ("tone", turn.tone)))
            phase = f" [{turn.phase.value}]" if turn.phase is not None else ""
            lines.append(f"  turn {turn.turn_index}{_clock(turn.time_s)}{phase}: {scores}  \"{turn.text[:70]}\"")
            if turn.voice is not None:
                lines.append(f"      voice: {_voice_line(turn.voice)}")
    for reason in card.fail_reasons if not card.passed else ():
        lines.append(f"  not passed: {reason}")
    for tip in card.tips:
        lines.append(f"  tip: {tip}")
    return "\n".join(lines)
