"""Kirkpatrick level 3 (behaviour): real calls a trainee took at work, scored like practice calls
and kept in the store (kind ``real``) so reports can show behaviour over time beside training.

A real call is either a callsim call folder (e.g. recorded with the headset on a live line) or a
recording in any format ``callsim score`` reads (stereo: one channel per side; mono: split by voice),
turned into turns by ``simulator.qa.importer``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from simulator.config import Settings
from simulator.record import CALL_FILE, CallMode, CallRecord, read_call
from simulator.scenario.loader import effective_rubric, load_scenario
from simulator.scoring.scorecard import Scorecard


def score_real_call(path: Path, settings: Settings, *, scenario: str | None = None, analyser: str | None = None,
                    agent_channel: int = 0, language: str = "en") -> tuple[CallRecord, Scorecard]:
    from simulator.scoring.call_scorer import score_call

    path = Path(path)
    if path.is_dir() or path.suffix == ".jsonl":
        if path.is_dir() and not (path / CALL_FILE).is_file():
            raise FileNotFoundError(f"{path}: no {CALL_FILE} in this folder (not a callsim call folder)")
        from simulator.scoring.recorded import fill_missing_tone

        record = read_call(path)
        loaded = load_scenario(settings.find_scenario(scenario or record.header.scenario_id))
        rubric = effective_rubric(loaded)
        record = fill_missing_tone(record, rubric.tone)
        return record, score_call(record, loaded.scenario, rubric)
    # a recording: read and scored exactly as ``callsim score`` does (any format PyAV reads, a silent
    # channel, a mono call split by voice), so a call stored here gets the same scorecard as one scored there
    from simulator.qa.importer import RecordingOptions, RecordingScorer, critical_library_steps, required_library_steps

    scenario_path = settings.find_scenario(scenario) if scenario else None
    options = RecordingOptions(scenario_path, analyser, agent_channel,
                               required_steps=() if scenario else required_library_steps(settings),
                               critical_steps=() if scenario else critical_library_steps(settings),
                               library_language=language)
    scored = RecordingScorer(settings, options).score(path)
    return scored.record, scored.scorecard


def dated(record: CallRecord, taken_on: str | None) -> CallRecord:
    """The record with the real call's own date (the day it was taken, not the day it was scored)."""
    if not taken_on:
        return record
    moment = datetime.fromisoformat(taken_on.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return replace(record, header=replace(record.header, started_at=stamp, mode=CallMode.IMPORTED), ended_at=stamp)
