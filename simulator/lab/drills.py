"""Stress drills: back-to-back calls that get harder, and how the trainee holds up.

``scenarios/drills/<id>.yaml``::

    id: rising-heat
    title: Rising heat
    pause_after_failures: 2        # offer a pause after this many failed stages in a row
    stages:
      - scenario: missed-delivery
        seed: 1
        start_mood: 45             # the customer's anger at the start (0-100)
        turn_time_limit_s: 40      # a slower reply counts as dead air
        noise: {kind: none}
        interrupt_rate: 0.0        # how often the customer cuts in on a long reply
      - scenario: billing-overcharge
        seed: 2
        start_mood: 80
        turn_time_limit_s: 20
        noise: {kind: office, level_db: -28}
        interrupt_rate: 0.4

Each stage's knobs replace the scenario's own ``drill:`` block for that call, so the dialogue
engine (who may interrupt) and the voiced call (noise under the customer's voice, the turn time
limit) apply them natively.  In text mode a reply line may start with ``[delay N]`` (seconds
the trainee took to answer); typed replies are timed by the clock.  A reply over the limit is
heard as dead air; a long reply to a customer who cuts in is cut after ``CUT_IN_WORDS`` words.
Noise needs audio: in text mode it is recorded, not heard.

Measures: the trainee's baseline (mean of their earlier training calls, else the first stage),
each stage's score drop from it, mean response delay, and recovery (the score change on the
stage after a failed one).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from statistics import fmean
from typing import Any

from pydantic import Field, field_validator

from simulator.call.session import SpokenLine, TraineeReply
from simulator.call.text_io import ParsedReply, parse_reply, read_typed_line, reply_lines
from simulator.contracts import MAX_SEED, CustomerTurn, Transcript, TurnTiming
from simulator.scenario.diagnostics import Diagnostic, FileProblems, Level
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.model import DrillKnobs, Identifier, Noise, Scenario, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import load_yaml

DRILLS_DIR = "drills"
CUT_IN_WORDS = 12
_DELAY = re.compile(r"^\[delay\s+(\d+(?:\.\d+)?)\]\s*", re.IGNORECASE)


class DrillStage(Strict):
    scenario: Identifier
    seed: int = Field(0, ge=0, le=MAX_SEED)
    start_mood: int | None = Field(None, ge=0, le=100)
    turn_time_limit_s: float | None = Field(None, gt=0, le=600)
    noise: Noise = Noise()
    interrupt_rate: float = Field(0.0, ge=0, le=1)

    @property
    def knobs(self) -> DrillKnobs:
        return DrillKnobs(turn_time_limit_s=self.turn_time_limit_s, noise=self.noise,
                          interrupt_rate=self.interrupt_rate)


class Drill(Strict):
    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    pause_after_failures: int = Field(2, ge=1, le=20)
    stages: tuple[DrillStage, ...]

    @field_validator("stages")
    @classmethod
    def _stage_count(cls, value: tuple) -> tuple:  # not Field(min_length): see ladder._not_empty
        if not 1 <= len(value) <= 20:
            raise ValueError(f"a drill has 1 to 20 stages, not {len(value)}")
        return value


def load_drill(path: Path, scenarios_dir: Path | None = None) -> Drill:
    """Validate a drill file; problems (unknown scenarios too) name FILE:LINE:COL."""
    document = load_yaml(Path(path))
    drill = validate_document(document, Drill)
    if scenarios_dir is not None:
        problems = [Diagnostic(str(path), document.position(("stages", index, "scenario")), Level.ERROR,
                               "drill.unknown-scenario", f"no scenario {stage.scenario!r} in {scenarios_dir}")
                    for index, stage in enumerate(drill.stages)
                    if not (Path(scenarios_dir) / f"{stage.scenario}.yaml").is_file()]
        if problems:
            raise FileProblems(problems)
    return drill


def resolve_drill_path(name: str, scenarios_dir: Path) -> Path:
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    return Path(scenarios_dir) / DRILLS_DIR / f"{name}.yaml"


def staged(loaded: LoadedScenario, stage: DrillStage) -> LoadedScenario:
    """The scenario with this stage's drill knobs in place of its own."""
    return replace(loaded, scenario=loaded.scenario.model_copy(update={"drill": stage.knobs}))


@dataclass(frozen=True, slots=True)
class PacedReply:
    reply: ParsedReply
    delay_s: float | None  # None: not given (typed replies are timed instead)


def parse_drill_reply(line: str) -> PacedReply:
    match = _DELAY.match(line.strip())
    if match:
        return PacedReply(parse_reply(line.strip()[match.end():]), float(match.group(1)))
    return PacedReply(parse_reply(line), None)


def read_stage_replies(path: Path) -> list[PacedReply]:
    return [parse_drill_reply(line) for line in reply_lines(path)]


def stage_reply_file(replies_dir: Path, number: int, stage: DrillStage) -> Path:
    """``DIR/<n>-<scenario>.txt`` or ``DIR/<n>.txt`` (stages count from 1)."""
    for name in (f"{number}-{stage.scenario}.txt", f"{number}.txt", f"stage-{number}.txt"):
        if (Path(replies_dir) / name).is_file():
            return Path(replies_dir) / name
    return Path(replies_dir) / f"{number}-{stage.scenario}.txt"


class PressuredReplies:
    """Trainee input under drill pressure: a turn time limit and a customer who cuts in.

    Wraps scripted replies (with optional ``[delay N]``) or a typed-line reader timed by the clock.
    """

    def __init__(self, stage: DrillStage, scripted: list[PacedReply] | None = None, read_line=None,
                 clock=time.monotonic):
        self.stage = stage
        self._scripted = list(scripted) if scripted is not None else None
        self._read_line = read_line
        self._clock = clock
        self.delays_s: list[float] = []
        self.too_slow = 0
        self.cut_in = 0

    def _next(self) -> PacedReply | None:
        if self._scripted is not None:
            return self._scripted.pop(0) if self._scripted else None
        started = self._clock()
        line = read_typed_line(self._read_line)
        if line is None:
            return None
        return PacedReply(parse_reply(line), round(self._clock() - started, 2))

    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        paced = self._next()
        if paced is None:
            return None
        reply, delay = paced.reply, paced.delay_s
        if delay is not None:
            self.delays_s.append(delay)
        limit = self.stage.turn_time_limit_s
        if limit is not None and delay is not None and delay > limit and not reply.silence:
            self.too_slow += 1
            return TraineeReply(Transcript(""), silence=True, silence_s=delay,
                                timing=TurnTiming(response_delay_s=delay))
        text = reply.text
        words = text.split()
        if customer.may_interrupt and len(words) > CUT_IN_WORDS and not reply.silence:
            self.cut_in += 1
            text = " ".join(words[:CUT_IN_WORDS])
        timing = TurnTiming(response_delay_s=delay) if delay is not None else TurnTiming()
        return TraineeReply(Transcript(text), silence=reply.silence, silence_s=reply.silence_s, timing=timing,
                            interrupted_customer=reply.interrupted)


def customer_cut_in_rate(scenario: Scenario) -> float:
    """How often the customer may cut in on a long reply: the persona's own habit or the drill's
    knob, whichever is higher (the dialogue engine's rule, so the header tells what the trainee meets)."""
    return max(scenario.persona.talk_over, scenario.drill.interrupt_rate)


@dataclass(frozen=True, slots=True)
class StageConditions:
    """What the trainee met on a stage, as the call applied it (not only what the drill file asked)."""
    start_mood: int | None  # the stage's, else the persona's (None: older stored runs kept only the stage's)
    turn_time_limit_s: float | None
    noise: str  # "none" or e.g. "office -30 dB"
    interrupt_rate: float  # see customer_cut_in_rate

    @classmethod
    def of(cls, staged_scenario: LoadedScenario, stage: DrillStage) -> StageConditions:
        scenario = staged_scenario.scenario
        kind = stage.noise.kind.value
        noise = kind if kind == "none" else f"{kind} {stage.noise.level_db:g} dB"
        mood = scenario.persona.mood if stage.start_mood is None else stage.start_mood
        return cls(mood, stage.turn_time_limit_s, noise, customer_cut_in_rate(scenario))

    def describe(self) -> str:
        limit = "no time limit" if self.turn_time_limit_s is None else f"limit {self.turn_time_limit_s:g} s"
        return f"mood {self.start_mood}, {limit}, noise {self.noise}, interruptions {self.interrupt_rate:.0%}"


@dataclass(frozen=True, slots=True)
class StagePressure:
    """How the trainee's replies fared against the stage's clock and a customer who cuts in."""
    mean_delay_s: float | None
    too_slow: int  # replies over the time limit, heard as dead air
    cut_in: int  # long replies the customer cut short


@dataclass(frozen=True, slots=True)
class StageResult:
    number: int  # 1-based
    scenario_id: str
    call_id: str | None
    overall: float
    passed: bool
    outcome: str | None
    conditions: StageConditions
    pressure: StagePressure
    score_drop: float = 0.0  # baseline - overall (positive: worse than usual); set by summarise()


@dataclass(frozen=True, slots=True)
class DrillResult:
    drill_id: str
    trainee: str | None
    baseline: float
    baseline_source: str  # "training history" or "first stage"
    stages: tuple[StageResult, ...]
    paused_after_stage: int | None  # the trainee took the offered pause here
    recovery: float | None  # mean score change on the stage after a failed stage

    @property
    def completed(self) -> bool:
        return self.paused_after_stage is None

    @property
    def mean_drop(self) -> float | None:
        return round(fmean(s.score_drop for s in self.stages), 1) if self.stages else None


def failures_in_a_row(stages: list[StageResult] | tuple[StageResult, ...]) -> int:
    """Failed stages at the end of ``stages`` with no pass between them."""
    count = 0
    for stage in reversed(stages):
        if stage.passed:
            break
        count += 1
    return count


def pause_offer(failures: int) -> str:
    hard = "That was a hard call" if failures == 1 else f"{failures} hard calls in a row"
    return f"{hard}: a short pause helps more than another call now."


def recovery_after_failures(stages: list[StageResult]) -> float | None:
    changes = [after.overall - failed.overall for failed, after in pairwise(stages) if not failed.passed]
    return round(fmean(changes), 1) if changes else None


def summarise(drill: Drill, trainee: str | None, baseline: float | None, stages: list[StageResult],
              paused_after: int | None) -> DrillResult:
    source = "training history" if baseline is not None else "first stage"
    base = baseline if baseline is not None else (stages[0].overall if stages else 0.0)
    adjusted = [replace(s, score_drop=round(base - s.overall, 1)) for s in stages]
    return DrillResult(drill.id, trainee, round(base, 1), source, tuple(adjusted), paused_after,
                       recovery_after_failures(adjusted))


def _stage_to_json(s: StageResult) -> dict[str, Any]:
    c, p = s.conditions, s.pressure
    return {"stage": s.number, "scenario": s.scenario_id, "call_id": s.call_id, "overall": s.overall,
            "passed": s.passed, "start_mood": c.start_mood, "turn_time_limit_s": c.turn_time_limit_s,
            "noise": c.noise, "interrupt_rate": c.interrupt_rate, "score_drop": s.score_drop,
            "mean_delay_s": p.mean_delay_s, "too_slow": p.too_slow, "cut_in": p.cut_in, "outcome": s.outcome}


def _stage_from_json(s: dict[str, Any]) -> StageResult:
    return StageResult(s["stage"], s["scenario"], s["call_id"], s["overall"], s["passed"], s["outcome"],
                       StageConditions(s["start_mood"], s["turn_time_limit_s"], s["noise"], s["interrupt_rate"]),
                       StagePressure(s["mean_delay_s"], s["too_slow"], s["cut_in"]), s["score_drop"])


def drill_result_to_json(result: DrillResult) -> dict[str, Any]:
    return {
        "drill": result.drill_id, "trainee": result.trainee, "baseline": result.baseline,
        "baseline_source": result.baseline_source, "completed": result.completed,
        "paused_after_stage": result.paused_after_stage, "recovery": result.recovery, "mean_drop": result.mean_drop,
        "stages": [_stage_to_json(s) for s in result.stages],
    }


def drill_result_from_json(data: dict[str, Any]) -> DrillResult:
    return DrillResult(data["drill"], data["trainee"], data["baseline"], data["baseline_source"],
                       tuple(_stage_from_json(s) for s in data["stages"]), data["paused_after_stage"],
                       data["recovery"])


def versus_baseline(drop: float) -> str:
    """A score drop in words: a negative drop is a rise, and "drop -15.6" read as its opposite."""
    if round(drop, 1) == 0:
        return "at baseline"
    return f"{abs(drop):.1f} {'below' if drop > 0 else 'above'} baseline"


def describe_drill_result(result: DrillResult) -> str:
    lines = [f"Drill {result.drill_id}: baseline {result.baseline:.1f} ({result.baseline_source})"]
    for s in result.stages:
        c, p = s.conditions, s.pressure
        delay = "-" if p.mean_delay_s is None else f"{p.mean_delay_s:.1f}s"
        lines.append(f"  stage {s.number} {s.scenario_id:<24} {s.overall:5.1f} {'pass' if s.passed else 'FAIL'}  "
                     f"{versus_baseline(s.score_drop)}  mood {'-' if c.start_mood is None else c.start_mood}  "
                     f"limit {c.turn_time_limit_s or '-'}  "
                     f"noise {c.noise}  delay {delay}  too slow {p.too_slow}  cut in {p.cut_in}")
    if result.recovery is not None:
        lines.append(f"  recovery after a failed stage: {result.recovery:+.1f} points")
    if result.paused_after_stage is not None:
        played = [s for s in result.stages if s.number <= result.paused_after_stage]
        failed = failures_in_a_row(played)
        why = "1 failed stage" if failed == 1 else f"{failed} failed stages in a row"
        lines.append(f"  paused after stage {result.paused_after_stage} ({why}): come back rested")
    elif result.mean_drop is not None:
        lines.append(f"  mean score: {versus_baseline(result.mean_drop)}")
    return "\n".join(lines)
