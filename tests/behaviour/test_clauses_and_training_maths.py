"""The pure parts of the behaviour model: clause splitting, the kinds, the metrics, the trainer's maths."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.behaviour.clauses import split_clauses
from simulator.analysis.behaviour.corpus import LabelledReply, Segment
from simulator.analysis.behaviour.features import (
    Window,
    empathy_matrix,
    empathy_substance,
    leading_openers,
    opening_the_substance,
    reply_vector,
)
from simulator.analysis.behaviour.linear import best_threshold, fit_logistic, sigmoid
from simulator.analysis.behaviour.metrics import agreement, macro_f1
from simulator.analysis.behaviour.model import clause_probabilities
from simulator.analysis.behaviour.train import ClauseRows, _fit_rows, _segment_windows
from simulator.scenario.kinds import CLAUSE_LABELS, ForbiddenKind, StepKind, kind_from_name, suggest_kind


def texts(reply: str) -> list[str]:
    return [c.text for c in split_clauses(reply)]


def test_a_long_sentence_splits_where_the_job_changes():
    assert texts("I'm so sorry about that, let me pull up your account and I'll sort the refund today.") == [
        "I'm so sorry about that", "let me pull up your account and", "I'll sort the refund today."]


def test_speech_recogniser_text_without_punctuation_splits_on_discourse_words():
    assert texts("um yeah im really sorry about that so what ill do is book an engineer for friday") == [
        "um yeah im really sorry about that", "so what ill do is book an engineer for friday"]


def test_short_fragments_join_their_neighbour_within_a_sentence_and_offsets_point_into_the_reply():
    reply = "Okay, right, so can I take your date of birth please? Sorry."
    clauses = split_clauses(reply)
    assert [c.text for c in clauses] == ["Okay, right, so can I take your date of birth please?", "Sorry."]
    assert all(reply[c.start:c.end].strip(" ,") == c.text for c in clauses)


def test_empty_and_blank_replies_have_no_clauses():
    assert split_clauses("") == [] and split_clauses("   ") == []


def test_kind_names_and_did_you_mean():
    assert kind_from_name("verify-identity") == StepKind.VERIFY_IDENTITY
    assert kind_from_name("Blame_Customer") == ForbiddenKind.BLAME_CUSTOMER
    assert kind_from_name("verify") is None
    assert suggest_kind("verify_identy", tuple(k.value for k in StepKind)) == "verify_identity"
    assert all(kind.description for kind in (*StepKind, *ForbiddenKind))


def test_logistic_regression_separates_a_separable_set_and_is_deterministic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] - 0.5 * x[:, 1] > 0).astype(float)
    first = fit_logistic(x, y, l2=0.1)
    second = fit_logistic(x, y, l2=0.1)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    predicted = sigmoid(x @ first[0] + first[1]) >= 0.5
    assert (predicted == y.astype(bool)).mean() > 0.97
    assert first[0][0] > 0 > first[0][1]


def test_the_threshold_that_maximises_f1_is_found():
    scores = np.array([0.1, 0.2, 0.35, 0.6, 0.7, 0.9])
    gold = np.array([0, 0, 0, 1, 1, 1])
    assert 0.35 < best_threshold(scores, gold) <= 0.6


def test_macro_f1_worked_by_hand():
    # class 1: tp 2, fp 1, fn 0 -> 0.8; class 0: tp 1, fp 0, fn 1 -> 0.667
    assert macro_f1([0, 0, 1, 1], [0, 1, 1, 1], (0, 1)) == pytest.approx((0.8 + 2 / 3) / 2)


def test_unsure_labels_are_neither_hits_nor_misses():
    item = LabelledReply("x", "1", "d", "", "reply", frozenset({"apologise"}), frozenset({"take_ownership"}), 1)
    result = agreement([item], [frozenset({"apologise", "take_ownership"})], [1])
    assert result.steps.tp == 1 and result.steps.fp == 0 and result.steps.fn == 0
    missed = agreement([item], [frozenset()], [0])
    assert missed.steps.fn == 1 and missed.empathy_binary_f1 < 1


def corpus_checker(repo_root):
    """corpus/check_corpus.py, a script beside the corpus rather than a module of the package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_corpus", repo_root / "corpus" / "check_corpus.py")
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    return checker


def test_the_corpus_files_are_well_formed_and_cover_every_kind(repo_root, capsys):
    checker = corpus_checker(repo_root)
    files = sorted(str(p) for p in (repo_root / "corpus" / "en").glob("*.jsonl"))
    assert checker.main(files) == 0
    printed = capsys.readouterr().out
    assert "0 bad lines" in printed
    for kind in (*StepKind, *ForbiddenKind):
        assert f"'{kind.value}': 0" not in printed, kind


def _windows(*words: int) -> list[Window]:
    return [Window(" ".join(["word"] * n), 0, 0, i == 0, i == len(words) - 1) for i, n in enumerate(words)]


def test_empathy_features_carry_the_warmest_clause_whole_whatever_surrounds_it():
    # A long greeting and a long verification around one short apology: the mean is mostly them,
    # but the empathy features also hold the apology's own embedding, unchanged.
    vectors = np.eye(4, dtype=np.float32)[:3]  # greeting, apology, verification
    windows = _windows(12, 4, 12)
    scores = np.zeros((3, len(CLAUSE_LABELS)))
    scores[0, CLAUSE_LABELS.index(StepKind.GREET)] = 0.9
    scores[1, CLAUSE_LABELS.index(StepKind.APOLOGISE)] = 0.8
    scores[2, CLAUSE_LABELS.index(StepKind.VERIFY_IDENTITY)] = 0.95
    row = empathy_matrix(reply_vector(vectors, windows), vectors, scores)[0]
    mean, warmest, best = row[:4], row[4:8], row[8:]
    assert mean[1] < mean[0] == pytest.approx(mean[2])
    assert np.array_equal(warmest, vectors[1])
    assert np.array_equal(best, scores.max(axis=0).astype(np.float32))
    scores[2, CLAUSE_LABELS.index(StepKind.ACKNOWLEDGE_EMOTION)] = 0.85  # a named feeling outranks it
    assert np.array_equal(empathy_matrix(reply_vector(vectors, windows), vectors, scores)[0, 4:8], vectors[2])


def test_a_reply_without_clauses_has_empty_empathy_features():
    row = empathy_matrix(np.zeros(4, np.float32), np.zeros((0, 4), np.float32), np.zeros((0, len(CLAUSE_LABELS))))
    assert row.shape == (1, 8 + len(CLAUSE_LABELS)) and not row.any()


def _reading_of(*kinds_per_clause: tuple[str, ...]) -> np.ndarray:
    probabilities = np.full((len(kinds_per_clause), len(CLAUSE_LABELS)), 0.05)
    for row, kinds in enumerate(kinds_per_clause):
        for kind in kinds:
            probabilities[row, CLAUSE_LABELS.index(kind)] = 0.9
    return probabilities


def test_empathy_is_judged_on_the_reply_after_its_leading_greeting_and_introduction():
    vectors = np.eye(4, dtype=np.float32)[:3]  # greeting, introduction, apology
    windows = _windows(6, 5, 9)
    scores = _reading_of((StepKind.GREET,), (StepKind.IDENTIFY_SELF,), (StepKind.APOLOGISE,))
    after_greeting = empathy_substance(vectors, windows, scores)
    assert np.array_equal(after_greeting, empathy_matrix(reply_vector(vectors[2:], windows[2:]), vectors[2:],
                                                         scores[2:]))
    assert np.array_equal(after_greeting, empathy_substance(vectors[2:], windows[2:], scores[2:]))
    # A reply that only greets keeps all of itself; one that opens with the apology is read whole.
    assert np.array_equal(empathy_substance(vectors[:2], windows[:2], scores[:2]),
                          empathy_matrix(reply_vector(vectors[:2], windows[:2]), vectors[:2], scores[:2]))
    apology_first = scores[[2, 0, 1]]
    assert np.array_equal(empathy_substance(vectors, windows, apology_first),
                          empathy_matrix(reply_vector(vectors, windows), vectors, apology_first))


def test_after_a_greeting_and_introduction_the_next_clause_opens_the_reply_too():
    greeting, name, apology = (StepKind.GREET,), (StepKind.IDENTIFY_SELF,), (StepKind.APOLOGISE,)
    assert leading_openers(_reading_of(greeting, name, apology)) == 2
    assert leading_openers(_reading_of(apology, greeting)) == 0
    assert leading_openers(_reading_of((StepKind.GREET, StepKind.APOLOGISE), apology)) == 0  # not only a greeting
    assert leading_openers(_reading_of(greeting, name)) == 2  # nothing after it to mark
    windows = _windows(5, 4, 8, 6)
    marked = opening_the_substance(windows, 2)
    assert [w.first for w in marked] == [True, False, True, False]
    assert [w.last for w in marked] == [w.last for w in windows] and marked[2].text == windows[2].text
    assert opening_the_substance(windows, 0) == windows and opening_the_substance(windows, 4) == windows


def _opening_model() -> tuple[np.ndarray, np.ndarray]:
    """Clause weights over 3 embedding dims + the two position flags: dim 0 is a greeting, dim 1 a
    self-introduction that reads as one only in the opening place, dim 2 an apology that is far
    likelier in the opening place (as the corpus teaches)."""
    weights = np.zeros((5, len(CLAUSE_LABELS)))
    bias = np.full(len(CLAUSE_LABELS), -6.0)
    weights[0, CLAUSE_LABELS.index(StepKind.GREET)] = 10.0
    weights[1, CLAUSE_LABELS.index(StepKind.IDENTIFY_SELF)] = 5.0
    weights[2, CLAUSE_LABELS.index(StepKind.APOLOGISE)] = 5.0
    weights[3, [CLAUSE_LABELS.index(StepKind.IDENTIFY_SELF), CLAUSE_LABELS.index(StepKind.APOLOGISE)]] = 3.0
    return weights, bias


def test_each_clause_after_the_first_is_judged_an_opener_as_it_reads_in_the_opening_place():
    # "Thanks for calling | my name is Taylor. | I'm so sorry...": the name reads as an introduction
    # only when marked as opening, and the apology is then read as opening the substance.
    weights, bias = _opening_model()
    vectors = np.eye(3, dtype=np.float32)
    apologise, identify = CLAUSE_LABELS.index(StepKind.APOLOGISE), CLAUSE_LABELS.index(StepKind.IDENTIFY_SELF)
    read = clause_probabilities(vectors, _windows(3, 4, 8), weights, bias)
    assert read[1, identify] > 0.5 and read[2, apologise] > 0.5
    alone = clause_probabilities(vectors[[2]], _windows(8), weights, bias)
    assert read[2, apologise] == pytest.approx(alone[0, apologise])
    # Without the greeting the name clause opens the reply itself; an apology mid-reply stays unmarked.
    unmarked = clause_probabilities(vectors[[2, 1]], _windows(8, 4), weights, bias)
    assert unmarked[1, identify] < 0.5
    only_openers = clause_probabilities(vectors[:2], _windows(3, 4), weights, bias)
    assert only_openers[1, identify] > 0.5  # "Thanks for calling, my name is Taylor." introduces her


def test_kinds_outside_position_kinds_learn_no_position_weights():
    rng = np.random.default_rng(0)
    features = np.hstack([rng.normal(size=(60, 3)), (rng.random((60, 2)) > 0.5).astype(float)])
    targets = np.zeros((60, len(CLAUSE_LABELS)))
    targets[:, :] = (features[:, [3]] > 0)  # every kind follows the "first" flag
    rows = ClauseRows(features.astype(np.float32), targets, np.ones_like(targets))
    everywhere, _ = _fit_rows(rows, 0.1)
    greet_only, _ = _fit_rows(rows, 0.1, position_kinds=frozenset({StepKind.GREET.value}))
    greet, close = CLAUSE_LABELS.index(StepKind.GREET), CLAUSE_LABELS.index(StepKind.CLOSE)
    assert everywhere[3, close] > 1 and greet_only[3, greet] > 1
    assert not greet_only[3:, close].any()


def test_the_trainer_marks_the_writers_segments_as_reading_marks_clauses():
    def segments(*labels: tuple[str, ...]) -> LabelledReply:
        parts = tuple(Segment(f"clause {i}", frozenset(k)) for i, k in enumerate(labels))
        return LabelledReply("t1", "T-1", "retail", "", " ".join(p.text for p in parts),
                             frozenset().union(*(p.labels for p in parts)), frozenset(), None, parts)

    greeted = _segment_windows(segments(("greet", "identify_self"), ("apologise",), ()))
    assert [w.first for w in greeted] == [True, True, False]
    plain = _segment_windows(segments(("apologise",), ("greet",), ()))
    assert [w.first for w in plain] == [True, False, False]
    unlabelled_start = _segment_windows(segments((), ("apologise",)))
    assert [w.first for w in unlabelled_start] == [True, False]


def _character_hashes(texts) -> np.ndarray:
    """A small deterministic text encoder for trainer tests: character bigrams hashed into 64 unit dims."""
    import itertools
    import zlib

    rows = np.zeros((len(texts), 64), np.float32)
    for row, text in enumerate(texts):
        for a, b in itertools.pairwise(text):
            rows[row, zlib.crc32((a + b).encode()) % 64] += 1
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def test_a_language_trains_with_its_own_settings_and_reply_settings_reuse_the_clause_fit(repo_root, monkeypatch):
    from dataclasses import replace

    from simulator.analysis.behaviour import train
    from simulator.analysis.behaviour.corpus import read_corpus_file

    assert train.settings_for("en") == train.settings_for("xx") == train.TrainSettings()
    own = replace(train.TrainSettings(), step_beta=0.7)
    monkeypatch.setitem(train.LANGUAGE_SETTINGS, "zh", own)
    folder = repo_root / "corpus" / "zh"
    replies = [r for name in ("zs1", "zt1") for r in read_corpus_file(folder / f"{name}.jsonl")]
    trainer = train.Trainer(replies, _character_hashes, language="zh")
    assert trainer.settings == own and train.Trainer([], _character_hashes).settings == train.TrainSettings()
    trainer.settings = lenient = replace(train.TrainSettings(), step_beta=1.0, sure_precision=0.5, folds=3)
    loose = trainer.train("hashes", {})
    stage = trainer.clause_stage()
    trainer.settings = replace(lenient, step_beta=0.5, sure_precision=0.99)
    strict = trainer.train("hashes", {})
    assert trainer.clause_stage()[1] is stage[1]  # only the reply-level settings changed
    assert np.array_equal(loose.clause_weights, strict.clause_weights)
    steps = [i for i, label in enumerate(CLAUSE_LABELS) if label in {k.value for k in StepKind}]
    forbidden = [i for i in range(len(CLAUSE_LABELS)) if i not in steps]
    assert (strict.reply_thresholds[steps] >= loose.reply_thresholds[steps]).all()
    assert (strict.reply_thresholds[steps] > loose.reply_thresholds[steps]).any()  # precision weighs more
    assert np.array_equal(strict.reply_thresholds[forbidden], loose.reply_thresholds[forbidden])
    assert (strict.clause_thresholds >= loose.clause_thresholds).all()
    assert (strict.clause_thresholds > loose.clause_thresholds).any()


def test_the_reader_only_writers_are_well_formed_and_reach_the_reader_alone(repo_root, capsys):
    """corpus/reader_en/ (turns as a recogniser writes them) trains the post-call reader, never the
    clause model: the clause model's training set does not read that folder."""
    from simulator.analysis.behaviour.train import default_corpus_dir, load_training_set
    from simulator.analysis.behaviour.train_reader import reader_only_dir, reader_only_replies

    checker = corpus_checker(repo_root)
    files = sorted(str(p) for p in reader_only_dir().glob("*.jsonl"))
    assert files and checker.main(files) == 0
    assert "0 bad lines" in capsys.readouterr().out
    extra = reader_only_replies(reader_only_dir())
    clause_training, _ = load_training_set(default_corpus_dir())
    assert len(extra) == 300 and not {r.source for r in extra} & {r.source for r in clause_training}
    assert reader_only_replies(None) == []
