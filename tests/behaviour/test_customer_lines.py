"""Rated customer turns: read from either corpus format or from files of customer turns alone, a bad
line named by file:line, and what they teach (the distress regression, nothing else).  The lines are
our own, written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.behaviour.corpus import (
    CorpusError,
    CustomerLine,
    customer_lines_in,
    customer_lines_of,
    read_corpus_file,
    read_customer_lines,
)
from simulator.analysis.behaviour.train import fit_distress, settings_for


def write_lines(path: Path, items: list[object]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def test_customer_turns_and_corpus_replies_give_the_same_rated_lines(tmp_path):
    turns = write_lines(tmp_path / "r1.jsonl", [
        {"id": "R-1", "domain": "bank_cards", "style": "asr", "customer": "it's b as in bravo o n d",
         "customer_distress": 0},
        {"id": "R-2", "domain": "bank_cards", "style": "asr", "customer": "   ", "customer_distress": 0},
        {"id": "R-3", "domain": "rail", "style": "spoken", "customer": "This is the third time I've rung!",
         "customer_distress": 2}])
    replies = write_lines(tmp_path / "q1.jsonl", [
        {"id": "Q-1", "domain": "taxi", "style": "asr", "customer": "yeah hi where's my cab",
         "customer_distress": 1, "empathy": 0,
         "segments": [{"text": "it's two minutes away", "steps": [], "forbidden": []}]}])
    lines = read_customer_lines(turns)
    assert [(line.item_id, line.distress) for line in lines] == [("R-1", 0), ("R-3", 2)]  # no words: not a line
    assert read_customer_lines(replies) == customer_lines_of(read_corpus_file(replies))
    assert [line.source for line in customer_lines_in([tmp_path])] == ["q1", "r1", "r1"]


@pytest.mark.parametrize("item, problem", [
    ({"id": "R-9", "customer": "hello", "customer_distress": 3}, "must be 0, 1 or 2"),
    ({"id": "R-9", "customer": "hello"}, "customer_distress"),
    (["not", "an", "object"], "expected a JSON object"),
])
def test_a_bad_customer_line_is_named_by_file_and_line(tmp_path, item, problem):
    path = write_lines(tmp_path / "r1.jsonl", [
        {"id": "R-1", "customer": "yeah", "customer_distress": 0}, item])
    with pytest.raises(CorpusError, match=rf"r1\.jsonl:2: .*{problem}"):
        read_customer_lines(path)


def test_the_distress_regression_learns_from_rated_lines_and_cuts_out_of_fold():
    rng = np.random.default_rng(5)
    calm, upset = rng.normal(-1.0, 1.0, (60, 8)), rng.normal(1.0, 1.0, (60, 8))
    lines = [CustomerLine("t1", f"C-{i}", f"calm {i}", 0) for i in range(60)] + [
        CustomerLine("t1", f"U-{i}", f"upset {i}", 2) for i in range(60)]
    weights, bias, cut = fit_distress(np.vstack([calm, upset]), lines, settings_for("en"))
    assert weights.shape == (8, 1) and bias.shape == (1,) and 0.0 < cut[0] < 1.0
    probability = 1 / (1 + np.exp(-(np.vstack([calm, upset]) @ weights[:, 0] + bias[0])))
    assert (probability[:60] < cut[0]).mean() > 0.8 and (probability[60:] >= cut[0]).mean() > 0.8



def test_the_shipped_customer_turns_are_well_formed_and_teach_only_the_regression_of_recordings():
    from simulator.analysis.behaviour.model import shipped_weights
    from simulator.analysis.behaviour.train import default_corpus_dir, default_customer_lines, load_training_set

    folders = default_customer_lines("en")
    assert [folder.name for folder in folders] == ["reader_en", "customer_en"]
    turns = customer_lines_in([folders[1]])
    assert len(turns) == 240 and len({line.item_id for line in turns}) == 240
    assert {line.distress for line in turns} == {0, 1, 2}
    replies, _ = load_training_set(default_corpus_dir())  # the clause model's kinds never read them
    assert not {r.source for r in replies} & {line.source for line in turns}
    about = shipped_weights().about
    assert about["customer_line_count"] == len(customer_lines_in(folders)) == 540
    assert default_customer_lines("zh") == []


def test_training_names_a_customer_line_folder_without_files(tmp_path, capsys):
    from simulator.analysis.behaviour.train import main

    with pytest.raises(SystemExit) as stopped:
        main(["--customer-lines", str(tmp_path / "missing"), "--out", str(tmp_path / "w.npz")])
    assert stopped.value.code == 2
    assert f"--customer-lines {tmp_path / 'missing'}: no *.jsonl files there" in capsys.readouterr().err
    assert not (tmp_path / "w.npz").exists()
