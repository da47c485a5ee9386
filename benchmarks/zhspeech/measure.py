"""Mandarin recognition and tone on real speech: CER, real-time factor, and how often calm speech is flagged.

    python benchmarks/zhspeech/fetch.py        # once: the clips into .cache/zhspeech/
    python benchmarks/zhspeech/measure.py      # CER and RTF per variant, then the tone check
    python benchmarks/zhspeech/measure.py --english ../shared/data/asr   # tone check on calm English too

Recognition: every clip with a reference (manifest.yaml), through callsim's own faster-whisper
backend (``language="zh"``, the packaged multilingual base, int8, beam 1, VAD and guards as in a
call).  Variants: ``raw`` (Whisper's own characters), ``simplified`` (what callsim ships: OpenCC t2s)
and ``simplified+prompt`` (also conditioned on a short simplified-Chinese prompt).  CER = character
edits / reference characters, punctuation and spaces ignored, summed over the clips.  RTF = decoding
time / audio duration, after one warm-up clip; on a shared machine it is an upper bound.

Tone: a call's tone is judged against the speaker's own voice, so each clip (one calm speaker) is
cut into "turns" at word boundaries (at least ``--turn-s`` of speech each, from Whisper's word
times) and judged as a call: ``call_tone`` (what a live call and the scorer use: the speaker's
calmer turns as the reference, fixed steps) and ``judge_against_own_voice`` (outside recordings: the
speaker's own turn-to-turn swing as the step).  Every flagged turn is a false alarm: nobody in these
clips is heated.  ``--english DIR`` runs the same check on calm English clips (a manifest.jsonl
folder like ../shared/data/asr) for comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from benchmarks.zhspeech.fetch import DEFAULT_DEST, clip_path, clips  # noqa: E402
from simulator.analysis.acoustics import voice_features  # noqa: E402
from simulator.analysis.tone import call_tone, judge_against_own_voice  # noqa: E402
from simulator.asr.audio_file import read_audio  # noqa: E402
from simulator.asr.base import SAMPLE_RATE  # noqa: E402
from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber  # noqa: E402
from simulator.asr.fitted_window import DEFAULT_MARGIN_S  # noqa: E402
from simulator.asr.wer import character_errors, corpus_cer  # noqa: E402
from simulator.contracts import ToneLabel, Transcript  # noqa: E402
from simulator.scenario.model import ToneThresholds  # noqa: E402
from simulator.text import join_words  # noqa: E402

PROMPT = "以下是普通话的句子。"  # "What follows is Mandarin": written in simplified characters
VARIANTS = {"raw": (False, None), "simplified": (True, None), "simplified+prompt": (True, PROMPT)}


@dataclass(frozen=True)
class Heard:
    clip_id: str
    reference: str
    text: str
    seconds: float
    audio_s: float


def recognise(variant: str, items: list[tuple[str, str, np.ndarray]], threads: int,
              window_margin_s: float | None = DEFAULT_MARGIN_S) -> list[Heard]:
    simplified, prompt = VARIANTS[variant]
    model = FasterWhisperTranscriber("base", language="zh", threads=threads, window_margin_s=window_margin_s)
    if not simplified:
        model.written_script = None
    model.transcribe(items[0][2], prompt=prompt)  # warm-up: model load and first-call costs
    heard = []
    for clip_id, reference, audio in items:
        started = time.perf_counter()
        transcript = model.transcribe(audio, prompt=prompt)
        heard.append(Heard(clip_id, reference, transcript.text, time.perf_counter() - started,
                           len(audio) / SAMPLE_RATE))
    return heard


def turns_of(transcript: Transcript, audio: np.ndarray, turn_s: float) -> list[tuple[Transcript, object]]:
    """The clip cut after the first word that ends at least ``turn_s`` after the turn began."""
    turns, start = [], 0
    words = list(transcript.words)
    for index, word in enumerate(words):
        last = index == len(words) - 1
        if word.end_s - words[start].start_s >= turn_s or last:
            chunk = words[start:index + 1]
            begin, end = int(chunk[0].start_s * SAMPLE_RATE), int(chunk[-1].end_s * SAMPLE_RATE)
            if end - begin >= int(0.8 * SAMPLE_RATE):
                text = join_words(w.text for w in chunk)
                turns.append((Transcript(text, tuple(chunk)), voice_features(audio[begin:end], SAMPLE_RATE)))
            start = index + 1
    return turns


def tone_check(named_audio: list[tuple[str, np.ndarray]], model: FasterWhisperTranscriber, turn_s: float) -> dict:
    thresholds = ToneThresholds()
    flagged = {"call_tone": 0, "own_voice": 0}
    turns_total, pitch_ranges, per_clip = 0, [], []
    for name, audio in named_audio:
        turns = turns_of(model.transcribe(audio), audio, turn_s)
        if len(turns) < 2:
            continue
        live = call_tone(turns, thresholds)
        own = judge_against_own_voice([(t, m) for (t, _), m in zip(turns, live, strict=True)], thresholds)
        live_flags = sum(m.label == ToneLabel.ANGRY or m.raised_voice for m in live)
        own_flags = sum(m is not None and (m.label == ToneLabel.ANGRY or m.raised_voice) for m in own)
        flagged["call_tone"] += live_flags
        flagged["own_voice"] += own_flags
        turns_total += len(turns)
        pitch_ranges += [m.pitch_range_semitones for m in live if m.pitch_range_semitones is not None]
        per_clip.append({"clip": name, "turns": len(turns), "flagged_call_tone": live_flags,
                         "flagged_own_voice": own_flags,
                         "pitch_rises": [m.pitch_rise_semitones for m in live],
                         "arousal": [m.arousal for m in live]})
    return {"turns": turns_total, "flagged": flagged,
            "share_flagged": {k: round(v / turns_total, 3) if turns_total else None for k, v in flagged.items()},
            "median_pitch_range_semitones": round(float(np.median(pitch_ranges)), 1) if pitch_ranges else None,
            "per_clip": per_clip}


def english_clips(folder: Path) -> list[tuple[str, np.ndarray]]:
    lines = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    base = folder if (folder / lines[0]["audio"]).is_file() else folder.parent  # paths may start at the data root
    return [(line["audio"], read_audio(base / line["audio"])) for line in lines if line.get("kind") == "read"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="where fetch.py put the clips")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="repeatable; default all")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--turn-s", type=float, default=1.2, help="shortest turn for the tone check (seconds)")
    parser.add_argument("--english", type=Path, help="also run the tone check on calm English clips here")
    parser.add_argument("--full-window", action="store_true",
                        help="encode Whisper's whole padded 30-s window (default: the speech and a margin)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    listed = clips()
    missing = [clip["id"] for clip in listed if not clip_path(clip, args.dest).is_file()]
    if missing:
        print(f"measure: missing {', '.join(missing)}; run benchmarks/zhspeech/fetch.py first", file=sys.stderr)
        return 1
    audio = {clip["id"]: read_audio(clip_path(clip, args.dest)) for clip in listed}
    referenced = [(clip["id"], clip["reference"], audio[clip["id"]]) for clip in listed if clip["reference"]]
    report: dict = {"recognition": {}}
    for variant in args.variant or list(VARIANTS):
        heard = recognise(variant, referenced, args.threads, None if args.full_window else DEFAULT_MARGIN_S)
        total = corpus_cer((h.reference, h.text) for h in heard)
        report["recognition"][variant] = {
            "cer": round(total.wer, 4), "errors": total.errors, "reference_chars": total.reference_words,
            "rtf": round(sum(h.seconds for h in heard) / sum(h.audio_s for h in heard), 3),
            "clips": [{"clip": h.clip_id, "cer": round(character_errors(h.reference, h.text).wer, 3),
                       "heard": h.text, "reference": h.reference} for h in heard]}
    mandarin_model = FasterWhisperTranscriber("base", language="zh", threads=args.threads)
    report["tone_mandarin"] = tone_check(list(audio.items()), mandarin_model, args.turn_s)
    if args.english:
        english_model = FasterWhisperTranscriber("tiny.en", threads=args.threads)
        report["tone_english"] = tone_check(english_clips(args.english), english_model, args.turn_s)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for variant, result in report["recognition"].items():
        print(f"{variant:<18} CER {100 * result['cer']:5.1f}% ({result['errors']}/{result['reference_chars']} "
              f"characters)  RTF {result['rtf']:.2f}")
        for clip in result["clips"]:
            print(f"    {clip['clip']:<26} {100 * clip['cer']:5.1f}%  {clip['heard']}")
    for key in ("tone_mandarin", "tone_english"):
        if key in report:
            tone = report[key]
            print(f"{key}: {tone['turns']} calm turns; flagged raised/hostile: live and scorer "
                  f"{tone['flagged']['call_tone']} ({tone['share_flagged']['call_tone']}), own-voice "
                  f"{tone['flagged']['own_voice']} ({tone['share_flagged']['own_voice']}); median pitch range "
                  f"in a turn {tone['median_pitch_range_semitones']} semitones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
