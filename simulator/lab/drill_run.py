"""Run a stress drill: its stages back to back, in text mode or voiced, kept in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

from simulator.record import now_iso
from simulator.call.text_io import SilentVoice
from simulator.call.textcall import new_call_folder, run_call
from simulator.lab.drills import (Drill, DrillResult, PressuredReplies, StageResult, read_stage_replies,
                                  stage_reply_file, staged, summarise)
from simulator.scenario.loader import load_scenario
from simulator.store.types import CallKind


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


def _baseline(store: Any, trainee: str | None) -> float | None:
    if store is None or not trainee:
        return None
    scores = [a.overall for a in store.attempts(trainee, kind=CallKind.TRAINING, finished_only=True)
              if a.overall is not None]
    return fmean(scores) if scores else None


def run_drill(drill: Drill, settings: Any, store: Any | None, options: DrillOptions, *,
              show: Callable[[Any], None] = lambda event: None,
              announce: Callable[[str], None] = print,
              offer_pause: Callable[[int], bool] | None = None,
              read_line: Callable[[str], str] = input,
              voice_factory: Callable[..., Any] | None = None) -> DrillResult:
    """Play every stage; after ``pause_after_failures`` failed stages in a row, offer a pause.

    ``offer_pause(failures)`` returns True to stop; by default a run from reply files takes the
    pause (unless ``keep_going``) and a typed run asks.  ``voice_factory(loaded, settings, folder,
    stage, analyser, mic_from, mic_pace)`` opens a voiced call (default: ``open_voiced_call`` with
    the stage's noise and time limit).
    """
    from simulator.analysis.registry import builtin_analysers

    if offer_pause is None:
        offer_pause = (lambda failures: False) if options.keep_going else (
            (lambda failures: True) if options.replies_dir else _ask_pause(read_line, announce))
    baseline = _baseline(store, options.trainee)
    started_at = now_iso()
    results: list[StageResult] = []
    failures_in_row = 0
    paused_after = None
    for number, stage in enumerate(drill.stages, start=1):
        loaded = staged(load_scenario(settings.scenarios_dir / f"{stage.scenario}.yaml"), stage)
        analyser = builtin_analysers().create(options.analyser or settings.analyser, loaded.scenario)
        folder = new_call_folder(options.record_to or settings.recordings_dir, loaded.scenario.id)
        announce(f"\n=== stage {number}/{len(drill.stages)}: {loaded.scenario.title} (mood "
                 f"{stage.start_mood if stage.start_mood is not None else loaded.scenario.persona.mood}, "
                 f"limit {stage.turn_time_limit_s or '-'} s, noise {stage.noise.kind.value}, "
                 f"interruptions {stage.interrupt_rate:.0%}) ===")
        voiced_call = None
        if options.voiced:
            voiced_call = (voice_factory or _open_voiced)(loaded, settings, folder, stage, analyser,
                                                          _stage_mic(options, number, stage), options.mic_pace)
            voice, trainee_input, mode = voiced_call, voiced_call, "voice"
        else:
            scripted = None
            if options.replies_dir is not None:
                scripted = read_stage_replies(stage_reply_file(options.replies_dir, number, stage))
            trainee_input = PressuredReplies(stage, scripted, read_line=read_line)
            voice, mode = SilentVoice(), "text"
        mirror = None
        if store is not None and options.trainee:
            from simulator.store.mirror import CallMirror

            mirror = CallMirror(store, folder, trainee=options.trainee, team=options.team, kind=CallKind.DRILL)

        def on_event(event: Any, mirror: Any = mirror) -> None:
            if mirror is not None:
                mirror(event)
            show(event)

        try:
            finished = run_call(loaded, analyser, voice, trainee_input, folder, seed=stage.seed, mode=mode,
                                on_event=on_event, drill=drill.id, start_mood=stage.start_mood,
                                trainee_name=options.trainee)
        finally:
            if voiced_call is not None:
                voiced_call.close()
        call_id = mirror.finish(finished.record, finished.scorecard) if mirror is not None else None
        delays = [a.timing.response_delay_s for a in finished.record.analyses
                  if a.timing.response_delay_s is not None]
        card = finished.scorecard
        results.append(StageResult(
            number, stage.scenario, call_id, card.overall, card.passed, stage.start_mood, stage.turn_time_limit_s,
            stage.noise.kind.value if stage.noise.kind.value == "none" else f"{stage.noise.kind.value} "
                                                                            f"{stage.noise.level_db:g} dB",
            stage.interrupt_rate, 0.0, round(fmean(delays), 2) if delays else None,
            getattr(trainee_input, "too_slow", 0), getattr(trainee_input, "cut_in", 0),
            finished.record.outcome.value if finished.record.outcome else None))
        announce(f"stage {number}: {card.overall:.0f}/100 {'passed' if card.passed else 'not passed'}")
        failures_in_row = 0 if card.passed else failures_in_row + 1
        if failures_in_row >= drill.pause_after_failures and number < len(drill.stages):
            announce(f"{failures_in_row} hard calls in a row: a short pause helps more than another call now.")
            if offer_pause(failures_in_row):
                paused_after = number
                break
    result = summarise(drill, options.trainee, baseline, results, paused_after)
    if store is not None and options.trainee:
        from simulator.lab.drills import drill_result_to_json

        store.save_drill_run(drill.id, options.trainee, started_at, drill_result_to_json(result))
    return result


def _ask_pause(read_line: Callable[[str], str], announce: Callable[[str], None]) -> Callable[[int], bool]:
    def ask(failures: int) -> bool:
        try:
            answer = read_line("Take a pause and stop the drill here? [Y/n] ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            return True
        return answer in ("", "y", "yes")
    return ask


def _stage_mic(options: DrillOptions, number: int, stage: Any) -> Path | None:
    if options.mic_from is None:
        return None
    for name in (f"{number}-{stage.scenario}", str(number), f"stage-{number}"):
        if (options.mic_from / name).is_dir():
            return options.mic_from / name
    raise ValueError(f"{options.mic_from}: no reply folder for stage {number} ({number}-{stage.scenario}/ or {number}/)")


def _open_voiced(loaded: Any, settings: Any, folder: Path, stage: Any, analyser: Any, mic_from: Path | None = None,
                 mic_pace: str | None = None) -> Any:
    """The voiced call with the stage's noise mixed under the customer's voice and its time limit
    as the point where a customer who interrupts cuts in."""
    return open_voiced(loaded, settings, folder, analyser, noise=stage.noise, talk_over_s=stage.turn_time_limit_s,
                       mic_from=mic_from, mic_pace=mic_pace)


def open_voiced(loaded: Any, settings: Any, folder: Path, analyser: Any, *, noise: Any = None,
                talk_over_s: float | None = None, mic_from: Path | None = None, mic_pace: str | None = None) -> Any:
    """A voiced call (``simulator.call.voiced``): headset or recorded replies, optional noise."""
    from simulator.audio.capture import ReplayPace
    from simulator.call.voiced import VoiceOptions
    from simulator.call.voiced_setup import open_voiced_call

    options = VoiceOptions(noise=noise, talk_over_s=talk_over_s, mic_from=mic_from,
                           mic_pace=ReplayPace(mic_pace) if mic_pace else ReplayPace.REALTIME)
    return open_voiced_call(loaded, settings, folder, options, analyser=analyser)
