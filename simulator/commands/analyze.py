"""``callsim analyze``: score single trainee turns in bulk from a JSONL file.

Input, one JSON object per line::

    {"id": "t1", "text": "I'm so sorry ...", "context": "the customer's line before it",
     "audio": "turn1.wav", "speaker": "anna"}

``id`` is required; ``text`` and/or ``audio`` (a recording in any format ``callsim score`` reads, its path
relative to the input file) too.  Audio
without text is transcribed.  Output, one line per input line, in order::

    {"id": "t1", "empathy": {"level": "strong", "score": 0.93, "evidence": [...]},
     "steps": ["greet"], "forbidden": [], "intents": [], "tone": {"label": "neutral", "wpm": 151.2, ...}}

``steps``/``forbidden``/``intents`` appear only with ``--scenario``; ``tone`` only for lines with
audio.  Tone is judged against the speaker's own voice: all audio lines of one ``speaker`` (default:
one speaker for the whole file) form the baseline, as the turns of one call do.  A bad line gives
``{"id": ..., "line": N, "error": "..."}`` on stdout and a message on stderr; the rest still run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from simulator.analysis.base import TurnAnalyser, TurnInput
from simulator.analysis.registry import builtin_analysers
from simulator.asr.base import SAMPLE_RATE, AsrModelError
from simulator.call.exit_codes import ExitCode
from simulator.contracts import Evidence, ToneMeasures, Transcript, TurnAnalysis
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import load_scenario
from simulator.text import is_mostly_chinese

if TYPE_CHECKING:
    import numpy as np

    from simulator.analysis.acoustics import VoiceFeatures
    from simulator.asr.base import LanguageIdentifier, Transcriber

_PREFETCH_LINES = 256  # sentences of this many lines are embedded in one batch
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def register(subparsers: argparse._SubParsersAction) -> None:
    analyze = subparsers.add_parser(
        "analyze", help="score single turns in bulk (JSONL in, JSONL out): empathy, steps, tone")
    analyze.add_argument("--jsonl", required=True, metavar="FILE",
                         help="input lines {id, text and/or audio, context?, speaker?}; '-' reads stdin")
    analyze.add_argument("--scenario", help="scenario file or id: also report its steps, forbidden phrases, intents")
    analyze.add_argument("--analyser", default="semantic",
                         help=f"turn analyser ({', '.join(builtin_analysers().names())}; default semantic)")
    analyze.set_defaults(func=cmd_analyze)


class LineError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class TurnLine:
    number: int
    turn_id: str
    text: str | None
    audio: Path | None
    context: str
    speaker: str


def parse_line(number: int, raw: str, base: Path) -> TurnLine:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as err:
        raise LineError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(item, dict):
        raise LineError("expected a JSON object like {\"id\": ..., \"text\": ...}")
    turn_id = item.get("id")
    if not isinstance(turn_id, (str, int)) or isinstance(turn_id, bool) or str(turn_id) == "":
        raise LineError("missing \"id\" (a string or a whole number)")
    text, audio, context = item.get("text"), item.get("audio"), item.get("context", "")
    if text is not None and not isinstance(text, str):
        raise LineError("\"text\" must be a string")
    if audio is not None and (not isinstance(audio, str) or not audio):
        raise LineError("\"audio\" must be an audio file path (WAV, MP3, ...)")
    if not isinstance(context, str):
        raise LineError("\"context\" must be a string (the customer's line before the turn)")
    if text is None and audio is None:
        raise LineError("give \"text\" and/or \"audio\"")
    speaker = item.get("speaker", "")
    if not isinstance(speaker, str):
        raise LineError("\"speaker\" must be a string")
    for name, value in (("id", str(turn_id)), ("text", text or ""), ("context", context), ("speaker", speaker)):
        if not _is_text(value):
            raise LineError(f"\"{name}\" holds a lone surrogate escape (like \\ud800), which is no character")
    audio_path = None
    if audio is not None:
        audio_path = Path(audio) if Path(audio).is_absolute() else base / audio
        if not audio_path.is_file():
            raise LineError(f"audio file {audio_path} not found")
    return TurnLine(number, str(turn_id), text, audio_path, context, speaker)


def _is_text(value: str) -> bool:
    """False for a string JSON allowed that no output can encode: "\\ud800" alone is half a UTF-16 pair."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _evidence(items: Iterable[Evidence]) -> list[dict]:
    return [{"rule": e.rule, "quote": e.quote, "detail": e.detail, "start_s": e.start_s} for e in items]


def _tone(tone: ToneMeasures) -> dict:
    return {
        "label": tone.label.value,
        "wpm": tone.words_per_minute,
        "loudness_db": tone.loudness_db,
        "pitch_hz": tone.pitch_hz,
        "raised_voice": tone.raised_voice,
        "angry_probability": tone.angry_probability,
        "fillers": tone.fillers,
        "evidence": _evidence(tone.evidence),
    }


def result_json(line: TurnLine, analysis: TurnAnalysis, with_scenario: bool, tone: ToneMeasures | None) -> dict:
    empathy = analysis.empathy
    result: dict = {
        "id": line.turn_id,
        "text": analysis.transcript.text,
        "empathy": {"level": empathy.level.name.lower(), "score": empathy.score,
                    "evidence": _evidence(empathy.evidence)},
    }
    if with_scenario:
        result["steps"] = list(analysis.step_ids)
        result["forbidden"] = list(analysis.forbidden_ids)
        result["intents"] = list(analysis.intents)
        result["matches"] = (
            [{"step": h.step_id, "match": h.match.value, "confidence": h.confidence, "quote": h.quote}
             for h in analysis.steps_hit]
            + [{"forbidden": h.phrase_id, "match": h.match.value, "confidence": h.confidence, "quote": h.quote,
                "severity": h.severity.name.lower()} for h in analysis.forbidden])
    if tone is not None:
        result["tone"] = _tone(tone)
    return result


class _LazyTranscriber:
    """Loads Whisper only if some line has audio without text; in the scenario's language."""

    def __init__(self, language: str = "en"):
        self._transcriber: Transcriber | None = None
        self._identifier: LanguageIdentifier | None = None
        self.language = language

    def __call__(self, path: Path) -> Transcript:
        from simulator.asr.audio_file import read_audio
        from simulator.wavfile import AudioFileError

        if self._transcriber is None:
            from simulator.asr.registry import transcriber_from_settings
            from simulator.config import load_settings

            self._transcriber = transcriber_from_settings(load_settings(), language=self.language)
        try:
            samples = read_audio(path)
        except AudioFileError as err:
            raise LineError(str(err)) from None
        try:
            transcript = self._transcriber.transcribe(samples)
        except AsrModelError:  # the model itself will not load: no audio line can be read, so not this line's
            raise
        except (RuntimeError, ValueError) as err:  # a clip the model cannot decode: this line only
            raise LineError(f"{path}: transcription failed: {err}") from None
        if transcript.is_empty:  # silence or noise: no reply, rather than a reply read as cold
            raise LineError(f"{path}: no words were recognised in its {len(samples) / SAMPLE_RATE:.1f} s of audio, so "
                            "there is no reply to analyse (silence, noise, or speech in another language)")
        self._check_language(path, samples, transcript)
        return transcript

    def _check_language(self, path: Path, samples: np.ndarray, transcript: Transcript) -> None:
        """A reply spoken in another language is this line's error, not a reply read as nonsense."""
        from simulator.asr.registry import language_identifier_from_settings
        from simulator.config import load_settings
        from simulator.qa.spoken_language import OtherLanguage, spoken_in_other_language

        if self._identifier is None:
            self._identifier = language_identifier_from_settings(load_settings())
        guess = spoken_in_other_language(lambda: samples, transcript.words, self.language, self._identifier)
        if guess is not None:
            how = {"zh": "analyse it with --scenario a Mandarin (language: zh) scenario",
                   "en": "analyse it with an English scenario, or none"}.get(
                guess.language, "callsim analyses English and Mandarin replies only")
            raise LineError(str(OtherLanguage(path, guess, self.language, how)))


def _voice_of(path: Path) -> VoiceFeatures:
    """The voice of an audio line, read as ``callsim score`` reads recordings (MP3, mu-law... not only PCM WAV)."""
    from simulator.analysis.acoustics import voice_features
    from simulator.asr.channels import read_channels

    audio = read_channels(path)
    return voice_features(audio.mono(), audio.sample_rate)


def _read_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        if raw.strip():
            yield number, raw


def _prefetch(analyser: TurnAnalyser, texts: list[str]) -> None:
    """Embed a batch of replies at once (much faster than one by one); results are cached."""
    inner = getattr(analyser, "inner", analyser)
    encoder = getattr(inner, "encoder", None)
    if encoder is None:
        return
    from simulator.text import split_sentences

    sentences = sorted({s for text in texts for s in (split_sentences(text) or [text]) if s.strip()})
    if sentences:
        encoder.encode(sentences)


def _language_mismatch(text: str, language: str) -> str | None:
    """Why ``text`` cannot be read by the analysis in ``language`` (None: it can).  A Mandarin reply read by
    the English model got "empathy none" as if it had been cold, with nothing said about why."""
    if language == "en" and is_mostly_chinese(text):
        return ("the text is Chinese, and the analysis is English; give --scenario with a Mandarin "
                "(language: zh) scenario")
    if language == "zh" and not _HAN.search(text) and len(_LATIN_WORD.findall(text)) >= 3:
        return "the text has no Chinese in it, and the scenario is Mandarin; give an English scenario"
    return None


def analyse_lines(lines: list[tuple[int, str]], base: Path, analyser: TurnAnalyser, with_scenario: bool,
                  out: TextIO, err: TextIO, source: str = "<stdin>") -> int:
    """Writes one JSON line per input line; returns how many lines failed (each named ``source:line``)."""
    from simulator.analysis.tone import call_tone
    from simulator.wavfile import AudioFileError

    text_analyser = getattr(analyser, "inner", analyser)  # tone is measured per speaker below
    scenario = getattr(text_analyser, "scenario", None)
    language = str(scenario.language) if scenario is not None else "en"
    transcribe = _LazyTranscriber(language)
    results: list[dict] = []
    spoken: dict[str, list[tuple[int, Transcript, VoiceFeatures]]] = defaultdict(list)
    failures = 0

    def fail(number: int, turn_id: str | None, message: str) -> None:
        nonlocal failures
        failures += 1
        print(f"callsim analyze: {source}:{number}: {message}", file=err)
        results.append({"id": turn_id, "line": number, "error": message})

    parsed: list[TurnLine | tuple[int, str | None, str]] = []
    for number, raw in lines:
        try:
            parsed.append(parse_line(number, raw, base))
        except LineError as problem:
            parsed.append((number, _guess_id(raw), str(problem)))
    for start in range(0, len(parsed), _PREFETCH_LINES):
        chunk = parsed[start:start + _PREFETCH_LINES]
        _prefetch(text_analyser, [p.text for p in chunk if isinstance(p, TurnLine) and p.text])
        for item in chunk:
            if not isinstance(item, TurnLine):
                fail(*item)
                continue
            mismatch = _language_mismatch(item.text, language) if item.text is not None else None
            if mismatch is not None:
                fail(item.number, item.turn_id, mismatch)
                continue
            try:
                if item.text is not None:
                    transcript = Transcript(item.text)
                else:
                    assert item.audio is not None, "parse_line refuses a line with neither text nor audio"
                    transcript = transcribe(item.audio)
                analysis = text_analyser.analyse(TurnInput(1, transcript, item.context))
            except LineError as problem:
                fail(item.number, item.turn_id, str(problem))
                continue
            result = result_json(item, analysis, with_scenario, None)
            if item.audio is not None:
                try:
                    spoken[item.speaker].append((len(results), transcript, _voice_of(item.audio)))
                except AudioFileError as problem:
                    result["tone_error"] = str(problem)
            results.append(result)
    for turns in spoken.values():
        measures = call_tone([(t, f) for _, t, f in turns], _tone_thresholds(analyser))
        for (index, _, _), tone in zip(turns, measures, strict=True):
            results[index]["tone"] = _tone(tone)
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return failures


def _tone_thresholds(analyser: TurnAnalyser):
    from simulator.scenario.model import ToneThresholds

    return getattr(analyser, "thresholds", None) or ToneThresholds()


def _guess_id(raw: str) -> str | None:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError:
        return None
    turn_id = item.get("id") if isinstance(item, dict) else None
    return str(turn_id) if isinstance(turn_id, (str, int)) and not isinstance(turn_id, bool) else None


def cmd_analyze(args: argparse.Namespace) -> int:
    from simulator.config import ScenarioNotFound, load_settings

    settings = load_settings()
    scenario = None
    if args.scenario:
        try:
            scenario = load_scenario(settings.find_scenario(args.scenario)).scenario
        except ScenarioNotFound as err:
            print(f"callsim analyze: {err}", file=sys.stderr)
            return 1
        except FileProblems as problems:
            print(problems, file=sys.stderr)
            return 1
    try:
        analyser = builtin_analysers().create(args.analyser, scenario, after_call=True)
    except LookupError as err:
        print(f"callsim analyze: {err}", file=sys.stderr)
        return 2
    if args.jsonl == "-":
        lines, base = list(_read_lines(sys.stdin)) if sys.stdin is not None else [], Path.cwd()  # <&-: no lines
    else:
        path = Path(args.jsonl)
        try:
            with path.open(encoding="utf-8") as handle:
                lines = list(_read_lines(handle))
        except (OSError, UnicodeDecodeError) as err:
            print(f"callsim analyze: cannot read {path}: {err}", file=sys.stderr)
            return 1
        base = path.parent
    source = "<stdin>" if args.jsonl == "-" else args.jsonl
    try:
        failures = analyse_lines(lines, base, analyser, scenario is not None, sys.stdout, sys.stderr, source)
    except AsrModelError as err:  # said once, not on every audio line (each would load the model again)
        print(f"callsim analyze: {err}\ncallsim analyze: the file has audio lines, so nothing was analysed; "
              "run it again once the model loads", file=sys.stderr)
        return ExitCode.MISSING_PACKAGE
    if failures:
        print(f"callsim analyze: {failures} of {len(lines)} line(s) could not be analysed", file=sys.stderr)
    return 1 if failures else 0
