"""`callsim bench latency` on a Mandarin scenario: Mandarin replies by default (espeak-ng's would be
pinyin letters), and the scenario rendered into the voice cache before the calls (what that renders:
``test_render_plan`` and the ``voices --render`` test)."""

from __future__ import annotations

from simulator.audio.clip import read_wav
from simulator.cli import build_parser
from simulator.commands.latency_bench import SCRIPTED_REPLIES_ZH, default_replies


def test_a_mandarin_scenario_gets_mandarin_replies_spoken_by_kokoro(tmp_path):
    replies = default_replies("zh-parcel-lost", tmp_path)
    assert len(replies) == len(SCRIPTED_REPLIES_ZH)
    for path, text in zip(replies, SCRIPTED_REPLIES_ZH, strict=True):
        clip = read_wav(path)
        # a Mandarin line at a caller's pace: about 3-7 characters a second
        assert len(text) / 7 < clip.duration_s < len(text) / 2.5, (path, clip.duration_s)


def test_render_first_is_on_by_default():
    parser = build_parser()
    assert parser.parse_args(["bench", "latency"]).render_first is True
    assert parser.parse_args(["bench", "latency", "--no-render-first"]).render_first is False
