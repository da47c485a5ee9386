"""How fast ``callsim score`` scores an outside recording, as a multiple of real time.

Builds a two-minute stereo call (agent left, customer right) from espeak-ng lines with known
gaps, then times the pipeline the command runs: Silero VAD on both channels, batched Whisper on
both sides, the configured turn analyser, tone, and the scorecard.  ``cold`` includes loading the
models (what one ``callsim score`` process pays); ``warm`` is every further call in the same
process (batch QA); ``agent_asr_only`` is ``--no-customer-asr``.  Prints JSON.  Needs espeak-ng
and sox (both in the apt line of .ci/setup and docs/development.md, Install).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
CORES = os.cpu_count() or 1
LINES = (
    ("customer", "Hello? I've been charged twice for my bill this month and I'm really not happy about it."),
    ("agent", "Thank you for calling, my name is Sam. I'm so sorry to hear that, let me sort it out for you."),
    ("customer", "It's the second time this year. I'm overdrawn now."),
    ("agent", "That must be really stressful. Can I take your full name and date of birth for security?"),
    ("customer", "Margaret Hughes, third of March nineteen fifty eight."),
    ("agent", "Thank you Margaret. I can see both payments of sixty four ninety nine on the fifth."),
    ("customer", "So what are you going to do about it?"),
    ("agent", "I've refunded the second payment now. It will be back in your account within three working days."),
    ("customer", "Three days? I need it before my rent goes out on Friday."),
    ("agent", "I understand. I'll also add a note so any bank charges are covered, and I'll email you a confirmation."),
    ("customer", "Okay. Well, that's something I suppose."),
    ("agent", "Is there anything else I can help you with today?"),
    ("customer", "No, that's all. Just make sure it doesn't happen again."),
    ("agent", "I will. Thank you for your patience, Margaret, and sorry again for the trouble. Goodbye."),
)
GAPS_S = (0.4, 0.9, 0.5, 1.1, 0.3, 2.0, 0.6, 3.6, 0.4, 1.0, 0.5, 0.8, 0.4, 0.7)


def _speak(text: str, folder: Path, name: str, voice: str, rate: int) -> np.ndarray:
    raw, out = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True)
    with wave.open(str(out)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768


def build_call(folder: Path, repeats: int = 2) -> Path:
    placed = []
    clock = 0.0
    for round_ in range(repeats):
        for number, ((speaker, text), gap) in enumerate(zip(LINES, GAPS_S, strict=True)):
            voice, rate = ("en-us", 160) if speaker == "agent" else ("en-gb", 180)
            samples = _speak(text, folder, f"{round_}-{number}", voice, rate)
            clock += gap
            placed.append((0 if speaker == "agent" else 1, clock, samples))
            clock += samples.size / SAMPLE_RATE
    stereo = np.zeros((int((clock + 1.0) * SAMPLE_RATE), 2), np.float32)
    for channel, start, samples in placed:
        first = int(start * SAMPLE_RATE)
        stereo[first: first + samples.size, channel] += 0.6 * samples
    path = folder / "call.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((stereo * 32767).astype("<i2").tobytes())
    return path


def _score_once(path: Path, loaded, analyser, transcriber, transcribe_customer: bool = True) -> tuple[float, dict]:
    from simulator.qa.external import ExternalOptions, RecordingReaders, analyse_external
    from simulator.qa.importer import vad_span_finder
    from simulator.scenario.loader import effective_rubric
    from simulator.scoring.call_scorer import score_call
    from simulator.wavfile import read_wav

    started = time.perf_counter()
    cpu_started = time.process_time()
    rubric = effective_rubric(loaded)
    call = analyse_external(read_wav(path), RecordingReaders(vad_span_finder(), transcriber, analyser),
                            thresholds=rubric.tone, scenario_id=loaded.scenario.id,
                            options=ExternalOptions(transcribe_customer=transcribe_customer))
    card = score_call(call.record, loaded.scenario, rubric)
    elapsed = time.perf_counter() - started
    return elapsed, {"duration_s": round(call.duration_s, 1), "turns": len(call.record.turns),
                     "overall": card.overall, "cpu_s": time.process_time() - cpu_started}


def run() -> dict:
    from simulator.analysis.registry import builtin_analysers
    from simulator.config import load_settings
    from simulator.qa.importer import transcriber_for
    from simulator.scenario.loader import load_scenario

    settings = load_settings()
    loaded = load_scenario(settings.scenarios_dir / "billing-overcharge.yaml")
    with tempfile.TemporaryDirectory(prefix="callsim-score-speed-") as scratch:
        path = build_call(Path(scratch))
        cold_started = time.perf_counter()
        analyser = builtin_analysers().create(settings.analyser, loaded.scenario)
        transcriber = transcriber_for(settings)
        _, about = _score_once(path, loaded, analyser, transcriber)
        cold = time.perf_counter() - cold_started
        warm_runs = [_score_once(path, loaded, analyser, transcriber) for _ in range(2)]
        agent_runs = [_score_once(path, loaded, analyser, transcriber, False) for _ in range(2)]
    warm = min(run[0] for run in warm_runs)
    agent_only = min(run[0] for run in agent_runs)
    # CPU seconds / cores: roughly the wall time with the box to ourselves (a lower bound: not all
    # of it runs in parallel)
    warm_cpu = min(run[1]["cpu_s"] for run in warm_runs) / CORES
    agent_cpu = min(run[1]["cpu_s"] for run in agent_runs) / CORES
    audio_s = about["duration_s"]
    return {
        "call_s": audio_s, "turns": about["turns"], "overall": about["overall"],
        "analyser": analyser.name, "asr": transcriber.name,
        "cold_s": round(cold, 2), "cold_x_real_time": round(audio_s / cold, 1),
        "warm_s": round(warm, 2), "warm_x_real_time": round(audio_s / warm, 1),
        "agent_asr_only_s": round(agent_only, 2), "agent_asr_only_x_real_time": round(audio_s / agent_only, 1),
        "warm_cpu_s_per_core": round(warm_cpu, 2), "warm_x_real_time_cpu_estimate": round(audio_s / warm_cpu, 1),
        "agent_only_x_real_time_cpu_estimate": round(audio_s / agent_cpu, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),  # other work on the box skews every number
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
    sys.exit(0)
