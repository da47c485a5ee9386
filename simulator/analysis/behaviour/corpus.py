"""Labelled replies for training and measuring the behaviour model.

Two formats are read into one ``LabelledReply``:

* the project's corpus (``corpus/<language>/*.jsonl``): the reply split into the writer's clauses,
  each with the step and forbidden kinds it performs;
* the development-set format (``items.jsonl``): the whole reply's labels, with borderline labels
  kept apart as ``*_unsure`` (neither counted nor penalised).

Customer lines rated for distress (``CustomerLine``) are read from either corpus format or from
files of customer turns alone (``corpus/customer_en/``: ``{"id", "domain", "style", "customer",
"customer_distress"}``), which teach the customer-distress regression and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.scenario.kinds import CLAUSE_LABELS


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class LabelledReply:
    source: str  # the file it came from (one writer per file group): the unit of held-out testing
    item_id: str
    domain: str
    customer: str
    reply: str
    labels: frozenset[str]  # steps and forbidden kinds of the whole reply
    unsure: frozenset[str]  # borderline labels: neither a hit nor a miss
    empathy: int | None  # 0 none, 1 weak, 2 strong; None = undecidable
    segments: tuple[Segment, ...] = ()  # the writer's clauses, when labelled clause by clause
    customer_distress: int | None = None  # 0 calm, 1 some frustration or worry, 2 angry or distressed


# Writers who labelled only some kinds; the others are ``unsure`` for their replies (neither taught
# nor scored).  Writer j wrote empathy outside the contact centre (friends, forums, family) and
# labelled only the kinds that concern empathy: a friend's "I'll come with you" is not marked as
# take_ownership, so it must not teach that it is none.
KINDS_LABELLED_BY_WRITER: dict[str, frozenset[str]] = {
    "j": frozenset({"apologise", "acknowledge_emotion", "dismiss_feelings", "blame_customer", "rude_or_sarcastic"}),
}


class CorpusError(ValueError):
    pass


def _labels(values: Iterable[str], where: str) -> frozenset[str]:
    found = frozenset(values)
    unknown = found - set(CLAUSE_LABELS)
    if unknown:
        raise CorpusError(f"{where}: unknown label(s) {sorted(unknown)}")
    return found


def _json_lines(path: Path, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) for each non-blank line; a line that is not a JSON object is an error."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(f"{where}: not {kind} line ({err})") from None
        if not isinstance(item, dict):
            raise CorpusError(f"{where}: not {kind} line (expected a JSON object)")
        yield where, item


def read_corpus_file(path: Path) -> list[LabelledReply]:
    replies = []
    for where, item in _json_lines(path, "a corpus"):
        try:
            segments = tuple(Segment(s["text"].strip(), _labels([*s["steps"], *s["forbidden"]], where))
                             for s in item["segments"])
            replies.append(LabelledReply(
                source=path.stem, item_id=item["id"], domain=item["domain"], customer=item["customer"],
                reply=" ".join(s.text for s in segments),
                labels=frozenset().union(*(s.labels for s in segments)), unsure=_unlabelled_by(path.stem),
                empathy=int(item["empathy"]), segments=segments,
                customer_distress=int(item["customer_distress"])))
        except (KeyError, TypeError, ValueError) as err:
            raise CorpusError(f"{where}: not a corpus line ({err})") from None
    return replies


def _unlabelled_by(source: str) -> frozenset[str]:
    labelled = KINDS_LABELLED_BY_WRITER.get(writer_of(source))
    return frozenset() if labelled is None else frozenset(CLAUSE_LABELS) - labelled


def read_items_file(path: Path, source: str | None = None) -> list[LabelledReply]:
    replies = []
    for where, item in _json_lines(path, "an items"):
        try:
            replies.append(LabelledReply(
                source=source or path.stem, item_id=item["id"], domain=item.get("domain", ""),
                customer=item.get("customer", ""), reply=item["reply"],
                labels=_labels([*item["steps"], *item["forbidden"]], where),
                unsure=_labels([*item.get("steps_unsure", ()), *item.get("forbidden_unsure", ())], where),
                empathy=item["empathy"]))
        except (KeyError, TypeError) as err:
            raise CorpusError(f"{where}: not an items line ({err})") from None
    return replies


@dataclass(frozen=True, slots=True)
class CustomerLine:
    """A customer's turn and how distressed its words are (0 calm, 1 some frustration or worry, 2 angry)."""

    source: str
    item_id: str
    text: str
    distress: int


def customer_lines_of(replies: Iterable[LabelledReply]) -> list[CustomerLine]:
    """The rated customer lines of labelled replies (one per reply, as the replies repeat them)."""
    return [CustomerLine(r.source, r.item_id, r.customer.strip(), r.customer_distress) for r in replies
            if r.customer_distress is not None and r.customer.strip()]


def read_customer_lines(path: Path) -> list[CustomerLine]:
    """The rated customer lines of a file of customer turns or of corpus replies."""
    lines = []
    for where, item in _json_lines(path, "a customer-line"):
        try:
            distress, text = int(item["customer_distress"]), str(item["customer"]).strip()
            if distress not in (0, 1, 2):
                raise ValueError(f"customer_distress must be 0, 1 or 2, not {distress}")
            if text:
                lines.append(CustomerLine(path.stem, str(item["id"]), text, distress))
        except (KeyError, TypeError, ValueError) as err:
            raise CorpusError(f"{where}: not a customer line ({err})") from None
    return lines


def customer_lines_in(folders: Iterable[Path]) -> list[CustomerLine]:
    return [line for folder in folders for path in corpus_files(folder) for line in read_customer_lines(path)]


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jsonl"))


def writer_of(source: str) -> str:
    """Corpus files are named by writer and part (a1, a2 ... f6): the writer is the letter."""
    return source.rstrip("0123456789") or source


def fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
