"""ASR benchmark: WER (per kind and overall), real-time factor and peak memory, for each backend.

    python benchmarks/asr.py                        # both backends over ../shared/data/asr
    python benchmarks/asr.py --backend faster-whisper --repeat 3 --threads 1

Each backend runs in its own child process so its peak RSS is its own.  openai-whisper needs a
checkpoint: ``--checkpoint PATH``, or one is converted from the packaged tiny.en with
../shared/tools/ct2_to_openai_whisper.py into .cache/asr/ (once).

Real-time factor = transcription time / audio duration (lower is faster); "cold" is the first
pass over the clips in a fresh process (includes one-off JIT and cache warm-up), "warm" the best of
the later passes.  WER normalises case, punctuation and numbers, and ignores fillers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "asr"
CONVERTER = SHARED / "tools" / "ct2_to_openai_whisper.py"
BACKENDS = ("faster-whisper", "openai-whisper")


def openai_checkpoint(explicit: Path | None) -> Path:
    if explicit:
        return explicit
    checkpoint = REPO / ".cache" / "asr" / "tiny_en_openai.pt"
    if not checkpoint.is_file():
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        print(f"converting the packaged tiny.en for openai-whisper -> {checkpoint}", file=sys.stderr)
        subprocess.run([sys.executable, str(CONVERTER), str(checkpoint)], check=True, capture_output=True)
    return checkpoint


def run_child(args: argparse.Namespace) -> dict:
    """Measure one backend in this process and return the numbers."""
    sys.path.insert(0, str(REPO))
    from simulator.asr.audio_file import read_audio
    from simulator.asr.registry import builtin_transcribers
    from simulator.asr.wer import corpus_wer

    rows = [json.loads(line) for line in (args.data / "manifest.jsonl").read_text().splitlines() if line.strip()]
    clips = [(row, read_audio(args.data / Path(row["audio"]).name)) for row in rows]
    started = time.perf_counter()
    options = {"threads": args.threads}
    if args.model:
        options["model"] = args.model
    backend = args.backend[-1]
    transcriber = builtin_transcribers().create(backend, **options)
    transcriber.load()
    load_s = time.perf_counter() - started
    audio_s = sum(len(audio) / 16_000 for _row, audio in clips)
    pass_times: list[float] = []
    hypotheses: dict[str, str] = {}
    for _ in range(max(1, args.repeat)):
        elapsed = 0.0
        for row, audio in clips:
            begin = time.perf_counter()
            transcript = transcriber.transcribe(audio)
            elapsed += time.perf_counter() - begin
            hypotheses[row["audio"]] = transcript.text
        pass_times.append(elapsed)
    kinds = sorted({row["kind"] for row, _audio in clips})
    wer_by_kind = {kind: corpus_wer([(row["text"], hypotheses[row["audio"]]) for row, _a in clips
                                     if row["kind"] == kind], drop_fillers=True).wer for kind in kinds}
    overall = corpus_wer([(row["text"], hypotheses[row["audio"]]) for row, _a in clips], drop_fillers=True)
    return {
        "backend": backend, "model": getattr(transcriber, "model_name", ""), "threads": args.threads,
        "clips": len(clips), "audio_s": round(audio_s, 2), "load_s": round(load_s, 2),
        "rtf_cold": round(pass_times[0] / audio_s, 3),
        "rtf_warm": round(min(pass_times[1:]) / audio_s, 3) if len(pass_times) > 1 else None,
        "wer": {**{k: round(v, 4) for k, v in wer_by_kind.items()}, "overall": round(overall.wer, 4)},
        "errors": overall.errors, "reference_words": overall.reference_words,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "hypotheses": hypotheses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with manifest.jsonl")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the clips (first = cold)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="model name/path for a single --backend")
    parser.add_argument("--checkpoint", type=Path, help="openai-whisper checkpoint (default: convert)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per backend")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)))
        return 0
    if not (args.data / "manifest.jsonl").is_file():
        print(f"benchmarks/asr.py: no manifest.jsonl in {args.data} (the dev data lives in ../shared/data)",
              file=sys.stderr)
        return 2
    results = []
    for backend in args.backend or BACKENDS:
        command = [sys.executable, __file__, "--child", "--backend", backend, "--data", str(args.data),
                   "--repeat", str(args.repeat), "--threads", str(args.threads)]
        model = args.model
        if backend == "openai-whisper" and not model:
            model = str(openai_checkpoint(args.checkpoint))
        if model:
            command += ["--model", model]
        child = subprocess.run(command, capture_output=True, text=True)
        if child.returncode != 0:
            print(f"{backend}: failed\n{child.stderr}", file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout.splitlines()[-1]))
    if args.json:
        for result in results:
            print(json.dumps(result))
        return 0
    kinds = sorted({kind for result in results for kind in result["wer"] if kind != "overall"})
    header = ["backend", "load s", "RTF cold", "RTF warm", *[f"WER {k}" for k in kinds], "WER all", "peak RSS MB"]
    print(" | ".join(header))
    for r in results:
        cells = [r["backend"], f"{r['load_s']:.2f}", f"{r['rtf_cold']:.3f}",
                 f"{r['rtf_warm']:.3f}" if r["rtf_warm"] is not None else "-",
                 *[f"{r['wer'][k]:.3f}" for k in kinds], f"{r['wer']['overall']:.3f}", f"{r['peak_rss_mb']:.0f}"]
        print(" | ".join(cells))
    first = results[0]
    print(f"({first['clips']} clips, {first['audio_s']} s of audio, {first['reference_words']} reference words, "
          f"threads={first['threads']}, repeat={args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
