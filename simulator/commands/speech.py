"""Speech commands: voices, say, devices, bench latency; and the voiced call's flags for ``play``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.arguments import whole_number
from simulator.config import load_settings


def add_voice_flags(play: argparse.ArgumentParser) -> None:
    group = play.add_argument_group("voiced call (audio devices, turn-taking)")
    group.add_argument("--input", help="microphone: device name (or part of it) or index; see `callsim devices`")
    group.add_argument("--output", help="headset/speaker: device name (or part of it) or index")
    group.add_argument("--mic-pace", choices=["realtime", "fast"],
                       help="with --mic-from: speak the replies in real time (default) or as fast as possible")
    group.add_argument("--end-silence", type=float, metavar="S",
                       help="silence that ends your turn, seconds (default 0.4; 0.6 in Mandarin scenarios)")
    group.add_argument("--max-turn", type=float, metavar="S", help="longest turn before it is cut (default 60)")
    group.add_argument("--no-speech", type=float, metavar="S",
                       help="seconds of saying nothing before the customer reacts to the silence (default 6)")
    group.add_argument("--word-timings", action="store_true",
                       help="transcribe with word timings (evidence points at the second; answers come later)")
    group.add_argument("--speakers", action="store_true",
                       help="open speakers, no headset: the mic is ignored while the customer talks (no barge-in)")


def wav_path(text: str) -> Path:
    """``say --out``: a WAV is written, so another extension (o.mp3) would name a file that is not one."""
    path = Path(text)
    if path.suffix.lower() != ".wav":
        raise argparse.ArgumentTypeError(f"{text}: say writes a WAV file; name it .wav")
    return path


def register(subparsers: argparse._SubParsersAction) -> None:
    voices = subparsers.add_parser("voices", help="list the customer voice profiles and the TTS engine's voices")
    voices.add_argument("--json", action="store_true")
    voices.add_argument("--schema", action="store_true", help="print the JSON Schema of voice profiles")
    voices.add_argument("--engine-voices", action="store_true", help="also list every voice the engine has")
    voices.add_argument("--render", metavar="SCENARIO",
                        help="render every customer line of SCENARIO, at every mood a call can say it at, ahead "
                             "into the voice cache (then calls play them from disk)")
    voices.add_argument("--moods", type=whole_number(0, 100), nargs="+", metavar="ANGER",
                        help="with --render: only these angers (default every mood a call can reach)")
    voices.set_defaults(func=cmd_voices)

    say = subparsers.add_parser("say", help="speak a line in a customer voice (or write it to a WAV)")
    say.add_argument("voice", help="voice profile id (see `callsim voices`)")
    say.add_argument("text")
    say.add_argument("--mood", type=whole_number(0, 100), default=None,
                     help="anger 0-100 (default: the voice's neutral point)")
    say.add_argument("--out", type=wav_path, help="write a 16 kHz WAV here instead of playing it")
    say.add_argument("--output", help="output device name or index")
    say.set_defaults(func=cmd_say)

    devices = subparsers.add_parser("devices", help="list sound devices (choose with --input/--output)")
    devices.add_argument("--json", action="store_true")
    devices.set_defaults(func=cmd_devices)

    bench = subparsers.add_parser("bench", help="benchmarks that print numbers")
    bench_sub = bench.add_subparsers(dest="bench", metavar="BENCH", required=True)
    latency = bench_sub.add_parser("latency", help="perceived turn latency of real voiced calls (real time)")
    latency.add_argument("--json", action="store_true")
    latency.add_argument("--scenario", default="billing-overcharge")
    latency.add_argument("--replies", type=Path, help="folder of reply WAVs (default: made with espeak-ng)")
    latency.add_argument("--calls", type=int, default=2, help="calls to run (default 2)")
    latency.add_argument("--shared", type=Path, help="the shared folder with audio/realtime and data/asr "
                                                     "(default: ../shared beside the repository)")
    latency.add_argument("--end-silence", type=float, metavar="S", help="endpoint silence for the calls")
    latency.add_argument("--busy-cores", type=_cores, default=1, metavar="N",
                         help="also run the calls with N CPU-bound processes beside the app, alternating with "
                              "quiet calls, and report both (default 1; 0: quiet only)")
    latency.add_argument("--no-render-first", dest="render_first", action="store_false",
                         help="do not render the scenario's lines into the voice cache before the calls (the calls "
                              "then render what is not cached yet while they run)")
    latency.set_defaults(func=cmd_bench_latency)


def cmd_voices(args: argparse.Namespace) -> int:
    from simulator.scenario.diagnostics import FileProblems
    from simulator.scenario.voices import load_voices, voice_schema

    if args.schema:
        print(json.dumps(voice_schema(), indent=2))
        return 0
    settings = load_settings()
    if settings.tts_engine is not None:  # say refused it; the list went on with another engine in silence
        from simulator.tts.registry import builtin_engines

        builtin_engines().factory(settings.tts_engine)  # an unknown name: UnknownPart, a settings error
    if args.render:
        return render_scenario(settings, args.render, args.moods)
    try:
        profiles = load_voices(settings.voices_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    engine_voices = []
    engine_error = None
    listing_engine = settings.tts_engine if settings.tts_engine in ("pyttsx3", "espeak-ng") else "pyttsx3"
    try:
        from simulator.tts.registry import builtin_engines

        # a profile's system_voice is an espeak-ng voice (the neural engine's fallback): list those
        engine = builtin_engines().create(listing_engine)
        engine_voices = engine.system_voices()
    except Exception as err:
        engine_error = str(err)
    known = {v.id for v in engine_voices}

    def installed(profile) -> bool | None:
        if profile.engine == "kokoro-zh":  # a Kokoro style (or blend), not an espeak-ng voice
            from simulator.tts.kokoro_zh_engine import style_is_shipped
            return style_is_shipped(profile.system_voice)
        if not known:
            return None
        return profile.system_voice.split("+")[0] in known

    if args.json:
        print(json.dumps({
            "profiles": [{**p.model_dump(mode="json"), "installed": installed(p)} for p in profiles],
            "engine": listing_engine, "engine_error": engine_error,
            "engine_voices": [{"id": v.id, "name": v.name, "languages": list(v.languages)} for v in engine_voices],
        }, indent=2))
        return 0
    print(f"voice profiles in {settings.voices_dir}:")
    for p in profiles:
        flag = {True: "", False: "  (NOT INSTALLED in the engine)", None: ""}[installed(p)]
        print(f"  {p.id:<24} {p.gender.value:<7} {p.age.value:<7} {p.accent or '-':<18} "
              f"{p.engine}:{p.system_voice} {p.rate_wpm:.0f} wpm, pitch {p.pitch:.0f}{flag}")
    if engine_error:
        print(f"engine {listing_engine}: unavailable: {engine_error}", file=sys.stderr)
    else:
        english = [v for v in engine_voices if any(lang.startswith("en") for lang in v.languages)]
        shown = engine_voices if args.engine_voices else english
        print(f"\n{listing_engine} voices ({len(engine_voices)} in all; "
              f"{'all' if args.engine_voices else 'English'} shown; add +f1..+f5 / +m1..+m7 for variants):")
        for v in shown:
            print(f"  {v.id:<28} {v.name}")
    return 0


def render_scenario(settings, name: str, moods: list[int] | None) -> int:
    """Every line of the scenario at every mood a call can say it at (``render_plan``; only the
    buckets of ``moods`` when given) into the voice cache: what calls then play without rendering."""
    import time

    from simulator.call.render_plan import render_plan
    from simulator.call.voiced_setup import load_persona_voice
    from simulator.lazy import MissingPackage
    from simulator.scenario.diagnostics import FileProblems
    from simulator.scenario.lint import load_playable_scenario
    from simulator.scenario.voices import mood_bucket
    from simulator.tts.base import TtsError
    from simulator.tts.cache import LineCache
    from simulator.tts.registry import builtin_engines
    from simulator.tts.worker import AHEAD, TtsWorker

    try:
        scenario = load_playable_scenario(settings.find_scenario(name)).scenario
        profile = load_persona_voice(scenario, settings.voices_dir)
    except (FileProblems, FileNotFoundError, LookupError) as problems:
        print(f"callsim: {problems}", file=sys.stderr)
        return 1
    plan = render_plan(scenario)
    if moods:
        wanted = {mood_bucket(max(0, min(100, m))) for m in moods}
        plan = [item for item in plan if item.mood_bucket in wanted]
    worker = TtsWorker(lambda: builtin_engines().create(settings.tts_engine or profile.engine),
                       LineCache(max_lines=8, folder=settings.voice_cache_dir))
    began = time.perf_counter()
    try:
        engine = worker.wait_ready(60)
        jobs = [(item.text, profile.prosody(item.mood_bucket)) for item in plan]
        waiting = [worker.submit(text, profile, prosody, priority=AHEAD) for text, prosody in jobs
                   if not worker.cache.peek(worker.key(text, profile, prosody))]
        queued = len(waiting)
        for future in waiting:
            future.result(600)
    except (TtsError, MissingPackage) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 4
    finally:
        worker.close()
    lines = len({item.text for item in plan})
    moods_count = len({item.mood_bucket for item in plan})
    print(f"{scenario.id}: {len(plan)} renders ({lines} lines, {moods_count} moods) in voice {profile.id} "
          f"({engine.name}): {queued} rendered, {len(plan) - queued} already cached, "
          f"{time.perf_counter() - began:.1f} s; in {settings.voice_cache_dir}")
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    from simulator.audio.clip import write_wav
    from simulator.audio.devices import AudioDeviceError
    from simulator.scenario.diagnostics import FileProblems
    from simulator.scenario.voices import load_voice, voice_path
    from simulator.tts.base import TtsError
    from simulator.tts.registry import builtin_engines

    settings = load_settings()
    path = voice_path(settings.voices_dir, args.voice)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in settings.voices_dir.glob("*.yaml")))
        print(f"callsim: no voice profile {args.voice!r} in {settings.voices_dir}; known: {known}", file=sys.stderr)
        return 1
    try:
        profile = load_voice(path)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    mood = profile.mood.neutral_anger if args.mood is None else args.mood
    try:
        engine = builtin_engines().create(settings.tts_engine or profile.engine)
        clip = engine.render(args.text, profile, profile.prosody(mood))
    except (TtsError, LookupError) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 4
    if args.out:
        try:
            write_wav(args.out, clip, kept="")
        except OSError as err:
            print(f"callsim: {err}", file=sys.stderr)
            return 1
        print(f"{args.out}: {clip.duration_s:.2f} s, {clip.sample_rate} Hz")
        return 0
    from simulator.audio.playback import Player

    player = Player(args.output or settings.output_device)
    try:
        player.play(clip)
        player.wait_to_end()
    except AudioDeviceError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 4
    finally:
        player.close()
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from simulator.audio.devices import AudioDeviceError, list_devices

    try:
        devices = list_devices()
    except AudioDeviceError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 4
    settings = load_settings()
    if args.json:
        print(json.dumps([{"index": d.index, "name": d.name, "host_api": d.host_api,
                           "inputs": d.max_input_channels, "outputs": d.max_output_channels,
                           "default_sample_rate": d.default_sample_rate, "default_input": d.is_default_input,
                           "default_output": d.is_default_output} for d in devices], indent=2))
        return 0
    if not devices:
        print("no sound devices found: plug in a headset, or check ALSA/PulseAudio")
        return 0
    for d in devices:
        marks = [m for m, on in (("default in", d.is_default_input), ("default out", d.is_default_output)) if on]
        print(f"  {d.index:>3}  {d.name:<40} in {d.max_input_channels:<2} out {d.max_output_channels:<2} "
              f"{d.host_api}{'  [' + ', '.join(marks) + ']' if marks else ''}")
    print(f"\nconfigured: input {settings.input_device or 'default'}, output {settings.output_device or 'default'} "
          f"(set input_device/output_device in the config file, or --input/--output on `callsim play`)")
    return 0


def _cores(text: str) -> int:
    try:
        cores = int(text)
    except ValueError:
        cores = -1
    if cores < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of cores (0, 1, 2...)")
    return cores


def cmd_bench_latency(args: argparse.Namespace) -> int:
    from simulator.commands.latency_bench import BenchError, run_latency_bench

    try:
        result = run_latency_bench(scenario=args.scenario, replies=args.replies, calls=args.calls,
                                   shared=args.shared, end_silence_s=args.end_silence, busy_cores=args.busy_cores,
                                   render_first=args.render_first,
                                   progress=None if args.json else lambda line: print(line, file=sys.stderr))
    except BenchError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for condition in ("quiet", "busy"):
        if condition in result:
            print(f"{condition}:")
            for key, value in result[condition].items():
                if key == "breakdown_median_s" and value:  # one stage a line: where the turn's time goes
                    print(f"  {key:>24}:")
                    for stage, seconds in value.items():
                        print(f"    {stage:>30}: {seconds}")
                else:
                    print(f"  {key:>24}: {value}")
    print(f"  {'wer':>24}: {result['wer']}")
    print(f"  {'render_first_s':>24}: {result['render_first_s']}")
    return 0
