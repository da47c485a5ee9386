"""``callsim play SCENARIO`` with voice: the call in the terminal, the transcript printed as it goes."""

from __future__ import annotations

import argparse
import logging
import os
import resource
import signal
import sys
import threading

from simulator.audio.capture import ReplayPace
from simulator.audio.endpoint import EndpointConfig, end_silence_for
from simulator.call.exit_codes import ExitCode, voiced_call_exit_code, voiced_call_failure_message
from simulator.call.voiced import VoiceOptions
from simulator.call.voiced_setup import open_voiced_call
from simulator.config import Settings
from simulator.lab.playstore import CallKeeper
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.model import Scenario

log = logging.getLogger("callsim.voice")


def options_from_args(args: argparse.Namespace, scenario: Scenario) -> VoiceOptions:
    defaults = EndpointConfig()
    endpoint = EndpointConfig(
        end_silence_s=getattr(args, "end_silence", None) or end_silence_for(scenario.language),
        max_turn_s=getattr(args, "max_turn", None) or defaults.max_turn_s,
        no_speech_s=getattr(args, "no_speech", None) or defaults.no_speech_s)
    drill = getattr(args, "drill", None)
    return VoiceOptions(
        input_device=getattr(args, "input", None), output_device=getattr(args, "output", None),
        mic_from=args.mic_from, mic_pace=ReplayPace(getattr(args, "mic_pace", None) or ReplayPace.REALTIME),
        endpoint=endpoint, headset=not getattr(args, "speakers", False),
        noise=scenario.drill.noise if drill else None, word_timings=bool(getattr(args, "word_timings", False)))


def play_voiced(loaded: LoadedScenario, settings: Settings, args: argparse.Namespace) -> int:
    """``callsim play SCENARIO`` with voice: prints the transcript as the call goes."""
    from simulator.call.textcall import describe_event, new_call_folder, print_finished_call, run_call

    log_path = os.environ.get("CALLSIM_VOICE_LOG")
    if log_path:
        handler = logging.FileHandler(log_path)
        handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f ms %(threadName)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    analyser_name = settings.analyser
    from simulator.analysis.registry import builtin_analysers

    analyser = builtin_analysers().create(analyser_name, loaded.scenario)
    folder = new_call_folder(args.record_to or settings.recordings_dir, loaded.scenario.id)
    try:
        options = options_from_args(args, loaded.scenario)
        call = open_voiced_call(loaded, settings, folder, options, analyser=analyser)
    except (FileProblems, ValueError) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        code = voiced_call_exit_code(err)
        if code is None:
            raise
        print(f"callsim: {voiced_call_failure_message(err)}", file=sys.stderr)
        return code

    keeper = CallKeeper.from_args(args, settings, folder, seed=args.seed, scenario_id=loaded.scenario.id)

    def show(event) -> None:
        if not args.json:
            print(describe_event(event), flush=True)

    if not args.json:
        persona = loaded.scenario.persona
        source = f"replies from {args.mic_from}" if args.mic_from else "your headset"
        print(f"{loaded.scenario.title} (difficulty {loaded.scenario.difficulty}/5)\n"
              f"Customer: {persona.name}. {persona.situation}\n"
              f"Voiced call: listening to {source}; Ctrl-C hangs up.\n", flush=True)
    _hang_up_on_terminate()
    try:
        finished = run_call(loaded, analyser, call, call, folder, seed=args.seed, mode="voice",
                            on_event=keeper.wrap(show) if keeper else show)
    except KeyboardInterrupt:
        print(f"\ncallsim: hung up; the turns so far are saved in {folder}", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as err:
        code = voiced_call_exit_code(err)
        if code is None:
            raise
        print(f"callsim: {voiced_call_failure_message(err)}\n"
              f"callsim: the turns so far are saved in {folder}", file=sys.stderr)
        return code
    finally:
        call.close()
        log.debug("peak RSS %.0f MB; %s", peak_rss_mb(), call.stats)
    print_finished_call(finished, as_json=args.json)
    if keeper:
        keeper.finish(finished)
    return 0


def _hang_up_on_terminate() -> None:
    """SIGTERM (a closed terminal, a supervisor) hangs up like Ctrl-C: every finished turn is kept."""
    if threading.current_thread() is threading.main_thread():
        def hang_up(_signum, _frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, hang_up)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
