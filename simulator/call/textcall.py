"""Run a call with typed or scripted replies and present it: the trainer's dry run."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.analysis.base import TurnAnalyser
from simulator.call.session import (
    CallEnded,
    CallEvent,
    CallSession,
    CallSetup,
    CustomerSpoke,
    CustomerVoice,
    TraineeAnswered,
    TraineeInput,
)
from simulator.contracts import Speaker
from simulator.record import CallRecord
from simulator.scenario.loader import LoadedScenario, effective_rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.report import format_scorecard
from simulator.scoring.scorecard import Scorecard, scorecard_to_json
from simulator.scoring.wording import ENGLISH, Wording, wording_for


@dataclass(frozen=True)
class FinishedCall:
    record: CallRecord
    scorecard: Scorecard
    visited_nodes: frozenset[str] = frozenset()
    taken_transitions: frozenset[tuple[str, int]] = frozenset()
    words: Wording = ENGLISH  # the scorecard's language (the scenario's), to print it in


def new_call_folder(recordings_dir: Path | None, scenario_id: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if recordings_dir is None:
        return Path(tempfile.mkdtemp(prefix=f"callsim-{scenario_id}-"))
    return Path(recordings_dir) / f"{stamp}-{scenario_id}"


def run_call(loaded: LoadedScenario, analyser: TurnAnalyser, voice: CustomerVoice, trainee: TraineeInput,
             folder: Path, *, seed: int = 0, mode: str = "text",
             on_event: Callable[[CallEvent], None] | None = None, **session_options) -> FinishedCall:
    """``session_options``: the rest of ``CallSetup`` (trainee_name, drill, start_mood)."""
    session = CallSession(loaded, analyser, voice, trainee, folder, CallSetup(seed=seed, mode=mode, **session_options))
    record = None
    for event in session.run():
        if on_event is not None:
            on_event(event)
        if isinstance(event, CallEnded):
            record = event.record
    assert record is not None
    state = session.engine.state
    return FinishedCall(record, score_call(record, loaded.scenario, effective_rubric(loaded)),
                        frozenset(state.visited), frozenset(state.taken), wording_for(loaded.scenario.language))


def describe_event(event: CallEvent) -> str:
    """One or two human lines per event, for the terminal transcript."""
    if isinstance(event, CustomerSpoke):
        turn = event.turn
        change = f" ({turn.mood_delta:+d})" if turn.mood_delta else ""
        events = f"  [{', '.join(turn.events)}]" if turn.events else ""
        line = f"customer [mood {turn.mood:3d}{change}]: {turn.text}{events}"
        if turn.outcome is not None:
            line += f"\n--- call ended: {turn.outcome.value} ---"
        return line
    if isinstance(event, TraineeAnswered):
        analysis = event.analysis
        said = "(silence)" if analysis.silence else analysis.transcript.text
        notes = [f"empathy {analysis.empathy.level.name.lower()}"]
        if analysis.steps_hit:
            notes.append("steps " + ", ".join(analysis.step_ids))
        if analysis.forbidden:
            notes.append("FORBIDDEN " + ", ".join(analysis.forbidden_ids))
        return f"you: {said}\n     -> {'; '.join(notes)}"
    return ""


def describe_scorecard(card: Scorecard, words: Wording = ENGLISH) -> str:
    return format_scorecard(card, words=words)


def call_to_json(finished: FinishedCall) -> dict:
    record = finished.record
    turns = []
    for turn in record.turns:
        item: dict[str, Any] = {"speaker": turn.speaker.value, "text": turn.text,
                                "events": [e.value for e in turn.events]}
        if turn.speaker == Speaker.CUSTOMER:
            item.update(node=turn.node_id, mood=turn.mood, mood_delta=turn.mood_delta)
        elif turn.analysis is not None:
            analysis = turn.analysis
            item.update(silence=analysis.silence, empathy=analysis.empathy.level.name.lower(),
                        steps=list(analysis.step_ids), forbidden=list(analysis.forbidden_ids),
                        intents=list(analysis.intents))
        turns.append(item)
    return {
        "scenario": record.header.scenario_id,
        "scenario_sha256": record.header.scenario_sha256,
        "seed": record.header.seed,
        "analyser": record.header.analyser,
        "turns": turns,
        "outcome": record.outcome.value if record.outcome else None,
        "record": str(record.folder) if record.folder else None,
        "scores": scorecard_to_json(finished.scorecard),
    }


def print_finished_call(finished: FinishedCall, *, as_json: bool) -> None:
    """What ``callsim play`` prints when a call ends: the call as JSON, or the scorecard."""
    if as_json:
        print(json.dumps(call_to_json(finished), indent=2, ensure_ascii=False))
        return
    print()
    print(describe_scorecard(finished.scorecard, finished.words))
    print(f"\ncall recorded in {finished.record.folder}")
