"""How the behaviour model reads the TUNING calls' openings as Whisper gives them (docs/qa.md, "Openings").

    python benchmarks/realcalls/openings.py        # needs .cache/realcalls (fetch.py); Whisper + MiniLM

For each tuning call: the first 15 s of the agent's channel (of the whole channel for a mixed mono call)
transcribed with the configured Whisper, then ``greet`` and ``identify_self`` as the shipped behaviour model
finds them (found or not, and the best window's probability), as Whisper punctuates it and without
punctuation or capitals.  The held-out calls are left out: they are the split the scorer is judged on.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE)]

from compare import TUNING  # noqa: E402

from simulator.analysis.semantic import SemanticAnalyser  # noqa: E402
from simulator.asr.channels import read_channels  # noqa: E402
from simulator.asr.registry import transcriber_from_settings  # noqa: E402
from simulator.config import load_settings  # noqa: E402

CACHE = REPO / ".cache" / "realcalls"
OPENING_S = 15
RATE = 16_000
KINDS = ("greet", "identify_self")


def reading_line(model: SemanticAnalyser, text: str) -> str:
    reading = model.read(text)
    cells = []
    for kind in KINDS:
        best = reading.best(kind)
        cells.append(f"{kind} {'found' if reading.found(kind) else 'MISSED'} {best.confidence if best else 0.0:.2f}")
    return "  ".join(cells)


def main() -> int:
    transcriber = transcriber_from_settings(load_settings())
    model = SemanticAnalyser(None)
    for call in TUNING:
        path = next(CACHE.glob(f"{call}.*"), None)
        if path is None:
            print(f"{call}: not in {CACHE} (run fetch.py)")
            continue
        agent = read_channels(path, RATE).channel(0)[: OPENING_S * RATE]  # the agent is on the left (or mixed)
        text = transcriber.transcribe(agent).text.strip()
        bare = re.sub(r"[^\w\s']", "", text).lower()
        print(f"{call}\n  {text!r}\n    {reading_line(model, text)}\n  {bare!r}\n    {reading_line(model, bare)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
