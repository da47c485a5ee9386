"""The scorecard as plain text for the terminal (``callsim play --text``, ``callsim score``), in the
call's language (``words``: the scenario's catalogue, English by default)."""

from __future__ import annotations

from simulator.contracts import ToneMeasures
from simulator.scoring.scorecard import Dimension, Scorecard, ScoreEvidence
from simulator.scoring.wording import ENGLISH, Wording


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f" @{int(minutes)}:{rest:04.1f}"


def _evidence_line(item: ScoreEvidence, words: Wording) -> str:
    where = words.turn(item.turn_index) if item.turn_index is not None else words("report.call")
    quote = words("report.quote", quote=item.quote) if item.quote else ""
    points = words("report.points", points=item.weight) if item.weight else ""
    return words("report.evidence", where=where, clock=_clock(item.time_s), detail=item.detail, quote=quote,
                 points=points)


def _voice_line(tone: ToneMeasures, words: Wording) -> str:
    parts = [words(f"voice.{tone.label.value}")]
    if tone.words_per_minute is not None:
        parts.append(words("voice.pace", rate=tone.words_per_minute))
    if tone.loudness_db is not None:
        rise = (words("voice.rise", rise=round(tone.level_rise_db)) if tone.level_rise_db is not None else "")
        parts.append(words("voice.level", db=tone.loudness_db, rise=rise))
    if tone.pitch_hz is not None:
        spread = (words("voice.spread", semitones=tone.pitch_range_semitones)
                  if tone.pitch_range_semitones is not None else "")
        parts.append(words("voice.pitch", hz=tone.pitch_hz, spread=spread))
    if tone.fillers:
        parts.append(words("voice.fillers", count=tone.fillers))
    return words("notes.separator").join(parts)


def _outcome(card: Scorecard, words: Wording) -> str:
    judged = card.judged_outcome
    if card.outcome is None and judged is not None:
        return words("report.judged_outcome", outcome=words(f"status.{judged.outcome.value}"), reason=judged.reason)
    return words(f"status.{card.outcome.value if card.outcome else 'unfinished'}")


def _why_unscored(card: Scorecard, dimension: Dimension, evidence: tuple[ScoreEvidence, ...],
                  words: Wording) -> str:
    said = [e.detail for e in evidence if e.rule.startswith("speakers.")]  # e.g. a mono call of both voices
    if said:
        return said[0]
    if not card.turns:
        return words("report.no_replies")
    if dimension == Dimension.EMPATHY and card.judged_outcome is not None:
        return words("report.no_customer")
    return words({Dimension.TONE: "report.no_audio", Dimension.COMPLIANCE: "report.no_steps"}.get(
        dimension, "report.not_measured"))


def format_scorecard(card: Scorecard, *, detailed: bool = False, words: Wording = ENGLISH) -> str:
    # Scores are shown with the one decimal the scorers store them with: a rounded 99.5 would print
    # as 100/100 while the JSON and the store say 99.5.
    verdict = words("report.passed" if card.passed else "report.not_passed")
    lines = [words("report.head", overall=card.overall, mark=card.pass_mark, verdict=verdict,
                   outcome=_outcome(card, words))]
    for dim in card.dimensions:
        score = (words("report.unscored", why=_why_unscored(card, dim.dimension, dim.evidence, words))
                 if dim.score is None else f"{dim.score:.1f}")
        passed = ("" if dim.passed is None else words("report.no_mark") if not dim.pass_mark
                  else words("report.pass" if dim.passed else "report.below"))
        judged = (words("report.judged_on", turns=words.join(map(str, dim.judged_turns)))
                  if detailed and dim.judged_turns else "")
        lines.append(words("report.dimension", name=words(f"dimension.{dim.dimension.value}"), score=score,
                           verdict=passed, judged=judged))
        if detailed:
            lines.extend(_evidence_line(e, words) for e in dim.evidence if e.weight)
    none = words("report.none")
    hit = [s.step_id for s in card.steps if s.hit]
    missed = [s.step_id for s in card.steps_missed]
    lines.append(words("report.steps", hit=words.join(hit) or none, missed=words.join(missed) or none))
    for step in card.steps_out_of_order:
        lines.append(words("report.out_of_order", step=step.step_id, turn=words.turn(step.turn_index),
                           problem=step.order_problem))
    for step in card.steps:
        if step.hit and not step.on_time:
            lines.append(words("report.late", step=step.step_id, turn=words.turn(step.turn_index),
                               due=words.turn(step.due_by_turn)))
    for violation in card.violations:
        severity = words(f"severity.{violation.severity}")
        if violation.phrase_id.startswith("card."):  # a broken knowledge card: the promise beside the card
            lines.append(words("report.out_of_policy", severity=severity, turn=words.turn(violation.turn_index),
                               clock=_clock(violation.time_s), why=violation.why))
            continue
        lines.append(words("report.forbidden", severity=severity, turn=words.turn(violation.turn_index),
                           clock=_clock(violation.time_s), quote=violation.quote))
    if card.cards_opened:
        lines.append(words("report.cards", count=card.cards_opened))
    voice = card.voice
    if voice.talk_ratio is not None or voice.mean_words_per_minute is not None:
        parts = []
        if voice.mean_words_per_minute is not None:
            parts.append(words("report.pace", rate=voice.mean_words_per_minute))
        if voice.talk_ratio is not None:
            parts.append(words("report.talk_share", share=voice.talk_ratio))
        if voice.longest_response_delay_s is not None:
            at = _clock(voice.longest_response_delay_at_s)
            parts.append(words("report.longest_wait", seconds=voice.longest_response_delay_s, at=at))
        if voice.longest_unexplained_silence_s:
            parts.append(words("report.longest_silence", seconds=voice.longest_unexplained_silence_s))
        if voice.raised_voice_turns:
            parts.append(words("report.raised_turns", turns=words.join(map(str, voice.raised_voice_turns))))
        lines.append(words("report.voice", parts=words("notes.separator").join(parts)))
    if detailed:
        for turn in card.turns:
            scores = " ".join(words("report.turn_score", name=words(f"dimension.{name}"),
                                    score="-" if value is None else f"{value:.1f}")
                              for name, value in (("empathy", turn.empathy), ("compliance", turn.compliance),
                                                  ("tone", turn.tone)))
            phase = words("report.phase", phase=words(f"phase.{turn.phase.value}")) if turn.phase is not None else ""
            lines.append(words("report.turn", turn=words.turn(turn.turn_index), clock=_clock(turn.time_s),
                               phase=phase, scores=scores, text=turn.text[:70]))
            if turn.voice is not None:
                lines.append(words("report.turn_voice", line=_voice_line(turn.voice, words)))
    for reason in card.fail_reasons if not card.passed else ():
        lines.append(words("report.not_passed_reason", reason=reason))
    if card.verdict_hinges:
        lines.append(words("report.hinges"))
        lines.extend(_evidence_line(item, words) for item in card.verdict_hinges)
    for tip in card.tips:
        lines.append(words("report.tip", tip=tip))
    return "\n".join(lines)
