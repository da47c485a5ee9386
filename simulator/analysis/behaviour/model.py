"""The contact-centre behaviour model: which step kinds and forbidden kinds a reply performs, clause
by clause, and how much empathy it shows (none / weak / strong).

Learned, not listed: linear classifiers over sentence embeddings, trained by
``python -m simulator.analysis.behaviour.train`` on the project's own labelled corpus
(``corpus/``) and shipped as a small ``.npz`` beside this package.  Inference is a matrix product,
deterministic for a given reply.  Every finding carries its evidence: the clause, the kind and the
model's confidence.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from simulator.analysis.behaviour.features import (
    Embeddings,
    Encode,
    Window,
    empathy_substance,
    leading_openers,
    opening_the_substance,
    reply_matrix,
    reply_vector,
    reply_windows,
    window_matrix,
)
from simulator.analysis.behaviour.linear import Floats, sigmoid
from simulator.analysis.behaviour.wishes import wish_clauses
from simulator.contracts import CustomerLineSource, EmpathyLevel
from simulator.lazy import MissingPackage
from simulator.scenario.kinds import (
    CLAUSE_LABELS,
    FORBIDDEN_KIND_NAMES,
    STEP_KIND_NAMES,
    ForbiddenKind,
)

Weights = npt.NDArray[np.floating]
"""float64 when trained, float32 as shipped."""
# Kinds read on the reply without its well-wishes: a wish promises nothing (``wishes``).
READ_WITHOUT_WISHES = frozenset({ForbiddenKind.FALSE_PROMISE.value})
# A reply of one clause is accused of a forbidden move only when that clause reads as the move more
# likely than not.  For such a reply the reply-level regression sees nothing the clause model does
# not, and it learned from replies of many clauses: on a held-out writer of short mid-call turns it
# accused 63 of them wrongly ("One second.", "Right." read as rude or dismissive).
# docs/scoring.md, "What was tuned on what"; benchmarks/forbidden_clause_floor.py.
ONE_CLAUSE_FORBIDDEN_FLOOR = 0.5


class WeightsError(MissingPackage):
    """The behaviour model's weights file is missing, damaged or made for another encoder (the CLI
    reports it as it reports a missing package: the message says what to do)."""


HEARD_DISTRESS_ARRAYS = ("heard_distress_weights", "heard_distress_bias", "heard_distress_threshold")


@dataclass(frozen=True, slots=True)
class BehaviourWeights:
    encoder: str
    labels: tuple[str, ...]
    clause_weights: Weights  # (features, labels)
    clause_bias: Weights
    clause_thresholds: Weights  # the best clause alone shows the kind at or above this
    empathy_weights: Weights  # (empathy features, 2): P(at least weak), P(strong)
    empathy_bias: Weights
    empathy_thresholds: Weights
    reply_weights: Weights  # (features, labels): the whole reply performs the kind
    reply_bias: Weights
    reply_thresholds: Weights
    distress_weights: Weights  # (embedding, 1): the customer's line shows frustration, worry or anger
    distress_bias: Weights
    distress_threshold: Weights
    about: dict[str, Any]
    # The same regression also taught customers' turns as a phone recogniser writes them (short
    # answers, spelled names, numbers, cut-off fragments); None when the corpus has none.
    heard_distress_weights: Weights | None = None
    heard_distress_bias: Weights | None = None
    heard_distress_threshold: Weights | None = None

    @classmethod
    def load(cls, path: Path) -> BehaviourWeights:
        try:
            with np.load(path, allow_pickle=False) as data:
                about = json.loads(str(data["about"]))
                weights = cls(
                    encoder=about["encoder"], labels=tuple(about["labels"]),
                    clause_weights=data["clause_weights"], clause_bias=data["clause_bias"],
                    clause_thresholds=data["clause_thresholds"], empathy_weights=data["empathy_weights"],
                    empathy_bias=data["empathy_bias"], empathy_thresholds=data["empathy_thresholds"],
                    reply_weights=data["reply_weights"], reply_bias=data["reply_bias"],
                    reply_thresholds=data["reply_thresholds"], distress_weights=data["distress_weights"],
                    distress_bias=data["distress_bias"], distress_threshold=data["distress_threshold"],
                    about=about, **{name: data[name] for name in HEARD_DISTRESS_ARRAYS if name in data.files})
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise WeightsError(f"{path}: cannot read the behaviour model ({err}); rebuild it with "
                               "python -m simulator.analysis.behaviour.train") from None
        if weights.labels != CLAUSE_LABELS:
            raise WeightsError(f"{path}: made for labels {weights.labels}, this callsim knows {CLAUSE_LABELS}; "
                               "rebuild it with python -m simulator.analysis.behaviour.train")
        embedding = weights.clause_weights.shape[0] - 2  # a window is its embedding and two position flags
        if weights.empathy_weights.shape[0] != 2 * embedding + len(CLAUSE_LABELS):
            raise WeightsError(f"{path}: its empathy model reads other features than this callsim gives it "
                               "(made by an older version); rebuild it with "
                               "python -m simulator.analysis.behaviour.train")
        return weights

    def save(self, path: Path) -> None:
        about = dict(self.about, encoder=self.encoder, labels=list(self.labels))
        arrays = {
            "about": np.array(json.dumps(about, sort_keys=True)),
            "clause_weights": self.clause_weights, "clause_bias": self.clause_bias,
            "clause_thresholds": self.clause_thresholds, "empathy_weights": self.empathy_weights,
            "empathy_bias": self.empathy_bias, "empathy_thresholds": self.empathy_thresholds,
            "reply_weights": self.reply_weights, "reply_bias": self.reply_bias,
            "reply_thresholds": self.reply_thresholds, "distress_weights": self.distress_weights,
            "distress_bias": self.distress_bias, "distress_threshold": self.distress_threshold,
            **{name: array for name in HEARD_DISTRESS_ARRAYS if (array := getattr(self, name)) is not None},
        }
        # numpy's own savez stamps each member with the current time; a fixed stamp makes the same
        # weights the same file, so a rebuild can be compared byte for byte.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                value = array if array.dtype.kind == "U" else array.astype(np.float32)
                np.lib.format.write_array(buffer, value, allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                                 buffer.getvalue(), compress_type=zipfile.ZIP_DEFLATED)


@dataclass(frozen=True, slots=True)
class KindFinding:
    """One kind found in a reply: the window that shows it best and how sure the model is."""

    kind: str
    quote: str
    confidence: float  # the model's probability, 0..1
    start: int  # character offset of the quote in the reply


@dataclass(frozen=True, slots=True)
class BehaviourReading:
    reply: str
    windows: tuple[Window, ...]
    vectors: Embeddings  # (windows, embedding): the windows' sentence embeddings
    probabilities: npt.NDArray[np.float32]  # (windows, labels)
    steps: tuple[KindFinding, ...]
    forbidden: tuple[KindFinding, ...]
    empathy: EmpathyLevel
    some_empathy_probability: float
    strong_empathy_probability: float

    def best(self, kind: str) -> KindFinding | None:
        """The kind's best window, found or not (confidence below its threshold when not found)."""
        if not self.windows:
            return None
        column = CLAUSE_LABELS.index(kind)
        row = int(np.argmax(self.probabilities[:, column]))
        window = self.windows[row]
        return KindFinding(kind, window.text, round(float(self.probabilities[row, column]), 3), window.start)

    def found(self, kind: str) -> KindFinding | None:
        return next((f for f in (*self.steps, *self.forbidden) if f.kind == kind), None)


class WholeReplyReader(Protocol):
    """A second, slower reader over the whole reply (``tuned_reader``): where one is given, it decides
    the kinds it has cuts for (forbidden moves, or some script steps), and the clause model quotes them."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds ``reply_probabilities`` gives, in its order."""

    @property
    def cuts(self) -> dict[str, float]:
        """Per kind the reader decides, the probability at which it counts as done."""

    def reply_probabilities(self, reply: str, clauses: Sequence[tuple[int, int]]) -> npt.NDArray[np.float64]:
        """Per kind (``kinds`` order), how likely the reply does it."""


class BehaviourModel:
    """Reads replies with the shipped (or a given) weights and a sentence encoder; with a
    ``forbidden_reader``, that reader decides the forbidden moves, and with a ``step_reader`` the steps it
    has cuts for (scoring after the call)."""

    def __init__(self, weights: BehaviourWeights, encode: Encode, forbidden_reader: WholeReplyReader | None = None,
                 step_reader: WholeReplyReader | None = None):
        self.weights = weights
        self._encode = encode
        self.forbidden_reader = forbidden_reader
        self.step_reader = step_reader
        # The language its corpus was written in decides how replies split into clauses.
        self.language = str(weights.about.get("language", "en"))

    def window_probabilities(self, vectors: Embeddings, windows: Sequence[Window]) -> npt.NDArray[np.float32]:
        return clause_probabilities(vectors, windows, self.weights.clause_weights,
                                    self.weights.clause_bias).astype(np.float32)

    def read_many(self, replies: Sequence[str]) -> list[BehaviourReading]:
        """Readings of several replies; their texts are embedded in one batch."""
        windows = [reply_windows(reply, self.language) for reply in replies]
        texts = [w.text for ws in windows for w in ws]
        vectors = self._encode(texts) if texts else np.zeros((0, 0), np.float32)
        readings, row = [], 0
        for reply, reply_windows_ in zip(replies, windows, strict=True):
            window_vectors = vectors[row:row + len(reply_windows_)]
            row += len(reply_windows_)
            readings.append(self._reading(reply, reply_windows_, window_vectors))
        return readings

    def customer_distress(self, customer_line: str, source: CustomerLineSource = CustomerLineSource.WRITTEN
                          ) -> float | None:
        """How likely the customer's words show frustration, worry or anger (None for no words)."""
        if not customer_line.strip():
            return None
        weights, bias, _ = self._distress_regression(source)
        vector = self._encode([customer_line.strip()])[0]
        return round(float(sigmoid(float(vector @ weights[:, 0] + bias[0]))), 3)

    def distress_threshold_for(self, source: CustomerLineSource) -> float:
        return float(self._distress_regression(source)[2][0])

    @property
    def distress_threshold(self) -> float:
        return self.distress_threshold_for(CustomerLineSource.WRITTEN)

    def _distress_regression(self, source: CustomerLineSource) -> tuple[Weights, Weights, Weights]:
        """A scenario's written line is read by the regression of written lines; a recogniser's words by
        the one also taught phone turns, where the model has one."""
        w = self.weights
        if (source == CustomerLineSource.HEARD and w.heard_distress_weights is not None
                and w.heard_distress_bias is not None and w.heard_distress_threshold is not None):
            return w.heard_distress_weights, w.heard_distress_bias, w.heard_distress_threshold
        return w.distress_weights, w.distress_bias, w.distress_threshold

    def read(self, reply: str) -> BehaviourReading:
        return self.read_many([reply])[0]

    def _reading(self, reply: str, windows: list[Window], window_vectors: Embeddings) -> BehaviourReading:
        probabilities = self.window_probabilities(window_vectors, windows)
        if not windows:
            return BehaviourReading(reply, (), window_vectors, probabilities, (), (), EmpathyLevel.NONE, 0.0, 0.0)
        mean = reply_vector(window_vectors, windows)
        features = reply_matrix(mean, probabilities)
        empathy_features = empathy_substance(window_vectors, windows, probabilities)
        some, strong = sigmoid((empathy_features @ self.weights.empathy_weights + self.weights.empathy_bias)[0]
                               .astype(np.float64))
        strong = min(strong, some)
        some_cut, strong_cut = (float(t) for t in self.weights.empathy_thresholds)
        level = EmpathyLevel.NONE if some < some_cut else (
            EmpathyLevel.STRONG if strong >= strong_cut else EmpathyLevel.WEAK)
        findings: dict[str, KindFinding] = {}
        reply_probabilities = self._reply_probabilities(features)
        without_wishes = self._without_wishes(reply, windows)
        by_reader = self._read_whole(reply, windows, without_wishes)
        for column, label in enumerate(CLAUSE_LABELS):
            if label in by_reader:
                finding = _reader_finding(label, by_reader[label], probabilities, windows, column)
                if finding is not None:
                    findings[label] = finding
                continue
            rows, by_reply = self._reply_level(column, reply_probabilities, window_vectors, windows, probabilities,
                                               without_wishes)
            if not rows:
                continue
            # The reply-level model decides, or one clause that shows the kind beyond doubt; the
            # clause the clause-level model likes best is quoted.
            row = rows[int(np.argmax(probabilities[rows, column]))]
            by_clause = float(probabilities[row, column])
            sure_clause = by_clause >= self.weights.clause_thresholds[column]
            confidence = max(by_reply, by_clause) if sure_clause else by_reply
            by_reply_alone = by_reply >= self.weights.reply_thresholds[column]
            if by_reply_alone and len(windows) == 1 and label in FORBIDDEN_KIND_NAMES:
                by_reply_alone = by_clause >= ONE_CLAUSE_FORBIDDEN_FLOOR
            if sure_clause or by_reply_alone:
                findings[label] = KindFinding(label, windows[row].text, round(confidence, 3), windows[row].start)
        return BehaviourReading(
            reply=reply, windows=tuple(windows), vectors=window_vectors, probabilities=probabilities,
            steps=tuple(findings[k] for k in STEP_KIND_NAMES if k in findings),
            forbidden=tuple(findings[k] for k in FORBIDDEN_KIND_NAMES if k in findings),
            empathy=level, some_empathy_probability=round(float(some), 3),
            strong_empathy_probability=round(float(strong), 3))

    def forbidden_reply_probabilities(self, reading: BehaviourReading) -> Floats:
        """Per forbidden kind (``FORBIDDEN_KIND_NAMES`` order), the reply-level regression's
        probability behind a reading (a promise without the reply's well-wishes, as ``read`` reads it)."""
        out = np.zeros(len(FORBIDDEN_KIND_NAMES))
        windows, vectors, probabilities = list(reading.windows), reading.vectors, reading.probabilities
        if not windows:
            return out
        reply_probabilities = self._reply_probabilities(reply_matrix(reply_vector(vectors, windows), probabilities))
        without_wishes = self._without_wishes(reading.reply, windows)
        for index, kind in enumerate(FORBIDDEN_KIND_NAMES):
            _, out[index] = self._reply_level(CLAUSE_LABELS.index(kind), reply_probabilities, vectors, windows,
                                              probabilities, without_wishes)
        return out

    def _reply_probabilities(self, features: npt.NDArray[np.floating]) -> Floats:
        logits: Floats = (features @ self.weights.reply_weights + self.weights.reply_bias)[0].astype(np.float64)
        return sigmoid(logits)

    def _without_wishes(self, reply: str, windows: Sequence[Window]) -> list[int]:
        wishes = wish_clauses(reply, [(w.start, w.end) for w in windows], self.language)
        return [i for i, wish in enumerate(wishes) if not wish]

    def _reply_level(self, column: int, reply_probabilities: Floats, vectors: Embeddings, windows: Sequence[Window],
                     probabilities: npt.NDArray[np.float32], without_wishes: list[int]) -> tuple[list[int], float]:
        """The windows a kind is read over and the reply-level probability there: every window, or,
        for a promise in a reply with well-wishes, the windows that are not wishes (none: 0.0)."""
        if CLAUSE_LABELS[column] in READ_WITHOUT_WISHES and len(without_wishes) < len(windows):
            if not without_wishes:
                return [], 0.0
            return without_wishes, self._reply_probability(column, vectors[without_wishes],
                                                           [windows[i] for i in without_wishes],
                                                           probabilities[without_wishes])
        return list(range(len(windows))), float(reply_probabilities[column])

    def _read_whole(self, reply: str, windows: Sequence[Window], without_wishes: Sequence[int]
                    ) -> dict[str, tuple[float, float, list[int]]]:
        """Per kind a whole-reply reader decides, its probability, its cut and the windows it read (a
        promise is read without the reply's well-wishes, as the clause model reads it)."""
        read: dict[str, tuple[float, float, list[int]]] = {}
        for reader in (self.forbidden_reader, self.step_reader):
            if reader is not None and reader.cuts:
                read |= self._read_by(reader, reply, windows, without_wishes)
        return read

    @staticmethod
    def _read_by(reader: WholeReplyReader, reply: str, windows: Sequence[Window], without_wishes: Sequence[int]
                 ) -> dict[str, tuple[float, float, list[int]]]:
        spans = [(w.start, w.end) for w in windows]
        whole = reader.reply_probabilities(reply, spans)
        every = list(range(len(windows)))
        read: dict[str, tuple[float, float, list[int]]] = {}
        for column, kind in enumerate(reader.kinds):
            if kind in reader.cuts:
                read[kind] = (float(whole[column]), reader.cuts[kind], every)
        if len(without_wishes) < len(windows):
            for kind in READ_WITHOUT_WISHES & reader.cuts.keys():
                column = reader.kinds.index(kind)
                if not without_wishes:
                    read[kind] = (0.0, reader.cuts[kind], [])
                    continue
                text = " ".join(windows[i].text for i in without_wishes)
                clauses, start = [], 0
                for i in without_wishes:
                    clauses.append((start, start + len(windows[i].text)))
                    start += len(windows[i].text) + 1
                read[kind] = (float(reader.reply_probabilities(text, clauses)[column]), reader.cuts[kind],
                              list(without_wishes))
        return read

    def _reply_probability(self, column: int, vectors: Embeddings, windows: Sequence[Window],
                           probabilities: npt.NDArray[np.float32]) -> float:
        """The reply-level probability of one kind for the reply made of these windows alone."""
        features = reply_matrix(reply_vector(vectors, windows), probabilities)
        logit = features @ self.weights.reply_weights[:, column] + self.weights.reply_bias[column]
        return float(sigmoid(logit.astype(np.float64))[0])


def _reader_finding(kind: str, read: tuple[float, float, list[int]], probabilities: npt.NDArray[np.float32],
                    windows: Sequence[Window], column: int) -> KindFinding | None:
    """The reader's decision, quoting the window the clause model finds likeliest to make the move."""
    probability, cut, rows = read
    if not rows or probability < cut:
        return None
    row = rows[int(np.argmax(probabilities[rows, column]))]
    return KindFinding(kind, windows[row].text, round(probability, 3), windows[row].start)


def clause_probabilities(vectors: Embeddings, windows: Sequence[Window], weights: Weights,
                         bias: Weights) -> Floats:
    """Per window, the clause-level probability of every kind (training and reading share it).

    When the reply opens with greetings or self-introductions, the clause after them is marked as
    opening the reply too (``opening_the_substance``).  Each clause after the first is judged an
    opener as it would read in the opening place, as the corpus labels them wherever they sit:
    "my name is Taylor." read mid-reply looks like nothing much, and the apology after it would
    then be read as if it came late in the reply."""
    if not windows:
        return np.zeros((0, len(CLAUSE_LABELS)))

    def read(marked: Sequence[Window]) -> Floats:
        return sigmoid((window_matrix(vectors, marked) @ weights + bias).astype(np.float64))

    probabilities = read(windows)
    openers = 0
    while openers < len(windows) - 1 and leading_openers(probabilities[[openers]]):
        openers += 1
        probabilities[openers:] = read(opening_the_substance(windows, openers))[openers:]
    return probabilities


def shipped_weights_path(language: str = "en") -> Path:
    return Path(str(resources.files("simulator.analysis.data").joinpath(f"behaviour_{language}.npz")))


@lru_cache(maxsize=4)
def shipped_weights(language: str = "en") -> BehaviourWeights:
    path = shipped_weights_path(language)
    if not path.is_file():
        raise WeightsError(f"{path}: the behaviour model is not installed; rebuild it with "
                           "python -m simulator.analysis.behaviour.train")
    return BehaviourWeights.load(path)
