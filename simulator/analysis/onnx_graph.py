"""Transformer graphs (MiniLM; the post-call reader built on it) run by ONNX Runtime instead of torch.

Why: a practice call analyses each reply within 50 ms on two cores, and through torch one reply's
clauses took 35 ms median and 62 ms at the 95th percentile on one thread; ONNX Runtime does the same
float32 arithmetic in 24 / 48 ms (docs/scoring.md, Speed).  The vectors agree with torch's to 1e-5,
the precision the encoder rounds them to anyway.

Nothing new ships: the graph is exported from the packaged weights on first use, once per model
folder, into the user's cache folder (about 90 MB and 2 s for MiniLM), as a user with internet
would get it.  Exporting needs torch and the ``onnx`` package; running needs ``onnxruntime`` only.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import platformdirs

from simulator.lazy import MissingPackage, require

FEATURE = "semantic scoring through ONNX Runtime"
ONNX_RUNTIME, TORCH_RUNTIME = "onnxruntime", "torch"  # which runs a graph: the default, and the fallback
Batch = dict[str, npt.NDArray[np.int64]]
"""A tokenised batch: input_ids, attention_mask (and token_type_ids), padded to its longest text."""
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def graph_path(model_dir: Path, name: str, cache_root: Path | None = None) -> Path:
    """Where the exported graph of ``model_dir`` lives: named by the encoder and a digest of the folder's
    path and its files' sizes and times, so a reinstalled or different model is exported afresh
    rather than read stale."""
    stamps = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in model_dir.iterdir() if p.is_file())
    digest = hashlib.sha256(repr((str(model_dir.resolve()), stamps)).encode()).hexdigest()[:16]
    root = cache_root or Path(platformdirs.user_cache_dir("callsim"))
    return root / "onnx" / f"{name}-{digest}.onnx"


def exported_graph(model_dir: Path, name: str, cache_root: Path | None = None) -> Path:
    """The ONNX graph of the encoder ``name`` in ``model_dir`` (its last hidden state), exported on
    first use.  Raises ``OSError`` when the cache folder cannot be written (the caller names it)."""

    def write(partial: Path) -> None:
        torch = require("torch", feature=FEATURE)
        transformers = quiet_transformers(FEATURE)
        tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
        model = transformers.AutoModel.from_pretrained(model_dir).eval()
        example = tokenizer(["a short example", "and a second, longer example sentence"], padding=True,
                            return_tensors="pt")
        names = [key for key in _INPUTS if key in example]
        traced_to_onnx(torch, _last_hidden(torch, model, names), {key: example[key] for key in names}, "hidden",
                       partial)

    return export_once(graph_path(model_dir, name, cache_root), write)


def quiet_transformers(feature: str) -> Any:
    """transformers, without its progress bars and notes: stderr is a terminal app's screen."""
    transformers = require("transformers", feature=feature)
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    return transformers


def export_once(target: Path, write: Callable[[Path], None]) -> Path:
    """``target``, written by ``write`` unless it exists: under a temporary name and renamed, so a
    killed export or a full disk never leaves a graph that looks done; several batch workers
    exporting at once each rename a whole file."""
    if target.is_file():
        return target
    require("onnx", feature=FEATURE)  # torch's exporter writes the graph through it
    target.parent.mkdir(parents=True, exist_ok=True)
    _forget_killed_exports(target.parent)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        write(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def traced_to_onnx(torch: Any, module: Any, example: dict[str, Any], output: str, path: Path) -> None:
    """``module`` (taking the tokenised inputs ``example`` names, in order) traced into an ONNX
    graph whose batch and token axes may take any size."""
    names = list(example)
    dynamic = {key: {0: "batch", 1: "tokens"} for key in names}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on transformers' code, not the user's business
        torch.onnx.export(module, tuple(example.values()), str(path), input_names=names, output_names=[output],
                          dynamic_axes=dynamic, opset_version=17, dynamo=False)


STALE_EXPORT_S = 600.0  # an export takes seconds: a partial file this old was left by a killed process


def _forget_killed_exports(folder: Path) -> None:
    """Delete partial graphs that processes killed during their export left behind (90 MB each)."""
    now = time.time()
    for partial in folder.glob("*.partial"):
        try:
            if now - partial.stat().st_mtime > STALE_EXPORT_S:
                partial.unlink()
        except OSError:  # another process removed it first
            continue


def _last_hidden(torch: Any, model: Any, names: list[str]) -> Any:
    """The transformer with positional inputs, returning the last hidden state (what the export traces)."""

    class LastHidden(torch.nn.Module):  # type: ignore[misc]  # defined here: torch is imported lazily
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(names, tensors, strict=True))).last_hidden_state

    return LastHidden()


def rust_tokenizer(model_dir: Path, max_tokens: int) -> Callable[[list[str]], Batch]:
    """The folder's ``tokenizer.json`` through the tokenizers library: the very tokens transformers'
    fast tokenizer gives (a test compares them), without importing transformers and torch."""
    tokenizers = require("tokenizers", feature=FEATURE)
    tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    pad = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length=max_tokens)
    # Padded to the batch's longest text (the file may ask for a fixed 128: four times the work).
    tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))

    def tokenize(sentences: list[str]) -> Batch:
        encoded = tokenizer.encode_batch(sentences)
        return {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}

    return tokenize


class DamagedGraph(Exception):
    """An exported graph ONNX Runtime cannot load (a damaged file in the cache folder)."""


class OnnxSession:
    """One ONNX Runtime session of an exported graph, on a fixed number of threads."""

    def __init__(self, graph: Path, threads: int):
        ort = require("onnxruntime", feature=FEATURE)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about the exported graph are not the user's business
        try:
            self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # ONNX Runtime raises its own types for a file it cannot parse
            raise DamagedGraph(f"{graph} could not be loaded ({err})") from None
        self._inputs = [i.name for i in self._session.get_inputs()]

    def first_output(self, batch: Batch) -> npt.NDArray[np.float32]:
        """The graph's output for a tokenised batch (an encoder's last hidden state: batch, tokens, dimension)."""
        feed = {name: np.asarray(batch[name], dtype=np.int64) for name in self._inputs}
        return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)


def session_of(export: Callable[[], Path], threads: int) -> OnnxSession:
    """A session of the graph ``export`` gives; a graph ONNX Runtime cannot load (a disk error after it
    was written) is exported again, once, and raises ``DamagedGraph`` if still unreadable."""
    graph = export()
    try:
        return OnnxSession(graph, threads)
    except DamagedGraph:
        graph.unlink(missing_ok=True)
        return OnnxSession(export(), threads)


T = TypeVar("T")


def checked_runtime(runtime: str) -> str:
    if runtime not in (ONNX_RUNTIME, TORCH_RUNTIME):
        raise ValueError(f"runtime must be {ONNX_RUNTIME!r} or {TORCH_RUNTIME!r}, not {runtime!r}")
    return runtime


def onnx_or_torch(runtime: str, model_dir: Path, what: str, onnx: Callable[[], T], torch: Callable[[], T]) -> T:
    """``torch()`` where torch was asked for; else ``onnx()``, or ``torch()`` with a warning saying why
    ONNX Runtime could not run ``what`` (a missing package, a cache folder that cannot be written, a
    graph that stays damaged, a model folder without the fast tokenizer the tokenizers library reads)."""
    if runtime == TORCH_RUNTIME:
        return torch()
    if not (model_dir / "tokenizer.json").is_file():
        warnings.warn(f"{model_dir} has no tokenizer.json (a fast tokenizer), which ONNX Runtime reads through the "
                      f"tokenizers library; {what} runs through torch instead", stacklevel=5)
        return torch()
    try:
        return onnx()
    except MissingPackage as err:
        warnings.warn(f"{err}. Until then {what} runs through torch: slower, and its outputs may differ in the "
                      "last digit", stacklevel=5)
    except DamagedGraph as err:  # still unreadable after one export again (another runtime's opset?)
        warnings.warn(f"{err}. {what} runs through torch instead (slower); delete the file to try ONNX Runtime "
                      "again", stacklevel=5)
    except OSError as err:
        warnings.warn(f"{what}'s ONNX graph could not be written to {err.filename or 'the cache folder'} "
                      f"({err.strerror or err}); free some disk space or make the folder writable. Until then "
                      f"{what} runs through torch (slower)", stacklevel=5)
    return torch()
