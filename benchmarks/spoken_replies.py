"""Labelled replies as a practice call hears them: spoken by a synthetic voice and written back by Whisper.

    python benchmarks/spoken_replies.py --writers a,b,c,d,e,i      # fills the cache, prints word error rates

A trainee's turn reaches the behaviour model as the recogniser's words (the word decode alone, as a
live turn is read), not as typed text.  This speaks each corpus reply with espeak-ng (eight English
voices and three speeds, chosen by the reply's id so a rebuild is the same) and transcribes it with
the shipped recogniser (faster-whisper tiny.en, int8, one thread), keeping the labels.  The texts are
kept in ``.cache/spoken_replies.jsonl`` by (voice, speed, text), so the slow part runs once.

espeak-ng's voices are robotic, and Whisper tiny.en gets about one word in five wrong on them (the
word error rate is printed); a person at a headset errs differently (accents, noise, hesitations, but a
natural voice).  So the figures show how the model holds up under recogniser errors of that size,
not what a trainee will see.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.analysis.behaviour.corpus import LabelledReply, corpus_files, read_corpus_file, writer_of  # noqa: E402
from simulator.asr.wer import corpus_wer  # noqa: E402
from simulator.audio.clip import read_wav  # noqa: E402

CACHE = REPO / ".cache" / "spoken_replies.jsonl"
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-us+f3", "en-gb-x-gbcwmd")
SPEEDS = (150, 165, 180)


def voice_for(reply: LabelledReply) -> tuple[str, int]:
    digest = int(hashlib.sha256(f"{reply.source}:{reply.item_id}".encode()).hexdigest(), 16)
    return VOICES[digest % len(VOICES)], SPEEDS[(digest // len(VOICES)) % len(SPEEDS)]


def _key(voice: str, speed: int, text: str) -> str:
    return json.dumps([voice, speed, text])


def _load_cache() -> dict[str, str]:
    if not CACHE.is_file():
        return {}
    known = {}
    for line in CACHE.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut off by a killed run: that reply is spoken again
        known[row["key"]] = row["heard"]
    return known


def spoken(replies: Sequence[LabelledReply], progress: bool = False) -> list[LabelledReply]:
    """The replies with their text as Whisper wrote it from espeak-ng's speech (labels unchanged)."""
    known = _load_cache()
    missing = [r for r in replies if _key(*voice_for(r), r.reply) not in known]
    if missing:
        from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber

        transcriber = FasterWhisperTranscriber(threads=1)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="callsim-spoken-") as scratch, \
                CACHE.open("a", encoding="utf-8") as out:
            wav = Path(scratch) / "reply.wav"
            for number, reply in enumerate(missing, start=1):
                voice, speed = voice_for(reply)
                try:
                    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), reply.reply],
                                   check=True, capture_output=True, timeout=120)
                except (OSError, subprocess.SubprocessError) as err:
                    raise SystemExit(f"espeak-ng could not speak reply {reply.source}:{reply.item_id} ({err}); "
                                     "install it (apt-get install espeak-ng) and run again: the replies "
                                     f"already spoken are kept in {CACHE}") from None
                heard = transcriber.transcribe_words(read_wav(wav).samples).text.strip()
                key = _key(voice, speed, reply.reply)
                known[key] = heard
                out.write(json.dumps({"key": key, "heard": heard}) + "\n")
                out.flush()
                if progress and number % 50 == 0:
                    print(f"spoken {number}/{len(missing)}", file=sys.stderr, flush=True)
    return [replace(r, reply=known[_key(*voice_for(r), r.reply)], segments=()) for r in replies]


def read_writers(writers: Sequence[str]) -> list[LabelledReply]:
    return [r for path in corpus_files(REPO / "corpus" / "en") for r in read_corpus_file(path)
            if writer_of(r.source) in writers]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", default="a,b,c,d,e,i", help="corpus writers to speak (comma-separated)")
    args = parser.parse_args(argv)
    writers = args.writers.split(",")
    typed = read_writers(writers)
    heard = spoken(typed, progress=True)
    for writer in writers:
        pairs = [(t.reply, h.reply) for t, h in zip(typed, heard, strict=True) if writer_of(t.source) == writer]
        rate = corpus_wer(pairs).wer
        print(json.dumps({"writer": writer, "replies": len(pairs), "word_error_rate": round(rate, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
