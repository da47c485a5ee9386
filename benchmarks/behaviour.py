"""How well does the behaviour model read contact-centre replies it never saw?

    python benchmarks/behaviour.py [--data DIR] [--json] [--report] [--quick] [--only FIGURES]
    python benchmarks/behaviour.py --language zh [--report]    # the Mandarin model (corpus/zh, callcentre_dev_zh)
    python benchmarks/behaviour.py --encoder-name use-multilingual-v3 --quick   # another registered encoder

Every figure comes from a model that did not train on the replies it is scored on:

- ``corpus, held-out writer``: the project's corpus (``corpus/en``) is written in parts by six
  writers (files a*..f*).  Each of the writers a-e is held out in turn; the model trains on the
  others.  This is what the model's settings were tuned on.  Writer f is the report hold-out: it is
  scored only with ``--report``, by a model trained on writers a-e, and nothing was tuned on it.
- ``dev, never seen``: ``callcentre_dev/items.jsonl`` (320 replies by another writer, the LABELS.md
  scheme) scored by a model trained on the whole corpus only: the closest figure to replies written
  by others.
- ``dev, cross-validated``: each of the dev set's 8 domains held out in turn, training on the
  corpus plus the other 7 domains: how the shipped model (corpus + dev) should do.
- ``scenario``: the dev set through the real analyser (literal matches, kinds, examples, the
  empathy rules) with the model that never saw it, and an in-memory scenario whose steps are the
  13 kinds (two say_like examples each, no keywords) and whose forbidden entries are the 6 kinds
  with phrases and examples: the figures as ``callsim analyze`` gives them on unseen replies.
- ``EPITOME``: empathy none vs some on the 550 emotional-reaction pairs (Reddit peer support, a
  generality check; nothing is trained or tuned on it; non-commercial data, read in place).
- ``real_agents``: what a user gets (the shipped model, and with ``--forbidden-reader`` also the
  shipped post-call reader) on real bank agents' words (HarperValleyBank crowd workers, human
  transcripts: ``benchmarks/realcalls/hvb_agent_turns.jsonl``), labelled turn by turn with the
  LABELS.md scheme by an analyst who never ran the model (``hvb_agent_labels.jsonl``).  Half of the
  92 calls teach the clause model's steps (``corpus/real_en/``); only the other 46 (345 utterances)
  are scored, and nothing was tuned on them: words spoken by others on a phone.

Every model this benchmark trains learns from the real agents' half too (``REAL_WORDS_FOLDERS`` in
``simulator.analysis.behaviour.train``), as the shipped one does.
- ``ms per reply``: the shipped analyser on single replies (every 7th corpus reply), empty cache, as
  in a call, with the encoder on one thread and on two.

- ``--spoken``: the report-writer and dev-never-seen figures again on the replies as a practice
  call hears them: spoken by espeak-ng and written back by the shipped Whisper
  (``benchmarks/spoken_replies.py``; about a second a reply the first time, then cached).

- ``--forbidden-reader``: the report-writer and dev-never-seen figures again with the post-call
  reader of forbidden moves (``simulator.analysis.behaviour.tuned_reader``), fine-tuned on the same
  replies as the model beside it, its cuts chosen out of fold on writers a-e, g, h and i (never f
  or the dev set; ``train_reader.out_of_fold``, kept in ``.cache/``), and its time per reply.
- ``--step-reader``: those figures once more (``..._step_reader``) with the post-call reader of
  script steps beside the model (and the forbidden-move reader, when both are asked), trained the
  same way, deciding the steps it read better than the clause model on the cut folds' writers
  (``train_reader.kinds_the_reader_decides``).  Trained readers are kept in ``.cache/`` by a digest
  of what they learnt from, so a second run reads them.

``--only dev_never_seen,corpus_report_writer,epitome`` measures just those figures (each held-out
figure trains its own models, so the whole run takes minutes on an idle box and far longer on a
busy one).

With ``--language zh`` the same figures are printed for the Mandarin model: corpus/zh's writers (the
report hold-out is writer ``zd``), ``callcentre_dev_zh`` never seen and cross-validated by domain,
the scenario figure with a ``language: zh`` scenario whose steps have two Chinese examples each,
and the speed of the shipped Mandarin analyser; EPITOME is English and is skipped.

Data is read in place from ``../shared/data`` (or ``--data`` / ``CALLSIM_DEV_DATA``), never copied.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.realcalls.agent_words import call_of, labelled_agent_turns  # noqa: E402
from simulator.analysis.base import TurnInput  # noqa: E402
from simulator.analysis.behaviour.corpus import (  # noqa: E402
    LabelledReply,
    corpus_files,
    read_corpus_file,
    read_items_file,
    writer_of,
)
from simulator.analysis.behaviour.judge import empathy_judgement  # noqa: E402
from simulator.analysis.behaviour.metrics import Agreement, agreement, macro_f1  # noqa: E402
from simulator.analysis.behaviour.model import BehaviourModel, BehaviourReading, shipped_weights  # noqa: E402
from simulator.analysis.behaviour.train import TRAINING_ENCODERS, Trainer, real_words_items_files  # noqa: E402
from simulator.analysis.behaviour.train import real_words as real_words_of  # noqa: E402
from simulator.analysis.behaviour.train_reader import (  # noqa: E402
    ReaderSettings,
    chosen_cuts,
    clause_model_out_of_fold,
    kinds_the_reader_decides,
    out_of_fold,
    reader_only_dir,
    reader_only_replies,
    taught_beside,
    trained_reader,
)
from simulator.analysis.behaviour.tuned_reader import (  # noqa: E402
    READER_LANGUAGES,
    ReaderTask,
    TunedReader,
    shipped_reader,
)
from simulator.analysis.embeddings import SentenceEncoder, TextEncoder  # noqa: E402
from simulator.analysis.encoders import encoder_registry  # noqa: E402
from simulator.analysis.semantic import SemanticAnalyser  # noqa: E402
from simulator.contracts import Transcript  # noqa: E402
from simulator.scenario.kinds import STEP_KIND_NAMES  # noqa: E402
from simulator.scenario.model import Scenario  # noqa: E402

GOALS = {"empathy_binary_f1": 0.85, "empathy_three_class_f1": 0.70, "step_micro_f1": 0.85,
         "forbidden_recall": 0.90, "forbidden_precision": 0.80, "epitome_binary_f1": 0.80, "ms_per_reply": 50}
REPORT_WRITER = "f"
REPORT_WRITERS = {"en": REPORT_WRITER, "zh": "zd"}
DEV_SETS = {"en": "callcentre_dev", "zh": "callcentre_dev_zh"}

# Two examples per kind, as a trainer would write them in a scenario (our own wording).
STEP_EXAMPLES = {
    "greet": ["Good morning, thanks for calling.", "Hello, you're through to customer services."],
    "identify_self": ["My name's Priya and I'll be looking after you today.", "This is Tom from the accounts team."],
    "verify_identity": ["Can I take your date of birth and postcode, please?",
                        "For security, could you confirm the last four digits of your card?"],
    "acknowledge_emotion": ["I can hear how frustrated you are.", "I understand how worrying this must be for you."],
    "apologise": ["I'm really sorry about this.", "I apologise for the trouble this has caused you."],
    "restate_problem": ["So you were charged twice for the same order.",
                        "If I've got this right, the engineer never turned up on Tuesday."],
    "take_ownership": ["I'm going to sort this out for you myself.", "Leave it with me, I'll make sure it gets fixed."],
    "explain_next_steps": ["I'll raise a refund request now and email you the reference.",
                           "What happens next is I book an engineer and send you a text to confirm."],
    "set_timeline": ["You'll have the money back within three working days.",
                     "Someone will call you before 5pm today."],
    "offer_alternative": ["I can offer you a £20 credit for the trouble.",
                          "As a workaround you could collect it from the depot instead."],
    "confirm_resolution": ["Does that sort things out for you?", "Would Thursday morning work for you?"],
    "anything_else": ["Is there anything else I can help you with today?", "Anything else I can do for you?"],
    "close": ["Thanks for calling, have a lovely day.", "Thank you for your patience, goodbye."],
}
FORBIDDEN_EXAMPLES = {
    "blame_customer": (["your fault", "you should have"], ["You should have read the terms before signing."]),
    "dismiss_feelings": (["calm down", "sorry you feel that way"], ["There's no need to get so worked up about it."]),
    "not_my_job": (["not my department", "not my problem"], ["You'll have to ring someone else about that."]),
    "false_promise": (["i guarantee", "i promise it will"], ["It'll definitely be fixed by tonight, 100 percent."]),
    "rude_or_sarcastic": (["whatever", "obviously"], ["Well, if you'd listened the first time we wouldn't be here."]),
    "jargon": (["escalated to tier two", "the sla"], ["Your ticket's P2 in the NOC queue pending RCA."]),
}


# The same, as a Mandarin trainer would write them (our own wording).
ZH_STEP_EXAMPLES = {
    "greet": ["您好，很高兴为您服务。", "您好，这里是客服中心。"],
    "identify_self": ["我是客服小王，工号1024。", "我是售后专员李明，今天由我为您处理。"],
    "verify_identity": ["麻烦您报一下身份证后四位。", "为了核实身份，请您提供一下卡号后四位和预留手机号。"],
    "acknowledge_emotion": ["我能感受到您现在很着急。", "遇到这种事，换谁都会生气，您的心情我理解。"],
    "apologise": ["真的非常抱歉。", "给您添麻烦了，实在对不起。"],
    "restate_problem": ["您的意思是同一笔订单被扣了两次款，对吗？", "也就是说师傅周二没有上门。"],
    "take_ownership": ["这件事我来负责，一定给您处理好。", "交给我吧，我全程跟进。"],
    "explain_next_steps": ["我现在帮您提交退款申请，然后把单号发给您。",
                           "接下来我会给您预约维修师傅，并短信通知您时间。"],
    "set_timeline": ["钱会在三个工作日内退回到您的账户。", "今天下午五点前会有人给您回电话。"],
    "offer_alternative": ["我可以给您申请一张二十元的补偿券。", "您也可以先到附近的网点自取。"],
    "confirm_resolution": ["这样处理您看可以吗？", "周四上午您方便吗？"],
    "anything_else": ["请问还有什么可以帮您的吗？", "您还有其他问题吗？"],
    "close": ["感谢您的来电，祝您生活愉快，再见。", "谢谢您的耐心，再见。"],
}
ZH_FORBIDDEN_EXAMPLES = {
    "blame_customer": (["您自己", "怪您"], ["这是您自己没看清楚条款造成的。"]),
    "dismiss_feelings": (["您先别激动", "冷静一下"], ["这点小事没必要这么激动。"]),
    "not_my_job": (["不归我们管", "不是我们部门"], ["这个您得打别的电话去问。"]),
    "false_promise": (["我保证", "百分之百"], ["今晚肯定修好，我打包票。"]),
    "rude_or_sarcastic": (["随便您", "爱信不信"], ["要是您第一次就听清楚了，我们也不用说这么多。"]),
    "jargon": (["工单流转", "SLA"], ["您的工单是P2级，在NOC队列里等RCA。"]),
}


def recall_embeddings(encoder: TextEncoder) -> Path:
    """Give ``encoder`` the vectors an earlier run saved (embedding the corpus is most of a run's
    time); returns the file, for ``keep_embeddings`` to write back."""
    cache = REPO / ".cache" / f"embeddings-{encoder.vectors_name}.npz"
    if cache.is_file():
        with np.load(cache) as stored:
            encoder.remember(dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True)))
    return cache


def keep_embeddings(encoder: TextEncoder, cache: Path) -> None:
    if cache.name != f"embeddings-{encoder.vectors_name}.npz":
        # the encoder fell back to another runtime (warned): its vectors are not this file's to keep
        print(f"not keeping the vectors in {cache}: the encoder ran as {encoder.vectors_name}", file=sys.stderr)
        return
    cache.parent.mkdir(exist_ok=True)
    known = encoder.remembered()
    np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))


def data_dir(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("CALLSIM_DEV_DATA") or REPO.parent / "shared" / "data")


def writers_apart(corpus: Sequence[LabelledReply], writers: Sequence[str], report_writer: str = REPORT_WRITER
                  ) -> tuple[list[LabelledReply], list[LabelledReply]]:
    """The named writers' replies, and what a model scored on them trains on: the rest of the corpus
    less them and the report writer."""
    held = [r for r in corpus if writer_of(r.source) in writers]
    rest = [r for r in corpus if writer_of(r.source) not in (*writers, report_writer)]
    return held, rest


def measured(gold: Sequence[LabelledReply], model: BehaviourModel) -> Agreement:
    return pooled([(gold, model)])


def trained(replies: Sequence[LabelledReply], encoder: TextEncoder, language: str = "en") -> BehaviourModel:
    trainer = Trainer(replies, encoder.encode, language=language)
    return BehaviourModel(trainer.train(encoder.name, {"language": language}), encoder.encode)


def pooled(parts: list[tuple[Sequence[LabelledReply], BehaviourModel]]) -> Agreement:
    gold: list[LabelledReply] = []
    readings: list[BehaviourReading] = []
    for items, model in parts:
        readings.extend(model.read_many([item.reply for item in items]))
        gold.extend(items)
    return agreement_of(gold, readings)


def agreement_of(gold: Sequence[LabelledReply], readings: Sequence[BehaviourReading]) -> Agreement:
    labels = [frozenset(f.kind for f in (*r.steps, *r.forbidden)) for r in readings]
    levels = [int(empathy_judgement(r).level) for r in readings]  # as the analyser judges it
    return agreement(list(gold), labels, levels)


def summary(result: Agreement, name: str = "") -> dict:
    if name:  # progress on stderr: the whole run takes minutes
        print(f"{name}: empathy {result.empathy_binary_f1:.3f} / {result.empathy_three_class_f1:.3f}, steps "
              f"{result.steps.f1:.3f} (R {result.steps.recall:.3f} P {result.steps.precision:.3f}), forbidden "
              f"R {result.forbidden.recall:.3f} P {result.forbidden.precision:.3f}", file=sys.stderr, flush=True)
    return {
        "replies": result.replies,
        "empathy_binary_f1": round(result.empathy_binary_f1, 3),
        "empathy_three_class_f1": round(result.empathy_three_class_f1, 3),
        "step_micro_f1": round(result.steps.f1, 3), "step_recall": round(result.steps.recall, 3),
        "step_precision": round(result.steps.precision, 3),
        "forbidden_recall": round(result.forbidden.recall, 3),
        "forbidden_precision": round(result.forbidden.precision, 3),
        "forbidden_f1": round(result.forbidden.f1, 4),  # four places: rules compare it to 0.01
        "counts_tp_fp_fn": {"steps": [result.steps.tp, result.steps.fp, result.steps.fn],
                            "forbidden": [result.forbidden.tp, result.forbidden.fp, result.forbidden.fn]},
        "per_kind_f1": {kind: round(counts.f1, 2) for kind, counts in result.per_kind.items()},
    }


def benchmark_scenario(language: str = "en") -> Scenario:
    steps, forbidden = (STEP_EXAMPLES, FORBIDDEN_EXAMPLES) if language == "en" else (ZH_STEP_EXAMPLES,
                                                                                      ZH_FORBIDDEN_EXAMPLES)
    return Scenario.model_validate({
        "id": "behaviour-benchmark", "title": "kinds", "summary": "every kind", "difficulty": 1, "language": language,
        "persona": {"name": "C", "situation": "s", "voice": "v", "mood": 50},
        "script": [{"id": kind, "description": kind.replace("_", " "), "say_like": steps[kind]}
                   for kind in STEP_KIND_NAMES],
        "forbidden": [{"id": kind, "phrases": phrases, "examples": examples}
                      for kind, (phrases, examples) in forbidden.items()],
        "start": "a", "on_patience_lost": "a", "on_max_turns": "a",
        "nodes": {"a": {"lines": ["hi"], "end": "resolved"}},
    })


def through_analyser(gold: Sequence[LabelledReply], encoder: TextEncoder, model: BehaviourModel,
                     language: str = "en") -> Agreement:
    analyser = SemanticAnalyser(benchmark_scenario(language), encoder, model)
    labels, levels = [], []
    for item in gold:
        analysis = analyser.analyse(TurnInput(1, Transcript(item.reply), item.customer))
        labels.append(frozenset(analysis.step_ids) | frozenset(analysis.forbidden_ids))
        levels.append(int(analysis.empathy.level))
    return agreement(gold, labels, levels)


def epitome(folder: Path, encoder: TextEncoder) -> dict | None:
    path = folder / "empathy" / "epitome_emotional_reactions.jsonl"
    if not path.is_file():
        return None
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    analyser = SemanticAnalyser(None, encoder)
    gold = [int(int(p["level"]) > 0) for p in pairs]
    guess = [int(analyser.analyse(TurnInput(1, Transcript(p["response"]), p["seeker"])).empathy.level > 0)
             for p in pairs]
    return {"pairs": len(pairs), "binary_f1": round(macro_f1(gold, guess, (0, 1)), 3)}


def speed(replies: Sequence[str], turns: int, threads: int, language: str = "en", after_call: bool = False) -> dict:
    encoder = encoder_registry().create(TRAINING_ENCODERS[language], threads=threads)
    analyser = SemanticAnalyser(benchmark_scenario(language), encoder, after_call=after_call)
    analyser.analyse(TurnInput(1, Transcript("Warm-up reply, thank you. 您好。"), ""))
    times = []
    for reply in replies[:turns]:
        encoder.clear_cache()
        start = time.perf_counter()
        analyser.analyse(TurnInput(1, Transcript(reply), ""))
        times.append((time.perf_counter() - start) * 1000)
    return timing(times)


def timing(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    return {"turns": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1)}


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


AfterCall = Callable[[BehaviourModel, Sequence[LabelledReply]], dict[str, BehaviourModel]]


def readers_beside(corpus: Sequence[LabelledReply], encoder: TextEncoder, forbidden: bool, steps: bool,
                   real_words: Sequence[LabelledReply]) -> AfterCall:
    """Gives a model the post-call readers fine-tuned on the replies it trained on, with per-kind cuts
    chosen on writers their four cut folds never trained on (never f): with ``forbidden`` the ``reader``
    model (the forbidden-move reader beside it); with ``steps`` the ``step_reader`` model (the step
    reader beside it too, or alone)."""
    extra = reader_only_replies(reader_only_dir())  # the writers taught to the reader alone join every training
    keep = REPO / ".cache"
    cuts = None
    if forbidden:
        held, probabilities = out_of_fold(corpus, ReaderSettings(), _progress, keep=keep, reader_only=extra)
        cuts = chosen_cuts(probabilities, held)
    step_cuts, decides = None, ()
    step_extra = taught_beside(ReaderTask.STEPS, extra, real_words)
    if steps:
        held, probabilities = out_of_fold(corpus, ReaderSettings(), _progress, keep=keep, reader_only=step_extra,
                                          task=ReaderTask.STEPS)
        step_cuts = chosen_cuts(probabilities, held, task=ReaderTask.STEPS)
        decides = kinds_the_reader_decides(held, probabilities, step_cuts,
                                           clause_model_out_of_fold(corpus, real_words, _progress), ReaderTask.STEPS)
        _progress(f"the step reader decides {', '.join(decides)}")

    def with_readers(model: BehaviourModel, replies: Sequence[LabelledReply]) -> dict[str, BehaviourModel]:
        taught = [*replies, *extra]
        reader = None if cuts is None else trained_reader(taught, ReaderSettings(), cuts, progress=_progress, keep=keep)
        models = {} if reader is None else {"reader": BehaviourModel(model.weights, encoder.encode, reader)}
        if step_cuts is not None:
            step_reader = trained_reader([*replies, *step_extra], ReaderSettings(), step_cuts,
                                         {"decides": list(decides)}, _progress, ReaderTask.STEPS, keep)
            models["step_reader"] = BehaviourModel(model.weights, encoder.encode, reader, step_reader)
        return models

    return with_readers


def report_writer_figures(corpus: Sequence[LabelledReply], report_writer: str,
                          train: Callable[[Sequence[LabelledReply]], BehaviourModel],
                          with_reader: AfterCall | None, spoken: bool) -> dict:
    """The report writer scored by a model trained on the other writers (and its reader, and as spoken)."""
    held = [r for r in corpus if writer_of(r.source) == report_writer]
    rest = [r for r in corpus if writer_of(r.source) != report_writer]
    model = train(rest)
    after_call = with_reader(model, rest) if with_reader is not None else {}
    return scored_figures("corpus_report_writer", held, model, after_call, spoken)


def scored_figures(name: str, gold: Sequence[LabelledReply], model: BehaviourModel,
                   after_call: dict[str, BehaviourModel], spoken: bool) -> dict:
    """``name``: the model's figures on ``gold``; ``name_reader`` (``name_step_reader``): with the
    post-call reader(s), where measured; with ``spoken``, all again as ``name_spoken...`` on the
    replies as Whisper wrote them from espeak-ng's speech."""
    figures = {name: summary(measured(gold, model), name)}
    for suffix, reading_whole in after_call.items():
        figures[f"{name}_{suffix}"] = summary(measured(gold, reading_whole), f"{name}_{suffix}")
    if spoken:
        from benchmarks.spoken_replies import spoken as spoken_replies

        figures.update(scored_figures(f"{name}_spoken", spoken_replies(gold, progress=True), model, after_call,
                                      spoken=False))
    return figures


def calls_taught(language: str = "en") -> frozenset[str]:
    """The real calls whose agents' words the clause model learns from (ids ``hvb-<call>-<index>``)."""
    return frozenset(item.item_id.split("-")[1] for path in real_words_items_files(language)
                     for item in read_items_file(path))


def real_agent_figures(encoder: TextEncoder, with_reader: bool) -> dict:
    """The shipped model, and the shipped readers beside it (as after the call), on real agents' words
    nobody trained on."""
    taught = calls_taught()
    gold = [turn for turn in labelled_agent_turns() if call_of(turn) not in taught]
    model = BehaviourModel(shipped_weights("en"), encoder.encode)
    models = {"real_agents": model}
    if with_reader:
        models["real_agents_reader"] = BehaviourModel(model.weights, encoder.encode, shipped_reader("en"),
                                                      shipped_reader("en", ReaderTask.STEPS))
    figures = {}
    for name, one in models.items():
        readings = one.read_many([g.reply for g in gold])
        figures[name] = {**summary(agreement_of(gold, readings), name), **false_alarms(gold, readings)}
    return figures


def false_alarms(gold: Sequence[LabelledReply], readings: Sequence[BehaviourReading]) -> dict:
    """Where the gold has (almost) no positives F1 says little: how many replies the model reads with a
    forbidden move, or with empathy, that the analyst did not label (the rate per reply)."""
    pairs = list(zip(gold, readings, strict=True))
    forbidden = sum(bool({f.kind for f in r.forbidden} - g.labels - g.unsure) for g, r in pairs)
    warm = sum(g.empathy == 0 and int(empathy_judgement(r).level) > 0 for g, r in pairs)
    calm = sum(g.empathy == 0 for g in gold)
    return {"forbidden_false_alarm_rate": round(forbidden / len(gold), 3),
            "empathy_false_alarm_rate": round(warm / calm, 3) if calm else None}


def reader_speed(model: BehaviourModel, replies: Sequence[str]) -> dict:
    """The post-call reader's own time per reply, one thread (the clause model's is ``speed``)."""
    assert isinstance(model.forbidden_reader, TunedReader)
    # trained on 2 threads; a call's scoring uses 1, through ONNX Runtime (the graph kept in .cache/onnx)
    reader = TunedReader(model.forbidden_reader.weights, threads=1, graph_cache=REPO / ".cache")
    reader.probabilities(["Warm-up reply."])
    times = []
    for reply in replies:
        start = time.perf_counter()
        reader.reply_probabilities(reply, [(0, len(reply))])
        times.append((time.perf_counter() - start) * 1000)
    return timing(times)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="dev data folder (default ../shared/data or $CALLSIM_DEV_DATA)")
    parser.add_argument("--language", choices=sorted(DEV_SETS), default="en",
                        help="which model: its corpus, dev set, clause splitting and encoder")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default corpus/LANGUAGE)")
    parser.add_argument("--report", action="store_true", help=f"also score the report hold-out writer {REPORT_WRITER}")
    parser.add_argument("--quick", action="store_true", help="skip the dev cross-validation and EPITOME")
    parser.add_argument("--json", action="store_true", help="print only the JSON")
    parser.add_argument("--skip-writer-folds", action="store_true",
                        help="skip the held-out-writer loop over the tuning writers (one training per writer)")
    parser.add_argument("--encoder", type=Path, help="compare another sentence-transformers model folder "
                        "(trains and scores with it; the scenario and speed figures use the shipped model)")
    parser.add_argument("--forbidden-reader", action="store_true",
                        help="also score the report writer and the dev set with the post-call forbidden-move "
                             "reader fine-tuned beside the model (four more trainings the first time)")
    parser.add_argument("--step-reader", action="store_true",
                        help="also score the report writer and the dev set with the post-call step reader beside "
                             "the model (and the forbidden-move reader, with --forbidden-reader; four more "
                             "trainings the first time)")
    parser.add_argument("--spoken", action="store_true",
                        help="also score the report writer and the dev set as a practice call hears them: spoken "
                             "by espeak-ng and written back by Whisper (benchmarks/spoken_replies.py; slow the "
                             "first time, then cached)")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), default=None,
                        help="comma-separated figures to measure: " + ",".join(FIGURES))
    parser.add_argument("--encoder-name", choices=encoder_registry().names(), default=None,
                        help="train and score with this registered encoder instead of the language's own "
                             "(the scenario and speed figures use the shipped model)")
    args = parser.parse_args(argv)
    if args.spoken and args.language != "en":
        parser.error("--spoken speaks English replies (espeak-ng's English voices, Whisper tiny.en); "
                     "there is no Mandarin version")
    if args.only is not None and not args.only <= set(FIGURES):
        parser.error(f"--only: unknown figure(s) {', '.join(sorted(args.only - set(FIGURES)))}; "
                     f"choose from {', '.join(FIGURES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    wanted = _wanted(args)
    if args.skip_writer_folds:
        wanted.discard("corpus_held_out_writer")
    language = args.language
    report_writer = REPORT_WRITERS[language]
    args.corpus = args.corpus or REPO / "corpus" / language
    folder = data_dir(args.data)
    dev_path = folder / DEV_SETS[language] / "items.jsonl"
    encoder: TextEncoder
    if args.encoder_name or language != "en":
        encoder = encoder_registry().create(args.encoder_name or TRAINING_ENCODERS[language], threads=2,
                                            cache_size=200_000)
    else:
        encoder = SentenceEncoder(threads=2, cache_size=200_000, model_path=args.encoder)
    other_encoder = args.encoder is not None or (args.encoder_name not in (None, TRAINING_ENCODERS[language]))
    cache = recall_embeddings(encoder)

    real_words = real_words_of(language)

    def train(replies: Sequence[LabelledReply]) -> BehaviourModel:
        model = trained([*replies, *real_words], encoder, language)
        keep_embeddings(encoder, cache)  # a long run stopped later keeps what it embedded (a larger encoder: an hour)
        return model

    corpus = [r for path in corpus_files(args.corpus) for r in read_corpus_file(path)]
    writers = sorted({writer_of(r.source) for r in corpus})
    tuning = [w for w in writers if w != report_writer]
    result: dict = {"goals": GOALS, "corpus_replies": len(corpus), "writers": writers}

    with_reader = readers_beside(corpus, encoder, args.forbidden_reader, args.step_reader, real_words) \
        if (args.forbidden_reader or args.step_reader) and language == "en" \
        and not other_encoder and wanted & {"corpus_report_writer", "dev_never_seen"} else None
    parts = []
    for writer in tuning if "corpus_held_out_writer" in wanted else ():
        held, rest = writers_apart(corpus, [writer], report_writer)
        parts.append((held, train(rest)))
    if parts:
        result["corpus_held_out_writer"] = summary(pooled(parts), "corpus_held_out_writer")
    if "corpus_report_writer" in wanted:
        result.update(report_writer_figures(corpus, report_writer, train, with_reader, args.spoken))
    if dev_path.is_file() and wanted & {"dev_never_seen", "dev_cross_validated", "scenario_dev"}:
        dev = read_items_file(dev_path)
        never_saw_dev = train(corpus)
        if "dev_never_seen" in wanted:
            reading_whole = with_reader(never_saw_dev, corpus) if with_reader is not None else {}
            result.update(scored_figures("dev_never_seen", dev, never_saw_dev, reading_whole, args.spoken))
            if "reader" in reading_whole:
                result["reader_speed"] = reader_speed(reading_whole["reader"], [r.reply for r in corpus[::7]][:100])
        if "dev_cross_validated" in wanted:
            domains = sorted({d.domain for d in dev})
            result["dev_cross_validated"] = summary(pooled([
                ([d for d in dev if d.domain == domain],
                 train(corpus + [d for d in dev if d.domain != domain]))
                for domain in domains]),
                "dev_cross_validated")
        if not other_encoder and "scenario_dev" in wanted:  # the shipped weights are made for the shipped encoder
            result["scenario_dev"] = summary(through_analyser(dev, encoder, never_saw_dev, language), "scenario_dev")
    if "real_agents" in wanted and language == "en" and not other_encoder:
        result.update(real_agent_figures(encoder, args.forbidden_reader))
    if "epitome" in wanted and language == "en":
        result["epitome"] = epitome(folder, encoder)
    keep_embeddings(encoder, cache)
    replies, turns = [r.reply for r in corpus[::7]], 60 if args.quick else 200
    result["speed"] = {} if other_encoder or "speed" not in wanted else {
        f"{threads}_thread": speed(replies, turns, threads, language) for threads in (1, 2)
    }
    if result["speed"] and language in READER_LANGUAGES:  # the clause model and the post-call reader together
        result["speed"]["2_thread_with_the_reader"] = speed(replies, turns, 2, language, after_call=True)
    if not args.json:
        print(table(result))
        print()
    print(json.dumps(result, indent=2))
    return 0


FIGURES = ("corpus_held_out_writer", "corpus_report_writer", "dev_never_seen", "dev_cross_validated", "scenario_dev",
           "real_agents", "epitome", "speed")


def _wanted(args: argparse.Namespace) -> set[str]:
    """The figures to measure: --only's, else all but the report writer (--report) and, with --quick,
    the dev cross-validation and EPITOME."""
    if args.only is not None:
        return set(args.only)
    wanted = set(FIGURES) - {"corpus_report_writer"} | ({"corpus_report_writer"} if args.report else set())
    return wanted - {"dev_cross_validated", "epitome"} if args.quick else wanted


def table(result: dict) -> str:
    rows = [("figure", "empathy 2-class", "empathy 3-class", "step micro-F1", "forbidden R / P")]
    for key in ("corpus_held_out_writer", "corpus_report_writer", "corpus_report_writer_reader",
                "corpus_report_writer_step_reader", "corpus_report_writer_spoken",
                "corpus_report_writer_spoken_reader", "corpus_report_writer_spoken_step_reader", "dev_never_seen",
                "dev_never_seen_reader", "dev_never_seen_step_reader", "dev_never_seen_spoken",
                "dev_never_seen_spoken_reader", "dev_never_seen_spoken_step_reader",
                "dev_cross_validated", "scenario_dev", "real_agents", "real_agents_reader"):
        if key in result:
            r = result[key]
            rows.append((f"{key} ({r['replies']})", str(r["empathy_binary_f1"]), str(r["empathy_three_class_f1"]),
                         str(r["step_micro_f1"]), f"{r['forbidden_recall']} / {r['forbidden_precision']}"))
    goals = result["goals"]
    rows.append(("goal", f">= {goals['empathy_binary_f1']}", f">= {goals['empathy_three_class_f1']}",
                 f">= {goals['step_micro_f1']}", f">= {goals['forbidden_recall']} / {goals['forbidden_precision']}"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    for key in ("real_agents", "real_agents_reader"):
        if key in result:
            r = result[key]
            lines.append(f"{key}: replies read with a forbidden move the analyst did not label "
                         f"{r['forbidden_false_alarm_rate']:.1%}; with empathy where the analyst heard none "
                         f"{r['empathy_false_alarm_rate']:.1%}; steps P {r['step_precision']} R {r['step_recall']}")
    if result.get("epitome"):
        lines.append(f"EPITOME none-vs-some macro-F1 ({result['epitome']['pairs']} pairs, never trained on): "
                     f"{result['epitome']['binary_f1']} (goal >= {goals['epitome_binary_f1']})")
    if result.get("reader_speed"):
        s = result["reader_speed"]
        lines.append(f"post-call forbidden-move reader, one reply, one thread: median {s['median_ms']} ms, "
                     f"P95 {s['p95_ms']} ms over {s['turns']} replies")
    for key, s in result["speed"].items():
        lines.append(f"analysis of one reply, {key.replace('_', ' ')}, empty cache: median {s['median_ms']} ms, "
                     f"P95 {s['p95_ms']} ms over {s['turns']} replies (goal <= {goals['ms_per_reply']} ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
