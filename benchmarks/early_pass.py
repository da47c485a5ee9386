"""When is the trainee's transcript ready?  The early-pass trigger (``EndpointConfig.pause_s``) replayed.

    python benchmarks/early_pass.py [--data DIR] [--pause 0.1 0.064 ...] [--json]

A voiced call transcribes the turn as soon as the trainee pauses (``SpeechPaused``), before the
end-of-turn silence is over.  Whisper cannot be stopped, so a pass started at a pause the trainee
talks on through is wasted, and the next pass waits behind it.  A shorter trigger starts the right
pass sooner but wastes more.  This replays real speech (``data/asr`` and ``data/emotion_speech``
from ``../shared/data``, each clip followed by 1 s of silence) through the real endpointer (Silero
VAD, 16 ms blocks) and the real ASR worker policy (one pass at a time, first in first out; a pass
not yet started is dropped when speech resumes), with each pass taking the time the real
transcriber takes on that clip (measured once per clip, warm).

Printed per trigger: when the final transcript is ready, in seconds after the speech ended (median,
95th percentile, worst), passes run per turn, and how many turns waited behind a wasted pass.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.audio.clip import read_wav  # noqa: E402
from simulator.audio.endpoint import (  # noqa: E402
    EndpointConfig,
    Endpointer,
    SileroVad,
    SpeechPaused,
    SpeechResumed,
    TurnEnded,
)

BLOCK = 256
RATE = 16000


def speech_clips(data: Path) -> list[Path]:
    clips = sorted((data / "asr").glob("*.wav")) + sorted((data / "emotion_speech" / "wav").glob("*.wav"))
    if not clips:
        raise SystemExit(f"{data}: no speech clips (asr/*.wav, emotion_speech/wav/*.wav); pass --data")
    return clips


def endpoint_events(audio: np.ndarray, pause_s: float) -> list[tuple[float, object]]:
    """(time the event is seen, event) for one clip fed in real-time-sized blocks."""
    endpointer = Endpointer(SileroVad(), EndpointConfig(pause_s=pause_s), RATE)
    endpointer.listen()
    seen = []
    for start in range(0, len(audio), BLOCK):
        at_s = (start + BLOCK) / RATE
        seen.extend((at_s, event) for event in endpointer.feed(audio[start:start + BLOCK]))
    return seen


def replay(events: list[tuple[float, object]], pass_s: float) -> tuple[float | None, int, bool]:
    """Transcript ready after speech end (s), passes run, and whether the last pass waited."""
    free_at = 0.0
    passes: list[list[float]] = []  # [submitted, started, finished, speech end it covers]
    early: list[float] | None = None
    for at_s, event in events:
        if isinstance(event, SpeechPaused):
            started = max(at_s, free_at)
            early = [at_s, started, started + pass_s, event.speech_end_s]
            passes.append(early)
            free_at = early[2]
        elif isinstance(event, SpeechResumed) and early is not None:
            if early[1] > at_s:  # not started yet: dropped, as VoicedCall does
                passes.pop()
                free_at = passes[-1][2] if passes else 0.0
            early = None
        elif isinstance(event, TurnEnded):
            end_s = event.utterance.end_s
            if early is not None and abs(early[3] - end_s) < 1e-6:
                return early[2] - end_s, len(passes), early[1] > early[0] + 1e-9
            ready = max(at_s, free_at) + pass_s
            return ready - end_s, len(passes) + 1, free_at > at_s
    return None, len(passes), False


def pass_times(clips: list[Path]) -> dict[Path, float]:
    from simulator.asr.registry import transcriber_from_settings
    from simulator.config import load_settings

    transcriber = transcriber_from_settings(load_settings())
    times = {}
    for clip in clips:
        audio = read_wav(clip).samples
        transcriber.transcribe(audio)  # warm
        started = time.perf_counter()
        transcriber.transcribe(audio)
        times[clip] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("CALLSIM_DEV_DATA") or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--pause", type=float, nargs="+", default=[0.1, 0.064, 0.032])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    clips = speech_clips(Path(args.data))
    durations = pass_times(clips)
    silence = np.zeros(RATE, np.float32)
    results = []
    for pause_s in args.pause:
        waits, passes, waited = [], [], 0
        for clip in clips:
            audio = np.concatenate([silence[:RATE // 2], read_wav(clip).samples, silence])
            ready_s, runs, behind = replay(endpoint_events(audio, pause_s), durations[clip])
            if ready_s is None:
                continue
            waits.append(ready_s)
            passes.append(runs)
            waited += behind
        results.append({
            "pause_s": pause_s, "turns": len(waits),
            "ready_after_speech_end_p50_s": round(statistics.median(waits), 3),
            "ready_after_speech_end_p95_s": round(float(np.percentile(waits, 95)), 3),
            "ready_after_speech_end_max_s": round(max(waits), 3),
            "passes_per_turn": round(statistics.mean(passes), 2),
            "turns_waiting_behind_a_wasted_pass": waited,
        })
    summary = {"clips": len(clips), "pass_s_median": round(statistics.median(durations.values()), 3),
               "triggers": results}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{len(clips)} clips; one Whisper pass takes {summary['pass_s_median']:.3f} s (median)")
    for r in results:
        print(f"pause {r['pause_s']:.3f} s: ready {r['ready_after_speech_end_p50_s']:.3f} s after speech end "
              f"(P95 {r['ready_after_speech_end_p95_s']:.3f}, worst {r['ready_after_speech_end_max_s']:.3f}); "
              f"{r['passes_per_turn']} passes per turn; {r['turns_waiting_behind_a_wasted_pass']} turns waited "
              f"behind a wasted pass")


if __name__ == "__main__":
    main()
