"""``callsim score``: QA-score a call recorded by callsim or an outside recording (any audio PyAV reads).

With ``--jsonl``/``--store``/``--workers``/``--ray`` it scores folders of recordings as a batch
(``simulator.commands.score_batch``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.arguments import CommaList
from simulator.asr.base import SPOKEN_LANGUAGES, AsrModelError
from simulator.call.exit_codes import ExitCode
from simulator.commands.score_batch import (
    add_batch_arguments,
    cmd_score_batch,
    is_batch,
    library_problem,
    recording_options,
)
from simulator.config import ScenarioNotFound, Settings, load_settings
from simulator.lazy import MissingPackage
from simulator.qa.diarise import AgentChoice
from simulator.qa.importer import RecordingScorer, ScoredRecording
from simulator.qa.mono import MonoContent, speakers_note
from simulator.record import CALL_FILE, CallRecord, read_call
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import LoadedScenario, effective_rubric, load_scenario

if TYPE_CHECKING:
    from simulator.asr.base import Transcriber
    from simulator.scenario.model import Language
    from simulator.scoring.scorecard import Scorecard


def register(subparsers: argparse._SubParsersAction) -> None:
    score = subparsers.add_parser(
        "score", help="score recorded calls: callsim call folders, or recordings (stereo or mono; WAV, MP3, "
                      "anything PyAV reads)")
    score.add_argument("calls", type=Path, nargs="+", metavar="CALL",
                       help="call folder, call.jsonl, a recording, or a folder of recordings (several: Whisper "
                            "loads once)")
    score.add_argument("--scenario", help="scenario file or id (default: the one the call was recorded with)")
    score.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    score.add_argument("--analyser", help="turn analyser for recordings (default: configured)")
    score.add_argument("--agent-channel", type=int, default=0, choices=(0, 1),
                       help="stereo recording: the channel with the agent/trainee (0 = left, default)")
    score.add_argument("--mono", choices=[m.value for m in MonoContent], default=MonoContent.MIXED.value,
                       help="what a mono recording holds: 'mixed' (both voices, default: told apart by voice when "
                            "that is sure, else empathy, tone and timing are not judged) or 'agent' (only the "
                            "agent's side: scored in full)")
    score.add_argument("--agent", choices=[a.value for a in AgentChoice], default=AgentChoice.AUTO.value,
                       help="mixed mono recording: which voice is the agent: 'auto' (default: the one heard first, "
                            "unless it only picks up and the other greets), 'first' or 'second' to speak")
    score.add_argument("--no-customer-asr", action="store_true",
                       help="stereo recording: do not transcribe the customer (about twice as fast; their upset is "
                            "then judged from their voice only)")
    score.add_argument("--require", metavar="KIND[,KIND...]", action=CommaList,
                       help="recordings scored without --scenario: library steps your QA form also requires on "
                            "every call, e.g. verify_identity; may be given again (default: the "
                            "qa_required_steps setting; '' for none)")
    score.add_argument("--critical", metavar="KIND[,KIND...]", action=CommaList,
                       help="recordings scored without --scenario: library steps whose miss fails the call whatever "
                            "its score (your QA form's fatal items), e.g. verify_identity; may be given again "
                            "(default: the qa_critical_steps setting; '' for none)")
    score.add_argument("--language", choices=SPOKEN_LANGUAGES,
                       help="recordings scored without --scenario: the language they are spoken in (default en; "
                            "zh: Mandarin, heard by the multilingual Whisper and read by the Mandarin model)")
    score.add_argument("--brief", action="store_true", help="text output without per-turn evidence")
    add_batch_arguments(score)
    score.set_defaults(func=cmd_score)


def _scenario_for_record(record: CallRecord, override: str | None, settings: Settings) -> LoadedScenario:
    if override:
        return load_scenario(settings.find_scenario(override))
    candidates = []
    if record.header.scenario_path:
        recorded = Path(record.header.scenario_path)
        candidates.append(recorded)
        if not recorded.is_absolute() and record.folder is not None:
            candidates.append(record.folder / recorded)
    for candidate in candidates:
        if candidate.is_file():
            return load_scenario(candidate)
    try:
        return load_scenario(settings.find_scenario(record.header.scenario_id))
    except ScenarioNotFound as err:
        looked = "".join(f"{c}; " for c in candidates)
        raise FileNotFoundError(f"cannot find the call's scenario (looked for {looked}then by id: {err}); "
                                "pass --scenario FILE") from None


def _score_recorded(path: Path, args: argparse.Namespace, settings: Settings
                    ) -> tuple[dict[str, Any], Scorecard, Language]:
    from simulator.scoring.call_scorer import score_call
    from simulator.scoring.recorded import fill_missing_tone

    record = read_call(path)
    loaded = _scenario_for_record(record, args.scenario, settings)
    if loaded.sha256 != record.header.scenario_sha256:
        print(f"callsim: note: {loaded.path} has changed since this call was recorded; scoring against the "
              "current version", file=sys.stderr)
    rubric = effective_rubric(loaded)
    record = fill_missing_tone(record, rubric.tone)
    card = score_call(record, loaded.scenario, rubric)
    return {"kind": "recorded", "scenario": loaded.scenario.id, "scenario_path": str(loaded.path),
            "outcome": record.outcome.value if record.outcome else None, "complete": record.complete,
            "turns": _turns_json(record)}, card, loaded.scenario.language


def _turns_json(record: CallRecord) -> list[dict[str, Any]]:
    return [{"speaker": t.speaker.value, "start_s": t.start_s, "end_s": t.end_s, "text": t.text}
            for t in record.turns]


def _score_audio(path: Path, args: argparse.Namespace, settings: Settings, transcriber: Transcriber
                 ) -> tuple[dict[str, Any], ScoredRecording]:
    from simulator.qa.batch import recording_json

    scored = RecordingScorer(settings, recording_options(args, settings), transcriber).score(path)
    about = recording_json(scored)
    del about["scorecard"]  # added by the caller, as for recorded calls
    return about, scored


def _score_one(path: Path, args: argparse.Namespace, settings: Settings, transcriber: Transcriber
               ) -> tuple[dict[str, Any], Scorecard, str | None, Language]:
    """(facts, scorecard, a note for the reader, e.g. that a mono call's speakers were not separated,
    the scenario's language: the scorecard's words are in it)."""
    if path.is_dir() or path.suffix == ".jsonl":
        if path.is_dir() and not (path / CALL_FILE).is_file():
            raise FileNotFoundError(f"{path}: no {CALL_FILE} in this folder (not a callsim call folder)")
        about, card, language = _score_recorded(path, args, settings)
        ignored = [flag for flag, given in (("--require", args.require is not None),
                                            ("--critical", args.critical is not None), ("--language", args.language))
                   if given]
        note = (f"note: {' and '.join(ignored)} shape the library recordings are scored against; this call was "
                "recorded by callsim and is scored against its own scenario.") if ignored else None
        return about, card, note, language
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    about, scored = _score_audio(path, args, settings, transcriber)
    notes = scored.notes
    if not scored.speakers_separated:
        notes.append(speakers_note())
    return about, scored.scorecard, "\n".join(f"note: {n}." for n in notes) or None, scored.scenario.language


def _expanded(paths: list[Path]) -> list[Path]:
    """Folders that are not callsim call folders stand for the recordings inside them."""
    from simulator.qa.batch import find_recordings

    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / CALL_FILE).is_file():
            found.extend(find_recordings([path]) or [path])
        else:
            found.append(path)
    return found


def cmd_score(args: argparse.Namespace) -> int:
    if is_batch(args):
        return cmd_score_batch(args)
    from simulator.qa.importer import LazyTranscriber
    from simulator.scoring.report import format_scorecard
    from simulator.scoring.scorecard import scorecard_to_json
    from simulator.scoring.wording import wording_for
    from simulator.wavfile import AudioFileError

    settings = load_settings(analyser=args.analyser)
    problem = library_problem(args, settings)
    if problem:
        print(f"callsim: {problem}", file=sys.stderr)
        return 2
    transcriber = LazyTranscriber(settings)  # loaded on the first recording, then shared by all of them
    calls = _expanded(args.calls)
    results: list[dict[str, Any]] = []
    failed = 0
    for number, path in enumerate(calls):
        try:
            about, card, note, language = _score_one(path, args, settings, transcriber)
        except FileProblems as problems:
            print(problems, file=sys.stderr)
            results.append({"path": str(path), "error": str(problems)})
            failed += 1
            continue
        except (FileNotFoundError, AudioFileError, ValueError, LookupError) as err:
            print(f"callsim: {err}", file=sys.stderr)
            results.append({"path": str(path), "error": str(err)})
            failed += 1
            continue
        except (AsrModelError, MissingPackage) as err:  # no recording can be scored: say so once and stop
            print(f"callsim: {err}", file=sys.stderr)
            return ExitCode.MISSING_PACKAGE
        results.append({"path": str(path), "call": str(path), **about, "scorecard": scorecard_to_json(card)})
        if not args.json:
            if len(calls) > 1:
                print(f"{'' if number == 0 else chr(10)}== {path}")
            if note:
                print(note)
            print(format_scorecard(card, detailed=not args.brief, words=wording_for(language)), flush=True)
    if args.json:  # one object (a bad file included: {"path", "error"}), or a list of them
        print(json.dumps(results[0] if len(calls) == 1 else results, indent=2, ensure_ascii=False))
    return 1 if failed else 0
