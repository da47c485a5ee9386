"""``callsim transcribe AUDIO...``: transcribe recordings with the configured Whisper backend."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.asr.base import DEFAULT_LANGUAGE, SAMPLE_RATE, SPOKEN_LANGUAGES, AsrModelError
from simulator.asr.channels import read_channels
from simulator.asr.registry import builtin_transcribers, transcriber_from_settings
from simulator.config import load_settings
from simulator.contracts import Transcript
from simulator.declared_length import cut_off_note
from simulator.wavfile import AudioFileError


def register(subparsers: argparse._SubParsersAction) -> None:
    transcribe = subparsers.add_parser(
        "transcribe", help="transcribe audio files (WAV, or any format PyAV reads) with Whisper")
    transcribe.add_argument("audio", nargs="+", type=Path, metavar="AUDIO",
                            help="audio files; PCM WAV of any rate/channels, or FLAC/MP3/OGG... via PyAV")
    transcribe.add_argument("--json", action="store_true", help="one JSON object per line, with word timings")
    transcribe.add_argument("--backend", help=f"ASR backend ({', '.join(builtin_transcribers().names())}; "
                                              f"default: asr_backend setting)")
    transcribe.add_argument("--model", metavar="NAME_OR_PATH",
                            help="Whisper model name or local path (default: asr_model setting)")
    transcribe.add_argument("--prompt", help="context text to condition the transcription on")
    transcribe.add_argument("--language", choices=SPOKEN_LANGUAGES, default=DEFAULT_LANGUAGE,
                            help="language spoken (default en); zh: Mandarin, in simplified characters, with the "
                                 "multilingual model (asr_models setting, default base)")
    transcribe.set_defaults(func=cmd_transcribe)


def transcript_to_json(path: Path, transcript: Transcript) -> dict:
    return {
        "path": str(path),
        "text": transcript.text,
        "duration_s": round(transcript.duration_s or 0.0, 3),
        "words": [{"word": w.text, "start": round(w.start_s, 3), "end": round(w.end_s, 3),
                   "probability": round(w.probability, 4)} for w in transcript.words],
    }


def cmd_transcribe(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        transcriber = transcriber_from_settings(settings, backend=args.backend, model=args.model,
                                                language=args.language)
    except LookupError as err:
        print(f"callsim transcribe: {err.args[0]}", file=sys.stderr)
        return 2
    failures = 0
    for path in args.audio:
        try:
            decoded = read_channels(path, SAMPLE_RATE)
        except AudioFileError as err:
            failures += 1
            _report_error(args, path, str(err))
            continue
        if decoded.declared_s is not None and decoded.cut_off:
            print(f"callsim transcribe: {path}: {cut_off_note(decoded.declared_s, decoded.duration_s)}",
                  file=sys.stderr)
        if decoded.damaged_packets:
            print(f"callsim transcribe: {path}: {decoded.damaged_packets} damaged packet(s) could not be decoded "
                  "and were left out (a few milliseconds each)", file=sys.stderr)
        audio = decoded.mono()
        del decoded
        try:
            transcript = transcriber.transcribe(audio, prompt=args.prompt)
        except AsrModelError as err:
            print(f"callsim transcribe: {err}", file=sys.stderr)
            return 3
        if args.json:
            print(json.dumps(transcript_to_json(path, transcript), ensure_ascii=False), flush=True)
        else:
            seconds = len(audio) / SAMPLE_RATE
            print(f"{path} ({seconds:.1f} s): {transcript.text or '(no speech)'}", flush=True)
    return 1 if failures else 0


def _report_error(args: argparse.Namespace, path: Path, message: str) -> None:
    if args.json:
        print(json.dumps({"path": str(path), "error": message}), flush=True)
    print(f"callsim transcribe: {message}", file=sys.stderr)
