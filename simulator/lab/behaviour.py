"""Kirkpatrick level 3 (behaviour): real calls a trainee took at work, scored like practice calls
and kept in the store (kind ``real``) so reports can show behaviour over time beside training.

A real call is either a callsim call folder (e.g. recorded with the headset on a live line) or a
WAV recording (stereo: one channel per side), turned into turns by ``simulator.qa.external``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from simulator.config import Settings
from simulator.record import CALL_FILE, CallMode, CallRecord, read_call
from simulator.scenario.loader import default_rubric, effective_rubric, load_scenario
from simulator.scoring.scorecard import Scorecard


def score_real_call(path: Path, settings: Settings, *, scenario: str | None = None, analyser: str | None = None,
                    agent_channel: int = 0) -> tuple[CallRecord, Scorecard]:
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
    if path.suffix.lower() != ".wav":
        raise ValueError(f"{path}: expected a call folder, call.jsonl or a .wav recording")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    from simulator.analysis.registry import builtin_analysers
    from simulator.asr.registry import transcriber_from_settings
    from simulator.qa.external import ExternalOptions, RecordingReaders, analyse_external
    from simulator.qa.importer import generic_scenario, vad_span_finder
    from simulator.wavfile import read_wav

    if scenario:
        loaded = load_scenario(settings.find_scenario(scenario))
        the_scenario, rubric, sha = loaded.scenario, effective_rubric(loaded), loaded.sha256
    else:
        the_scenario, sha = generic_scenario(), ""
        rubric = default_rubric(settings.scenarios_dir / "rubric.yaml")
    readers = RecordingReaders(vad_span_finder(), transcriber_from_settings(settings,
                                                                           language=str(the_scenario.language)),
                               builtin_analysers().create(analyser or settings.analyser, the_scenario))
    call = analyse_external(read_wav(path), readers, thresholds=rubric.tone, scenario_id=the_scenario.id,
                            scenario_sha256=sha, source=path.resolve(),
                            options=ExternalOptions(agent_channel=agent_channel))
    return call.record, score_call(call.record, the_scenario, rubric)


def dated(record: CallRecord, taken_on: str | None) -> CallRecord:
    """The record with the real call's own date (the day it was taken, not the day it was scored)."""
    if not taken_on:
        return record
    moment = datetime.fromisoformat(taken_on.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return replace(record, header=replace(record.header, started_at=stamp, mode=CallMode.IMPORTED), ended_at=stamp)
