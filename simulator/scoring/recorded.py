"""Score a call recorded by callsim (a call folder or its ``call.jsonl``).

The recorded analyses are used as they are, so a stored call scores the same as when it was taken.
Spoken turns whose tone was not measured live (e.g. an analyser without ``ToneAnalyser``) get it
from their WAV files, against the whole call's baseline.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from simulator.wavfile import AudioFileError
from simulator.analysis.tone import call_tone, features_of_file
from simulator.record import CallRecord, TurnRecord
from simulator.scenario.model import ToneThresholds


def fill_missing_tone(record: CallRecord, thresholds: ToneThresholds) -> CallRecord:
    spoken: list[tuple[int, TurnRecord, Path]] = []
    for position, turn in enumerate(record.turns):
        audio = record.audio(turn)
        if turn.analysis is not None and not turn.analysis.silence and audio is not None and audio.is_file():
            spoken.append((position, turn, audio))
    if not spoken or all(turn.analysis is not None and turn.analysis.tone is not None for _, turn, _ in spoken):
        return record
    measured = []
    for position, turn, audio in spoken:
        try:
            measured.append((position, turn, features_of_file(audio)))
        except AudioFileError:
            continue  # an unreadable turn WAV leaves that turn's tone unmeasured
    tones = call_tone([(turn.analysis.transcript, features) for _, turn, features in measured], thresholds)
    turns = list(record.turns)
    for (position, turn, _), tone in zip(measured, tones):
        if turn.analysis is not None and turn.analysis.tone is None:
            turns[position] = replace(turn, analysis=replace(turn.analysis, tone=tone))
    return replace(record, turns=tuple(turns))
