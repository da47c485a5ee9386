"""The star-level exam: the level's fixed scenarios with its fixed seed, no hints during the calls.

Passing every exam call with at least the exam's ``min_overall`` certifies the level (stored with
the exam's call ids, so a certificate is traceable to its scorecards).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.call.cards_desk import refuse_in_exam
from simulator.call.session import CallEvent, CustomerSpoke, CustomerVoice, TraineeInput
from simulator.call.text_io import ScriptedReplies, SilentVoice, TypedReplies, read_reply_file
from simulator.call.textcall import new_call_folder, run_call
from simulator.config import Settings
from simulator.lab.ladder import Ladder
from simulator.scenario.loader import load_scenario
from simulator.store.types import CallKind, Certification, StoreError

if TYPE_CHECKING:
    from simulator.store.mirror import CallMirror
    from simulator.store.sql import SqlStore


@dataclass(frozen=True, slots=True)
class ExamCall:
    scenario_id: str
    call_id: str
    overall: float
    passed: bool  # passed the scenario and reached the exam's min_overall


@dataclass(frozen=True, slots=True)
class ExamResult:
    trainee: str
    stars: int
    calls: tuple[ExamCall, ...]
    certification: Certification | None

    @property
    def passed(self) -> bool:
        return self.certification is not None


@dataclass(frozen=True, slots=True)
class ExamOptions:
    """How an exam's calls are taken and kept: the trainee's replies typed, from reply files
    (``replies_dir/<scenario>.txt``) or ``voiced`` (the headset, or recorded replies
    ``mic_from/<scenario>/*.wav`` at ``mic_pace``); the analyser; where the recordings go."""

    team: str | None = None
    replies_dir: Path | None = None
    voiced: bool = False
    mic_from: Path | None = None
    mic_pace: str | None = None  # with mic_from: "realtime" (default) or "fast"
    analyser: str | None = None  # None: the settings' analyser
    record_to: Path | None = None  # None: the settings' recordings folder


def no_hints(event: CallEvent) -> str | None:
    """What an exam shows during a call: the customer's words only (no mood, steps or empathy)."""
    if isinstance(event, CustomerSpoke):
        return f"customer: {event.turn.text}"
    return None


def _exam_events(mirror: CallMirror, show: Callable[[str], None]) -> Callable[[CallEvent], None]:
    """One exam call's events: each into that call's mirror, shown without hints."""

    def on_event(event: CallEvent) -> None:
        mirror(event)
        line = no_hints(event)
        if line:
            show(line)

    return on_event


def run_exam(ladder: Ladder, stars: int, settings: Settings, store: SqlStore, trainee: str,
             options: ExamOptions = ExamOptions(), *, show: Callable[[str], None] = print,
             read_line: Callable[[str], str] = input) -> ExamResult:
    """Play the level's exam calls as ``options`` say (typed replies come from ``read_line``)."""
    from simulator.analysis.registry import builtin_analysers
    from simulator.store.mirror import CallMirror

    level = ladder.level(stars)
    if level is None or level.exam is None:
        raise StoreError(f"the ladder has no exam for {stars} star(s)")
    exam = level.exam
    # Every scenario and reply file is read before the first call: a bad one found after a call was
    # played left a failed exam call stored for nothing.
    scenarios = {scenario_id: load_scenario(settings.scenarios_dir / f"{scenario_id}.yaml")
                 for scenario_id in exam.scenarios}
    scripted = {} if options.voiced or options.replies_dir is None else {
        scenario_id: read_reply_file(Path(options.replies_dir) / f"{scenario_id}.txt")
        for scenario_id in exam.scenarios}
    calls = []
    for scenario_id in exam.scenarios:
        loaded = scenarios[scenario_id]
        turn_analyser = builtin_analysers().create(options.analyser or settings.analyser, loaded.scenario)
        folder = new_call_folder(options.record_to or settings.recordings_dir, scenario_id)
        voiced_call = None
        voice: CustomerVoice
        trainee_input: TraineeInput
        if options.voiced:
            from simulator.lab.drill_run import open_voiced

            replies = None if options.mic_from is None else Path(options.mic_from) / scenario_id
            voiced_call = open_voiced(loaded, settings, folder, turn_analyser, mic_from=replies,
                                      mic_pace=options.mic_pace)
            voice, trainee_input, mode = voiced_call, voiced_call, "voice"
        elif options.replies_dir is not None:
            voice, mode = SilentVoice(), "text"
            trainee_input = ScriptedReplies(scripted[scenario_id])
        else:
            voice, mode = SilentVoice(), "text"
            trainee_input = TypedReplies(read_line, open_cards=refuse_in_exam, show=show)
        mirror = CallMirror(store, folder, trainee=trainee, team=options.team, kind=CallKind.EXAM)
        show(f"\n=== exam call: {loaded.scenario.title} ===")
        try:
            finished = run_call(loaded, turn_analyser, voice, trainee_input, folder, seed=exam.seed, mode=mode,
                                on_event=_exam_events(mirror, show), trainee_name=trainee)
        finally:
            if voiced_call is not None:
                voiced_call.close()
        call_id = mirror.finish(finished.record, finished.scorecard)
        card = finished.scorecard
        calls.append(ExamCall(scenario_id, call_id, card.overall, card.passed and card.overall >= exam.min_overall))
    certification = None
    if all(call.passed for call in calls):
        certification = store.certify(trainee, stars, [call.call_id for call in calls])
    return ExamResult(trainee, stars, tuple(calls), certification)
