"""``callsim bench latency``: how long the trainee waits for the customer, measured from outside.

Real calls (``callsim play``, unmodified, on the default devices) run in real time against the
private PulseAudio daemon of ``../shared/audio/realtime``; its probe plays recorded replies into
the virtual mic and times, in one recording, the end of each reply's speech to the first sample
the customer plays back (perceived latency), and launch to the opening line (cold start).  Peak
memory comes from the app's own log; WER from transcribing ``../shared/data/asr`` with the
configured backend.  Goals on a 2-core box, quiet and with one core kept busy by another process
(``--busy-cores``, ``busy_load``): P50 <= 0.6 s, P95 <= 0.9 s, cold start <= 3 s, 1 GB.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.audio.clip import read_wav, write_wav
from simulator.call.turn_breakdown import parse_breakdowns
from simulator.commands.busy_load import BusyLoad, BusyLoadReport
from simulator.config import SOURCE_ROOT

# Replies that take billing-overcharge to its resolved ending (any scenario works: the probe
# only needs speech; these keep the call going as a real trainee would).
SCRIPTED_REPLIES = (
    "Thank you for calling, my name is Sam. I am so sorry you have been charged twice, that must be worrying.",
    "Can you confirm your date of birth for security please?",
    "I have refunded the second payment, it will be back in your account within three working days.",
    "Is there anything else I can help you with today?",
)

# The same for Mandarin scenarios (written for zh-parcel-lost; any zh scenario works): a trainee's
# greeting, an order-number question, empathy with ownership, and the remedy.
SCRIPTED_REPLIES_ZH = (
    "您好，很高兴为您服务，我是客服小王，请问有什么可以帮您？",
    "给老人买的东西没收到，您一定很着急。麻烦您提供一下订单号，我帮您查询。",
    "这件事我来负责跟进，我马上联系快递核实签收情况。",
    "如果找不到，我们给您免费补发一台，明天就能发货，或者给您全额退款。",
)
# Kokoro speaks the Mandarin replies in the man's voice: Whisper follows it (docs/voice.md), and it
# is not the customer's voice in the shipped zh scenarios but one.
ZH_REPLY_VOICE = "middle-man-mandarin"


class BenchError(RuntimeError):
    pass


def default_shared() -> Path:
    return SOURCE_ROOT.parent / "shared"


def default_replies(scenario: str, folder: Path) -> list[Path]:
    """Scripted replies in the scenario's language (spoken by a voice that Whisper follows)."""
    from simulator.config import load_settings
    from simulator.scenario.diagnostics import FileProblems
    from simulator.scenario.loader import load_scenario

    settings = load_settings()
    try:
        language = load_scenario(settings.find_scenario(scenario)).scenario.language
    except (FileProblems, FileNotFoundError, LookupError) as err:
        raise BenchError(f"scenario {scenario!r}: {err}") from None
    return make_mandarin_replies(folder, settings.voices_dir) if language == "zh" else make_replies(folder)


def make_replies(folder: Path, texts=SCRIPTED_REPLIES) -> list[Path]:
    """Speak the replies with the espeak-ng command line (a different voice path from the customer's)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, text in enumerate(texts, start=1):
        raw = folder / f"raw_{number}.wav"
        try:
            subprocess.run(["espeak-ng", "-s", "160", "-w", str(raw), text], check=True, capture_output=True,
                           timeout=60)
        except (OSError, subprocess.CalledProcessError) as err:
            raise BenchError(f"espeak-ng could not make the replies ({err}); apt-get install espeak-ng") from None
        path = write_wav(folder / f"reply_{number}.wav", read_wav(raw))
        raw.unlink()
        paths.append(path)
    return paths


def make_mandarin_replies(folder: Path, voices_dir: Path, texts=SCRIPTED_REPLIES_ZH) -> list[Path]:
    """Speak the Mandarin replies with Kokoro (espeak-ng reads Chinese as pinyin letters Whisper cannot follow)."""
    from simulator.lazy import MissingPackage
    from simulator.scenario.voices import load_voice, voice_path
    from simulator.tts.base import TtsError
    from simulator.tts.registry import builtin_engines

    folder.mkdir(parents=True, exist_ok=True)
    try:
        profile = load_voice(voice_path(voices_dir, ZH_REPLY_VOICE))
        engine = builtin_engines().create(profile.engine)
        prosody = profile.prosody(profile.mood.neutral_anger)
        return [write_wav(folder / f"reply_{number}.wav", engine.render(text, profile, prosody))
                for number, text in enumerate(texts, start=1)]
    except (OSError, TtsError, MissingPackage) as err:
        raise BenchError(f"the Mandarin replies could not be spoken ({err}); or pass --replies DIR") from None


def render_scenario_first(env: dict[str, str], scenario: str) -> float:
    """``callsim voices --render SCENARIO`` into the voice cache the calls use: every line at every
    mood is on disk before the first call, so a slow voice (Kokoro) is never rendering on the turn
    path and the calls measure the turn, not the synthesiser's first pass.  Returns its seconds."""
    began = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "simulator", "voices", "--render", scenario], env=env,
                         capture_output=True, text=True, timeout=3600, cwd=SOURCE_ROOT)
    if run.returncode != 0:
        raise BenchError(f"rendering {scenario} ahead failed: {run.stderr.strip()[-500:]}")
    return round(time.perf_counter() - began, 1)


def start_realtime_daemon(realtime: Path, state: Path) -> dict[str, str]:
    """Start the shared PulseAudio test daemon; the environment a client needs to use it."""
    env = {k: v for k, v in os.environ.items() if k != "ALSA_CONFIG_PATH" and not k.startswith("PULSE")}
    env["PROBE_STATE_DIR"] = str(state)
    started = subprocess.run([str(realtime / "start.sh")], env=env, capture_output=True, text=True, timeout=60)
    if started.returncode != 0:
        raise BenchError(f"{realtime / 'start.sh'} failed: {started.stderr.strip()}")
    for line in started.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = value.strip().strip("'\"")
    return env


def _peak_rss_mb(log: Path) -> float | None:
    found = re.findall(r"peak RSS (\d+) MB", log.read_text()) if log.exists() else []
    return float(found[-1]) if found else None


_LOG_LINE = re.compile(r"^\s*(\d+) ms \S+ (.*)$")


def _stage_times(log: Path) -> dict[str, list[float]]:
    """From the app's voice log: end of turn -> transcript, transcript -> playing (seconds)."""
    stages: dict[str, list[float]] = {"turn_end_to_transcript_s": [], "transcript_to_playing_s": []}
    ended = ready = None
    for line in log.read_text().splitlines() if log.exists() else []:
        match = _LOG_LINE.match(line)
        if not match:
            continue
        at, what = int(match.group(1)) / 1000, match.group(2)
        if "TurnEnded" in what:
            ended = at
        elif what.startswith("transcript ready") and ended is not None:
            stages["turn_end_to_transcript_s"].append(round(at - ended, 3))
            ready, ended = at, None
        elif what.endswith(": playing") and ready is not None:
            stages["transcript_to_playing_s"].append(round(at - ready, 3))
            ready = None
    return stages


def run_one_call(probe: Path, env: dict[str, str], scenario: str, replies: list[Path], work: Path,
                 end_silence_s: float | None) -> dict:
    log = work / "voice.log"
    app = [sys.executable, "-m", "simulator", "play", scenario, "--record-to", str(work / "calls")]
    if end_silence_s:
        app += ["--end-silence", str(end_silence_s)]
    result_file = work / "probe.json"
    call_env = {**env, "CALLSIM_VOICE_LOG": str(log)}
    run = subprocess.run([sys.executable, str(probe), "--app", shlex.join(app), *map(str, replies),
                          "--json-out", str(result_file), "--app-log", str(work / "app.log")],
                         env=call_env, capture_output=True, text=True, timeout=900, cwd=SOURCE_ROOT)
    if not result_file.exists():
        raise BenchError(f"the probe produced no result: {run.stderr.strip()[-500:]}")
    result = without_the_calls_own_end(json.loads(result_file.read_text()), len(replies))
    result["peak_rss_mb"] = _peak_rss_mb(log)
    result["stages"] = _stage_times(log)
    result["breakdowns"] = parse_breakdowns(log.read_text()) if log.exists() else []
    return result


def without_the_calls_own_end(result: dict, replies: int) -> dict:
    """The probe's result, less the error it reports when the app ends the call after answering the last
    reply: the scripted replies take the call to its ending, and the app exits (0) once the customer's
    last line has played and the scorecard is made, sooner than the probe's wait for silence after it."""
    natural_end = f"turn {replies}: app exited (0)"
    answered = len([x for x in result.get("latencies_s") or [] if x is not None]) == replies
    errors = result.get("errors", [])
    if answered and errors and errors[-1] == natural_end:
        return {**result, "errors": errors[:-1], "app_ended_the_call": True}
    return result


def asr_wer(data: Path) -> float | None:
    """Corpus WER of the configured ASR backend on the shared ASR clips (None without them)."""
    manifest = data / "asr" / "manifest.jsonl"
    if not manifest.is_file():
        return None
    from simulator.asr.registry import transcriber_from_settings
    from simulator.asr.wer import corpus_wer
    from simulator.config import load_settings

    transcriber = transcriber_from_settings(load_settings())
    pairs = []
    for line in manifest.read_text().splitlines():
        item = json.loads(line)
        audio = read_wav(data / item["audio"]).samples
        pairs.append((item["text"], transcriber.transcribe(audio).text))
    return round(corpus_wer(pairs).wer, 4)


def summarise(results: list[dict]) -> dict:
    """P50/P95 over every turn of the calls, cold start (median), memory and where the time went."""
    latencies = [x for r in results for x in r.get("latencies_s") or [] if x is not None]
    colds = [r["cold_start_s"] for r in results if r.get("cold_start_s") is not None]
    rss = [r["peak_rss_mb"] for r in results if r.get("peak_rss_mb") is not None]
    return {
        "turns": len(latencies),
        "p50_s": round(float(np.percentile(latencies, 50)), 3) if latencies else None,
        "p95_s": round(float(np.percentile(latencies, 95)), 3) if latencies else None,
        "cold_start_s": round(float(np.median(colds)), 3) if colds else None,
        "peak_rss_mb": max(rss) if rss else None,
        "latencies_s": [round(x, 3) for x in latencies],
        "inside_the_app_median_s": {  # where the time goes (from the app's own log)
            stage: round(float(np.median(values)), 3) if values else None
            for stage, values in ((name, [v for r in results for v in r.get("stages", {}).get(name, [])])
                                  for name in ("turn_end_to_transcript_s", "transcript_to_playing_s"))},
        "breakdown_median_s": breakdown_medians([b for r in results for b in r.get("breakdowns", [])]),
        "cold_starts_s": colds,
        "missed": sum(r.get("missed", 0) for r in results),
        "calls": len(results),
        "errors": [e for r in results for e in r.get("errors", [])],
    }


def breakdown_medians(breakdowns: list[dict[str, float]]) -> dict[str, float]:
    """Per stage of ``TurnBreakdown``, the median over the turns; ``early`` (1 or 0 a turn) becomes the
    share of turns whose transcript came from the pass queued at the pause."""
    stages = list(dict.fromkeys(name for b in breakdowns for name in b))
    return {stage: round(float((np.mean if stage == "early" else np.median)(
        [b[stage] for b in breakdowns if stage in b])), 3) for stage in stages}


def run_latency_bench(*, scenario: str = "billing-overcharge", replies: Path | None = None, calls: int = 2,
                      shared: Path | None = None, end_silence_s: float | None = None, busy_cores: int = 1,
                      render_first: bool = True, progress: Callable[[str], None] | None = None) -> dict:
    """``calls`` calls on a quiet machine and, with ``busy_cores`` > 0, as many with that many cores
    kept busy, alternating (quiet, busy, quiet, ...) so that drift in the machine's own load falls on
    both conditions alike; with ``render_first`` the scenario's lines are rendered into the voice
    cache before the first call (timed apart).  Returns ``{"quiet": summary, "busy": summary + "load",
    "wer", "render_first_s"}``; replies default to scripted ones in the scenario's language."""
    shared = shared or default_shared()
    realtime = shared / "audio" / "realtime"
    probe = realtime / "probe.py"
    if not probe.is_file():
        raise BenchError(f"{probe} not found: the benchmark needs the shared real-time audio devices "
                         f"(pass --shared DIR)")
    if busy_cores < 0:
        raise BenchError(f"--busy-cores {busy_cores}: give 0 (quiet only) or more cores to keep busy")
    say = progress or (lambda _line: None)
    conditions = ["quiet"] + (["busy"] if busy_cores else [])
    results: dict[str, list[dict]] = {name: [] for name in conditions}
    loads: list[BusyLoadReport] = []
    render_first_s = None
    with tempfile.TemporaryDirectory(prefix="callsim-bench-") as tmp:
        work = Path(tmp)
        reply_files = sorted(replies.glob("*.wav")) if replies else default_replies(scenario, work / "replies")
        if not reply_files:
            raise BenchError(f"{replies}: no .wav replies")
        env = start_realtime_daemon(realtime, work / "pulse")
        try:
            if render_first:
                say(f"rendering every line of {scenario} ahead into the voice cache...")
                render_first_s = render_scenario_first(env, scenario)
                say(f"  {render_first_s} s")
            for number in range(1, calls + 1):
                for condition in conditions:
                    label = condition if condition == "quiet" else f"{busy_cores} core(s) busy"
                    say(f"call {number}/{calls}, {label}: {scenario} with {len(reply_files)} replies (real time)...")
                    call_dir = work / f"call{number}-{condition}"
                    call_dir.mkdir()
                    with BusyLoad(busy_cores if condition == "busy" else 0) as load:
                        result = run_one_call(probe, env, scenario, reply_files, call_dir, end_silence_s)
                    if condition == "busy" and load.report is not None:
                        loads.append(load.report)
                        say(f"  busy load used {load.report.cores_used:.2f} cores")
                    results[condition].append(result)
                    say(f"  latencies {result.get('latencies_s')} cold start {result.get('cold_start_s')}")
        finally:
            subprocess.run([str(realtime / "stop.sh")], env=env, capture_output=True, timeout=30)
    report: dict = {name: summarise(runs) for name, runs in results.items()}
    report["render_first_s"] = render_first_s if render_first else None
    if loads:
        report["busy"]["load"] = BusyLoadReport(busy_cores, sum(x.wall_s for x in loads),
                                                sum(x.cpu_s for x in loads)).as_json()
    say("transcribing ../shared/data/asr for WER...")
    report["wer"] = asr_wer(shared / "data")
    return report
