"""The Mandarin voice benchmark sorts Whisper's wrong characters by sound, so that a figure says
how much of the error a better voice could remove (tones) and how much it could not (homophones)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "zh_voices.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("zh_voices", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_wrong_characters_are_sorted_by_how_they_sound(bench):
    sounds = bench.error_sounds("刷卡被拒了，这是怎么回事？", "刷卡被剧了,就是怎么回事。")
    assert (sounds.homophones, sounds.tone_only, sounds.other_sound, sounds.unaligned) == (1, 0, 1, 0)
    tones = bench.error_sounds("对面工地天天半夜施工", "对面工底天天半夜事工")
    assert (tones.homophones, tones.tone_only) == (0, 2)  # di4 -> di3, shi1 -> shi4


def test_dropped_characters_and_a_clean_line(bench):
    assert bench.error_sounds("喂？说话啊！", "说话啊").unaligned == 1
    assert bench.error_sounds("好的，谢谢你。", "好的谢谢你") == bench.ErrorSounds()
    total = bench.error_sounds("被拒", "被剧") + bench.error_sounds("施工", "事工")
    assert (total.homophones, total.tone_only) == (1, 1)
