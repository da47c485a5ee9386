"""Telling the two voices of a mono call apart, on real speech: two real speakers' clips placed in alternating
turns on one channel, the real Silero VAD, and the voice clustering of ``simulator.qa.diarise``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.asr.channels import read_channels
from simulator.qa.diarise import (
    MIN_PIECES,
    AgentChoice,
    Diarisation,
    Piece,
    VoiceSplitter,
    diarise,
    first_turn,
    pick_agent,
)
from simulator.qa.importer import vad_span_finder

ASR = Path(__file__).resolve().parents[1] / "data" / "asr"
RATE = 16_000
GAP_S = 0.7


def _clip(name: str) -> np.ndarray:
    return read_channels(ASR / name, RATE).channel(0).astype(np.float32)


def _call(turns: list[tuple[str, np.ndarray]]) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """The turns one after another on one channel with a short gap; the truth as (start, end, voice)."""
    pieces, truth, at = [], [], 0.0
    for voice, clip in turns:
        truth.append((at, at + clip.size / RATE, voice))
        pieces += [clip, np.zeros(int(GAP_S * RATE), np.float32)]
        at += clip.size / RATE + GAP_S
    return np.concatenate(pieces), truth


def two_voice_call() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A man reading cards (pocketsphinx) and J. F. Kennedy (whisper's test clip) taking turns for a minute.

    The clips are all the speech of these two voices we have, so they come round three times, Kennedy's cut
    into turns differently each time (a split needs ~40 s of speech to be trusted).
    """
    cards = [_clip(f"pocketsphinx_cards_00{n}.wav") for n in range(1, 6)]
    kennedy = _clip("whisper_jfk.wav")
    turns: list[tuple[str, np.ndarray]] = []
    for round_number, parts in enumerate((4, 3, 5)):
        order = cards if round_number % 2 == 0 else cards[::-1]
        for card, part in zip(order, np.array_split(kennedy, parts), strict=False):
            turns += [("cards", card), ("jfk", part)]
        turns += [("cards", c) for c in order[parts:]]
    return _call(turns)


def _right_share(spans_by_voice: dict[str, list[tuple[float, float]]], truth: list[tuple[float, float, str]]
                 ) -> float:
    right = total = 0.0
    for voice, spans in spans_by_voice.items():
        for start, end in spans:
            for t_start, t_end, t_voice in truth:
                both = max(0.0, min(end, t_end) - max(start, t_start))
                total += both
                right += both if voice == t_voice else 0.0
    return right / total


@pytest.fixture(scope="module")
def vad():
    return vad_span_finder()


def test_two_real_voices_taking_turns_are_told_apart(vad):
    samples, truth = two_voice_call()
    result = diarise(samples, [(s.start_s, s.end_s) for s in vad(samples)])
    assert result.confident and result.minor_share > 0.3 and result.measured >= MIN_PIECES
    share = _right_share({"cards": result.spans_of(0), "jfk": result.spans_of(1)}, truth)
    assert share >= 0.9  # speaker 0 is the voice heard first (the cards), and >= 90% of speech time is right


def test_too_little_speech_is_never_split_surely(vad):
    """Twenty seconds of the same two voices: the mixture would find two voices in noise, so no split is used."""
    cards = [_clip(f"pocketsphinx_cards_00{n}.wav") for n in range(1, 6)]
    samples, _ = _call([("cards", cards[0]), ("jfk", _clip("whisper_jfk.wav")), *(("cards", c) for c in cards[1:])])
    result = diarise(samples, [(s.start_s, s.end_s) for s in vad(samples)])
    assert not result.confident and result.measured < MIN_PIECES
    split = VoiceSplitter()(samples, vad(samples))
    assert not split.confident and split.agent == () and split.customer == ()
    assert "too little speech" in split.note


def test_the_agent_is_the_first_voice_unless_it_only_picks_up_and_the_other_greets(vad):
    samples, truth = two_voice_call()
    result = diarise(samples, [(s.start_s, s.end_s) for s in vad(samples)])
    second_turn = first_turn(result, 1)
    assert second_turn is not None and second_turn[0] == pytest.approx(truth[1][0], abs=0.4)
    second_size = int(second_turn[1] * RATE) - int(second_turn[0] * RATE)

    def transcribe(clip: np.ndarray) -> str:  # the second voice's first words are a greeting
        return "good morning, this is Jack at the bank" if clip.size == second_size else "seven of hearts"

    # the card reader's first turn is 1.1 s, as short as a "Hello?" on picking up: the greeting decides

    def greets(text: str) -> bool:
        return text.startswith("good morning")

    assert pick_agent(result, samples, AgentChoice.AUTO, transcribe, greets).speaker == 1
    assert pick_agent(result, samples, AgentChoice.AUTO, transcribe, lambda _: False).speaker == 0
    assert pick_agent(result, samples, AgentChoice.AUTO).speaker == 0
    assert pick_agent(result, samples, AgentChoice.FIRST, transcribe, greets).speaker == 0
    assert pick_agent(result, samples, AgentChoice.SECOND).speaker == 1
    split = VoiceSplitter(AgentChoice.SECOND)(samples, vad(samples))
    assert split.confident and "--agent second" in split.note
    # a first voice that says more than a pick-up stays the agent, whoever greets after it (customers greet too)
    opened = Diarisation((Piece(0.0, 3.0, 0), Piece(3.5, 6.0, 1), Piece(6.5, 8.0, 0)), 40, 0.3, 0.4)
    silence = np.zeros(8 * RATE, np.float32)
    assert pick_agent(opened, silence, AgentChoice.AUTO, lambda _: "hello", lambda _: True).speaker == 0
    assert _right_share({"jfk": [(s.start_s, s.end_s) for s in split.agent],
                         "cards": [(s.start_s, s.end_s) for s in split.customer]}, truth) >= 0.9
