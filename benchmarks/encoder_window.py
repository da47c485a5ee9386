"""Whisper's encoder on the speech and a margin instead of a padded 30-s window: time saved, words changed.

    python benchmarks/encoder_window.py                        # tuning: the real-call set's tuning calls
    python benchmarks/encoder_window.py --split report         # read and telephone speech with reference texts
    python benchmarks/encoder_window.py --margins 8 15 --json

Every variant is the live turn's decode (``transcribe_words``: words only, no word timings, the
call's transcriber settings) with ``window_margin_s`` set (``simulator.asr.fitted_window``), against
the same decode over the whole 30-s window (``full``).  The variants run turn by turn in turn, so a
change of load hits them alike; each decode encodes afresh.

Splits:
- ``tune``: every channel of the real-call set's tuning calls (``benchmarks/realcalls``,
  ``.cache/realcalls``), cut into turns by the call's endpointer (Silero VAD, the call's
  ``EndpointConfig``).  People on the phone have no reference texts, so each variant is scored
  against a stronger decode of the same turn (Whisper base, beam 5, whole window: a silver
  reference, itself wrong in places) and against the full-window tiny decode.
- ``report``: ``../shared/data/asr`` and ``../shared/data/emotion_speech`` (read and telephone speech,
  RAVDESS sentences) against their reference texts; run once, after the margin was chosen on ``tune``.

Printed per variant: the median decode time and the median of its ratio to ``full`` turn by turn,
the turns whose words differ from ``full``, the word error rate against ``full``, and against the
silver (``tune``) or the reference texts (``report``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.realcalls.compare import TUNING  # noqa: E402
from simulator.asr.channels import read_channels  # noqa: E402
from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber  # noqa: E402
from simulator.asr.registry import transcriber_from_settings  # noqa: E402
from simulator.asr.wer import corpus_wer, normalise  # noqa: E402
from simulator.audio.clip import read_wav  # noqa: E402
from simulator.audio.endpoint import EndpointConfig, Endpointer, NoSpeech, SileroVad, TurnEnded  # noqa: E402
from simulator.config import load_settings  # noqa: E402

RATE = 16000
BLOCK = 256
REPORT_SETS = ("asr", "emotion_speech")


@dataclass(frozen=True)
class Turn:
    source: str
    audio: np.ndarray
    reference: str | None = None


def endpointed_turns(source: str, audio: np.ndarray) -> list[Turn]:
    """``audio`` cut into turns as a call's endpointer cuts a trainee's speech."""
    endpointer = Endpointer(SileroVad(), EndpointConfig(), RATE)
    endpointer.listen()
    turns = []
    for start in range(0, len(audio), BLOCK):
        for event in endpointer.feed(audio[start:start + BLOCK]):
            if isinstance(event, TurnEnded):
                turns.append(Turn(source, event.utterance.audio.samples))
                endpointer.listen()
            elif isinstance(event, NoSpeech):
                endpointer.listen()
    return turns


def tuning_turns(cache: Path) -> list[Turn]:
    turns = []
    for call in TUNING:
        path = next(cache.glob(f"{call}.*"), None)
        if path is None:
            raise SystemExit(f"{cache}: no recording of {call}; run python benchmarks/realcalls/fetch.py")
        recording = read_channels(path, RATE)
        for channel in range(recording.channels):
            turns += endpointed_turns(f"{call}:{channel}", recording.channel(channel))
    return turns


def report_turns(data: Path) -> list[Turn]:
    turns = []
    for name in REPORT_SETS:
        folder = data / name
        for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            path = folder / row["audio"] if (folder / row["audio"]).is_file() else data / row["audio"]
            turns.append(Turn(row["audio"], read_wav(path).samples, row["text"]))
    return turns


def silver_texts(turns: list[Turn], threads: int) -> list[str]:
    """A stronger recogniser's words for each turn: Whisper base (packaged), beam 5, the whole window."""
    silver = FasterWhisperTranscriber("base", language="en", beam_size=5, threads=threads, window_margin_s=None)
    return [silver.transcribe_words(turn.audio).text for turn in turns]


def decoded_by_variant(turns: list[Turn], margins: list[float]) -> dict[str, list[tuple[str, float]]]:
    settings = load_settings()
    variants = {"full": None, **{f"{m:g}s": m for m in margins}}
    models = {name: transcriber_from_settings(settings, window_margin_s=margin) for name, margin in variants.items()}
    for model in models.values():
        model.transcribe_words(turns[0].audio)  # load and warm up
    results: dict[str, list[tuple[str, float]]] = {name: [] for name in variants}
    for turn in turns:
        for name, model in models.items():
            model.forget_encoding()
            started = time.perf_counter()
            text = model.transcribe_words(turn.audio).text
            results[name].append((text, time.perf_counter() - started))
    return results


def summary(results: dict[str, list[tuple[str, float]]], references: list[str]) -> dict:
    full = results["full"]
    rows = {}
    for name, decodes in results.items():
        pairs = list(zip(decodes, full, strict=True))
        rows[name] = {
            "median_decode_s": round(statistics.median(s for _, s in decodes), 3),
            "median_ratio_to_full": round(statistics.median(s / f for (_, s), (_, f) in pairs), 3),
            "turns_whose_words_differ": sum(normalise(t) != normalise(f) for (t, _), (f, _) in pairs),
            "wer_against_full": round(corpus_wer((f, t) for (t, _), (f, _) in pairs).wer, 4),
            "wer_against_reference": round(corpus_wer(zip(references, (t for t, _ in decodes), strict=True)).wer, 4),
        }
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "report"), default="tune")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("CALLSIM_DEV_DATA") or REPO.parent / "shared" / "data"))
    parser.add_argument("--margins", type=float, nargs="+", default=[4.0, 8.0, 12.0, 15.0, 20.0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    turns = tuning_turns(REPO / ".cache" / "realcalls") if args.split == "tune" else report_turns(args.data)
    results = decoded_by_variant(turns, args.margins)
    if args.split == "tune":
        references, reference_kind = silver_texts(turns, load_settings().asr_threads), "whisper base beam 5 (silver)"
    else:
        references, reference_kind = [t.reference or "" for t in turns], "reference texts"
    report = {"split": args.split, "turns": len(turns), "reference": reference_kind,
              "load_average_1min": round(os.getloadavg()[0], 2), "variants": summary(results, references)}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.split}: {len(turns)} turns, WER against {reference_kind}, load {report['load_average_1min']}")
    for name, row in report["variants"].items():
        print(f"  {name:>5}  decode {row['median_decode_s']:.3f} s (x{row['median_ratio_to_full']:.2f})  "
              f"differ {row['turns_whose_words_differ']:>3}  WER vs full {100 * row['wer_against_full']:5.2f}%  "
              f"vs reference {100 * row['wer_against_reference']:5.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
