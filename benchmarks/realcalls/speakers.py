"""Mono speaker separation against the analyst's hand-marked speaker changes (no Whisper: VAD + voices).

    python benchmarks/realcalls/speakers.py              # the tuning calls with analyst_speaker_changes
    python benchmarks/realcalls/speakers.py --held-out   # also the held-out calls (read once, after a choice)

Per call: the separation score (silhouette) and whether it clears the confidence threshold, then the
share of speech time attributed to the analyst's speaker, (a) with the agent picked as the scorer picks it
without words (the voice heard first) and (b) with the better of the two labellings (how well the voices
were grouped, whoever is the agent).  Only the speech the VAD found counts; the analyst marks whole turns.
A stereo file (the Nissan call: both voices on the left channel) is read from its first channel.

Controls from the other tuning calls: each channel of a two-channel call and each agent-only recording
hold one voice, so the split must come out unsure ("sure: no"); the two channels of a stereo call summed
are a real mono two-voice call whose truth is the louder channel in each piece.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.realcalls.compare import HELD_OUT as COMPARED_HELD_OUT  # noqa: E402
from benchmarks.realcalls.compare import NEW_HELD_OUT  # noqa: E402
from simulator.asr.channels import read_channels  # noqa: E402
from simulator.qa.diarise import MIN_SEPARATION, Diarisation, diarise  # noqa: E402
from simulator.qa.external import SpanFinder  # noqa: E402
from simulator.qa.importer import vad_span_finder  # noqa: E402

HELD_OUT = (*COMPARED_HELD_OUT, *NEW_HELD_OUT)


def analyst_turns(changes: str, end_s: float) -> list[tuple[float, float, str]]:
    marks = [(float(at), who) for at, who in (item.split(":") for item in changes.split(","))]
    return [(at, marks[i + 1][0] if i + 1 < len(marks) else end_s, who) for i, (at, who) in enumerate(marks)]


def agreement(pieces: list[tuple[float, float, str]], truth: list[tuple[float, float, str]]) -> float:
    """Share of the pieces' time whose speaker is the analyst's (overlap by time, not by piece middle)."""
    right = total = 0.0
    for start, end, who in pieces:
        for t_start, t_end, t_who in truth:
            both = max(0.0, min(end, t_end) - max(start, t_start))
            total += both
            right += both if who == t_who else 0.0
    return right / total if total else 0.0


def _row(name: str, result: Diarisation, first: float | None, best: float | None) -> str:
    speech = sum(p.duration_s for p in result.pieces)
    agree = f"{first:12.1%} {best:6.1%}" if first is not None and best is not None else f"{'-':>12} {'-':>6}"
    return f"{name:28} {result.separation:6.3f} {'yes' if result.confident else 'no':>5} {agree} {speech:9.1f}"


def _agreements(result: Diarisation, truth: list[tuple[float, float, str]]) -> tuple[float, float]:
    as_first = [(p.start_s, p.end_s, "agent" if p.speaker == 0 else "customer") for p in result.pieces]
    swapped = [(s, e, "customer" if w == "agent" else "agent") for s, e, w in as_first]
    first, other = agreement(as_first, truth), agreement(swapped, truth)
    return first, max(first, other)


def _louder_channel(agent: np.ndarray, customer: np.ndarray, result: Diarisation) -> list[tuple[float, float, str]]:
    truth = []
    for piece in result.pieces:
        cut = slice(int(piece.start_s * 16000), int(piece.end_s * 16000))
        louder = np.mean(agent[cut] ** 2) >= np.mean(customer[cut] ** 2)
        truth.append((piece.start_s, piece.end_s, "agent" if louder else "customer"))
    return truth


def controls(manifest: dict[str, Any], cache: Path, vad: SpanFinder) -> None:
    for call in manifest["calls"]:
        path = cache / call["audio"]["file"]
        channel = str(call["audio"].get("agent_channel"))
        if call["id"] in HELD_OUT or not path.is_file() or channel == "mixed":
            continue
        audio = read_channels(path, 16000)
        voices = [audio.channel(c).astype(np.float32) for c in range(audio.channels)]
        for number, samples in enumerate(voices):
            result = diarise(samples, [(s.start_s, s.end_s) for s in vad(samples)])
            print(_row(f"{call['id']}[ch{number}] 1 voice", result, None, None))
        if len(voices) == 2:
            agent = voices[int(channel)]
            customer = voices[1 - int(channel)]
            mixed = agent + customer
            result = diarise(mixed, [(s.start_s, s.end_s) for s in vad(mixed)])
            truth = _louder_channel(agent, customer, result)
            print(_row(f"{call['id']}[ch0+ch1]", result, *_agreements(result, truth)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="also the held-out calls")
    args = parser.parse_args()
    manifest = yaml.safe_load((HERE / "manifest.yaml").read_text())
    cache = REPO / ".cache" / "realcalls"
    if not cache.is_dir():
        cache = Path("/work/main/.cache/realcalls")
    vad = vad_span_finder()
    print(f"{'call':28} {'sep':>6} {'sure':>5} {'first=agent':>12} {'best':>6} {'speech_s':>9}")
    for call in manifest["calls"]:
        changes = call.get("analyst_speaker_changes")
        if not changes or (call["id"] in HELD_OUT and not args.held_out):
            continue
        path = cache / call["audio"]["file"]
        if not path.is_file():
            print(f"{call['id']:28} missing {path}: run benchmarks/realcalls/fetch.py")
            continue
        samples = read_channels(path, 16000).channel(0).astype(np.float32)
        spans = [(s.start_s, s.end_s) for s in vad(samples)]
        result = diarise(samples, spans)
        truth = analyst_turns(changes, samples.size / 16000)
        print(_row(call["id"], result, *_agreements(result, truth)))
    controls(manifest, cache, vad)
    print(f"(sure: separation >= {MIN_SEPARATION} and the quieter voice has some speech)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
