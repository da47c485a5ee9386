"""The Mandarin customer voices, measured: can the multilingual Whisper understand them, how
different do they sound, how fast are they.

    python benchmarks/zh_voices.py [--split tune|held-out|all] [--mood start 100] [--style SPEC --speed X]

1. Every customer line of the five ``language: zh`` scenarios (``scenario_lines``: what a call renders
   ahead), rendered in the scenario's own voice profile at the persona's starting mood (or each
   ``--mood``), transcribed by the packaged multilingual Whisper base exactly as a call transcribes
   the trainee (``transcriber_from_settings(Settings(), language="zh")``: simplified characters).
   CER (``simulator.asr.wer.character_errors``: punctuation and spaces ignored) after writing the
   hypothesis's Arabic numbers in Chinese as the voice reads them.  Goal (issue #16): <= 10%.
2. Pitch: each zh profile's median pitch (YIN) over the same four lines; printed apart in semitones.
3. RTF: render seconds / audio seconds, warm, over all renders (under this machine's load).
4. With ``--show``: the misheard lines, and the wrong characters by sound (``ErrorSounds``): the
   same syllable and tone as the right one (a homophone: Whisper's choice of word, which no voice
   can change), the same syllable in another tone (the accent's tones), another sound, unaligned.

Tuning split (docs/voice.md, Mandarin): the voice settings were chosen on the ``tune`` scenarios
(12345, bank card, broadband); ``held-out`` (parcel, power bill) was measured once, after.
``--style``/``--speed``/``--pitch`` override every profile's style, speed and pitch (what the tuning tried).
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.analysis.acoustics import yin_pitch  # noqa: E402
from simulator.asr.registry import transcriber_from_settings  # noqa: E402
from simulator.asr.wer import WordErrors, character_errors  # noqa: E402
from simulator.call.render_plan import scenario_lines  # noqa: E402
from simulator.config import Settings  # noqa: E402
from simulator.scenario.loader import load_scenario  # noqa: E402
from simulator.scenario.voices import load_voices  # noqa: E402
from simulator.tts.mandarin_text import spoken_numbers  # noqa: E402
from simulator.tts.registry import builtin_engines  # noqa: E402

GOAL_CER = 0.10
SPLITS = {
    "tune": ("zh-12345-construction-noise", "zh-bank-card-blocked", "zh-broadband-outage"),
    "held-out": ("zh-parcel-lost", "zh-power-bill-shock"),
}
SPLITS["all"] = SPLITS["tune"] + SPLITS["held-out"]


@dataclass(frozen=True, slots=True)
class ErrorSounds:
    """A hypothesis's wrong characters against the reference, by how they sound."""

    homophones: int = 0  # same syllable, same tone
    tone_only: int = 0  # same syllable, another tone
    other_sound: int = 0
    unaligned: int = 0  # inserted or dropped, or a substitution of a different length

    def __add__(self, other: ErrorSounds) -> ErrorSounds:
        return ErrorSounds(self.homophones + other.homophones, self.tone_only + other.tone_only,
                           self.other_sound + other.other_sound, self.unaligned + other.unaligned)


def error_sounds(reference: str, hypothesis: str) -> ErrorSounds:
    """Align the two lines' Chinese characters and sort each wrong one by its pinyin (pypinyin,
    tone3): what a better voice could fix (tones, other sounds) and what it could not (homophones)."""
    from pypinyin import Style, lazy_pinyin

    def han(text: str) -> str:
        return "".join(re.findall(r"[\u4e00-\u9fff]", text))

    def tone3(char: str) -> str:
        return str(lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0])

    ref, hyp = han(reference), han(hypothesis)
    counts = [0, 0, 0, 0]
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, ref, hyp, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op != "replace" or a2 - a1 != b2 - b1:
            counts[3] += max(a2 - a1, b2 - b1)
            continue
        for right, heard in zip(ref[a1:a2], hyp[b1:b2], strict=True):
            said, got = tone3(right), tone3(heard)
            counts[0 if said == got else 1 if said[:-1] == got[:-1] else 2] += 1
    return ErrorSounds(*counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="all")
    parser.add_argument("--mood", nargs="+", default=["start"], help="'start' or anger 0-100")
    parser.add_argument("--style", help="override every profile's Kokoro style (tuning)")
    parser.add_argument("--speed", type=float, help="override every profile's speed (tuning)")
    parser.add_argument("--pitch", type=float, help="override every profile's pitch_semitones (tuning)")
    parser.add_argument("--limit", type=int, default=0, help="first N lines per scenario (0: all)")
    parser.add_argument("--show", action="store_true", help="print every misheard line")
    args = parser.parse_args(argv)
    voices = {voice.id: voice for voice in load_voices(REPO / "voices")}
    overrides = {"system_voice": args.style} if args.style else {}
    engines = builtin_engines()
    transcriber = transcriber_from_settings(Settings(), language="zh")
    total = WordErrors(0, 0, 0, 0)
    sounds = ErrorSounds()
    render_s = audio_s = 0.0
    for name in SPLITS[args.split]:
        scenario = load_scenario(REPO / "scenarios" / f"{name}.yaml").scenario
        profile = voices[scenario.persona.voice]
        tuned = {"speed": args.speed, "pitch_semitones": args.pitch}
        neural = profile.neural.model_copy(update={k: v for k, v in tuned.items() if v is not None})
        profile = profile.model_copy(update={**overrides, "neural": neural})
        engine = engines.create(profile.engine)
        errors = WordErrors(0, 0, 0, 0)
        lines = scenario_lines(scenario)[:args.limit or None]
        for mood in args.mood:
            anger = scenario.persona.mood if mood == "start" else int(mood)
            for line in lines:
                began = time.perf_counter()
                clip = engine.render(line, profile, profile.prosody(anger))
                render_s += time.perf_counter() - began
                audio_s += clip.duration_s
                heard = transcriber.transcribe(clip.samples).text
                counted = character_errors(line, spoken_numbers(heard))
                errors = errors + counted
                if args.show and counted.errors:
                    sounds = sounds + error_sounds(line, spoken_numbers(heard))
                    print(f"  {counted.errors}/{counted.reference_words} {line} -> {heard}", flush=True)
        total = total + errors
        print(f"{name:32} {profile.id:24} {engine.name:10} CER {errors.wer:6.1%} "
              f"({errors.errors}/{errors.reference_words} characters, {len(lines)} lines)", flush=True)
    print(f"{'overall (' + args.split + ')':32} CER {total.wer:.1%} ({total.errors}/{total.reference_words}); "
          f"goal <= {GOAL_CER:.0%}: {'met' if total.wer <= GOAL_CER else 'NOT met'}")
    if args.show:
        print(f"wrong characters by sound: {sounds.homophones} homophones (same syllable and tone), "
              f"{sounds.tone_only} same syllable in another tone, {sounds.other_sound} another sound, "
              f"{sounds.unaligned} inserted/dropped")
    print(f"RTF {render_s / max(audio_s, 1e-9):.2f} (render s / audio s; this machine was under load)")
    print_pitch(voices, engines)
    return 0


def print_pitch(voices, engines) -> None:
    probe = ["你好，我想问一下我的账单。", "这个问题已经拖了一个星期了。", "你们到底什么时候能解决？", "好的，谢谢你。"]
    medians = {}
    for voice in voices.values():
        if voice.language != "zh":
            continue
        engine = engines.create(voice.engine)
        pitches = []
        for line in probe:
            clip = engine.render(line, voice, voice.prosody(voice.mood.neutral_anger))
            curve, _aperiodicity = yin_pitch(clip.samples, clip.sample_rate)
            pitches += [float(p) for p in curve if p > 0]
        medians[voice.id] = statistics.median(pitches) if pitches else float("nan")
        print(f"pitch {voice.id:24} {engine.name:10} median {medians[voice.id]:6.1f} Hz")
    names = sorted(medians)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            apart = 12 * np.log2(medians[first] / medians[second])
            print(f"pitch apart {first} vs {second}: {abs(apart):.1f} semitones")


if __name__ == "__main__":
    raise SystemExit(main())
