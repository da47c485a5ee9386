"""What the trainee waits on in Whisper at the end of a turn: the word decode alone (what a voiced
call runs on the turn path now) against the word and filler decodes together (``transcribe``, what
it ran before the filler decode moved off the turn path), quiet and with cores kept busy.

    python benchmarks/turn_asr.py                       # JSON on stdout
    python benchmarks/turn_asr.py --rounds 5 --busy-cores 1 --threads 1 2

Replies: the latency benchmark's four espeak-ng sentences (``callsim bench latency``), decoded as
live turns are (no word timings).  Each timing starts with the encoder's cache emptied, so neither
variant reuses the other's encoding; variants, thread counts and conditions alternate within a
round, so drift in the machine's own load falls on all of them alike.  Prints per condition and
thread count the median and 90th percentile of each variant, and the median paired saving (same
clip, same round).  On a shared machine quote them with its load average (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber
from simulator.audio.clip import read_wav
from simulator.commands.busy_load import BusyLoad
from simulator.commands.latency_bench import make_replies


def _timed(transcriber: FasterWhisperTranscriber, samples, words_only: bool) -> float:
    transcriber.forget_encoding()  # no encoding left over from the other variant
    started = time.perf_counter()
    if words_only:
        transcriber.transcribe_words(samples)
    else:
        transcriber.transcribe(samples)
    return time.perf_counter() - started


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_s": round(statistics.median(ordered), 3), "p90_s": round(ordered[int(0.9 * (len(ordered) - 1))], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy-cores", type=int, default=1)
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clips = [read_wav(path).samples for path in make_replies(Path(tmp))]
    models = {threads: FasterWhisperTranscriber(threads=threads, word_timestamps=False) for threads in args.threads}
    for model in models.values():
        model.transcribe(clips[0])  # load and warm up
    conditions = ["quiet"] + (["busy"] if args.busy_cores else [])
    times: dict[tuple[str, int, str], list[float]] = {}
    savings: dict[tuple[str, int], list[float]] = {}
    load_averages: dict[str, list[float]] = {c: [] for c in conditions}
    busy_cores_used = []
    for round_number in range(args.rounds):
        for condition in conditions:
            with BusyLoad(args.busy_cores if condition == "busy" else 0) as load:
                time.sleep(0.3)
                load_averages[condition].append(os.getloadavg()[0])
                for clip in clips:
                    for threads, model in models.items():
                        order = (True, False) if round_number % 2 else (False, True)
                        measured = {words_only: _timed(model, clip, words_only) for words_only in order}
                        times.setdefault((condition, threads, "words"), []).append(measured[True])
                        times.setdefault((condition, threads, "words+fillers"), []).append(measured[False])
                        savings.setdefault((condition, threads), []).append(measured[False] - measured[True])
            if condition == "busy" and load.report is not None:
                busy_cores_used.append(load.report.cores_used)
    result = {
        "reply_lengths_s": [round(len(clip) / 16000, 2) for clip in clips],
        "rounds": args.rounds,
        "load_average_1min": {c: round(statistics.median(v), 2) for c, v in load_averages.items()},
        "busy_load_cores_used": round(statistics.median(busy_cores_used), 2) if busy_cores_used else None,
        "conditions": {
            f"{condition}, {threads} thread(s)": {
                "words_only": _summary(times[(condition, threads, "words")]),
                "words_and_fillers": _summary(times[(condition, threads, "words+fillers")]),
                "paired_saving_median_s": round(statistics.median(savings[(condition, threads)]), 3),
            }
            for condition in conditions for threads in models
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
