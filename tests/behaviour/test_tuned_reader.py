"""The post-call readers of forbidden moves and script steps: what the shipped ones read in replies of
our own, how they reach the analyser after a call (never during one), and that their training is
deterministic and their files checked.  Sentences are our own, written for these tests."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.behaviour.corpus import LabelledReply, corpus_files, fingerprint
from simulator.analysis.behaviour.model import BehaviourModel, WeightsError, shipped_weights
from simulator.analysis.behaviour.train import (
    default_corpus_dir,
    default_items_files,
    load_training_set,
    real_words,
    real_words_items_files,
)
from simulator.analysis.behaviour.train_reader import (
    ReaderSettings,
    Tuner,
    kinds_the_reader_decides,
    reader_only_dir,
    reader_only_replies,
    targets,
    taught_beside,
    trained_reader,
)
from simulator.analysis.behaviour.tuned_reader import (
    ReaderTask,
    ReaderWeights,
    TunedReader,
    shipped_reader,
    shipped_reader_path,
)
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.registry import builtin_analysers
from simulator.analysis.semantic import SemanticAnalyser
from simulator.call.session import TraineeAnswered
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import run_call
from simulator.cli import main
from simulator.contracts import Transcript
from simulator.record import read_call
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES as READER_KINDS
from simulator.scenario.kinds import STEP_KIND_NAMES
from simulator.scenario.loader import load_scenario
from simulator.scoring.scorecard import Dimension

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def after_call() -> BehaviourModel:
    return BehaviourModel(shipped_weights(), SentenceEncoder(threads=1).encode, shipped_reader())


def forbidden(model: BehaviourModel, reply: str) -> dict[str, str]:
    return {f.kind: f.quote for f in model.read(reply).forbidden}


@pytest.mark.parametrize("reply, kind", [
    ("Well, the renewal went through because you never cancelled it, so that one's on you.", "blame_customer"),
    ("That's a matter for the warehouse team, not me. You'll need to ring them yourself.", "not_my_job"),
    ("Don't worry, I can guarantee you'll get every penny back and it'll never happen again.", "false_promise"),
    ("Your account's in ARR status pending an RTO review, so it's with the L2 queue.", "jargon"),
])
def test_the_shipped_reader_finds_the_move(after_call, reply, kind):
    assert kind in forbidden(after_call, reply)


@pytest.mark.parametrize("reply", [
    "I'm really sorry about the double charge. I've refunded it and you'll see it within five working days.",
    "I completely understand why you're upset. Let me look into the missing parcel for you right now.",
    "Can I take the first line of your address and your date of birth, please?",
    "I'll pass this to our warehouse team myself and call you back by four o'clock today with an update.",
])
def test_the_shipped_reader_leaves_a_plain_good_reply_alone(after_call, reply):
    assert forbidden(after_call, reply) == {}


def test_the_move_is_quoted_where_it_is_said(after_call):
    # the reader decides the move over the whole reply; the clause model quotes the clause that makes it
    reply = "I can rebook you for Thursday. " + BLAME_ONLY_THE_READER_HEARS
    assert "confirmation email" in forbidden(after_call, reply)["blame_customer"]


def test_a_well_wish_is_not_read_as_a_promise_after_the_call_either(after_call):
    wish = "Okay, we'll best of luck with the appeal, I hope it goes your way."
    assert "false_promise" not in forbidden(after_call, wish)


def test_a_move_at_the_end_of_a_long_monologue_is_still_read(after_call):
    reader = after_call.forbidden_reader
    assert isinstance(reader, TunedReader)
    filler = ("I've gone through the statement line by line and the charges from March and April both match the "
              "tariff you signed up to, including the line rental and the usual call bundle. ")
    reply = filler * 6 + "Honestly, it's your own fault for not reading the contract before you signed it."
    assert reader.token_count(reply) > reader.weights.max_tokens
    assert "blame_customer" in forbidden(after_call, reply)


def test_the_live_analyser_has_no_reader_and_the_after_call_one_has(repo_root):
    live, after = SemanticAnalyser(None).model, SemanticAnalyser(None, after_call=True).model
    assert live.forbidden_reader is None and live.step_reader is None
    assert after.forbidden_reader is shipped_reader()
    assert after.step_reader is shipped_reader("en", ReaderTask.STEPS) is not None


def test_the_shipped_step_reader_was_taught_what_the_repository_holds():
    weights = ReaderWeights.load(shipped_reader_path("en", ReaderTask.STEPS), ReaderTask.STEPS)
    _, corpus = load_training_set(default_corpus_dir(), default_items_files())
    assert weights.about["corpus"] == corpus["corpus"]  # the corpus and the development set
    assert weights.about["reader_only"] == fingerprint(corpus_files(reader_only_dir()))
    assert weights.about["real_words"] == fingerprint(real_words_items_files())
    # every kind but verify_identity was read better out of fold than by the clause model
    assert set(weights.about["decides"]) == set(STEP_KIND_NAMES) - {"verify_identity"}


@pytest.fixture(scope="module")
def steps_after_call() -> tuple[BehaviourModel, BehaviourModel]:
    encode = SentenceEncoder(threads=1).encode
    return (BehaviourModel(shipped_weights(), encode),
            BehaviourModel(shipped_weights(), encode, step_reader=shipped_reader("en", ReaderTask.STEPS)))


def steps_of(model: BehaviourModel, reply: str) -> set[str]:
    return {f.kind for f in model.read(reply).steps}


def test_the_step_reader_does_not_credit_a_step_said_in_the_negative(steps_after_call):
    live, after = steps_after_call
    refusal = "I can't give you a date for the repair, I'm afraid."
    assert "explain_next_steps" in steps_of(live, refusal)  # the clause model's mistake, mended after the call
    assert not steps_of(after, refusal) & {"explain_next_steps", "set_timeline"}


def test_the_step_reader_reads_a_closing_thanks_as_a_close_not_a_greeting(steps_after_call):
    live, after = steps_after_call
    goodbye = "thanks for calling harper valley bank have a great day"
    assert "greet" in steps_of(live, goodbye)
    assert "close" in steps_of(after, goodbye) and "greet" not in steps_of(after, goodbye)


def test_the_step_reader_hears_the_time_in_a_promised_call_back(steps_after_call):
    _, after = steps_after_call
    promise = "leave it with me i'll chase the courier myself and ring you back tomorrow"
    assert {"take_ownership", "set_timeline"} <= steps_of(after, promise)


def test_callsim_analyze_reads_forbidden_moves_with_the_reader(capsys, tmp_path, monkeypatch):
    items = tmp_path / "replies.jsonl"
    items.write_text(json.dumps({"id": "r1", "context": "Why was I charged twice?",
                                 "text": "Look, refunds are the billing team's job, not mine. You'll have to "
                                         "ring them yourself."}) + "\n", encoding="utf-8")
    seen = []
    real = SemanticAnalyser.__init__

    def noting(self, *args, **options):
        real(self, *args, **options)
        seen.append(self.after_call)

    monkeypatch.setattr(SemanticAnalyser, "__init__", noting)
    assert main(["analyze", "--scenario", "billing-overcharge", "--jsonl", str(items)]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[0])
    assert seen == [True] and "not-my-fault" in result["forbidden"], result  # the entry of kind not_my_job


def test_callsim_analyze_reads_steps_with_the_step_reader(capsys, tmp_path, scenarios_dir):
    # live, the clause model does not hear this goodbye close the call; the step reader (after it) does
    goodbye = "okay bye then"
    live = SemanticAnalyser(load_scenario(scenarios_dir / "billing-overcharge.yaml").scenario)
    assert not live.analyse(TurnInput(2, Transcript(goodbye), "Thanks, that's everything.")).steps_hit
    items = tmp_path / "replies.jsonl"
    items.write_text(json.dumps({"id": "r1", "context": "Thanks, that's everything.", "text": goodbye}) + "\n",
                     encoding="utf-8")
    assert main(["analyze", "--scenario", "billing-overcharge", "--jsonl", str(items)]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[0])
    assert result["steps"] == ["close"], result  # the scenario's step of kind close


def test_the_shipped_file_loads_and_a_damaged_one_is_named(tmp_path):
    weights = ReaderWeights.load(shipped_reader_path())
    assert tuple(weights.about["kinds"]) == READER_KINDS and weights.tuned_layers == 4
    assert all(0.3 <= cut <= 0.8 for cut in weights.cuts)
    damaged = tmp_path / "forbidden_reader_en.npz"
    damaged.write_bytes(shipped_reader_path().read_bytes()[:400])
    with pytest.raises(WeightsError, match=r"forbidden_reader_en\.npz: cannot read .*train_reader"):
        ReaderWeights.load(damaged)


def test_training_is_deterministic_and_survives_its_file(tmp_path):
    replies, _ = load_training_set(default_corpus_dir())
    settings = ReaderSettings(epochs=1, threads=1)
    made = []
    for attempt in range(2):
        tuner = Tuner(settings)
        tuner.train(replies[:40])
        path = tmp_path / f"reader{attempt}.npz"
        tuner.weights(np.full(len(READER_KINDS), 0.5, np.float32), {"replies": 40}).save(path)
        made.append(path)
    assert made[0].read_bytes() == made[1].read_bytes()
    reader = TunedReader(ReaderWeights.load(made[0]), runtime="torch")  # as training reads its fold readers
    first = reader.probabilities(["It's your own fault.", "I'm sorry about that."])
    assert first.shape == (2, len(READER_KINDS)) and np.array_equal(first, reader.probabilities(
        ["It's your own fault.", "I'm sorry about that."]))


BLAME_ONLY_THE_READER_HEARS = ("Thanks for waiting. I've looked at the account and honestly, if you'd read the "
                               "confirmation email you'd have seen both payments were listed.")


def test_a_practice_call_is_read_again_when_it_ends_and_scored_on_that(scenarios_dir, tmp_path):
    loaded = load_scenario(scenarios_dir / "billing-overcharge.yaml")
    replies = ["Hello, billing, how can I help?", BLAME_ONLY_THE_READER_HEARS,
               "Could you confirm your date of birth for security?"]
    answered = []
    finished = run_call(loaded, builtin_analysers().create("semantic", loaded.scenario), SilentVoice(),
                        ScriptedReplies(parse_reply(r) for r in replies), tmp_path / "call",
                        on_event=lambda e: answered.append(e) if isinstance(e, TraineeAnswered) else None)
    live = {e.record.index: e.analysis for e in answered}
    blamed = next(i for i, a in live.items() if a.transcript.text == BLAME_ONLY_THE_READER_HEARS)
    assert not live[blamed].forbidden  # the customer reacted to the live reading
    stored = read_call(tmp_path / "call")
    assert [h.phrase_id for h in stored.turns[blamed].analysis.forbidden] == ["blame-customer"]
    assert stored.turns[blamed].analysis.turn_index == live[blamed].turn_index
    lines = [json.loads(line) for line in (tmp_path / "call" / "call.jsonl").read_text().splitlines()]
    reread = [line["turn"] for line in lines if line["type"] == "reread"]
    assert blamed in reread and set(reread) <= set(live)  # only a trainee turn whose reading changed
    for index, turn in enumerate(stored.turns):  # the step reader agrees on the plain turns' steps
        if index in live and index != blamed:
            assert {h.step_id for h in turn.analysis.steps_hit} == {h.step_id for h in live[index].steps_hit}
    assert any("confirmation email" in e.quote for e in finished.scorecard.dimension(Dimension.COMPLIANCE).evidence
               if e.rule == "forbidden.blame-customer")


def test_a_damaged_re_read_line_is_named_and_a_cut_off_one_is_dropped(scenarios_dir, tmp_path):
    loaded = load_scenario(scenarios_dir / "billing-overcharge.yaml")
    run_call(loaded, builtin_analysers().create("semantic", loaded.scenario), SilentVoice(),
             ScriptedReplies(parse_reply(r) for r in ["Hello.", BLAME_ONLY_THE_READER_HEARS]), tmp_path / "call")
    path = tmp_path / "call" / "call.jsonl"
    lines = path.read_text().splitlines()
    # the blaming turn's re-read (the step reader may re-read the greeting too)
    reread = next(i for i, line in enumerate(lines) if '"reread"' in line and "blame-customer" in line)
    path.write_text("\n".join(lines[:reread + 1]) + "\n" + lines[reread][:40] + "\n")  # killed mid-write
    assert read_call(path).turns[json.loads(lines[reread])["turn"]].analysis.forbidden
    path.write_text("\n".join([*lines[:reread], lines[reread].replace('"turn": ', '"turn": 9'), *lines[reread + 1:]]))
    with pytest.raises(ValueError, match=rf"call\.jsonl:{reread + 1}: a re-read of turn"):
        read_call(path)


def test_a_spoken_turn_is_read_again_as_the_live_turn_read_it_without_its_fillers():
    from simulator.analysis.semantic import _words_alone

    assert _words_alone("Um, I've, uh, refunded the second payment. Erm, hmm, anything else?") == \
        "I've, refunded the second payment. anything else?"
    assert _words_alone("The umbrella policy covers it.") == "The umbrella policy covers it."
    assert _words_alone("Uh.") == "Uh."  # nothing but a filler: kept, there is nothing else to read


def test_recorded_calls_are_not_read_by_the_reader(tmp_path):
    from simulator.config import load_settings
    from simulator.qa.importer import RecordingScorer

    scorer = RecordingScorer(load_settings(), transcriber=object())  # type: ignore[arg-type]
    analyser = scorer._fresh_analyser()
    assert isinstance(analyser.inner, SemanticAnalyser) and not analyser.inner.after_call
    assert analyser.inner.model.forbidden_reader is None


def test_a_reader_that_cannot_load_leaves_the_call_finished_and_scored_on_its_live_readings(
        scenarios_dir, tmp_path, monkeypatch, caplog):
    from simulator.analysis import semantic

    def missing(language: str = "en", task: object = None):
        raise WeightsError(f"{tmp_path}/forbidden_reader_en.npz: the post-call forbidden-move reader is not installed")

    monkeypatch.setattr(semantic, "shipped_reader", missing)
    loaded = load_scenario(scenarios_dir / "billing-overcharge.yaml")
    finished = run_call(loaded, builtin_analysers().create("semantic", loaded.scenario), SilentVoice(),
                        ScriptedReplies(parse_reply(r) for r in ["Hello.", BLAME_ONLY_THE_READER_HEARS]),
                        tmp_path / "call")
    stored = read_call(tmp_path / "call")
    assert stored.complete and stored.outcome == finished.record.outcome
    assert '"reread"' not in (tmp_path / "call" / "call.jsonl").read_text()
    assert "not read again after it (WeightsError" in caplog.text


READ_BY_BOTH_RUNTIMES = [
    "It's your own fault for not reading the terms.",
    "I'm so sorry about the delay, I'll chase the courier myself and call you back by five.",
    "That's not something I deal with, you'll have to ring the warehouse.",
    "ok",
]


def test_onnx_runtime_reads_as_torch_does_into_its_own_graph(tmp_path):
    from simulator.analysis.onnx_graph import ONNX_RUNTIME, TORCH_RUNTIME

    weights = ReaderWeights.load(shipped_reader_path())
    onnx = TunedReader(weights, graph_cache=tmp_path)
    torch = TunedReader(weights, runtime=TORCH_RUNTIME)
    assert onnx.runtime == ONNX_RUNTIME and torch.runtime == TORCH_RUNTIME
    assert np.abs(onnx.probabilities(READ_BY_BOTH_RUNTIMES) - torch.probabilities(READ_BY_BOTH_RUNTIMES)).max() <= 1e-4
    long_reply = " ".join(["I understand, and I'll look into the charge on your account today."] * 20)
    assert onnx.token_count(long_reply) == torch.token_count(long_reply) > weights.max_tokens
    graphs = [g.name for g in (tmp_path / "onnx").iterdir()]
    assert len(graphs) == 1 and graphs[0].startswith(f"forbidden-reader-{weights.digest()[:16]}-")


def test_reading_after_the_call_with_the_exported_graph_loads_neither_torch_nor_transformers(tmp_path):
    import subprocess
    import sys

    TunedReader(ReaderWeights.load(shipped_reader_path()), graph_cache=tmp_path).probabilities(["export it"])
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from simulator.analysis.behaviour.tuned_reader import TunedReader, ReaderWeights, shipped_reader_path\n"
        f"reader = TunedReader(ReaderWeights.load(shipped_reader_path()), graph_cache=Path({str(tmp_path)!r}))\n"
        "assert reader.probabilities(['That is your own fault.']).shape == (1, 6)\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_onnxruntime_the_reader_runs_through_torch_and_says_what_to_install(tmp_path, monkeypatch):
    import sys

    from simulator.analysis.onnx_graph import TORCH_RUNTIME

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    reader = TunedReader(ReaderWeights.load(shipped_reader_path()), graph_cache=tmp_path)
    with pytest.warns(UserWarning, match=r"'onnxruntime' is needed.*pip install onnxruntime.*forbidden-move reader"):
        assert reader.runtime == TORCH_RUNTIME
    assert reader.probabilities(["It's your own fault."]).shape == (1, len(READER_KINDS))


# -- the step reader: the same recipe with one head per step kind, deciding only the kinds it earned ---------
def test_a_step_reader_decides_only_its_kinds_and_its_trained_weights_are_kept_by_what_they_learnt(tmp_path):
    replies, _ = load_training_set(default_corpus_dir())
    settings = ReaderSettings(epochs=1, threads=1)
    # a cut of 0 on anything_else: the reader says every reply asks it, so its decision is plain to see
    cuts = np.array([0.0 if kind == "anything_else" else 1.0 for kind in STEP_KIND_NAMES], np.float32)
    reader = trained_reader(replies[:40], settings, cuts, {"decides": ["anything_else"]}, task=ReaderTask.STEPS,
                            keep=tmp_path)
    kept = list(tmp_path.glob("step_reader_*.npz"))
    assert len(kept) == 1 and reader.kinds == STEP_KIND_NAMES and set(reader.cuts) == {"anything_else"}
    again = trained_reader(replies[:40], settings, cuts, {"decides": ["anything_else"]}, task=ReaderTask.STEPS,
                           keep=tmp_path)  # read from the kept file: the same network, no second training
    reply = "Good morning, you're through to Harbour Bank, my name's Tom."
    assert np.array_equal(again.probabilities([reply]), reader.probabilities([reply]))
    clause_model = BehaviourModel(shipped_weights("en"), SentenceEncoder(threads=1).encode)
    with_reader = BehaviourModel(clause_model.weights, SentenceEncoder(threads=1).encode, step_reader=reader)
    live, after = clause_model.read(reply), with_reader.read(reply)
    assert "anything_else" not in {f.kind for f in live.steps}
    assert {f.kind for f in after.steps} == {f.kind for f in live.steps} | {"anything_else"}
    finding = after.found("anything_else")
    assert finding is not None and finding.quote in reply  # a clause of the reply quoted as evidence
    with pytest.raises(WeightsError, match="made for other kinds"):
        ReaderWeights.load(kept[0], ReaderTask.FORBIDDEN)
    with pytest.raises(WeightsError, match="made for other kinds"):
        ReaderWeights.load(shipped_reader_path(), ReaderTask.STEPS)


def test_the_step_reader_is_given_the_kinds_it_reads_better_than_the_clause_model_out_of_fold():
    gold = [LabelledReply("t1", f"r{i}", "retail", "", "reply", frozenset(labels), frozenset(), 0)
            for i, labels in enumerate([{"greet"}, {"greet"}, {"close"}, set(), {"close"}, set()])]
    probabilities = np.zeros((len(gold), len(STEP_KIND_NAMES)))
    greet, close = STEP_KIND_NAMES.index("greet"), STEP_KIND_NAMES.index("close")
    probabilities[[0, 1], greet] = 0.9  # the reader finds both greetings
    probabilities[[2, 3], close] = 0.9  # and one close, with a false alarm
    cuts = np.full(len(STEP_KIND_NAMES), 0.5, np.float32)
    clause_found = [frozenset(), frozenset({"greet"}), frozenset({"close"}), frozenset(), frozenset({"close"}),
                    frozenset()]
    assert kinds_the_reader_decides(gold, probabilities, cuts, clause_found, ReaderTask.STEPS) == ("greet",)


def test_the_step_reader_also_learns_the_real_agents_half_and_the_forbidden_reader_does_not():
    reader_only = reader_only_replies(reader_only_dir())
    real = real_words("en")
    assert len(reader_only) > 100 and len(real) > 300
    assert taught_beside(ReaderTask.FORBIDDEN, reader_only, real) == reader_only
    assert taught_beside(ReaderTask.STEPS, reader_only, real) == [*reader_only, *real]
    # the half teaches the steps it shows; what those calm turns never show is neither taught nor counted
    steps, _ = targets(real, STEP_KIND_NAMES)
    assert steps.sum() > 200  # 242 steps in the 309 utterances
    assert all({"apologise", "acknowledge_emotion", *READER_KINDS} <= reply.unsure for reply in real)


def test_a_rebuild_check_trains_afresh_and_needs_a_file_to_compare_with(tmp_path, capsys):
    from simulator.analysis.behaviour.train_reader import main as train_reader

    with pytest.raises(SystemExit) as stopped:
        train_reader(["--check", "--keep", str(tmp_path)])
    assert stopped.value.code == 2 and "--keep would read kept trainings" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        train_reader(["--task", "steps", "--check", "--out", str(tmp_path / "step_reader_en.npz")])
    assert stopped.value.code == 2 and "step_reader_en.npz to compare with" in capsys.readouterr().err
