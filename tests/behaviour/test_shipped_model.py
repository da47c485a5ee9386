"""The shipped behaviour model: it is what its rebuild script makes of the corpus, bit for bit, and
it loads with a clear message when its file is damaged."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.behaviour.model import BehaviourWeights, WeightsError, shipped_weights, shipped_weights_path
from simulator.analysis.behaviour.train import compare_weights
from simulator.scenario.kinds import CLAUSE_LABELS

pytestmark = pytest.mark.models


def test_the_shipped_weights_are_what_the_corpus_rebuilds(repo_root):
    # bit for bit on the CPU they were built on; on another kind within the tolerance (train.py)
    done = subprocess.run([sys.executable, "-m", "simulator.analysis.behaviour.train", "--check"], cwd=repo_root,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"behaviour_en\.npz: (identical to|agrees with) the rebuilt model", done.stdout), done.stdout


def _nudged(source: Path, target: Path, name: str, by: float) -> Path:
    with np.load(source, allow_pickle=False) as arrays:
        changed = {key: arrays[key] for key in arrays.files}
    changed[name] = changed[name].copy()
    changed[name].flat[0] += by
    np.savez(target, **changed)
    return target


def test_a_rebuild_is_accepted_within_the_cpus_rounding_and_nothing_more(tmp_path):
    shipped = shipped_weights_path()
    assert compare_weights(shipped, shipped).identical
    close = compare_weights(shipped, _nudged(shipped, tmp_path / "close.npz", "reply_weights", 5e-4))
    assert close.agrees and not close.identical and close.largest_weight_difference == pytest.approx(5e-4, rel=0.01)
    far = compare_weights(shipped, _nudged(shipped, tmp_path / "far.npz", "clause_weights", 3e-3))
    assert not far.agrees and far.differing == ("clause_weights",)
    moved = compare_weights(shipped, _nudged(shipped, tmp_path / "cut.npz", "reply_thresholds", 1e-6))
    assert not moved.agrees and moved.differing == ("reply_thresholds",)  # a threshold must be exact


def test_the_weights_name_their_encoder_corpus_and_labels():
    weights = shipped_weights()
    assert weights.encoder == "all-MiniLM-L6-v2" and weights.labels == CLAUSE_LABELS
    assert weights.about["replies"] >= 2000 and len(weights.about["corpus"]) == 16
    assert weights.clause_weights.shape[1] == len(CLAUSE_LABELS) == len(weights.reply_thresholds)
    assert all(0.3 <= t <= 0.8 for t in weights.reply_thresholds)


def test_a_damaged_weights_file_is_named_with_what_to_do(tmp_path):
    damaged = tmp_path / "behaviour_en.npz"
    damaged.write_bytes(shipped_weights_path().read_bytes()[:500])
    with pytest.raises(WeightsError, match=r"behaviour_en\.npz.*rebuild it with python -m simulator\.analysis"):
        BehaviourWeights.load(damaged)


def test_weights_whose_empathy_model_reads_other_features_are_refused_with_what_to_do(tmp_path):
    # A file from before the empathy model also read the warmest clause: one embedding fewer.
    weights = shipped_weights()
    embedding = weights.clause_weights.shape[0] - 2
    older = dataclasses.replace(weights, empathy_weights=weights.empathy_weights[embedding:])
    older.save(tmp_path / "behaviour_en.npz")
    with pytest.raises(WeightsError, match=r"older version.*rebuild it with python -m simulator\.analysis"):
        BehaviourWeights.load(tmp_path / "behaviour_en.npz")
