"""A writer who labelled only the empathy kinds (writer j: friends, forums, family) teaches those
kinds and nothing about the others: a friend's "I'll come with you" is not a take_ownership, nor
evidence against one.  Real corpus reader, real MiniLM encoder, the real trainer's clause rows."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.analysis.behaviour.corpus import read_corpus_file
from simulator.analysis.behaviour.metrics import agreement
from simulator.analysis.behaviour.train import Trainer
from simulator.analysis.embeddings import SentenceEncoder
from simulator.scenario.kinds import CLAUSE_LABELS

pytestmark = pytest.mark.models

EXCHANGE = {
    "id": "X-0001", "domain": "friends", "style": "written", "customer": "My dog got hit by a car this morning.",
    "customer_distress": 2, "empathy": 2,
    "segments": [
        {"text": "Oh no, I'm so sorry, that must have been terrifying.", "steps": ["apologise", "acknowledge_emotion"],
         "forbidden": []},
        {"text": "I'll drive you to the vet tonight.", "steps": [], "forbidden": []},
    ],
}


def _written_as(tmp_path, name: str):
    path = tmp_path / f"{name}.jsonl"
    path.write_text(json.dumps(EXCHANGE) + "\n", encoding="utf-8")
    return read_corpus_file(path)[0]


def test_writer_j_leaves_the_kinds_it_did_not_label_unsure_and_other_writers_none(tmp_path):
    peer, agent = _written_as(tmp_path, "j3"), _written_as(tmp_path, "a3")
    assert agent.unsure == frozenset()
    assert "take_ownership" in peer.unsure and "verify_identity" in peer.unsure
    assert not peer.unsure & {"apologise", "acknowledge_emotion", "dismiss_feelings", "blame_customer",
                              "rude_or_sarcastic"}
    # Scored the same way: a step the model finds in a friend's reply is neither a hit nor a miss.
    assert agreement([peer], [frozenset({"apologise", "acknowledge_emotion", "take_ownership"})], [2]).steps.fp == 0
    assert agreement([agent], [frozenset({"apologise", "acknowledge_emotion", "take_ownership"})], [2]).steps.fp == 1


def test_the_trainer_teaches_only_the_labelled_kinds_from_such_a_writer(tmp_path):
    encoder = SentenceEncoder(threads=1)
    peer, agent = _written_as(tmp_path, "j3"), _written_as(tmp_path, "a3")
    rows = Trainer([peer, agent], encoder.encode).segment_rows([0, 1])
    ownership, apology = CLAUSE_LABELS.index("take_ownership"), CLAUSE_LABELS.index("apologise")
    assert rows.mask.shape == (4, len(CLAUSE_LABELS))
    assert np.array_equal(rows.mask[:, ownership], [0, 0, 1, 1])  # only the agent's clauses teach it
    assert np.array_equal(rows.mask[:, apology], [1, 1, 1, 1])
    assert np.array_equal(rows.targets[:, apology], [1, 0, 1, 0])
