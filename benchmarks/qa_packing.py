"""How much audio one Whisper pass of packed turns should hold, when a recording is scored.

``callsim score`` transcribes a call's turns packed end to end (``transcribe_clips`` in
``simulator/qa/external.py``).  This compares pass lengths on two things:

1. **Words**: read-speech clips with reference texts (``../shared/data/asr`` and
   ``../shared/data/emotion_speech``, English only), packed as a call's turns are, in a fixed
   shuffled order; the WER of each pass length (case, punctuation and fillers ignored) and its speed.
2. **Real calls** (``--calls DIR``, default ``.cache/realcalls`` when present, from
   ``benchmarks/realcalls/fetch.py``): each call scored whole with each pass length (warm models, one
   Whisper thread as each of two batch workers has), the time, the overall score, and how far the
   agent's and the customer's words differ from the first pass length's (a WER between the two
   transcripts: disagreement, not error, since these calls have no reference text).

    python benchmarks/qa_packing.py                      # pass lengths 30 and 600 s
    python benchmarks/qa_packing.py --pass-s 30 60 600 --threads 2 --rounds 3

Prints JSON.  Timings are medians over ``--rounds``; on a shared machine quote them with its load
average (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from simulator.asr.wer import corpus_wer  # noqa: E402

MANIFESTS = ("asr/manifest.jsonl", "emotion_speech/manifest.jsonl")


def referenced_clips(data: Path) -> list[tuple[Path, str]]:
    """(audio, reference text) for every English clip the manifests name, in a fixed shuffled order."""
    pairs = []
    for name in MANIFESTS:
        manifest = data / name
        if not manifest.exists():
            continue
        for line in manifest.read_text().splitlines():
            item = json.loads(line)
            if item.get("language", "en") != "en" or not item.get("text"):
                continue
            beside = manifest.parent / item["audio"]  # paths are relative to the manifest or to the data root
            pairs.append((beside if beside.exists() else data / item["audio"], item["text"]))
    random.Random(13).shuffle(pairs)
    return pairs


def words_by_pass(pairs: list[tuple[Path, str]], transcriber, pass_lengths: list[float], rounds: int) -> list[dict]:
    from simulator.audio.clip import read_wav
    from simulator.qa.external import transcribe_clips

    clips = [read_wav(path).samples for path, _text in pairs]
    audio_s = sum(clip.size for clip in clips) / 16_000
    rows = []
    for pass_s in pass_lengths:
        times, texts = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            texts = transcribe_clips(clips, transcriber, pass_s=pass_s)
            times.append(time.perf_counter() - started)
        errors = corpus_wer(((text, got.text) for (_path, text), got in zip(pairs, texts, strict=True)),
                            drop_fillers=True)
        median_s = statistics.median(times)
        rows.append({"pass_s": pass_s, "clips": len(clips), "audio_s": round(audio_s, 1),
                     "wer": round(errors.wer, 4), "reference_words": errors.reference_words,
                     "clips_without_words": sum(not got.text.strip() for got in texts),
                     "median_s": round(median_s, 2), "x_real_time": round(audio_s / median_s, 1)})
    return rows


def _side_texts(record, speaker) -> str:
    return " ".join(turn.text for turn in record.turns if turn.speaker == speaker)


def calls_by_pass(calls: Path, settings, transcriber, pass_lengths: list[float], rounds: int) -> list[dict]:
    import yaml

    from simulator.contracts import Speaker
    from simulator.qa.importer import RecordingOptions, RecordingScorer
    from simulator.qa.mono import MonoContent

    sys.path.insert(0, str(REPO / "benchmarks" / "realcalls"))
    from compare import how_recorded

    manifest = yaml.safe_load((REPO / "benchmarks" / "realcalls" / "manifest.yaml").read_text())["calls"]
    rows = []
    for call in manifest:
        path = calls / call["audio"]["file"]
        if not path.exists():
            continue
        agent_only, agent_channel = how_recorded(call["audio"])
        first = None
        for pass_s in pass_lengths:
            options = RecordingOptions(agent_channel=agent_channel, asr_pass_s=pass_s,
                                       mono=MonoContent.AGENT if agent_only else MonoContent.MIXED)
            scorer = RecordingScorer(settings, options, transcriber)  # one Whisper for every scorer
            scorer.score(path)  # loads the VAD and the analyser's model, fills caches: not timed
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                scored = scorer.score(path)
                times.append(time.perf_counter() - started)
            sides = {side: _side_texts(scored.record, speaker)
                     for side, speaker in (("agent", Speaker.TRAINEE), ("customer", Speaker.CUSTOMER))}
            first = first or sides
            differ = {f"{side}_words_differ": round(corpus_wer([(first[side], sides[side])]).wer, 3)
                      for side in sides if first[side]}
            median_s = statistics.median(times)
            rows.append({"call": call["id"], "pass_s": pass_s, "audio_s": round(scored.duration_s, 1),
                         "median_s": round(median_s, 2), "x_real_time": round(scored.duration_s / median_s, 1),
                         "overall": scored.scorecard.overall, "passed": scored.scorecard.passed, **differ})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--calls", type=Path, default=REPO / ".cache" / "realcalls")
    parser.add_argument("--pass-s", type=float, nargs="+", default=[30.0, 600.0])
    parser.add_argument("--threads", type=int, default=1, help="Whisper threads (1: each of 2 workers on 2 cores)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-calls", action="store_true")
    args = parser.parse_args()

    from simulator.config import load_settings
    from simulator.qa.importer import LazyTranscriber

    settings = load_settings().model_copy(update={"asr_threads": args.threads})
    transcriber = LazyTranscriber(settings)
    transcriber.transcribe(np.zeros(16_000, np.float32))  # load the model before timing
    pairs = referenced_clips(args.data)
    words = (words_by_pass(pairs, transcriber, args.pass_s, args.rounds) if pairs
             else f"skipped: no English clips with references under {args.data} (its asr/ and emotion_speech/ "
                  "manifests); pass --data")
    result: dict = {"load_average": os.getloadavg(), "threads": args.threads, "rounds": args.rounds, "words": words}
    if not args.skip_calls and args.calls.is_dir():
        result["calls"] = calls_by_pass(args.calls, settings, transcriber, args.pass_s, args.rounds)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
