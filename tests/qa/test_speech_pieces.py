"""A long channel's speech found a piece at a time gives the speech found in one go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.asr.audio_file import read_audio
from simulator.qa.speech_pieces import speech_in_pieces

RATE = 100  # samples per second for the signal-level checks: a second is 100 samples
CLIPS = Path(__file__).resolve().parents[1] / "data" / "asr"


def runs_of_sound(samples: np.ndarray) -> list[tuple[int, int]]:
    """A finder with no memory: every run of non-zero samples is speech."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (samples != 0).astype(np.int8), [0]])))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]


def test_a_short_channel_is_read_whole_and_a_long_one_in_pieces_finds_the_same_speech():
    signal = np.zeros(100 * RATE)
    for start_s, end_s in ((3, 8), (19, 21.5), (39.5, 41), (58, 62), (79.9, 80.1), (95, 100)):
        signal[int(start_s * RATE): int(end_s * RATE)] = 1.0  # stretches on, across and just past pieces' edges
    whole = runs_of_sound(signal)
    pieces_read = []

    def counted(piece: np.ndarray) -> list[tuple[int, int]]:
        pieces_read.append(piece.size)
        return runs_of_sound(piece)

    assert speech_in_pieces(signal, counted, RATE, piece_s=20, overlap_s=5) == whole
    assert len(pieces_read) == 5 and max(pieces_read) == 30 * RATE  # each piece with its overlaps, no more
    pieces_read.clear()
    assert speech_in_pieces(signal, counted, RATE, piece_s=100, overlap_s=5) == whole
    assert pieces_read == [signal.size]  # up to a piece long: read whole, as before


def test_a_stretch_longer_than_the_overlap_is_joined_from_both_pieces():
    signal = np.zeros(60 * RATE)
    signal[18 * RATE: 30 * RATE] = 1.0  # the first piece reads up to 25 s and sees it cut there
    assert speech_in_pieces(signal, runs_of_sound, RATE, piece_s=20, overlap_s=5) == [(18 * RATE, 30 * RATE)]


def test_a_stretch_at_an_edge_that_each_piece_leaves_to_the_other_is_kept():
    signal = np.zeros(60 * RATE)
    signal[round(19.9 * RATE): 24 * RATE] = 1.0
    heard = iter((+0.3, -0.1, 0.0))  # the first piece hears it begin after its edge (20 s), the second before

    def unsure_of_onsets(piece: np.ndarray) -> list[tuple[int, int]]:
        shift = round(next(heard) * RATE)
        return [(start + shift, end) for start, end in runs_of_sound(piece)]

    found = speech_in_pieces(signal, unsure_of_onsets, RATE, piece_s=20, overlap_s=5)
    assert found == [(round(19.8 * RATE), 24 * RATE)]


@pytest.mark.models
def test_real_speech_found_in_pieces_matches_the_speech_found_in_one_go():
    from simulator.qa.importer import vad_span_finder

    rate = 16_000
    gap = np.zeros(int(1.3 * rate), np.float32)
    clips = [read_audio(CLIPS / name) for name in sorted(p.name for p in CLIPS.glob("*.wav"))]
    channel = np.concatenate([part for clip in clips * 2 for part in (clip, gap)])  # about 2.5 minutes
    whole = vad_span_finder()(channel)
    pieced = vad_span_finder(piece_s=25.0)(channel)  # pieces of 25 s, with the shipped 30 s either side
    assert len(whole) > 20 and len(pieced) == len(whole)
    assert max(abs(a.start_s - b.start_s) + abs(a.end_s - b.end_s) for a, b in zip(whole, pieced, strict=True)) < 0.1
