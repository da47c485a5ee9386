"""ASR benchmark: WER (per kind and overall), real-time factor and peak memory, for each backend.

    python benchmarks/asr.py                        # both backends over ../shared/data/asr
    python benchmarks/asr.py --backend faster-whisper --repeat 3 --threads 1
    python benchmarks/asr.py --backend faster-whisper --incremental   # + end-of-turn latency
    python benchmarks/asr.py --backend faster-whisper --fillers separate-pass --fillers off --beam 5
    python benchmarks/asr.py --backend faster-whisper --no-word-timings   # as live turns decode
    python benchmarks/asr.py --backend faster-whisper --data ../shared/data/emotion_speech --select actor=4,5,6

``--fillers`` (repeatable) chooses how fillers reach the transcript (``FillerMode``): ``separate-pass``
(the default: words without the filler prompt, fillers from a second prompted decode),
``in-word-pass`` (one decode with the prompt, as before) or ``off`` (raw Whisper).  Each mode is its
own row.  Fillers are measured two ways, since the reference texts of read speech have none:
"invented" counts fillers in the hypotheses beyond those in the references, and a few project-written
sentences full of "um"/"uh", synthesised with espeak-ng at run time, give how many spoken fillers
were written ("found") and the WER of their other words (synthetic speech: a check, not a figure of
accuracy on people).

Each backend runs in its own child process so its peak RSS is its own.  openai-whisper needs a
checkpoint: ``--checkpoint PATH``, or one is converted from the packaged tiny.en with
../shared/tools/ct2_to_openai_whisper.py into .cache/asr/ (once).

Real-time factor = transcription time / audio duration (lower is faster); "cold" is the first
pass over the clips in a fresh process (includes one-off JIT and cache warm-up), "warm" the best of
the later passes.  WER normalises case, punctuation and numbers, and ignores fillers.

``--incremental`` also replays each clip in real time (0.1 s blocks) followed by ``--end-silence``
of silence -- what the endpointer waits for -- into an ``IncrementalTranscriber`` and reports how
long ``finish()`` then takes (the wait after the turn ends), against transcribing the whole turn
only once it has ended.
"""

from __future__ import annotations

import argparse
import json
import os
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
FILLER_MODES = ("separate-pass", "in-word-pass", "off")
FILLER_SENTENCES = (  # written for this benchmark: 10 fillers among 37 other words
    "Uh, I understand, um, that must be frustrating.",
    "Um, let me just, uh, pull up your account.",
    "I am, um, really sorry about that.",
    "Okay. Uh, so your bill went up.",
    "Well, um, the refund takes, uh, five days.",
    "Uh, can I have your, um, postcode please?",
)


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
    rows = [{"kind": "read", **row} for row in rows if selected(row, args.select)]  # RAVDESS rows have no kind
    clips = [(row, read_audio(clip_path(args.data, row["audio"]))) for row in rows]
    started = time.perf_counter()
    options = {"threads": args.threads, "fillers": args.fillers[-1], "word_timestamps": not args.no_word_timings}
    if args.backend[-1] == "faster-whisper":
        options["beam_size"] = args.beam
    if args.model:
        options["model"] = args.model
    backend = args.backend[-1]
    transcriber = builtin_transcribers().create(backend, **options)
    transcriber.load()
    load_s = time.perf_counter() - started
    decode_s = time_decodes(transcriber)
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
    decode_passes = {name: list(times) for name, times in decode_s.items()}  # the timed passes over the clips
    kinds = sorted({row["kind"] for row, _audio in clips})
    wer_by_kind = {kind: corpus_wer([(row["text"], hypotheses[row["audio"]]) for row, _a in clips
                                     if row["kind"] == kind], drop_fillers=True).wer for kind in kinds}
    overall = corpus_wer([(row["text"], hypotheses[row["audio"]]) for row, _a in clips], drop_fillers=True)
    latency = end_of_turn_latency(transcriber, clips, args.end_silence) if args.incremental else None
    invented = sum(max(0, _fillers(hypotheses[row["audio"]]) - _fillers(row["text"])) for row, _a in clips)
    return {
        "latency": latency, "fillers_mode": args.fillers[-1], "beam": options.get("beam_size"),
        "fillers_invented": invented, "synthetic": synthetic_fillers(transcriber),
        "filler_pass": filler_pass_cost(decode_passes),
        "backend": backend, "model": getattr(transcriber, "model_name", ""), "threads": args.threads,
        "clips": len(clips), "audio_s": round(audio_s, 2), "load_s": round(load_s, 2),
        "rtf_cold": round(pass_times[0] / audio_s, 3),
        "rtf_warm": round(min(pass_times[1:]) / audio_s, 3) if len(pass_times) > 1 else None,
        "wer": {**{k: round(v, 4) for k, v in wer_by_kind.items()}, "overall": round(overall.wer, 4)},
        "errors": overall.errors, "reference_words": overall.reference_words,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "hypotheses": hypotheses,
    }


def selected(row: dict, select: list[str]) -> bool:
    """``--select actor=4,5,6``: keep a manifest row only if each named field has one of the values."""
    for condition in select:
        field, _, values = condition.partition("=")
        if str(row.get(field)) not in values.split(","):
            return False
    return True


def clip_path(data: Path, audio: str) -> Path:
    """A manifest's audio path: relative to its folder (emotion_speech) or to the data root (asr)."""
    inside = data / audio
    return inside if inside.is_file() else data / Path(audio).name


def time_decodes(transcriber) -> dict[str, list[float]]:
    """Wrap the backend's decoding so each word pass and filler pass is timed (seconds, in call order).

    The two passes of one transcription run back to back under the same load, so their ratio is a
    fair price of the filler pass even on a shared box where whole-run times are not comparable.
    """
    times: dict[str, list[float]] = {"words": [], "fillers": []}
    decode = transcriber._decode

    def timed(model, audio, prompt, **options):
        begin = time.perf_counter()
        segments = decode(model, audio, prompt, **options)  # a list: the decoding has finished
        times["fillers" if options.get("text_only") else "words"].append(time.perf_counter() - begin)
        return segments

    transcriber._decode = timed
    return times


def filler_pass_cost(decode_s: dict[str, list[float]]) -> dict | None:
    """What the filler pass adds to a transcription: median seconds per clip and share of the word pass."""
    import statistics

    words, fillers = decode_s["words"], decode_s["fillers"]
    if not fillers or len(fillers) != len(words):
        return None
    return {"median_s": round(statistics.median(fillers), 3),
            "share_of_word_pass": round(sum(fillers) / sum(words), 3),
            "word_pass_median_s": round(statistics.median(words), 3)}


def _fillers(text: str) -> int:
    from simulator.asr.wer import FILLERS, normalise

    return sum(word in FILLERS for word in normalise(text))


def synthetic_fillers(transcriber) -> dict | None:
    """Fillers written / spoken and the WER of the other words on ``FILLER_SENTENCES`` (espeak-ng, 2 voices)."""
    import shutil
    import tempfile

    from simulator.asr.audio_file import read_audio
    from simulator.asr.wer import corpus_wer

    if shutil.which("espeak-ng") is None:
        return None
    pairs = []
    with tempfile.TemporaryDirectory() as folder:
        for index, sentence in enumerate(FILLER_SENTENCES):
            for voice in ("en-us", "en"):
                path = Path(folder) / f"{index}-{voice}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), sentence], check=True, capture_output=True)
                pairs.append((sentence, transcriber.transcribe(read_audio(path)).text))
    words = corpus_wer(pairs, drop_fillers=True)
    return {"fillers_spoken": sum(_fillers(ref) for ref, _hyp in pairs),
            "fillers_found": sum(min(_fillers(ref), _fillers(hyp)) for ref, hyp in pairs),
            "fillers_extra": sum(max(0, _fillers(hyp) - _fillers(ref)) for ref, hyp in pairs),
            "wer": round(words.wer, 4), "errors": words.errors, "reference_words": words.reference_words}


def end_of_turn_latency(transcriber, clips, end_silence_s: float) -> dict:
    import numpy as np

    from simulator.asr.incremental import IncrementalTranscriber
    from simulator.asr.worker import AsrWorker

    block = 1_600
    waits, after_end, reused = [], [], 0
    with AsrWorker(transcriber) as worker:
        for _row, audio in clips:
            turn = np.concatenate([audio, np.zeros(int(end_silence_s * 16_000), np.float32)])
            incremental = IncrementalTranscriber(worker)
            started = time.perf_counter()
            for index, start in enumerate(range(0, len(turn), block)):
                incremental.feed(turn[start:start + block])
                pause = started + (index + 1) * block / 16_000 - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)  # the microphone's pace
            ended = time.perf_counter()
            incremental.finish()
            waits.append(time.perf_counter() - ended)
            reused += bool(incremental.stats.final_reused)
            ended = time.perf_counter()
            worker.transcribe(turn).result()
            after_end.append(time.perf_counter() - ended)
    return {"end_silence_s": end_silence_s, "finish_wait_s_median": round(float(np.median(waits)), 3),
            "finish_wait_s_max": round(max(waits), 3), "finals_reused": reused, "turns": len(clips),
            "whole_turn_after_end_s_median": round(float(np.median(after_end)), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with manifest.jsonl")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the clips (first = cold)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="model name/path for a single --backend")
    parser.add_argument("--fillers", choices=FILLER_MODES, action="append",
                        help="how fillers are kept (repeatable, one row each; default: separate-pass)")
    parser.add_argument("--beam", type=int, default=1, help="faster-whisper beam size (the app uses 1)")
    parser.add_argument("--select", action="append", default=[], metavar="FIELD=V1,V2",
                        help="only manifest rows whose FIELD is one of the values (e.g. actor=4,5,6)")
    parser.add_argument("--no-word-timings", action="store_true", help="decode as live turns do, without word timings")
    parser.add_argument("--checkpoint", type=Path, help="openai-whisper checkpoint (default: convert)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per backend")
    parser.add_argument("--incremental", action="store_true", help="also measure end-of-turn latency")
    parser.add_argument("--end-silence", type=float, default=0.8, help="silence after each turn (s)")
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
    load_before = os.getloadavg()[0]
    runs = [(backend, mode) for backend in args.backend or BACKENDS for mode in args.fillers or FILLER_MODES[:1]]
    for backend, mode in runs:
        command = [sys.executable, __file__, "--child", "--backend", backend, "--data", str(args.data),
                   "--repeat", str(args.repeat), "--threads", str(args.threads), "--fillers", mode,
                   "--beam", str(args.beam), *(["--no-word-timings"] if args.no_word_timings else []),
                   *[f"--select={condition}" for condition in args.select],
                   "--end-silence", str(args.end_silence)] + (["--incremental"] if args.incremental else [])
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
    header = ["backend", "fillers", "load s", "RTF cold", "RTF warm", *[f"WER {k}" for k in kinds], "WER all",
              "fillers invented", "synthetic: fillers found", "synthetic: WER", "peak RSS MB"]
    print(" | ".join(header))
    for r in results:
        synthetic = r["synthetic"]
        cells = [r["backend"] + (f" beam {r['beam']}" if r["beam"] else ""), r["fillers_mode"], f"{r['load_s']:.2f}",
                 f"{r['rtf_cold']:.3f}", f"{r['rtf_warm']:.3f}" if r["rtf_warm"] is not None else "-",
                 *[f"{r['wer'][k]:.3f}" for k in kinds], f"{r['wer']['overall']:.3f}", str(r["fillers_invented"]),
                 f"{synthetic['fillers_found']}/{synthetic['fillers_spoken']} (+{synthetic['fillers_extra']})"
                 if synthetic else "no espeak-ng",
                 f"{synthetic['wer']:.3f}" if synthetic else "-", f"{r['peak_rss_mb']:.0f}"]
        print(" | ".join(cells))
    for r in results:
        if r["filler_pass"]:
            cost = r["filler_pass"]
            print(f"{r['backend']} ({r['fillers_mode']}): the filler pass takes a median {cost['median_s']} s per "
                  f"clip, {cost['share_of_word_pass']:.0%} of the word pass's decoding time (median "
                  f"{cost['word_pass_median_s']} s); `transcribe` takes that much longer (a voiced call "
                  f"runs it once the customer's answer has started, off the turn path)")
    for r in results:
        if r["latency"]:
            lat = r["latency"]
            print(f"{r['backend']} ({r['fillers_mode']}): end of turn ({lat['end_silence_s']} s silence) "
                  f"-> final text: "
                  f"median {lat['finish_wait_s_median']} s, max {lat['finish_wait_s_max']} s incremental "
                  f"({lat['finals_reused']}/{lat['turns']} finals reused the partial) vs median "
                  f"{lat['whole_turn_after_end_s_median']} s transcribing the whole turn after it ended")
    first = results[0]
    print(f"({first['clips']} clips, {first['audio_s']} s of audio, {first['reference_words']} reference words, "
          f"threads={first['threads']}, repeat={args.repeat}; load average {load_before:.1f} -> "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work slows every number)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
