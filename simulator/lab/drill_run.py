"""Run a stress drill: its stages back to back, in text mode or voiced, kept in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Protocol

from simulator.call.session import CustomerVoice, TraineeInput
from simulator.call.text_io import SilentVoice
from simulator.call.textcall import FinishedCall, new_call_folder, run_call
from simulator.lab.drills import (
    Drill,
    DrillResult,
    DrillStage,
    PressuredReplies,
    StageConditions,
    StagePressure,
    StageResult,
    drill_result_to_json,
    failures_in_a_row,
    pause_offer,
    read_stage_replies,
    stage_reply_file,
    staged,
    summarise,
)
from simulator.record import CallEvent, now_iso
from simulator.scenario.loader import LoadedScenario, load_scenario
from simulator.store.types import CallKind

if TYPE_CHECKING:
    from simulator.analysis.base import TurnAnalyser
    from simulator.config import Settings
    from simulator.scenario.model import Noise
    from simulator.store.mirror import CallMirror
    from simulator.store.sql import SqlStore


@dataclass(frozen=True)
class DrillOptions:
    trainee: str | None = None
    team: str | None = None
    replies_dir: Path | None = None  # text mode from reply files; None and not voiced: typed replies
    voiced: bool = False
    analyser: str | None = None
    record_to: Path | None = None
    keep_going: bool = False  # never pause (non-interactive runs that must finish)
    mic_from: Path | None = None  # voiced: recorded replies per stage, DIR/<n>-<scenario>/ or DIR/<n>/
    mic_pace: str | None = None  # voiced with mic_from: "realtime" (default) or "fast"


class StageCall(CustomerVoice, TraineeInput, Protocol):
    """A voiced stage: speaks the customer, hears the trainee, and holds audio devices until closed."""

    def close(self) -> None: ...


VoiceFactory = Callable[["LoadedScenario", "Settings", Path, DrillStage, "TurnAnalyser", Path | None, str | None],
                        StageCall]


@dataclass(frozen=True)
class _StageInput:
    voice: CustomerVoice
    trainee: TraineeInput
    mode: str  # "text" or "voice", as the call record names it
    voiced_call: StageCall | None  # closed when the stage ends


def _ignore_event(event: CallEvent) -> None:
    pass


@dataclass(frozen=True)
class TraineeSide:
    """How a drill reaches the trainee: events and notices out, typed lines or a voiced call in.

    ``offer_pause(failures)`` returns True to stop; None: a run from reply files takes the pause
    (unless ``keep_going``) and a typed run asks on ``read_line``.  ``voice_factory(loaded,
    settings, folder, stage, analyser, mic_from, mic_pace)`` opens a voiced stage call; None:
    ``open_voiced_call`` with the stage's noise and time limit.
    """
    show: Callable[[CallEvent], None] = _ignore_event
    announce: Callable[[str], None] = print
    read_line: Callable[[str], str] = input
    offer_pause: Callable[[int], bool] | None = None
    voice_factory: VoiceFactory | None = None


@dataclass(frozen=True)
class _StagePlayer:
    """Everything a stage needs that stays the same across the drill's stages."""
    drill: Drill
    settings: Settings
    store: SqlStore | None
    options: DrillOptions
    trainee_side: TraineeSide

    def play(self, number: int, stage: DrillStage) -> StageResult:
        from simulator.analysis.registry import builtin_analysers

        loaded = staged(load_scenario(self.settings.scenarios_dir / f"{stage.scenario}.yaml"), stage)
        analyser = builtin_analysers().create(self.options.analyser or self.settings.analyser, loaded.scenario)
        folder = new_call_folder(self.options.record_to or self.settings.recordings_dir, loaded.scenario.id)
        conditions = StageConditions.of(loaded, stage)
        self.trainee_side.announce(f"\n=== stage {number}/{len(self.drill.stages)}: {loaded.scenario.title} "
                      f"({conditions.describe()}) ===")
        stage_input = self._open_input(number, stage, loaded, analyser, folder)
        mirror = self._mirror(folder)
        try:
            finished = run_call(loaded, analyser, stage_input.voice, stage_input.trainee, folder, seed=stage.seed,
                                mode=stage_input.mode, on_event=self._on_event(mirror), drill=self.drill.id,
                                start_mood=stage.start_mood, trainee_name=self.options.trainee)
        finally:
            if stage_input.voiced_call is not None:
                stage_input.voiced_call.close()
        call_id = mirror.finish(finished.record, finished.scorecard) if mirror is not None else None
        card = finished.scorecard
        outcome = finished.record.outcome.value if finished.record.outcome else None
        return StageResult(number, stage.scenario, call_id, card.overall, card.passed, outcome, conditions,
                           _pressure(finished, stage_input.trainee))

    def _open_input(self, number: int, stage: DrillStage, loaded: LoadedScenario, analyser: TurnAnalyser,
                    folder: Path) -> _StageInput:
        if self.options.voiced:
            open_call = self.trainee_side.voice_factory or _open_voiced
            call = open_call(loaded, self.settings, folder, stage, analyser, _stage_mic(self.options, number, stage),
                             self.options.mic_pace)
            return _StageInput(call, call, "voice", call)
        scripted = None
        if self.options.replies_dir is not None:
            scripted = read_stage_replies(stage_reply_file(self.options.replies_dir, number, stage))
        replies = PressuredReplies(stage, scripted, read_line=self.trainee_side.read_line)
        return _StageInput(SilentVoice(), replies, "text", None)

    def _mirror(self, folder: Path) -> CallMirror | None:
        """Each turn into the store as it happens, when the drill is someone's."""
        if self.store is None or not self.options.trainee:
            return None
        from simulator.store.mirror import CallMirror

        return CallMirror(self.store, folder, trainee=self.options.trainee, team=self.options.team,
                          kind=CallKind.DRILL)

    def _on_event(self, mirror: CallMirror | None) -> Callable[[CallEvent], None]:
        def on_event(event: CallEvent) -> None:
            if mirror is not None:
                mirror(event)
            self.trainee_side.show(event)
        return on_event


def _pressure(finished: FinishedCall, trainee: TraineeInput) -> StagePressure:
    delays = [a.timing.response_delay_s for a in finished.record.analyses if a.timing.response_delay_s is not None]
    mean_delay = round(fmean(delays), 2) if delays else None
    if isinstance(trainee, PressuredReplies):
        return StagePressure(mean_delay, trainee.too_slow, trainee.cut_in)
    return StagePressure(mean_delay, 0, 0)  # voiced: the audio side applies the limit and the cut-ins


def _baseline(store: SqlStore | None, trainee: str | None) -> float | None:
    if store is None or not trainee:
        return None
    scores = [a.overall for a in store.attempts(trainee, kind=CallKind.TRAINING, finished_only=True)
              if a.overall is not None]
    return fmean(scores) if scores else None


def _stage_verdict(result: StageResult) -> str:
    # the same one decimal the stage is stored with, so the line and the JSON agree
    return f"stage {result.number}: {result.overall:.1f}/100 {'passed' if result.passed else 'not passed'}"


def run_drill(drill: Drill, settings: Settings, store: SqlStore | None, options: DrillOptions,
              trainee_side: TraineeSide = TraineeSide()) -> DrillResult:
    """Play every stage; after ``pause_after_failures`` failed stages in a row, offer a pause
    (``TraineeSide.offer_pause``)."""
    announce = trainee_side.announce
    offer_pause = trainee_side.offer_pause or _default_pause_offer(options, trainee_side.read_line)
    player = _StagePlayer(drill, settings, store, options, trainee_side)
    baseline = _baseline(store, options.trainee)
    started_at = now_iso()
    results: list[StageResult] = []
    paused_after = None
    for number, stage in enumerate(drill.stages, start=1):
        results.append(player.play(number, stage))
        announce(_stage_verdict(results[-1]))
        if number < len(drill.stages) and _takes_pause(drill, results, announce, offer_pause):
            paused_after = number
            break
    result = summarise(drill, options.trainee, baseline, results, paused_after)
    if store is not None and options.trainee:
        store.save_drill_run(drill.id, options.trainee, started_at, drill_result_to_json(result))
    return result


def _takes_pause(drill: Drill, results: list[StageResult], announce: Callable[[str], None],
                 offer_pause: Callable[[int], bool]) -> bool:
    failures = failures_in_a_row(results)
    if failures < drill.pause_after_failures:
        return False
    announce(pause_offer(failures))
    return offer_pause(failures)


def _default_pause_offer(options: DrillOptions, read_line: Callable[[str], str]) -> Callable[[int], bool]:
    if options.keep_going:
        return lambda failures: False
    if options.replies_dir:
        return lambda failures: True  # nobody to ask: a scripted run takes the pause
    return _ask_pause(read_line)


def _ask_pause(read_line: Callable[[str], str]) -> Callable[[int], bool]:
    def ask(failures: int) -> bool:
        try:
            answer = read_line("Take a pause and stop the drill here? [Y/n] ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            return True
        return answer in ("", "y", "yes")
    return ask


def _stage_mic(options: DrillOptions, number: int, stage: DrillStage) -> Path | None:
    if options.mic_from is None:
        return None
    for name in (f"{number}-{stage.scenario}", str(number), f"stage-{number}"):
        if (options.mic_from / name).is_dir():
            return options.mic_from / name
    raise ValueError(
        f"{options.mic_from}: no reply folder for stage {number} ({number}-{stage.scenario}/ or {number}/)")


def _open_voiced(loaded: LoadedScenario, settings: Settings, folder: Path, stage: DrillStage,
                 analyser: TurnAnalyser, mic_from: Path | None = None, mic_pace: str | None = None) -> StageCall:
    """The voiced call with the stage's noise mixed under the customer's voice and its time limit
    as the point where a customer who interrupts cuts in."""
    return open_voiced(loaded, settings, folder, analyser, noise=stage.noise, talk_over_s=stage.turn_time_limit_s,
                       mic_from=mic_from, mic_pace=mic_pace)


def open_voiced(loaded: LoadedScenario, settings: Settings, folder: Path, analyser: TurnAnalyser, *,
                noise: Noise | None = None, talk_over_s: float | None = None, mic_from: Path | None = None,
                mic_pace: str | None = None) -> StageCall:
    """A voiced call (``simulator.call.voiced``): headset or recorded replies, optional noise."""
    from simulator.audio.capture import ReplayPace
    from simulator.call.voiced import VoiceOptions
    from simulator.call.voiced_setup import open_voiced_call

    options = VoiceOptions(noise=noise, talk_over_s=talk_over_s, mic_from=mic_from,
                           mic_pace=ReplayPace(mic_pace) if mic_pace else ReplayPace.REALTIME)
    return open_voiced_call(loaded, settings, folder, options, analyser=analyser)
