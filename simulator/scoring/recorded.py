"""Score a call recorded by callsim (a call folder or its ``call.jsonl``).

The recorded analyses are used as they are, so a stored call scores the same as when it was taken.
Spoken turns whose tone was not measured live (e.g. an analyser without ``ToneAnalyser``) get it
from their WAV files, against the whole call's baseline.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from simulator.analysis.acoustics import VoiceFeatures
from simulator.analysis.tone import call_tone, features_of_file
from simulator.contracts import TurnAnalysis
from simulator.record import CallRecord
from simulator.scenario.model import ToneThresholds
from simulator.wavfile import AudioFileError


def fill_missing_tone(record: CallRecord, thresholds: ToneThresholds) -> CallRecord:
    spoken: list[tuple[int, TurnAnalysis, Path]] = []  # (position in the call, its analysis, its WAV)
    for position, turn in enumerate(record.turns):
        audio = record.audio(turn)
        if turn.analysis is not None and not turn.analysis.silence and audio is not None and audio.is_file():
            spoken.append((position, turn.analysis, audio))
    if not spoken or all(analysis.tone is not None for _, analysis, _ in spoken):
        return record
    measured: list[tuple[int, TurnAnalysis, VoiceFeatures]] = []
    for position, analysis, audio in spoken:
        try:
            measured.append((position, analysis, features_of_file(audio)))
        except AudioFileError:
            continue  # an unreadable turn WAV leaves that turn's tone unmeasured
    tones = call_tone([(analysis.transcript, features) for _, analysis, features in measured], thresholds)
    turns = list(record.turns)
    for (position, analysis, _), tone in zip(measured, tones, strict=True):
        if analysis.tone is None:
            turns[position] = replace(turns[position], analysis=replace(analysis, tone=tone))
    return replace(record, turns=tuple(turns))
