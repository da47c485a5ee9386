"""Joining the transcript of a turn's head (decoded at a pause) with the rest decoded after it."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.asr.base import SAMPLE_RATE
from simulator.asr.continued import TranscribedHead, continue_after, head_prompt, joined
from simulator.contracts import Transcript, Word


def test_the_rest_moves_to_the_turns_clock_and_follows_the_head():
    head = TranscribedHead(SAMPLE_RATE, Transcript("Sorry about that.", (Word("Sorry", 0.1, 0.4),), 1.0, 0.1))
    rest = Transcript("Let me check.", (Word("Let", 0.2, 0.3), Word("check.", 0.5, 0.8)), 1.5, 0.3)
    whole = joined(head, rest, 2.5)
    assert whole.text == "Sorry about that. Let me check."
    assert [(w.text, w.start_s, w.end_s) for w in whole.words] == [
        ("Sorry", 0.1, 0.4), ("Let", 1.2, 1.3), ("check.", 1.5, 1.8)]
    assert whole.duration_s == 2.5 and whole.no_speech_prob == 0.1


def test_an_empty_side_leaves_the_other_as_it_was():
    head = TranscribedHead(8000, Transcript("", (), 0.5, 0.9))
    rest = Transcript("Hello.", (Word("Hello.", 0.1, 0.4),), 1.0)
    assert joined(head, rest, 1.5).text == "Hello." and joined(head, rest, 1.5).words[0].start_s == 0.6
    spoken = TranscribedHead(8000, Transcript("Hello.", (), 0.5))
    assert joined(spoken, Transcript("", (), 1.0, 0.8), 1.5) == Transcript("Hello.", (), 1.5)


def test_mandarin_joins_without_a_space_and_conditions_on_the_last_characters():
    head = TranscribedHead(SAMPLE_RATE, Transcript("您好，工号一二三四为您服务。" * 6, language="zh"))
    assert joined(head, Transcript("请问有什么可以帮您？", language="zh"), 3.0).text.endswith("服务。请问有什么可以帮您？")
    prompt = head_prompt(head.transcript, context_words=5)
    assert prompt == head.transcript.text[-10:]


def test_the_prompt_is_the_heads_last_words_and_nothing_for_an_empty_head():
    assert head_prompt(Transcript("one two three four"), context_words=2) == "three four"
    assert head_prompt(Transcript("  "), context_words=2) is None


def test_the_rest_is_decoded_with_the_head_as_context():
    seen = []

    def decode(audio, *, prompt=None):
        seen.append((len(audio), prompt))
        return Transcript("the rest", duration_s=len(audio) / SAMPLE_RATE)

    head = TranscribedHead(4000, Transcript("my head"))
    whole = continue_after(decode, np.zeros(10000, np.float32), head)
    assert seen == [(6000, "my head")] and whole.text == "my head the rest"
    with pytest.raises(ValueError, match="covers 10000 samples of a turn of 10000"):
        continue_after(decode, np.zeros(10000, np.float32), TranscribedHead(10000, Transcript("x")))
