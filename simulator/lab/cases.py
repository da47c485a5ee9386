"""Review playlists for a team meeting: the cases in order, each with the moments to discuss (the
lowest-scoring trainee turns, the turns with findings, and the turns a trainer wrote a note on),
anonymised for sharing, as JSON, Markdown or HTML.

Everything here works on copies: the store's calls, turns and notes are read, never written.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

from simulator.contracts import Speaker
from simulator.lab.anonymise import Anonymiser, letter_labels
from simulator.record import CallRecord, now_iso
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import load_scenario, scenario_files
from simulator.scoring.scorecard import Scorecard, TurnScore
from simulator.store.coaching import CaseInfo, CaseKind, Playlist

LOWEST_TURNS = 2  # the weakest turns of each case that are always shown, findings and notes aside
CUSTOMER_LABEL = "Customer"


@dataclass(frozen=True, slots=True)
class Moment:
    """One trainee turn worth discussing, with why it was picked."""

    turn_index: int  # the trainee turn, 1-based as on the scorecard
    time_s: float | None
    customer_said: str
    trainee_said: str
    score: float | None  # the mean of the turn's empathy, compliance and tone scores that apply
    reasons: tuple[str, ...]  # "lowest score", "finding: ...", "trainer's note"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaylistCase:
    position: int  # 1-based meeting order
    call_id: str
    kind: CaseKind
    tags: tuple[str, ...]
    summary: str
    trainee: str  # a label ("Trainee A") when anonymised
    scenario_id: str
    call_kind: str
    overall: float | None
    passed: bool | None
    moments: tuple[Moment, ...]
    call_notes: tuple[str, ...] = ()  # trainers' notes about the whole call


@dataclass(frozen=True, slots=True)
class MeetingPlaylist:
    name: str
    title: str
    team: str | None
    generated_at: str
    anonymised: bool
    cases: tuple[PlaylistCase, ...] = field(default_factory=tuple)


def turn_score(turn: TurnScore) -> float | None:
    scores = [s for s in (turn.empathy, turn.compliance, turn.tone) if s is not None]
    return round(fmean(scores), 1) if scores else None


def customer_lines(record: CallRecord) -> dict[int, str]:
    """What the customer said just before each analysed trainee turn (by the analysis's turn index)."""
    before: dict[int, str] = {}
    last = ""
    for turn in record.turns:
        if turn.speaker == Speaker.CUSTOMER:
            last = turn.text
        elif turn.analysis is not None:
            before[turn.analysis.turn_index] = last
    return before


def findings_by_turn(card: Scorecard) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for violation in card.violations:
        found.setdefault(violation.turn_index, []).append(
            f"finding ({violation.severity}): {violation.why or violation.phrase_id}")
    for step in card.steps:
        if step.hit and step.turn_index is not None and step.order_problem:
            found.setdefault(step.turn_index, []).append(
                f"step out of order: {step.description} ({step.order_problem})")
    return found


def moments(case: CaseInfo, record: CallRecord, card: Scorecard | None,
            lowest: int = LOWEST_TURNS) -> tuple[Moment, ...]:
    """The turns to discuss, in call order: the ``lowest`` weakest, those with findings, those with notes."""
    if card is None:
        return ()
    notes: dict[int, list[str]] = {}
    for note in case.notes:
        if note.turn_index is not None:
            notes.setdefault(note.turn_index, []).append(note.note)
    findings = findings_by_turn(card)
    scored = [t for t in card.turns if turn_score(t) is not None]
    weakest = {t.turn_index for t in sorted(scored, key=lambda t: (turn_score(t), t.turn_index))[:lowest]}
    before = customer_lines(record)
    picked = []
    for turn in card.turns:
        reasons = ([f"lowest score {turn_score(turn):.0f}"] if turn.turn_index in weakest else [])
        reasons += findings.get(turn.turn_index, [])
        reasons += ["trainer's note"] if turn.turn_index in notes else []
        if reasons:
            picked.append(Moment(turn.turn_index, turn.time_s, before.get(turn.turn_index, ""), turn.text,
                                 turn_score(turn), tuple(reasons), tuple(notes.get(turn.turn_index, ()))))
    known = {t.turn_index for t in card.turns}
    for turn_index in sorted(set(notes) - known):  # a note on a turn the scorecard has no score for
        picked.append(Moment(turn_index, None, before.get(turn_index, ""), "", None, ("trainer's note",),
                             tuple(notes[turn_index])))
    return tuple(sorted(picked, key=lambda m: m.turn_index))


def persona_names(scenarios_dir: Path, scenario_ids: Iterable[str]) -> list[str]:
    """The customers' names in the scenarios the cases were played on (files that do not load are skipped)."""
    wanted = set(scenario_ids)
    names = []
    for path in scenario_files([Path(scenarios_dir)]):
        try:
            scenario = load_scenario(path).scenario
        except (FileProblems, OSError):
            continue
        if scenario.id in wanted:
            names.append(str(scenario.persona.name))
    return names


def anonymiser_for(cases: Sequence[CaseInfo], roster: Iterable[str], customers: Iterable[str],
                   extra_names: Iterable[str] = ()) -> tuple[Anonymiser, dict[str, str]]:
    """Labels for everyone who could be named: the cases' trainees first (Trainee A, B... in meeting
    order), then the rest of the roster, the customers, and any extra names the trainer gave."""
    people = letter_labels([*(c.trainee for c in cases if c.trainee), *sorted(roster)], "Trainee")
    labels = {**people, **dict.fromkeys(customers, CUSTOMER_LABEL),
              **letter_labels(extra_names, "Person")}
    return Anonymiser(labels), people


def build_playlist(store: Any, playlist: Playlist, scenarios_dir: Path, *, anonymise: bool = True,
                   extra_names: Iterable[str] = ()) -> MeetingPlaylist:
    """The meeting's cases in the playlist's order with their moments, anonymised unless told not to."""
    cases = [store.get_case(call_id) for call_id in playlist.call_ids]
    stored = [store.get_call(call_id) for call_id in playlist.call_ids]
    hide: Callable[[str], str] = str
    people: dict[str, str] = {}
    if anonymise:
        roster = [p.name for p in store.list_trainees()]
        hide, people = anonymiser_for(cases, roster, persona_names(scenarios_dir, {c.scenario_id for c in cases}),
                                      extra_names)
    items = []
    for position, (case, call) in enumerate(zip(cases, stored, strict=True), start=1):
        shown = tuple(_hidden(m, hide) for m in moments(case, call.record, call.scorecard))
        trainee = case.trainee or "-"
        items.append(PlaylistCase(
            position, case.call_id, case.kind, case.tags, hide(case.summary),
            people.get(trainee, trainee) if anonymise else trainee, case.scenario_id, case.call_kind.value,
            case.overall, case.passed, shown, tuple(hide(n.note) for n in case.notes if n.turn_index is None)))
    return MeetingPlaylist(playlist.name, hide(playlist.title), playlist.team, now_iso(), anonymise, tuple(items))


def _hidden(moment: Moment, hide: Callable[[str], str]) -> Moment:
    return Moment(moment.turn_index, moment.time_s, hide(moment.customer_said), hide(moment.trainee_said),
                  moment.score, tuple(hide(r) for r in moment.reasons), tuple(hide(n) for n in moment.notes))


# -- output ----------------------------------------------------------------------------------------
def playlist_to_json(playlist: MeetingPlaylist) -> dict[str, Any]:
    return {
        "name": playlist.name, "title": playlist.title, "team": playlist.team, "generated_at": playlist.generated_at,
        "anonymised": playlist.anonymised,
        "cases": [{
            "position": c.position, "call_id": c.call_id, "kind": c.kind.value, "tags": list(c.tags),
            "summary": c.summary, "trainee": c.trainee, "scenario": c.scenario_id, "call_kind": c.call_kind,
            "overall": c.overall, "passed": c.passed, "call_notes": list(c.call_notes),
            "moments": [{"turn": m.turn_index, "time_s": m.time_s, "customer_said": m.customer_said,
                         "trainee_said": m.trainee_said, "score": m.score, "reasons": list(m.reasons),
                         "notes": list(m.notes)} for m in c.moments]}
            for c in playlist.cases]}


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f" at {minutes:02d}:{rest:02d}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _verdict(case: PlaylistCase) -> str:
    return "passed" if case.passed else ("not passed" if case.passed is False else "not scored")


def playlist_to_markdown(playlist: MeetingPlaylist) -> str:
    lines = [f"# {playlist.title}", ""]
    lines.append(f"{len(playlist.cases)} case(s)" + (f" for team {playlist.team}" if playlist.team else "")
                 + (". Names, numbers and emails are anonymised." if playlist.anonymised else "."))
    for case in playlist.cases:
        lines += ["", f"## {case.position}. {case.kind.value.capitalize()}: {case.scenario_id} ({case.trainee})", ""]
        lines.append(f"{_score(case.overall)}/100, {_verdict(case)}; {case.call_kind} call {case.call_id[:8]}"
                     + (f"; tags: {', '.join(case.tags)}" if case.tags else ""))
        if case.summary:
            lines += ["", f"> {case.summary}"]
        lines += [f"- Note: {note}" for note in case.call_notes]
        if not case.moments:
            lines += ["", "_No turn-level moments (the call has no scored turns)._"]
        for moment in case.moments:
            lines += ["", f"### Turn {moment.turn_index}{_clock(moment.time_s)} (score {_score(moment.score)})", ""]
            if moment.customer_said:
                lines.append(f"- Customer: \"{moment.customer_said}\"")
            lines.append(f"- Trainee: \"{moment.trainee_said}\"")
            lines.append(f"- Why: {'; '.join(moment.reasons)}")
            lines += [f"- Trainer: {note}" for note in moment.notes]
    return "\n".join(lines) + "\n"


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
          ".case{border-top:2px solid #ccc;margin-top:1.5rem}.exemplary h2{color:#1a7f37}"
          ".cautionary h2{color:#b35900}blockquote{border-left:4px solid #ddd;margin:0;padding-left:1rem}"
          ".moment{margin:.8rem 0;padding:.4rem .8rem;background:#f6f6f6}.why{color:#555}.note{color:#0b57d0}")


def playlist_to_html(playlist: MeetingPlaylist) -> str:
    """One self-contained page (inline CSS, no scripts) to show on the meeting-room screen."""
    e = html.escape
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(playlist.title)}</title>",
             f"<style>{_STYLE}</style><h1>{e(playlist.title)}</h1>",
             f"<p>{len(playlist.cases)} case(s)" + (f" for team {e(playlist.team)}" if playlist.team else "")
             + (". Names, numbers and emails are anonymised." if playlist.anonymised else ".") + "</p>"]
    for case in playlist.cases:
        parts.append(f"<section class='case {case.kind.value}'><h2>{case.position}. "
                     f"{e(case.kind.value.capitalize())}: {e(case.scenario_id)} ({e(case.trainee)})</h2>")
        parts.append(f"<p>{_score(case.overall)}/100, {_verdict(case)}; {e(case.call_kind)} call "
                     f"{e(case.call_id[:8])}" + (f"; tags: {e(', '.join(case.tags))}" if case.tags else "") + "</p>")
        if case.summary:
            parts.append(f"<blockquote>{e(case.summary)}</blockquote>")
        parts += [f"<p class=note>Note: {e(note)}</p>" for note in case.call_notes]
        for moment in case.moments:
            parts.append(f"<div class=moment><h3>Turn {moment.turn_index}{_clock(moment.time_s)} "
                         f"(score {_score(moment.score)})</h3>")
            if moment.customer_said:
                parts.append(f"<p><b>Customer:</b> {e(moment.customer_said)}</p>")
            parts.append(f"<p><b>Trainee:</b> {e(moment.trainee_said)}</p>")
            parts.append(f"<p class=why>Why: {e('; '.join(moment.reasons))}</p>")
            parts += [f"<p class=note>Trainer: {e(note)}</p>" for note in moment.notes]
            parts.append("</div>")
        parts.append("</section>")
    return "".join(parts) + "</html>\n"
