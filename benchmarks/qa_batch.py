"""Batch QA throughput and memory: audio-hours scored per wall-clock hour, and what a centre needs.

Calls of a few minutes are assembled from the real speech clips in tests/data/asr (agent on the left
channel, customer on the right, the clips taken in turn with gaps of 0.4-2 s), then scored with
``callsim score``'s batch runners: 1 local worker (in process), 2 local worker processes, and Ray with
2 actors on a head started here on loopback.  Each run is a fresh Python process, so model loading is
counted as a batch pays it (once per worker).  Peak memory per worker is each worker's own peak RSS.
The memory check scores one synthetic 60-minute stereo call (``--long-minutes``; 16 kHz, 16-bit: the clips repeated) in
one process and reports that process's peak RSS (the goal: under 1.5 GB).

    python benchmarks/qa_batch.py [--calls 4] [--minutes 3] [--skip-60min] [--long-minutes 60] [--skip-ray]

Prints JSON.  The machine is shared, so figures vary by some tens of percent from run to run.
``audio_hours_per_hour`` is wall-clock and counts each worker's model loading (lazy: inside its
first call); ``real_time_per_worker_after_first_call`` is the audio a worker scored per second of its
scoring after its first call: with one worker per core (two workers, one Whisper thread each) it is
the steady rate per core that a long batch approaches (use ``--calls 8`` or more so each worker has
calls after its first).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CLIPS = REPO / "tests" / "data" / "asr"
RATE = 16_000
CENTRE_AUDIO_HOURS_PER_DAY = 500 * 5  # 500 agents, 5 hours of talk each


def _clips() -> dict[str, np.ndarray]:
    """Each test clip's samples by its file name."""
    clips = {}
    for path in sorted(CLIPS.glob("*.wav")):
        with wave.open(str(path)) as handle:
            assert handle.getframerate() == RATE and handle.getnchannels() == 1
            clips[path.name] = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    return clips


def english_references() -> dict[str, str]:
    """The English clips' reference texts (the dev data's manifest, copied here: a user's clone has no
    ../shared).  The two Mandarin clips have none: an English recogniser is not asked to write them."""
    return {"whisper_jfk.wav": "And so my fellow Americans, ask not what your country can do for you, ask what you "
                               "can do for your country.",
            "pocketsphinx_cards_001.wav": "ten of clubs", "pocketsphinx_cards_002.wav": "four queen of clubs",
            "pocketsphinx_cards_003.wav": "seven of clubs", "pocketsphinx_cards_004.wav": "five five",
            "pocketsphinx_cards_005.wav": "eight of spades four of clubs seven of hearts",
            "pocketsphinx_goforward.wav": "go forward ten meters",
            "pocketsphinx_forever_2.wav": "feels like these days go on forever",
            "speechrecognition_english.wav": "one two three"}


def placements_path(call: Path) -> Path:
    """Where ``write_call`` says which clip it put where (beside the calls' folder: the batch reads every file
    in the folder as a call)."""
    return call.parent.parent / "placements" / f"{call.stem}.json"


def write_call(path: Path, seconds: float, seed: int) -> Path:
    """A stereo call of about ``seconds``: clips alternate between agent (left) and customer (right); which
    clip went where is written to ``placements_path(path)``."""
    rng = np.random.default_rng(seed)
    by_name = _clips()
    names, clips = list(by_name), list(by_name.values())
    frames = int(seconds * RATE)
    placed = []
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        written, side = 0, 1  # the customer speaks first
        while written < frames:  # written piece by piece: an hour of audio is never held whole here
            gap = np.zeros((int(rng.uniform(0.4, 2.0) * RATE), 2), "<i2")
            clips_index = int(rng.integers(len(clips)))
            clip = clips[clips_index]
            line = np.zeros((clip.size, 2), "<i2")
            line[:, side] = clip
            block = np.concatenate([gap, line])[: frames - written]
            handle.writeframes(block.tobytes())
            if len(block) == len(gap) + clip.size:  # the clip whole, not cut off by the call's end
                placed.append({"clip": names[clips_index], "agent": side == 0,
                               "start_s": (written + len(gap)) / RATE, "end_s": (written + len(block)) / RATE})
            written += len(block)
            side = 1 - side
    placements_path(path).parent.mkdir(exist_ok=True)
    placements_path(path).write_text(json.dumps(placed))
    return path


def clip_words(outcomes) -> dict:
    """Each English clip placed in the calls against the words of the turns that overlap it (the agent's or
    the customer's, as placed): a WER with its reference, and how many clips came back without a word.  An
    agent's turn without words is left out of the record (taken for a cough), so its clip reads as unsaid."""
    from simulator.asr.wer import corpus_wer
    from simulator.contracts import Speaker

    references = english_references()
    pairs = []
    for outcome in outcomes:
        if not outcome.scored:
            continue
        turns = outcome.scored.record.turns
        for placed in json.loads(placements_path(outcome.call.path).read_text()):
            if placed["clip"] not in references:
                continue
            speaker = Speaker.TRAINEE if placed["agent"] else Speaker.CUSTOMER
            heard = " ".join(t.text for t in turns if t.speaker == speaker and t.start_s < placed["end_s"]
                             and t.end_s > placed["start_s"])
            pairs.append((references[placed["clip"]], heard))
    errors = corpus_wer(pairs, drop_fillers=True)
    return {"english_clips": len(pairs), "english_clips_without_words": sum(not heard.strip() for _r, heard in pairs),
            "english_clips_wer": round(errors.wer, 4)}


class MeasuredScorer:
    """The real scorer, reporting its process's peak RSS after every call (for any runner: in-process,
    worker processes or Ray actors)."""

    def __init__(self, rss_dir: Path, workers: int):
        from simulator.config import load_settings
        from simulator.qa.batch import worker_asr_threads
        from simulator.qa.importer import RecordingScorer

        settings = load_settings()  # each worker's Whisper threads as `callsim score --workers N` sets them
        threads = worker_asr_threads(settings.asr_threads, workers, os.cpu_count())
        self.inner = RecordingScorer(settings.model_copy(update={"asr_threads": threads}))
        self.rss_dir = rss_dir

    def score(self, path: Path):  # -> ScoredRecording
        started = time.perf_counter()
        scored = self.inner.score(path)
        scoring_s = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        (self.rss_dir / f"{os.getpid()}.rss").write_text(str(peak_kib))
        with open(self.rss_dir / f"{os.getpid()}.scoring", "a", encoding="utf-8") as times:
            times.write(f"{scoring_s} {scored.duration_s}\n")
        return scored


def run_one(mode: str, folder: Path, rss_dir: Path) -> dict:
    from simulator.contracts import Speaker
    from simulator.qa.batch import plan_batch, run_inline, run_processes

    plan = plan_batch([folder], done=lambda _sha: False)
    factory = functools.partial(MeasuredScorer, rss_dir, 1 if mode == "local-1" else 2)
    outcomes = []
    started = time.perf_counter()
    if mode == "local-1":
        run_inline(plan.calls, factory, outcomes.append)
    elif mode == "local-2":
        run_processes(plan.calls, factory, outcomes.append, workers=2)
    else:
        import ray

        from simulator.qa.ray_batch import run_on_ray

        ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                 log_to_driver=False, configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
        try:
            run_on_ray(plan.calls, factory, outcomes.append, actors=2)
        finally:
            ray.shutdown()
    wall_s = time.perf_counter() - started
    failed = [o.error for o in outcomes if not o.ok]
    audio_s = sum(o.scored.duration_s for o in outcomes if o.scored)
    turns = [turn for o in outcomes if o.scored for turn in o.scored.record.turns]
    peaks = [int(p.read_text()) / 1024 for p in rss_dir.glob("*.rss")]
    # The models load lazily, inside each worker's first call; a centre's day of calls spreads that
    # thin, a 12-minute benchmark batch does not.  So the steady rate leaves each worker's first call out.
    later = [line.split() for p in rss_dir.glob("*.scoring") for line in p.read_text().splitlines()[1:]]
    later_scoring_s, later_audio_s = sum(float(t) for t, _ in later), sum(float(a) for _, a in later)
    return {"mode": mode, "calls": len(outcomes), "failed": failed, "audio_min": round(audio_s / 60, 2),
            "wall_s": round(wall_s, 1), "audio_hours_per_hour": round(audio_s / wall_s, 1),
            # every clip of these calls is speech: an agent turn left without words is dropped from the record
            # (taken for a cough), a customer turn is kept with no text
            "agent_turns_with_words": sum(t.speaker == Speaker.TRAINEE for t in turns),
            "customer_turns_without_words": sum(t.speaker == Speaker.CUSTOMER and not t.text.strip() for t in turns),
            **clip_words(outcomes),
            "calls_after_each_workers_first": len(later),
            "real_time_per_worker_after_first_call": round(later_audio_s / later_scoring_s, 1) if later else None,
            "peak_rss_mb_per_worker": sorted(round(p) for p in peaks)}


def _in_subprocess(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return {"args": args, "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def centre_day(audio_hours_per_core_hour: float) -> dict:
    """The cores a centre's day of talk needs at this rate, round the clock or overnight."""
    return {"audio_hours": CENTRE_AUDIO_HOURS_PER_DAY,
            "audio_hours_per_core_hour": round(audio_hours_per_core_hour, 1),
            "cores_over_24h": round(CENTRE_AUDIO_HOURS_PER_DAY / audio_hours_per_core_hour / 24, 1),
            "cores_over_8h_night": round(CENTRE_AUDIO_HOURS_PER_DAY / audio_hours_per_core_hour / 8, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--skip-60min", action="store_true", help="skip the long call (memory)")
    parser.add_argument("--long-minutes", type=float, default=60.0, help="the long call's length (default 60)")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: MODE:FOLDER:RSS_DIR
    args = parser.parse_args()
    if args.one:
        mode, folder, rss_dir = args.one.split(":")
        print(json.dumps(run_one(mode, Path(folder), Path(rss_dir))))
        return 0
    results: dict = {"cpu_count": os.cpu_count(), "calls": args.calls, "minutes_per_call": args.minutes}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "calls"
        folder.mkdir()
        for number in range(args.calls):
            write_call(folder / f"call{number}.wav", args.minutes * 60, seed=number)
        runs = []
        for mode in ("local-1", "local-2", *(() if args.skip_ray else ("ray-2",))):
            rss_dir = Path(tmp) / f"rss-{mode}"
            rss_dir.mkdir()
            runs.append(_in_subprocess(["--one", f"{mode}:{folder}:{rss_dir}"]))
        results["runs"] = runs
        two = next((r for r in runs if r.get("mode") == "local-2" and "error" not in r), None)
        if two:
            results["centre_day"] = centre_day(two["audio_hours_per_hour"] / 2)
            if two.get("real_time_per_worker_after_first_call"):
                results["centre_day_models_loaded"] = centre_day(two["real_time_per_worker_after_first_call"])
        if not args.skip_60min:
            long_folder = Path(tmp) / "long"
            long_folder.mkdir()
            write_call(long_folder / "hour.wav", args.long_minutes * 60, seed=99)
            rss_dir = Path(tmp) / "rss-60min"
            rss_dir.mkdir()
            long_call = _in_subprocess(["--one", f"local-1:{long_folder}:{rss_dir}"])
            results["sixty_minute_call" if args.long_minutes == 60 else "long_call"] = long_call
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
