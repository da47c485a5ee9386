"""Separate the two speakers of a mono call by clustering voice features over its speech spans.

A mono archive recording holds the agent and the customer on one channel.  Two people on one phone call
differ in voice (pitch, vocal-tract shape) and usually in line (headset vs. handset, codec, room), and both
show in a short stretch of speech: the log-mel cepstrum (MFCC-like, level left out) and the median pitch.
So each speech span from the VAD, cut at its quietest moments into pieces of at most ``MAX_PIECE_S`` (two
voices often follow each other with a pause too short for the VAD), gets one feature vector, and the
pieces are split into two voices by a two-Gaussian mixture (tied covariance, started from k-means and
from uneven random splits).  How sure the split is: the Bayesian information criterion gain of two voices
over one, per piece.  Below ``MIN_SEPARATION``, or when one voice has almost no speech, the split is called
unsure and the caller scores the call without speakers, as before; so is a split of fewer than
``MIN_PIECES`` measured pieces (too little speech to tell a second voice from noise).  Pieces too short
to measure take the speaker of the nearest measured piece in time.

Which group is the agent: by default the one heard first (the agent answers an inbound line), unless the
first voice only picks up with a short "Hello?" and the other then greets or introduces itself (the
behaviour model's greet/identify_self, passed in as ``Greets``): an outbound call.  ``--agent first|second``
overrides both.

Numpy only, no model to download: this runs in the scoring workers for every mono call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.analysis.acoustics import yin_pitch
from simulator.asr.base import SAMPLE_RATE
from simulator.qa.external import Span, SpeakerSplit
from simulator.wavfile import StoredSamples

Floats = npt.NDArray[np.float64]

MAX_PIECE_S = 1.6  # longer spans are cut at their quietest moment: speaker changes hide in short pauses
MIN_CUT_SIDE_S = 0.5  # no piece cut off shorter than this (too short to measure)
MIN_MEASURED_S = 0.4  # pieces shorter than this are not clustered, they take a neighbour's speaker
MIN_SEPARATION = 0.05  # two voices must fit the pieces this much better than one (BIC gain per piece)
MIN_SPEAKER_SHARE = 0.05  # a "speaker" with less of the speech than this is noise, not a second voice
# A two-voice mixture over thirteen features fitted to a dozen pieces finds "two voices" even in one voice
# (it fits the noise): below this many measured pieces (~40 s of speech) the split is never trusted.
MIN_PIECES = 30
FRAME = 400  # 25 ms at 16 kHz
HOP = 160  # 10 ms
FFT = 512
MEL_BANDS = 24
CEPSTRA = 12  # c1..c12: c0 (level) is left out, loudness says nothing about who speaks
BAND_HZ = (100.0, 3800.0)  # telephone band: 8 kHz recordings hold nothing above
PITCH_WEIGHT = 2.0  # pitch is one number among twelve cepstra but tells voices apart best
ENERGY_SMOOTH_FRAMES = 5
PICK_UP_S = 1.5  # a first turn this short may be someone answering the phone ("Hello?"), not the agent
KMEANS_RUNS = 8
KMEANS_ITERATIONS = 50
EM_RUNS = 12
EM_ITERATIONS = 100
COVARIANCE_FLOOR = 0.05  # added to the (standardised) covariance: few pieces, thirteen features


class AgentChoice(enum.StrEnum):
    AUTO = "auto"  # the speaker heard first, unless they only pick up and the other greets (an outbound call)
    FIRST = "first"  # the speaker heard first
    SECOND = "second"  # the other one


Greets = Callable[[str], bool]  # does this text greet or say who is speaking?
Transcribe = Callable[[np.ndarray], str]  # 16 kHz samples -> words


@dataclass(frozen=True, slots=True)
class Piece:
    start_s: float
    end_s: float
    speaker: int  # 0: the speaker heard first, 1: the other

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class Diarisation:
    """The pieces of speech with their speaker, and how sure the split is."""

    pieces: tuple[Piece, ...]
    measured: int  # pieces long enough to measure a voice in
    separation: float  # BIC gain of two voices over one, per piece (<= 0: one voice fits as well)
    minor_share: float  # the quieter speaker's share of the speech time, 0..0.5

    @property
    def confident(self) -> bool:
        return (self.measured >= MIN_PIECES and self.separation >= MIN_SEPARATION
                and self.minor_share >= MIN_SPEAKER_SHARE)

    def spans_of(self, speaker: int) -> list[tuple[float, float]]:
        """The speaker's speech as (start, end) spans, touching pieces joined."""
        spans: list[tuple[float, float]] = []
        for piece in self.pieces:
            if piece.speaker != speaker:
                continue
            if spans and piece.start_s - spans[-1][1] < 1e-6:
                spans[-1] = (spans[-1][0], piece.end_s)
            else:
                spans.append((piece.start_s, piece.end_s))
        return spans

    def speaker_at(self, time_s: float) -> int | None:
        return next((p.speaker for p in self.pieces if p.start_s <= time_s < p.end_s), None)


@dataclass(frozen=True, slots=True)
class AgentPick:
    speaker: int  # which Diarisation speaker is the agent
    reason: str  # completes "the agent is the voice that ...": "spoke first", "was chosen by --agent second"


# -- cutting spans into pieces ---------------------------------------------------------------------------------
def _frame_energy_db(samples: np.ndarray) -> Floats:
    if samples.size < FRAME:
        return np.full(1, -120.0)
    frames = np.lib.stride_tricks.sliding_window_view(samples.astype(np.float64), FRAME)[::HOP]
    return np.asarray(10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12), dtype=np.float64)


def cut_span(samples: StoredSamples, start_s: float, end_s: float) -> list[tuple[float, float]]:
    """The span cut at its quietest moments until no piece is longer than ``MAX_PIECE_S``."""
    if end_s - start_s <= MAX_PIECE_S or end_s - start_s < 2 * MIN_CUT_SIDE_S:
        return [(start_s, end_s)]
    clip = samples[int(start_s * SAMPLE_RATE): int(end_s * SAMPLE_RATE)].astype(np.float64)
    energy = _frame_energy_db(clip)
    smooth = np.convolve(energy, np.ones(ENERGY_SMOOTH_FRAMES) / ENERGY_SMOOTH_FRAMES, mode="same")
    low = int(MIN_CUT_SIDE_S / (HOP / SAMPLE_RATE))
    high = min(smooth.size, int((end_s - start_s - MIN_CUT_SIDE_S) / (HOP / SAMPLE_RATE)))
    if high <= low:
        return [(start_s, end_s)]
    cut = start_s + (low + int(np.argmin(smooth[low:high]))) * HOP / SAMPLE_RATE + FRAME / 2 / SAMPLE_RATE
    return [*cut_span(samples, start_s, cut), *cut_span(samples, cut, end_s)]


# -- voice features --------------------------------------------------------------------------------------------
def _mel_filters() -> Floats:
    def mel(hz: Floats) -> Floats:
        return np.asarray(2595 * np.log10(1 + hz / 700), dtype=np.float64)

    edges_mel = np.linspace(mel(np.array(BAND_HZ[0])), mel(np.array(BAND_HZ[1])), MEL_BANDS + 2)
    edges_hz = 700 * (10 ** (edges_mel / 2595) - 1)
    bins = np.fft.rfftfreq(FFT, 1 / SAMPLE_RATE)
    filters = np.zeros((MEL_BANDS, bins.size))
    for band in range(MEL_BANDS):
        left, centre, right = edges_hz[band: band + 3]
        rising = (bins - left) / (centre - left)
        falling = (right - bins) / (right - centre)
        filters[band] = np.clip(np.minimum(rising, falling), 0, None)
    return filters


def _dct_matrix() -> Floats:
    n = np.arange(MEL_BANDS)
    return np.array([np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS)) for k in range(1, CEPSTRA + 1)])


def voice_vector(clip: np.ndarray, filters: Floats, dct: Floats) -> Floats | None:
    """Mean cepstrum c1..c12 of the clip's louder frames, and log median pitch (NaN if unvoiced)."""
    if clip.size < FRAME * 4:
        return None
    samples = clip.astype(np.float64)
    frames = np.lib.stride_tricks.sliding_window_view(samples, FRAME)[::HOP] * np.hamming(FRAME)
    power = np.abs(np.fft.rfft(frames, FFT)) ** 2
    log_mel = np.log(power @ filters.T + 1e-10)
    level = log_mel.sum(axis=1)
    loud = level >= np.max(level) - 0.5 * (np.max(level) - np.median(level))  # speech frames, not the pauses
    cepstra = log_mel[loud] @ dct.T
    hz, _ = yin_pitch(clip.astype(np.float32), SAMPLE_RATE)
    voiced = hz[hz > 0]
    pitch = float(np.log(np.median(voiced))) if voiced.size >= 5 else float("nan")
    return np.append(cepstra.mean(axis=0), pitch)


# -- clustering ------------------------------------------------------------------------------------------------
def _standardised(vectors: Floats, weights: Floats) -> Floats:
    filled = vectors.copy()
    for column in range(filled.shape[1]):  # an unvoiced piece gets the typical pitch: it then says nothing
        missing = np.isnan(filled[:, column])
        if missing.all():
            filled[:, column] = 0.0
        elif missing.any():
            filled[missing, column] = np.median(filled[~missing, column])
    mean = np.average(filled, axis=0, weights=weights)
    spread = np.sqrt(np.average((filled - mean) ** 2, axis=0, weights=weights)) + 1e-9
    scaled = (filled - mean) / spread
    scaled[:, -1] *= PITCH_WEIGHT
    return np.asarray(scaled, dtype=np.float64)


def two_means(points: Floats, weights: Floats, rng: np.random.Generator) -> npt.NDArray[np.int_]:
    """Duration-weighted k-means with k = 2, the best of several starts (least within-group spread)."""
    best_labels, best_cost = np.zeros(len(points), dtype=np.int_), np.inf
    for _ in range(KMEANS_RUNS):
        centres = points[rng.choice(len(points), 2, replace=False)]
        labels = np.zeros(len(points), dtype=np.int_)
        for _ in range(KMEANS_ITERATIONS):
            distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new = np.argmin(distances, axis=1)
            if (new == 0).all() or (new == 1).all():
                break
            if (new == labels).all() and _ > 0:
                break
            labels = new
            centres = np.array([np.average(points[labels == k], axis=0, weights=weights[labels == k])
                                for k in (0, 1)])
        cost = float(sum(weights[labels == k] @ ((points[labels == k] - centres[k]) ** 2).sum(axis=1)
                         for k in (0, 1)))
        if len(set(labels.tolist())) == 2 and cost < best_cost:
            best_labels, best_cost = labels.copy(), cost
    return best_labels


@dataclass(frozen=True, slots=True)
class TwoVoices:
    """Two Gaussian voices sharing one covariance (the line and the room are shared, the voices differ)."""

    labels: npt.NDArray[np.int_]
    log_likelihood: float  # per piece
    share: tuple[float, float]


def _gaussian_log_density(points: Floats, mean: Floats, covariance: Floats) -> Floats:
    inverse = np.linalg.inv(covariance)
    centred = points - mean
    _, log_det = np.linalg.slogdet(covariance)
    return np.asarray(-0.5 * (np.einsum("ij,jk,ik->i", centred, inverse, centred) + log_det
                              + points.shape[1] * np.log(2 * np.pi)), dtype=np.float64)


def fit_two_voices(points: Floats, weights: Floats, start: npt.NDArray[np.int_]) -> TwoVoices:
    """EM for a two-component Gaussian mixture with tied covariance, from a first labelling.

    Tied covariance is what lets a short second voice (a customer with a tenth of the speech) stand as
    its own group: k-means alone would rather cut the long monologue in two.
    """
    dims = points.shape[1]
    share = weights / weights.sum()
    resp = np.stack([start == 0, start == 1], axis=1).astype(np.float64)
    log_joint = np.zeros_like(resp)
    for _ in range(EM_ITERATIONS):
        weighted = resp * share[:, None]
        mass = np.maximum(weighted.sum(axis=0), 1e-9)
        means = (weighted.T @ points) / mass[:, None]
        covariance = sum(((points - means[k]).T * weighted[:, k]) @ (points - means[k]) for k in (0, 1))
        covariance = covariance / weighted.sum() + COVARIANCE_FLOOR * np.eye(dims)
        log_joint = np.stack([np.log(mass[k]) + _gaussian_log_density(points, means[k], covariance)
                              for k in (0, 1)], axis=1)
        peak = log_joint.max(axis=1, keepdims=True)
        resp = np.exp(log_joint - peak)
        resp /= resp.sum(axis=1, keepdims=True)
    peak = log_joint.max(axis=1)
    per_piece = peak + np.log(np.exp(log_joint - peak[:, None]).sum(axis=1))
    labels = np.argmax(resp, axis=1)
    voice_share = (float(share[labels == 0].sum()), float(share[labels == 1].sum()))
    return TwoVoices(labels, float(share @ per_piece), voice_share)


def one_voice_log_likelihood(points: Floats, weights: Floats) -> float:
    share = weights / weights.sum()
    mean = share @ points
    covariance = ((points - mean).T * share) @ (points - mean) + COVARIANCE_FLOOR * np.eye(points.shape[1])
    return float(share @ _gaussian_log_density(points, mean, covariance))


def separation_score(points: Floats, weights: Floats, voices: TwoVoices) -> float:
    """Bayesian information criterion gain of two voices over one, per piece (> 0: two voices fit better).

    The classic test of a speaker change, here for the whole call: the second voice costs a mean and a
    mixing weight, and must buy more likelihood than that costs at this many pieces.
    """
    count = len(points)
    gain = voices.log_likelihood - one_voice_log_likelihood(points, weights)
    return gain - 0.5 * (points.shape[1] + 1) * np.log(count) / count


def best_two_voices(points: Floats, weights: Floats, rng: np.random.Generator) -> TwoVoices:
    """The most likely two-voice mixture from k-means and from random uneven starts."""
    starts = [two_means(points, weights, rng)]
    for _ in range(EM_RUNS - 1):
        start = (rng.random(len(points)) < rng.uniform(0.1, 0.5)).astype(np.int_)
        if 0 < start.sum() < len(points):
            starts.append(start)
    fits = [fit_two_voices(points, weights, start) for start in starts]
    return max(fits, key=lambda fit: fit.log_likelihood)


def diarise(samples: StoredSamples, spans: Sequence[tuple[float, float]], seed: int = 0) -> Diarisation:
    """Two speakers from a mono channel's speech spans (16 kHz samples, spans in seconds)."""
    pieces = [piece for start, end in spans for piece in cut_span(samples, start, end)]
    filters, dct = _mel_filters(), _dct_matrix()
    measured: list[int] = []
    vectors: list[Floats] = []
    for index, (start, end) in enumerate(pieces):
        if end - start < MIN_MEASURED_S:
            continue
        vector = voice_vector(samples[int(start * SAMPLE_RATE): int(end * SAMPLE_RATE)], filters, dct)
        if vector is not None:
            measured.append(index)
            vectors.append(vector)
    if len(measured) < 4:  # too little speech to tell two voices apart
        return Diarisation(tuple(Piece(s, e, 0) for s, e in pieces), len(measured), 0.0, 0.0)
    weights = np.array([pieces[i][1] - pieces[i][0] for i in measured])
    points = _standardised(np.array(vectors), weights)
    voices = best_two_voices(points, weights, np.random.default_rng(seed))
    labels = voices.labels
    separation = separation_score(points, weights, voices)
    speaker_of = dict(zip(measured, labels.tolist(), strict=True))
    first = speaker_of[measured[0]]  # speaker 0 is whoever is heard first
    centres_s = np.array([(pieces[i][0] + pieces[i][1]) / 2 for i in measured])
    result = []
    for index, (start, end) in enumerate(pieces):
        label = speaker_of.get(index)
        if label is None:  # too short to measure: most likely the voice speaking just before or after
            label = speaker_of[measured[int(np.argmin(np.abs(centres_s - (start + end) / 2)))]]
        result.append(Piece(start, end, 0 if label == first else 1))
    times = np.array([p.duration_s for p in result])
    speakers = np.array([p.speaker for p in result])
    total = float(times.sum())
    minor = min(float(times[speakers == 0].sum()), float(times[speakers == 1].sum())) / total if total else 0.0
    return Diarisation(tuple(result), len(measured), round(separation, 3), round(minor, 3))


# -- who is the agent ------------------------------------------------------------------------------------------
def first_turn(diarisation: Diarisation, speaker: int, turn_gap_s: float = 2.0) -> tuple[float, float] | None:
    """The speaker's first stretch of speech (spans closer than ``turn_gap_s`` joined, up to the other's turn)."""
    spans = diarisation.spans_of(speaker)
    if not spans:
        return None
    start, end = spans[0]
    other_starts = [s for s, _ in diarisation.spans_of(1 - speaker) if s > start]
    stop = other_starts[0] if other_starts else float("inf")
    for next_start, next_end in spans[1:]:
        if next_start - end >= turn_gap_s or next_start >= stop:
            break
        end = next_end
    return start, end


def pick_agent(diarisation: Diarisation, samples: StoredSamples, choice: AgentChoice,
               transcribe: Transcribe | None = None, greets: Greets | None = None) -> AgentPick:
    """Which voice is the agent: the one heard first, unless the call opens like an outbound call.

    On an inbound line the agent answers ("Thank you for calling Big Jim's, this is Travis"); a customer
    greets and gives a name too ("Hello, my name is Violet King"), so a greeting alone does not tell who
    the agent is.  Only when the first voice says no more than a short "Hello?" (someone picking up) and the
    other voice then greets or introduces itself is the other voice the agent.
    """
    if choice == AgentChoice.FIRST:
        return AgentPick(0, "spoke first (--agent first)")
    if choice == AgentChoice.SECOND:
        return AgentPick(1, "spoke second (--agent second)")
    opening = first_turn(diarisation, 0)
    answer = first_turn(diarisation, 1)
    if (transcribe is not None and greets is not None and opening is not None and answer is not None
            and opening[1] - opening[0] <= PICK_UP_S):
        clip = samples[int(answer[0] * SAMPLE_RATE): int(answer[1] * SAMPLE_RATE)]
        if clip.size and greets(transcribe(clip)):
            return AgentPick(1, "greeted after the other voice picked up")
    return AgentPick(0, "spoke first")


@dataclass(frozen=True, slots=True)
class VoiceSplitter:
    """The ``SpeakerSplitter`` of ``simulator.qa.external``: a mono channel's spans split by voice."""

    choice: AgentChoice = AgentChoice.AUTO
    transcribe: Transcribe | None = None  # with ``greets``: hear whether the second voice greets (one short clip)
    greets: Greets | None = None

    def __call__(self, samples: StoredSamples, spans: list[Span]) -> SpeakerSplit:
        result = diarise(samples, [(s.start_s, s.end_s) for s in spans])
        if not result.confident:
            return SpeakerSplit((), (), False, result.separation, split_note(result, None))
        pick = pick_agent(result, samples, self.choice, self.transcribe, self.greets)
        agent = tuple(Span(start, end) for start, end in result.spans_of(pick.speaker))
        customer = tuple(Span(start, end) for start, end in result.spans_of(1 - pick.speaker))
        return SpeakerSplit(agent, customer, True, result.separation, split_note(result, pick))


def split_note(result: Diarisation, pick: AgentPick | None) -> str:
    """What the reader is told about a mono call's speakers."""
    measure = f"separation {result.separation:.2f}, needs {MIN_SEPARATION:.2f}"
    if pick is not None:
        return (f"mono recording: the two voices were told apart by voice clustering ({measure}); "
                f"the agent is the voice that {pick.reason}")
    if result.measured < MIN_PIECES:
        return (f"mono recording: too little speech to tell two voices apart surely ({result.measured} "
                f"measured pieces, needs {MIN_PIECES})")
    if result.minor_share < MIN_SPEAKER_SHARE:
        return "mono recording: only one voice was heard surely (the other had almost no speech)"
    return f"mono recording: the two voices could not be told apart surely ({measure})"
