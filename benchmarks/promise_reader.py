"""How many held-out phrasings the promise reader reads right, by expected direction.

    python benchmarks/promise_reader.py

Reads ``tests/scoring/test_promises_heldout.py`` (replies, the card each breaks or none) and scores
them with whatever reader is importable; a reader from before weekdays were read (no ``said_on``)
is run without the call's date, so the same script gives the before and after figures in
docs/scoring.md.  Prints each reply read wrongly.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.analysis.promises import read_promises
from simulator.scoring.policy import breach
from tests.scoring import test_promises_heldout as held_out


def main() -> int:
    dated = "said_on" in inspect.signature(read_promises).parameters
    right: dict[str, list[int]] = {"breaks a card": [0, 0], "breaks none": [0, 0]}
    for reply, card_id in held_out.HELD_OUT:
        promises = read_promises(reply, said_on=held_out.THURSDAY) if dated else read_promises(reply)
        found = [card.id for promise in promises for card in held_out.CARDS if breach(card, promise) is not None]
        ok = found == ([card_id] if card_id else [])
        tally = right["breaks a card" if card_id else "breaks none"]
        tally[0] += ok
        tally[1] += 1
        if not ok:
            print(f"wrong: {reply!r}: expected {card_id or 'nothing'}, read {found or 'nothing'}")
    total = sum(t[0] for t in right.values()), sum(t[1] for t in right.values())
    print(f"held-out phrasings read right: {total[0]}/{total[1]} ("
          + ", ".join(f"{name} {t[0]}/{t[1]}" for name, t in right.items()) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
