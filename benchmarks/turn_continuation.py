"""Decoding only what follows a clear pause: how much of the final pass it saves, and what it costs in words.

    python benchmarks/turn_continuation.py                    # tuning: the real-call set's tuning calls
    python benchmarks/turn_continuation.py --split report     # ../shared/data/asr, against its reference texts
    python benchmarks/turn_continuation.py --gaps 0.1 0.15 0.25 --json

A voiced call decodes the trainee's words at every pause (``SpeechPaused``); when the trainee talks on
after a pause of at least ``MIN_HEAD_GAP_S``, the next pass decodes only what follows that pause and
joins it to the earlier transcript (``simulator.asr.continued``).  This replays speech through the
real endpointer (Silero VAD, the call's ``EndpointConfig``, 16 ms blocks) and, per turn, decodes it
as the call would with each minimum gap, and whole, as before.  Decodes are the live turn's: words
only, no word timings, the call's transcriber settings.

Printed per minimum gap: the turns that had a head to continue from, the final pass's time for
those turns (median, whole vs continued, and the median paired ratio), and the words: against the
whole-turn decode (share of turns whose words differ, word error rate of the continued text taking
the whole decode as reference) and, for ``--split report``, each against the reference texts.

Splits: ``tune`` is every channel of the real-call set's tuning calls (``benchmarks/realcalls``,
``.cache/realcalls``; people on the phone, with the pauses of real talk); ``report`` is
``../shared/data/asr`` (read and telephone speech with reference texts), scored once after the
gap was chosen on ``tune``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.asr.continued import MIN_HEAD_GAP_S, TranscribedHead, continue_after  # noqa: E402
from simulator.asr.registry import transcriber_from_settings  # noqa: E402
from simulator.asr.wer import corpus_wer, normalise  # noqa: E402
from simulator.audio.endpoint import (  # noqa: E402
    EndpointConfig,
    Endpointer,
    NoSpeech,
    SileroVad,
    SpeechPaused,
    SpeechResumed,
    TurnEnded,
)
from simulator.config import load_settings  # noqa: E402

BLOCK = 256
RATE = 16000
TUNING_CALLS = ("lca-auto-repairs-40", "lca-acme-bank-agent", "lca-acme-bank-agent1", "pca-auto0-mono",
                "azure-sales-callback")  # benchmarks/realcalls/compare.py TUNING


@dataclass
class Turn:
    """One trainee turn as the endpointer cut it: the pauses heard in it and the final audio."""

    source: str
    pauses: list[tuple[np.ndarray, float]] = field(default_factory=list)  # (audio so far, gap that followed)
    audio: np.ndarray | None = None
    reference: str | None = None


def turns_of(source: str, audio: np.ndarray, reference: str | None = None) -> list[Turn]:
    """``audio`` cut into turns by the call's endpointer, each with its pauses and the gap after each."""
    endpointer = Endpointer(SileroVad(), EndpointConfig(), RATE)
    endpointer.listen()
    turns, current, paused_at = [], Turn(source, reference=reference), None
    for start in range(0, len(audio), BLOCK):
        for event in endpointer.feed(audio[start:start + BLOCK]):
            if isinstance(event, SpeechPaused):
                paused_at = (event.audio.samples, event.speech_end_s)
            elif isinstance(event, SpeechResumed) and paused_at is not None:
                current.pauses.append((paused_at[0], event.at_s - paused_at[1]))
                paused_at = None
            elif isinstance(event, TurnEnded):
                current.audio = event.utterance.audio.samples
                turns.append(current)
                current, paused_at = Turn(source, reference=reference), None
                endpointer.listen()
            elif isinstance(event, NoSpeech):
                endpointer.listen()
    return turns


def tuning_turns(cache: Path) -> list[Turn]:
    from simulator.asr.channels import read_channels

    turns = []
    for call in TUNING_CALLS:
        path = next(cache.glob(f"{call}.*"), None)
        if path is None:
            raise SystemExit(f"{cache}: no recording of {call}; run python benchmarks/realcalls/fetch.py")
        recording = read_channels(path, RATE)
        for channel in range(recording.channels):
            turns += turns_of(f"{call}:{channel}", recording.channel(channel))
    return turns


def report_turns(data: Path) -> list[Turn]:
    from simulator.audio.clip import read_wav

    rows = [json.loads(line) for line in (data / "asr" / "manifest.jsonl").read_text().splitlines() if line.strip()]
    silence = np.zeros(RATE, np.float32)
    turns = []
    for row in rows:
        audio = np.concatenate([silence[:RATE // 2], read_wav(data / row["audio"]).samples, silence])
        clip_turns = turns_of(row["audio"], audio, row["text"])
        if len(clip_turns) == 1:  # a clip the endpointer cut in two has no single reference to score
            turns += clip_turns
    return turns


def decoded(decode, turn: Turn, min_gap_s: float | None) -> tuple[str, float, bool]:
    """The turn's text as the call would decode it, the final pass's time, and whether it continued."""
    head: TranscribedHead | None = None
    for audio, gap_s in turn.pauses if min_gap_s is not None else ():
        if gap_s >= min_gap_s:
            text = continue_after(decode, audio, head) if head else decode(audio)
            head = TranscribedHead(len(audio), text)
    assert turn.audio is not None
    started = time.perf_counter()
    final = continue_after(decode, turn.audio, head) if head and head.samples < len(turn.audio) else decode(turn.audio)
    return final.text, time.perf_counter() - started, head is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "report"), default="tune")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("CALLSIM_DEV_DATA") or REPO.parent / "shared" / "data"))
    parser.add_argument("--gaps", type=float, nargs="+", default=[0.15, MIN_HEAD_GAP_S, 0.3])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    turns = tuning_turns(REPO / ".cache" / "realcalls") if args.split == "tune" else report_turns(args.data)
    transcriber = transcriber_from_settings(load_settings())
    decode = getattr(transcriber, "transcribe_words", transcriber.transcribe)
    decode(turns[0].audio)  # load and warm up
    whole = [decoded(decode, turn, None) for turn in turns]
    result: dict = {"split": args.split, "turns": len(turns),
                    "turns_with_a_pause": sum(1 for t in turns if t.pauses), "load_average_1min": os.getloadavg()[0],
                    "gaps": {}}
    if args.split == "report":
        pairs = ((t.reference or "", w[0]) for t, w in zip(turns, whole, strict=True))
        result["whole_wer"] = round(corpus_wer(pairs).wer, 4)
    for gap in args.gaps:
        runs = [decoded(decode, turn, gap) for turn in turns]
        kept = [i for i, run in enumerate(runs) if run[2]]
        row: dict = {"turns_continued": len(kept)}
        if kept:
            row["final_pass_whole_median_s"] = round(statistics.median(whole[i][1] for i in kept), 3)
            row["final_pass_continued_median_s"] = round(statistics.median(runs[i][1] for i in kept), 3)
            row["paired_ratio_median"] = round(statistics.median(runs[i][1] / whole[i][1] for i in kept), 3)
            row["turns_whose_words_differ"] = sum(normalise(runs[i][0]) != normalise(whole[i][0]) for i in kept)
            row["wer_against_whole_decode"] = round(corpus_wer((whole[i][0], runs[i][0]) for i in kept).wer, 4)
        if args.split == "report":
            row["wer"] = round(corpus_wer((t.reference or "", r[0]) for t, r in zip(turns, runs, strict=True)).wer, 4)
        result["gaps"][str(gap)] = row
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
