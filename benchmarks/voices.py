"""The customer's voices, measured: intelligibility, how different they sound, and speed.

    python benchmarks/voices.py [--engine hibari] [--moods start 100] [--json]

1. Every customer line of the shipped English scenarios (``scenario_lines``: the lines of every node,
   a transition's ``say`` joined to the next line, the silence prompt, the endings), rendered in the
   scenario's own voice profile at each mood asked for (``start`` = the persona's starting anger), is
   transcribed by the packaged Whisper tiny.en exactly as a call would transcribe the trainee
   (``transcriber_from_settings`` with the default settings); corpus WER after ``simulator.asr.wer``'s
   normalisation.  Goal (issue #14): WER <= 5%.
2. Every voice profile reads the same 12 lines (the first line of each scenario, which the profile
   may never say in a call) at its neutral mood.  Per voice: median pitch (YIN) and a voice vector
   (``simulator.qa.diarise.voice_vector``: mean mel cepstrum c1..c12 of the loud frames, the timbre
   part, without its pitch).  Printed: pitch apart in semitones, and for each pair of voices the
   cepstral distance between their mean vectors divided by the typical distance between two
   lines of one voice (> 1: two voices are further apart than one voice is from itself).
3. Real-time factor of the engine (render seconds / audio seconds), warm, over all renders.

Nothing here was tuned on these lines: the voice shapes in voices/*.yaml were set by hand on one
sentence that is in no scenario ("I've been charged twice for the same month and nobody has called
me back.").
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.analysis.acoustics import yin_pitch  # noqa: E402
from simulator.asr.registry import transcriber_from_settings  # noqa: E402
from simulator.asr.wer import word_errors  # noqa: E402
from simulator.call.render_plan import scenario_lines  # noqa: E402
from simulator.config import Settings  # noqa: E402
from simulator.qa.diarise import _dct_matrix, _mel_filters, voice_vector  # noqa: E402
from simulator.scenario.loader import load_scenario, scenario_files  # noqa: E402
from simulator.scenario.voices import VoiceProfile, load_voices  # noqa: E402
from simulator.tts.registry import builtin_engines  # noqa: E402

GOAL_WER = 0.05


def english_scenarios():
    for path in scenario_files([REPO / "scenarios"]):
        scenario = load_scenario(path).scenario
        if scenario.language == "en":
            yield path.stem, scenario


def round_trip(engine, transcriber, voices: dict[str, VoiceProfile], moods: list[str]) -> dict:
    errors = words = 0
    render_s = audio_s = 0.0
    worst: list[tuple[float, str, str, str]] = []
    per_scenario = {}
    for name, scenario in english_scenarios():
        profile = voices[scenario.persona.voice]
        scenario_errors = scenario_words = 0
        for mood in moods:
            anger = scenario.persona.mood if mood == "start" else int(mood)
            for line in scenario_lines(scenario):
                began = time.perf_counter()
                clip = engine.render(line, profile, profile.prosody(anger))
                render_s += time.perf_counter() - began
                audio_s += clip.duration_s
                heard = transcriber.transcribe(clip.samples).text
                counted = word_errors(line, heard)
                scenario_errors += counted.errors
                scenario_words += counted.reference_words
                if counted.errors:
                    worst.append((counted.errors / max(1, counted.reference_words), f"{name}@{anger}", line, heard))
        per_scenario[name] = {"voice": profile.id, "wer": scenario_errors / max(1, scenario_words),
                              "words": scenario_words}
        print(f"  {name}: WER {per_scenario[name]['wer']:.2%}", file=sys.stderr, flush=True)  # progress
        errors += scenario_errors
        words += scenario_words
    worst.sort(reverse=True)
    return {"wer": errors / max(1, words), "words": words, "errors": errors, "per_scenario": per_scenario,
            "misheard": [{"where": w, "said": s, "heard": h} for _r, w, s, h in worst[:10]],
            "rtf": render_s / max(audio_s, 1e-9), "audio_s": audio_s}


def voice_differences(engine, voices: dict[str, VoiceProfile]) -> dict:
    lines = [scenario.nodes[scenario.start].lines[0] for _name, scenario in english_scenarios()][:12]
    filters, dct = _mel_filters(), _dct_matrix()
    vectors: dict[str, np.ndarray] = {}
    pitch: dict[str, float] = {}
    for voice_id, profile in voices.items():
        rows, hz_all = [], []
        for line in lines:
            clip = engine.render(line, profile, profile.prosody(profile.mood.neutral_anger)).samples
            vector = voice_vector(clip, filters, dct)
            if vector is not None:
                rows.append(vector[:-1])
            hz, _ = yin_pitch(clip, 16_000)
            hz_all.append(hz[hz > 0])
        vectors[voice_id] = np.array(rows)
        pitch[voice_id] = float(np.median(np.concatenate(hz_all)))
    within = statistics.median(float(np.linalg.norm(a - b)) for rows in vectors.values()
                               for a, b in itertools.combinations(rows, 2))
    pairs = {}
    for first, second in itertools.combinations(voices, 2):
        apart = float(np.linalg.norm(vectors[first].mean(axis=0) - vectors[second].mean(axis=0)))
        pairs[f"{first} / {second}"] = {
            "timbre_ratio": apart / within,
            "pitch_semitones": abs(12 * float(np.log2(pitch[first] / pitch[second])))}
    return {"lines": len(lines), "median_pitch_hz": pitch, "within_voice_distance": within, "pairs": pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="hibari", help="TTS engine (hibari, pyttsx3, espeak-ng)")
    parser.add_argument("--moods", nargs="+", default=["start", "100"],
                        help="moods to render every line at: 'start' (the persona's) or an anger 0-100")
    parser.add_argument("--skip-wer", action="store_true", help="only the voice differences and speed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    engine = builtin_engines().create(args.engine)
    voices = {p.id: p for p in load_voices(REPO / "voices") if p.accent != "Mandarin Chinese"}
    engine.render("Warm up.", next(iter(voices.values())), next(iter(voices.values())).prosody(40))
    report: dict = {"engine": args.engine, "moods": args.moods}
    if not args.skip_wer:
        report["round_trip"] = round_trip(engine, transcriber_from_settings(Settings()), voices, args.moods)
    report["voices"] = voice_differences(engine, voices)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    if "round_trip" in report:
        trip = report["round_trip"]
        verdict = "meets" if trip["wer"] <= GOAL_WER else "MISSES"
        print(f"round trip ({args.engine} -> Whisper tiny.en), moods {' '.join(args.moods)}: WER {trip['wer']:.2%} "
              f"({trip['errors']} errors / {trip['words']} words; {verdict} the {GOAL_WER:.0%} goal); "
              f"RTF {trip['rtf']:.3f} over {trip['audio_s']:.0f} s of speech")
        for name, row in trip["per_scenario"].items():
            print(f"  {name:<28} {row['voice']:<24} WER {row['wer']:.2%} ({row['words']} words)")
        for row in trip["misheard"]:
            print(f"  misheard {row['where']}: {row['said']!r} -> {row['heard']!r}")
    differences = report["voices"]
    print(f"\nvoices on {differences['lines']} lines: median pitch "
          + ", ".join(f"{v} {hz:.0f} Hz" for v, hz in differences["median_pitch_hz"].items()))
    print(f"timbre distance between voices / between two lines of one voice "
          f"(within = {differences['within_voice_distance']:.2f}); pitch apart in semitones:")
    for pair, row in sorted(differences["pairs"].items(), key=lambda kv: kv[1]["timbre_ratio"]):
        print(f"  {pair:<48} timbre x{row['timbre_ratio']:.2f}  pitch {row['pitch_semitones']:.1f} st")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
