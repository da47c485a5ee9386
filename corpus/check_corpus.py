"""Check the behaviour corpus files: one JSON object a line, the label scheme of corpus/README.md.

    python corpus/check_corpus.py corpus/en/*.jsonl

Prints FILE:LINE: problem for each bad line and a count of every label; exits 1 on any problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

STEP_KINDS = (
    "greet", "identify_self", "verify_identity", "acknowledge_emotion", "apologise", "restate_problem",
    "take_ownership", "explain_next_steps", "set_timeline", "offer_alternative", "confirm_resolution",
    "anything_else", "close",
)
FORBIDDEN_KINDS = ("blame_customer", "dismiss_feelings", "not_my_job", "false_promise", "rude_or_sarcastic", "jargon")
KEYS = {"id", "domain", "style", "customer", "customer_distress", "segments", "empathy"}
STYLES = {"written", "spoken", "asr"}


def problems_in(item: dict) -> list[str]:
    found: list[str] = []
    if set(item) != KEYS:
        found.append(f"keys must be exactly {sorted(KEYS)}; got {sorted(item)}")
        return found
    if item["empathy"] not in (0, 1, 2):
        found.append("empathy must be 0, 1 or 2")
    if item["customer_distress"] not in (0, 1, 2):
        found.append("customer_distress must be 0, 1 or 2")
    if item["style"] not in STYLES:
        found.append(f"style must be one of {sorted(STYLES)}")
    if not isinstance(item["customer"], str):
        found.append("customer must be a string")
    segments = item["segments"]
    if not isinstance(segments, list) or not segments:
        found.append("segments must be a non-empty list")
        return found
    for number, segment in enumerate(segments, 1):
        if set(segment) != {"text", "steps", "forbidden"}:
            found.append(f"segment {number}: keys must be text, steps, forbidden")
            continue
        if not segment["text"].strip():
            found.append(f"segment {number}: empty text")
        for step in segment["steps"]:
            if step not in STEP_KINDS:
                found.append(f"segment {number}: unknown step {step!r}")
        for move in segment["forbidden"]:
            if move not in FORBIDDEN_KINDS:
                found.append(f"segment {number}: unknown forbidden move {move!r}")
    return found


def main(paths: list[str]) -> int:
    bad = 0
    ids: set[str] = set()
    steps: Counter[str] = Counter()
    forbidden: Counter[str] = Counter()
    empathy: Counter[int] = Counter()
    styles: Counter[str] = Counter()
    replies = segments = 0
    for path in paths:
        for line_number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                print(f"{path}:{line_number}: not JSON: {error}")
                bad += 1
                continue
            issues = problems_in(item)
            if item.get("id") in ids:
                issues.append(f"duplicate id {item.get('id')!r}")
            ids.add(item.get("id"))
            for issue in issues:
                print(f"{path}:{line_number}: {issue}")
            bad += bool(issues)
            if issues:
                continue
            replies += 1
            empathy[item["empathy"]] += 1
            styles[item["style"]] += 1
            reply_steps = {s for seg in item["segments"] for s in seg["steps"]}
            reply_forbidden = {f for seg in item["segments"] for f in seg["forbidden"]}
            steps.update(reply_steps)
            forbidden.update(reply_forbidden)
            segments += len(item["segments"])
    print(f"{replies} replies, {segments} segments, {bad} bad lines")
    print("empathy", dict(sorted(empathy.items())), "styles", dict(styles))
    print("steps (replies)", {k: steps[k] for k in STEP_KINDS})
    print("forbidden (replies)", {k: forbidden[k] for k in FORBIDDEN_KINDS})
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
