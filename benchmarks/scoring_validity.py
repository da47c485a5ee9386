"""How valid are callsim's task-dialogue steps, throughput and tone?

    python benchmarks/scoring_validity.py [--json] [--data DIR] [--quick]

Empathy, the standard step kinds and forbidden moves on contact-centre replies are measured by
``benchmarks/behaviour.py`` (held-out writers, the dev set, EPITOME).  This benchmark keeps the
checks that use other data.  Data (read in place, never copied into the repo): ``../shared/data``
or ``--data`` / ``CALLSIM_DEV_DATA`` (same layout, e.g. a held-out split):

- steps: STAR + ABCD ``dialogues/task_dialogues.jsonl``.  Each dialogue becomes an in-memory
  scenario whose steps are its task's agent actions, with say_like written from each action's
  meaning (``benchmarks/step_labels.py``), never from the dialogues.  Every agent turn is
  analysed; a (turn, step) pair is a true positive when the turn's labelled action is that step,
  every other predicted step is a false positive.  Micro F1.  The headline counts the turns whose
  action is labelled; agent turns typed freely (STAR ``custom`` / unlabelled, ABCD free text) have
  no known action, so they are reported separately, scored as if they did no step (which
  punishes real but unlabelled steps).  Goodbye labels of different task versions are one step.
  Dialogues are split by seed, as above, to calibrate the step threshold.
- throughput (on EPITOME replies): single-turn analysis, one thread, empty cache (as in a live call), in seconds of
  speech scored per second at 150 words per minute; plus batch scoring as ``callsim analyze`` does.
- tone: ``benchmarks/tone_validity.py`` ``run()`` (angry vs neutral on RAVDESS), when present.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from step_labels import SAME_ACTION, steps_for  # noqa: E402

from simulator.analysis.base import TurnInput  # noqa: E402
from simulator.analysis.embeddings import SentenceEncoder  # noqa: E402
from simulator.analysis.matching import MatchThresholds, ScenarioMatcher  # noqa: E402
from simulator.analysis.semantic import SemanticAnalyser  # noqa: E402
from simulator.contracts import Transcript  # noqa: E402
from simulator.scenario.model import Scenario  # noqa: E402

SEED = 20261126
WORDS_PER_MINUTE = 150.0
GOALS = {"step_f1": 0.85, "tone_angry_neutral_accuracy": 0.85, "times_real_time": 20.0}


def data_dir(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("CALLSIM_DEV_DATA") or REPO.parent / "shared" / "data")


def split(items: list, seed: int = SEED) -> tuple[list, list]:
    order = list(items)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# ---- steps ------------------------------------------------------------------------------------

def scenario_for(dialogue: dict, steps: dict[str, list[str]]) -> Scenario:
    return Scenario.model_validate({
        "id": "bench-" + "".join(c if c.isalnum() else "-" for c in dialogue["id"].lower())[:50],
        "title": f"{dialogue['source']} {dialogue['task']}",
        "summary": "in-memory scenario for the step-detection benchmark",
        "difficulty": 1,
        "persona": {"name": "Customer", "situation": dialogue["task"], "voice": "neutral", "mood": 30},
        "script": [{"id": label, "description": label.replace("_", " ").replace("-", " "), "say_like": examples}
                   for label, examples in steps.items()],
        "start": "only", "on_patience_lost": "only", "on_max_turns": "only",
        "nodes": {"only": {"lines": ["..."], "end": "resolved"}},
    })


def step_similarities(folder: Path, encoder: SentenceEncoder) -> list[tuple[str, str | None, dict[str, float]]]:
    """(dialogue id, gold step or None, best similarity per step) for every agent turn."""
    path = folder / "dialogues" / "task_dialogues.jsonl"
    reader = SemanticAnalyser(None, encoder)  # reads each turn clause by clause, as a call does
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        dialogue = json.loads(line)
        steps = steps_for(dialogue["task"], dialogue["source"])
        matcher = ScenarioMatcher(scenario_for(dialogue, steps), encoder, MatchThresholds(step=-1.0))
        for turn in dialogue["turns"]:
            if turn["speaker"] != "agent" or not turn.get("text", "").strip():
                continue
            hits = matcher.steps(Transcript(turn["text"]), reader.read(turn["text"]))
            label = turn.get("action")
            rows.append((dialogue["id"], SAME_ACTION.get(label, label) if label in steps else None,
                         {SAME_ACTION.get(hit.step_id, hit.step_id): hit.confidence for hit in hits}))
    return rows


def step_scores(rows, threshold: float, labelled_only: bool = True) -> dict:
    tp = fp = fn = 0
    for _, gold, similarities in rows:
        if labelled_only and gold is None:
            continue
        predicted = {step for step, similarity in similarities.items() if similarity >= threshold}
        tp += gold in predicted
        fp += len(predicted - {gold})
        fn += gold is not None and gold not in predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"f1": round(f1(tp, fp, fn), 3), "precision": round(precision, 3), "recall": round(recall, 3),
            "tp": tp, "fp": fp, "fn": fn}


def step_validity(folder: Path, encoder: SentenceEncoder) -> dict:
    rows = step_similarities(folder, encoder)
    dialogues = sorted({r[0] for r in rows})
    calibration_ids, report_ids = split(dialogues)
    calibration = [r for r in rows if r[0] in set(calibration_ids)]
    report = [r for r in rows if r[0] in set(report_ids)]
    shipped = MatchThresholds().step
    candidates = [round(0.40 + 0.01 * i, 2) for i in range(46)]
    calibrated = max(candidates, key=lambda t: (step_scores(calibration, t)["f1"], -abs(t - shipped)))
    unlabelled = [r for r in rows if r[1] is None]
    return {
        "dialogues": len(dialogues), "agent_turns": len(rows),
        "labelled_turns": len(rows) - len(unlabelled),
        "shipped_threshold": shipped, "calibrated_threshold": calibrated,
        "report_shipped": step_scores(report, shipped),
        "report_calibrated": step_scores(report, calibrated),
        "all_shipped": step_scores(rows, shipped),
        "all_turns_incl_unlabelled_shipped": step_scores(rows, shipped, labelled_only=False),
        "unlabelled_turns_with_a_hit": sum(any(v >= shipped for v in r[2].values()) for r in unlabelled),
        "by_source_shipped": {
            source: step_scores([r for r in rows if r[0].startswith(source)], shipped)["f1"]
            for source in ("star", "abcd")},
    }


# ---- throughput -------------------------------------------------------------------------------

def throughput(folder: Path, encoder: SentenceEncoder, turns: int) -> dict:
    path = folder / "empathy" / "epitome_emotional_reactions.jsonl"
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:turns]
    scenario = _reference_scenario()
    analyser = SemanticAnalyser(scenario, encoder)
    analyser.analyse(TurnInput(1, Transcript("Warm up."), "Hello."))  # loads the model and the bank
    encoder.clear_cache()
    analyser = SemanticAnalyser(scenario, encoder)
    words = sum(len(p["response"].split()) for p in pairs)
    latencies = []
    start = time.perf_counter()
    for index, pair in enumerate(pairs, start=1):
        began = time.perf_counter()
        analyser.analyse(TurnInput(index, Transcript(pair["response"]), pair["seeker"]))
        latencies.append(time.perf_counter() - began)
    single = time.perf_counter() - start
    encoder.clear_cache()
    analyser = SemanticAnalyser(scenario, encoder)
    start = time.perf_counter()
    analyser.model.read_many([p["response"] for p in pairs])  # one batch, as ``callsim analyze`` does
    for index, pair in enumerate(pairs, start=1):
        analyser.analyse(TurnInput(index, Transcript(pair["response"]), pair["seeker"]))
    batch = time.perf_counter() - start
    speech_s = 60.0 * words / WORDS_PER_MINUTE
    return {
        "turns": len(pairs), "words": words, "speech_s_at_150_wpm": round(speech_s, 1),
        "single_turn_s": round(single, 2), "times_real_time": round(speech_s / single, 1),
        "median_turn_latency_ms": round(1000 * statistics.median(latencies), 1),
        "batch_s": round(batch, 2), "batch_times_real_time": round(speech_s / batch, 1),
    }


def _reference_scenario() -> Scenario:
    from simulator.scenario.loader import load_scenario

    return load_scenario(REPO / "scenarios" / "billing-overcharge.yaml").scenario


# ---- tone -------------------------------------------------------------------------------------

def tone_validity() -> dict | None:
    path = REPO / "benchmarks" / "tone_validity.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("tone_validity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run()


def _tone_accuracy(tone: dict | None) -> float | None:
    if not tone:
        return None
    report = tone.get("report") or tone
    return report.get("accuracy") if isinstance(report, dict) else None


def table(result: dict) -> str:
    steps, speed = result["steps"], result["throughput"]
    tone_accuracy = _tone_accuracy(result.get("tone"))
    rows = [
        ("step-detection F1, report dialogues, shipped threshold", steps["report_shipped"]["f1"], GOALS["step_f1"]),
        (f"  same, threshold calibrated ({steps['calibrated_threshold']})", steps["report_calibrated"]["f1"],
         GOALS["step_f1"]),
        ("  all dialogues, shipped threshold", steps["all_shipped"]["f1"], GOALS["step_f1"]),
        ("  all dialogues, unlabelled turns counted as 'no step'", steps["all_turns_incl_unlabelled_shipped"]["f1"],
         GOALS["step_f1"]),
        ("tone angry-vs-neutral accuracy (tone_validity report)", tone_accuracy, GOALS["tone_angry_neutral_accuracy"]),
        ("throughput, x real time (single turns, 1 thread)", speed["times_real_time"], GOALS["times_real_time"]),
        ("throughput, x real time (batch, as callsim analyze)", speed["batch_times_real_time"],
         GOALS["times_real_time"]),
    ]
    lines = [f"{'measure':<72} {'value':>8} {'goal':>6}  met", "-" * 94]
    for name, value, goal in rows:
        met = "n/a" if value is None else ("yes" if value >= goal else "NO")
        shown = "n/a" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"
        lines.append(f"{name:<72} {shown:>8} {goal:>6}  {met}")
    lines.append(f"median single-turn latency: {speed['median_turn_latency_ms']} ms; "
                 f"step precision/recall (report, shipped): {steps['report_shipped']['precision']}/"
                 f"{steps['report_shipped']['recall']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="dev data folder (default ../shared/data or $CALLSIM_DEV_DATA)")
    parser.add_argument("--json", action="store_true", help="print only the JSON")
    parser.add_argument("--quick", action="store_true", help="fewer throughput turns, no tone")
    args = parser.parse_args(argv)
    folder = data_dir(args.data)
    if not folder.is_dir():
        print(f"scoring_validity: no data folder {folder}; pass --data DIR", file=sys.stderr)
        return 2
    encoder = SentenceEncoder(threads=1)
    result = {
        "data": str(folder), "seed": SEED,
        "steps": step_validity(folder, encoder),
        "throughput": throughput(folder, encoder, 60 if args.quick else 200),
        "tone": None if args.quick else tone_validity(),
        "goals": GOALS,
    }
    if not args.json:
        print(table(result))
        print()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
