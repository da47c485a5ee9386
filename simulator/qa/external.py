"""Turn a recording made outside callsim into a call record the scorer understands.

Input: a stereo WAV with the agent (trainee) on one channel and the customer on the other, or an
agent-only mono WAV; a stereo file with one channel silent (``simulator.qa.silent_channel``) or with the same
signal on both channels (``simulator.qa.duplicate_channels``) is read as mono.
Each channel is cut into speech spans by a voice-activity detector; spans of one speaker with no
speech of the other in between (and a gap under ``turn_gap_s``) form a turn.
The turns are transcribed packed end to end with short silences between them, as many as fit one
30 s Whisper window per pass (Whisper encodes a full window whatever it holds, so packing is several
times cheaper than a pass per turn; and the filler decode of a one-window pass reuses the word
decode's encoding, which it cannot over a long pass, where the two decodes' windows start at
different places: docs/benchmarks.md, "Batch QA"); each word goes back to the turn whose audio it
overlaps most, and the Whisper guards look for speech and judge repetition within each turn, as if it
were heard alone (``transcribe_packed``; docs/qa.md).  Timing (response delay, overlap, talk ratio)
comes from the channel spans; tone from each turn's audio against the whole call's baseline.

The VAD and the transcriber are passed in (``SpanFinder``, ``Transcriber``), so this module stays
free of heavy imports; ``simulator.qa.importer`` wires the Silero VAD and Whisper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import overload

import numpy as np

from simulator.analysis.acoustics import VoiceFeatures, voice_features
from simulator.analysis.base import TurnAnalyser, TurnInput
from simulator.analysis.tone import call_tone, judge_against_own_voice
from simulator.asr.base import SAMPLE_RATE, Transcriber, transcribe_packed
from simulator.asr.guards import part_of
from simulator.contracts import CustomerLineSource, Speaker, ToneMeasures, Transcript, TurnTiming
from simulator.heap import hand_back_freed_memory
from simulator.qa.duplicate_channels import DuplicateChannels, duplicate_channels
from simulator.qa.line_sound import sounds
from simulator.qa.silent_channel import SilentChannel, silent_channel
from simulator.qa.timing import LineSounds, response_wait, unexplained_silence
from simulator.record import CallHeader, CallMode, CallRecord, RecordingFacts, TurnRecord, now_iso
from simulator.scenario.model import ToneThresholds
from simulator.wavfile import Audio, StoredSamples, resample

PASS_S = 30.0  # one Whisper window: the turns packed into one transcription pass
BATCH_GAP_S = 0.6  # silence between packed turns, so Whisper sees separate utterances
TURN_PAD_S = 0.1
BARGE_IN_MARGIN_S = 0.2


@dataclass(frozen=True, slots=True)
class Span:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


SpanFinder = Callable[[StoredSamples], list[Span]]  # a 16 kHz channel -> speech spans in seconds


@dataclass(frozen=True, slots=True)
class SpeakerSplit:
    """A mono channel's speech split into the agent's and the customer's (``simulator.qa.diarise``)."""

    agent: tuple[Span, ...]
    customer: tuple[Span, ...]
    confident: bool  # False: the voices could not be told apart surely, the split is not used
    separation: float
    note: str  # for the reader: how sure the split is and which voice was taken for the agent


SpeakerSplitter = Callable[[StoredSamples, list[Span]], SpeakerSplit]  # mono samples, speech spans -> split


@dataclass(frozen=True, slots=True)
class RecordingReaders:
    """What reads a recording: speech spans per channel (a VAD), each turn's words (ASR), and each
    agent reply's analysis."""

    find_spans: SpanFinder
    transcriber: Transcriber
    analyser: TurnAnalyser
    split_speakers: SpeakerSplitter | None = None  # None: a mono channel is one speaker, the agent
    customer_transcriber: Transcriber | None = None  # the customer's words (None: ``transcriber``)


@dataclass(frozen=True, slots=True)
class ExternalOptions:
    """How a recording is cut into turns: the agent's channel, the silence that ends a turn,
    whether the customer's words are transcribed (``False`` halves the Whisper work; the customer's
    words are then unknown and only their voice says when they were upset), and how much audio of
    packed turns one Whisper pass holds (``benchmarks/qa_packing.py`` compares lengths)."""

    agent_channel: int = 0
    turn_gap_s: float = 2.0
    transcribe_customer: bool = True
    asr_pass_s: float = PASS_S


@dataclass(frozen=True, slots=True)
class ChannelTurn:
    speaker: Speaker
    spans: tuple[Span, ...]

    @property
    def start_s(self) -> float:
        return self.spans[0].start_s

    @property
    def end_s(self) -> float:
        return self.spans[-1].end_s


def _inside(span: Span, others: Sequence[Span]) -> bool:
    return any(o.start_s <= span.start_s and span.end_s <= o.end_s for o in others)


def build_turns(agent: Sequence[Span], customer: Sequence[Span], turn_gap_s: float = 2.0) -> list[ChannelTurn]:
    """Speaker turns from the two channels' speech spans, in time order.

    A customer span wholly inside agent speech ("mm-hm", a talk-over) does not split the agent's
    turn; it still counts as overlap.
    """
    tagged = sorted([(s, Speaker.TRAINEE) for s in agent]
                    + [(s, Speaker.CUSTOMER) for s in customer if not _inside(s, agent)],
                    key=lambda item: (item[0].start_s, item[1] != Speaker.CUSTOMER))
    turns: list[ChannelTurn] = []
    for span, speaker in tagged:
        last = turns[-1] if turns else None
        if last is not None and last.speaker == speaker and span.start_s - last.end_s < turn_gap_s:
            turns[-1] = ChannelTurn(speaker, (*last.spans, span))
        else:
            turns.append(ChannelTurn(speaker, (span,)))
    return turns


def overlap_s(spans: Sequence[Span], others: Sequence[Span]) -> float:
    total = 0.0
    for span in spans:
        for other in others:
            total += max(0.0, min(span.end_s, other.end_s) - max(span.start_s, other.start_s))
    return total


def agent_timing(turn: ChannelTurn, previous_customer: ChannelTurn | None, customer: Sequence[Span]
                 ) -> tuple[TurnTiming, bool]:
    delay = None
    if previous_customer is not None:
        delay = round(max(0.0, turn.start_s - previous_customer.end_s), 2)
    barged_in = any(c.start_s < turn.start_s < c.end_s - BARGE_IN_MARGIN_S for c in customer)
    timing = TurnTiming(round(turn.start_s, 2), round(turn.end_s, 2), delay, round(overlap_s(turn.spans, customer), 2))
    return timing, barged_in


class TurnClips(Sequence[np.ndarray]):
    """Each turn's audio with its padding, cut from the channel when it is asked for: a long call kept at 16 bits
    is widened to float32 a turn at a time, never all its turns at once (a list of the clips would hold as much
    float32 as the whole call's speech)."""

    def __init__(self, samples: StoredSamples, turns: Sequence[ChannelTurn]) -> None:
        self._samples = samples
        self._bounds = [(int(max(0.0, t.start_s - TURN_PAD_S) * SAMPLE_RATE), int((t.end_s + TURN_PAD_S) * SAMPLE_RATE))
                        for t in turns]

    def __len__(self) -> int:
        return len(self._bounds)

    @overload
    def __getitem__(self, index: int) -> np.ndarray: ...

    @overload
    def __getitem__(self, index: slice) -> list[np.ndarray]: ...

    def __getitem__(self, index: int | slice) -> np.ndarray | list[np.ndarray]:
        if isinstance(index, slice):
            return [self[number] for number in range(len(self))[index]]
        first, last = self._bounds[index]
        return self._samples[first:last]


@dataclass(frozen=True, slots=True)
class WordsOnly:
    """A transcriber's word decode alone, for speech whose fillers are not scored: the backend's
    ``transcribe_words`` when it has one (``LazyTranscriber``, the Whisper backends), else ``transcribe``."""

    inner: Transcriber

    @property
    def name(self) -> str:
        return self.inner.name

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        words = getattr(self.inner, "transcribe_words", None)
        return words(audio, prompt=prompt) if words is not None else self.inner.transcribe(audio, prompt=prompt)

    def transcribe_parts(self, audio: np.ndarray, parts_s: Sequence[tuple[float, float]], *, fillers: bool = True
                         ) -> Transcript:
        """The packed turns' words alone, whatever ``fillers`` asks."""
        return transcribe_packed(self.inner, audio, parts_s, fillers=False)


def transcribe_clips(clips: Sequence[np.ndarray], transcriber: Transcriber, *, pass_s: float = PASS_S
                     ) -> list[Transcript]:
    """One transcript per clip (word times relative to the clip), packing short clips into passes of at
    most ``pass_s`` (a longer clip has a pass of its own)."""
    results: list[Transcript | None] = [None] * len(clips)
    batch: list[int] = []
    batch_s = 0.0

    def flush() -> None:
        if len(batch) == 1:
            results[batch[0]] = transcriber.transcribe(clips[batch[0]])
        elif batch:
            _transcribe_batch(batch, clips, transcriber, results)
        batch.clear()
        hand_back_freed_memory()  # else what a long call's passes freed stays with the process

    for index, clip in enumerate(clips):
        length = clip.size / SAMPLE_RATE
        if batch and batch_s + length + BATCH_GAP_S > pass_s:
            flush()
            batch_s = 0.0
        batch.append(index)
        batch_s += length + BATCH_GAP_S
    flush()
    return [r if r is not None else Transcript("") for r in results]


def packed_clips(clips: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """``clips`` end to end, each followed by ``BATCH_GAP_S`` of silence, and where each one starts and ends in
    the packed audio (seconds): one Whisper pass's input and its parts."""
    gap = np.zeros(int(BATCH_GAP_S * SAMPLE_RATE), np.float32)
    pieces: list[np.ndarray] = []
    parts: list[tuple[float, float]] = []
    position = 0.0
    for clip in clips:
        parts.append((position, position + clip.size / SAMPLE_RATE))
        pieces.extend([clip.astype(np.float32), gap])
        position += clip.size / SAMPLE_RATE + BATCH_GAP_S
    return np.concatenate(pieces), parts


def _transcribe_batch(batch: list[int], clips: Sequence[np.ndarray], transcriber: Transcriber,
                      results: list[Transcript | None]) -> None:
    audio, parts = packed_clips([clips[index] for index in batch])
    offsets = [(index, start, end) for index, (start, end) in zip(batch, parts, strict=True)]
    joined = transcribe_packed(transcriber, audio, parts)
    if joined.text.strip() and not joined.words:
        for index in batch:  # the backend gives no word times: we cannot split, so one pass per clip
            results[index] = transcriber.transcribe(clips[index])
        return
    owners = [part_of(w.start_s, w.end_s, parts) for w in joined.words]
    for number, (index, start, end) in enumerate(offsets):
        words = tuple(replace(w, start_s=round(max(0.0, w.start_s - start), 3),
                              end_s=round(max(0.0, w.end_s - start), 3))
                      for w, owner in zip(joined.words, owners, strict=True) if owner == number)
        results[index] = Transcript(" ".join(w.text for w in words), words, duration_s=round(end - start, 3),
                                    no_speech_prob=joined.no_speech_prob if not words else 0.0)


def _anger(tone: ToneMeasures) -> int | None:
    """The customer's anger 0-100 as heard in their voice (the record's ``mood``), if measurable."""
    if tone.angry_probability is None:
        return None
    return round(100 * tone.angry_probability)


def _own_voice_tone(turns: list[tuple[Transcript, VoiceFeatures]], thresholds: ToneThresholds
                    ) -> list[ToneMeasures]:
    """Each turn measured, then judged raised/hostile against the speaker's own usual voice."""
    measured = call_tone(turns, thresholds)
    judged = judge_against_own_voice([(text, tone) for (text, _), tone in zip(turns, measured, strict=True)],
                                     thresholds)
    return [tone for tone in judged if tone is not None]


@dataclass(frozen=True, slots=True)
class ExternalCall:
    record: CallRecord
    duration_s: float
    stereo: bool
    split: SpeakerSplit | None = None  # a mono call's speakers as told apart by voice
    silent: SilentChannel | None = None  # a stereo file read as mono: the channel that held nothing
    duplicate: DuplicateChannels | None = None  # a stereo file read as mono: both channels held the same signal


def customer_channel_of(agent_channel: int) -> int:
    """The customer's channel of a stereo file: the right one when the agent is on the left, else the left."""
    return 1 if agent_channel == 0 else 0


def channels_of(audio: Audio, agent_channel: int) -> tuple[StoredSamples, StoredSamples | None]:
    """(agent, customer) at 16 kHz, kept as the recording was read (16-bit for a long call); customer is None
    for a mono recording."""
    if audio.channels == 1:
        return _at_call_rate(audio.channel(0), audio.sample_rate), None
    if not 0 <= agent_channel < audio.channels:
        raise ValueError(f"agent channel {agent_channel} does not exist: the file has {audio.channels} channels")
    customer_channel = customer_channel_of(agent_channel)
    return (_at_call_rate(audio.channel(agent_channel), audio.sample_rate),
            _at_call_rate(audio.channel(customer_channel), audio.sample_rate))


def _at_call_rate(samples: StoredSamples, rate: int) -> StoredSamples:
    return samples if rate == SAMPLE_RATE else resample(samples[:], rate, SAMPLE_RATE)


@dataclass(frozen=True, slots=True)
class Sides:
    """The channels a recording is scored from, with their speech: ``customer`` is None for a mono call, and
    for a stereo file that holds a mono call (one channel silent, or both carrying the same signal)."""

    agent: StoredSamples
    agent_spans: list[Span]
    customer: StoredSamples | None
    customer_spans: list[Span]
    silent: SilentChannel | None = None
    duplicate: DuplicateChannels | None = None


def read_sides(audio: Audio, find_spans: SpanFinder, agent_channel: int) -> Sides:
    """The agent's and the customer's channels with their speech, or the one channel of a mono call."""
    agent, customer = channels_of(audio, agent_channel)
    agent_spans = find_spans(agent)
    if customer is None:
        return Sides(agent, agent_spans, None, [])
    customer_spans = find_spans(customer)
    silent = _silent_side(agent_channel, (agent, agent_spans), (customer, customer_spans))
    if silent is not None:  # both voices on one channel of a stereo file: a mono call
        if silent.channel == agent_channel:
            return Sides(customer, customer_spans, None, [], silent=silent)
        return Sides(agent, agent_spans, None, [], silent=silent)
    duplicate = _duplicate_sides(agent_channel, (agent, agent_spans), (customer, customer_spans))
    if duplicate is not None:  # both voices on each channel ("dual mono"): either channel is the mono call
        if duplicate.kept == agent_channel:
            return Sides(agent, agent_spans, None, [], duplicate=duplicate)
        return Sides(customer, customer_spans, None, [], duplicate=duplicate)
    return Sides(agent, agent_spans, customer, customer_spans)


def analyse_external(audio: Audio, readers: RecordingReaders, *, thresholds: ToneThresholds, scenario_id: str,
                     scenario_sha256: str = "", source: Path | None = None,
                     options: ExternalOptions = ExternalOptions()) -> ExternalCall:
    """The recording as a call record: turns, words, timing, tone and each agent reply's analysis."""
    find_spans, transcriber, analyser = readers.find_spans, readers.transcriber, readers.analyser
    transcribe_customer = options.transcribe_customer
    sides = read_sides(audio, find_spans, options.agent_channel)
    agent, agent_spans, customer, customer_spans = sides.agent, sides.agent_spans, sides.customer, sides.customer_spans
    stereo = customer is not None
    split = readers.split_speakers(agent, agent_spans) if not stereo and readers.split_speakers else None
    if split is not None and split.confident:  # one channel, two voices: the customer's spans are on it too
        agent_spans, customer_spans, customer = list(split.agent), list(split.customer), agent
    turns = build_turns(agent_spans, customer_spans, options.turn_gap_s)
    agent_turns = [t for t in turns if t.speaker == Speaker.TRAINEE]
    customer_turns = [t for t in turns if t.speaker == Speaker.CUSTOMER]
    agent_clips = TurnClips(agent, agent_turns)
    customer_clips: Sequence[np.ndarray] = TurnClips(customer, customer_turns) if customer is not None else []
    agent_texts = transcribe_clips(agent_clips, transcriber, pass_s=options.asr_pass_s)
    # the customer's words without the filler decode: only the agent's fillers are scored (tone)
    customer_texts = (transcribe_clips(customer_clips, WordsOnly(readers.customer_transcriber or transcriber),
                                       pass_s=options.asr_pass_s)
                      if transcribe_customer else [Transcript("")] * len(customer_clips))
    features = [voice_features(clip, SAMPLE_RATE) for clip in agent_clips]
    tones = _own_voice_tone(list(zip(agent_texts, features, strict=True)), thresholds)
    # the customer's voice against their own usual voice: a clear rise there may call for empathy
    customer_tones = _own_voice_tone([(text, voice_features(clip, SAMPLE_RATE))
                                      for text, clip in zip(customer_texts, customer_clips, strict=True)], thresholds)
    by_turn = {id(t): i for i, t in enumerate(agent_turns)}
    customer_by_turn = {id(t): i for i, t in enumerate(customer_turns)}
    records: list[TurnRecord] = []
    steps_done: set[str] = set()
    last_customer: ChannelTurn | None = None
    last_customer_text = ""
    trainee_index = 0
    all_spans = [*agent_spans, *customer_spans]
    line = LineSounds(sounds(agent, SAMPLE_RATE, agent_spans if customer is not agent else all_spans),
                      sounds(customer, SAMPLE_RATE, customer_spans) if stereo and customer is not None else None)
    for number, turn in enumerate(turns):
        previous = turns[number - 1] if number else None
        if turn.speaker == Speaker.CUSTOMER:
            last_customer = turn
            position = customer_by_turn[id(turn)]
            text = customer_texts[position]
            last_customer_text = text.text
            records.append(TurnRecord(len(records), Speaker.CUSTOMER, text.text, round(turn.start_s, 2),
                                      round(turn.end_s, 2), mood=_anger(customer_tones[position])))
            continue
        position = by_turn[id(turn)]
        transcript = agent_texts[position]
        if transcript.is_empty:
            continue  # a cough or a click on the agent's line: no words, no reply
        trainee_index += 1
        timing, barged_in = agent_timing(turn, last_customer, customer_spans)
        wait = response_wait(turn, previous, all_spans, line)
        said_before = agent_texts[by_turn[id(previous)]].text if id(previous) in by_turn else ""
        answered_at = None if wait is None else wait.until_s
        # with no customer on the recording, a gap in the agent's speech may be the customer talking
        silent = unexplained_silence(turn, previous, said_before, line, answered_at) if customer is not None else None
        timing = replace(timing, response_delay_s=None if wait is None else wait.delay_s,
                         waited_from_s=None if wait is None else wait.from_s,
                         unexplained_silence_s=None if silent is None else silent.delay_s)
        analysis = analyser.analyse(TurnInput(
            turn_index=trainee_index, transcript=transcript, customer_line=last_customer_text,
            customer_line_source=CustomerLineSource.HEARD, steps_done=frozenset(steps_done), timing=timing,
            interrupted_customer=barged_in))
        analysis = replace(analysis, tone=tones[position], timing=timing, interrupted_customer=barged_in)
        steps_done.update(analysis.step_ids)
        records.append(TurnRecord(len(records), Speaker.TRAINEE, transcript.text, timing.start_s, timing.end_s,
                                  words=transcript.words, analysis=analysis))
    header = CallHeader(scenario_id, scenario_sha256, 0, CallMode.IMPORTED, analyser.name, now_iso(),
                        recording=RecordingFacts(None if source is None else str(source), audio.duration_s))
    record = CallRecord(header, tuple(records), None, None, True, None if source is None else source.parent)
    return ExternalCall(record, audio.duration_s, stereo, split, sides.silent, sides.duplicate)


def _silent_side(agent_channel: int, agent: tuple[StoredSamples, list[Span]],
                 customer: tuple[StoredSamples, list[Span]]) -> SilentChannel | None:
    """The silent one of the agent's and the customer's channels, named by its index in the file."""
    found = silent_channel([agent[0], customer[0]], [agent[1], customer[1]])
    if found is None:
        return None
    return replace(found, channel=agent_channel if found.channel == 0 else customer_channel_of(agent_channel))


def _duplicate_sides(agent_channel: int, agent: tuple[StoredSamples, list[Span]],
                     customer: tuple[StoredSamples, list[Span]]) -> DuplicateChannels | None:
    """Whether the two channels carry one signal, measured in the file's channel order (so the delay and gain
    are the right channel's against the left's whichever side the agent was declared on)."""
    ordered = (agent, customer) if agent_channel == 0 else (customer, agent)
    found = duplicate_channels([ordered[0][0], ordered[1][0]], [ordered[0][1], ordered[1][1]], SAMPLE_RATE)
    if found is None:
        return None
    first, second = sorted((agent_channel, customer_channel_of(agent_channel)))  # the file's indices, in order
    return replace(found, kept=second if found.kept == 1 else first)
