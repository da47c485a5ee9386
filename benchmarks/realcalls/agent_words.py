"""The HarperValleyBank agents' utterances paired with the analysts' labels, read in one place.

``hvb_agent_turns.jsonl`` holds the words, ``hvb_agent_labels.jsonl`` the LABELS.md labels given
to them blind (README.md here).  The benchmark scores them and ``corpus/real_en/build.py`` writes
half of them as training items; both read them through ``labelled_agent_turns``.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.analysis.behaviour.corpus import LabelledReply

HERE = Path(__file__).resolve().parent


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def paired_rows(folder: Path = HERE) -> list[tuple[dict, dict]]:
    """Each utterance's row and its label row, in file order (the labels file may be in any order)."""
    labels = {(row["sid"], row["index"]): row for row in _rows(folder / "hvb_agent_labels.jsonl")}
    pairs = []
    for row in _rows(folder / "hvb_agent_turns.jsonl"):
        label = labels.get((row["sid"], row["index"]))
        if label is None:
            raise ValueError(f"{folder / 'hvb_agent_labels.jsonl'}: no label for {row['sid']}:{row['index']}")
        pairs.append((row, label))
    return pairs


def labelled_agent_turns(folder: Path = HERE) -> list[LabelledReply]:
    """Every utterance in file order, ``item_id`` ``<call>:<index>``; ``unsure`` kinds neither hit nor miss."""
    return [LabelledReply(source="hvb", item_id=f"{row['sid']}:{row['index']}", domain="bank", customer="",
                          reply=row["text"], labels=frozenset((*label["steps"], *label["forbidden"])),
                          unsure=frozenset(label["unsure"]), empathy=label["empathy"])
            for row, label in paired_rows(folder)]


def call_of(turn: LabelledReply) -> str:
    return turn.item_id.split(":")[0]
