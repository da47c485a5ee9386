"""The shipped behaviour model: it is what its rebuild script makes of the corpus, bit for bit, and
it loads with a clear message when its file is damaged."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from simulator.analysis.behaviour.model import BehaviourWeights, WeightsError, shipped_weights, shipped_weights_path
from simulator.scenario.kinds import CLAUSE_LABELS

pytestmark = pytest.mark.models


def test_the_shipped_weights_are_rebuilt_bit_for_bit_from_the_corpus(repo_root):
    done = subprocess.run([sys.executable, "-m", "simulator.analysis.behaviour.train", "--check"], cwd=repo_root,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "identical to the rebuilt model" in done.stdout


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
