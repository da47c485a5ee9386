"""Timing measures an analyst reads off a call: dead air, agent pace, talk ratio.

    python benchmarks/realcalls/measure.py --agent AGENT.json --customer CUSTOMER.json
    python benchmarks/realcalls/measure.py --mixed CALL.json --changes 0:agent,7.9:customer,...
    python benchmarks/realcalls/measure.py --agent AGENT.json            # agent side only

Each JSON is one line of ``callsim transcribe FILE --json`` (Whisper word timings).  Two-channel
calls give one file per channel (split the WAV with ``sox CALL.wav agent.wav remix 1``).  For a
one-channel recording of both speakers the analyst lists, after listening, the times at which the
speaker changes (``--changes``); each word goes to the speaker talking at its start.

Definitions (all in seconds, from word start/end times):

- a *turn* is a run of one speaker's words not broken by the other speaker's words; with the agent
  side only, a silence of at least ``--turn-gap`` ends a turn (the customer is presumed to speak);
- *dead air* is the silence between the end of a customer turn and the start of the next agent
  turn (the agent is silent after the customer finished); the longest one is reported with where;
- *pace including pauses* is the agent's words per minute over the agent's turns from first word
  start to last word end (pauses inside a turn count as talk time); *pace speech only* is words per
  minute over the summed word durations;
- *talk ratio* is the agent's share of the two speakers' turn time.

Whisper's word times are approximate (about 0.1-0.3 s, worse at 8 kHz); treat the figures as an
analyst's stopwatch, not as sample-exact measures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

AGENT = "agent"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Word:
    speaker: str
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Turn:
    speaker: str
    start_s: float
    end_s: float
    words: int
    speech_s: float


@dataclass(frozen=True)
class CallTiming:
    duration_s: float
    agent_turns: int
    customer_turns: int | None
    longest_dead_air_s: float | None
    longest_dead_air_at_s: float | None
    dead_air_over_3s: int | None
    agent_words: int
    agent_wpm_including_pauses: float
    agent_wpm_speech_only: float
    agent_talk_ratio: float | None


def load_words(path: Path, speaker: str) -> tuple[list[Word], float]:
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    words = [Word(speaker, w["word"], float(w["start"]), float(w["end"])) for w in record["words"]]
    return words, float(record["duration_s"])


def parse_changes(spec: str) -> list[tuple[float, str]]:
    changes = []
    for item in spec.split(","):
        at, _, who = item.partition(":")
        if who not in (AGENT, CUSTOMER):
            raise SystemExit(f"--changes: {item!r} must be SECONDS:agent or SECONDS:customer")
        changes.append((float(at), who))
    return sorted(changes)


def relabel(words: list[Word], changes: list[tuple[float, str]]) -> list[Word]:
    def speaker_at(t: float) -> str:
        current = changes[0][1]
        for at, who in changes:
            if at <= t:
                current = who
        return current

    return [Word(speaker_at(w.start_s), w.text, w.start_s, w.end_s) for w in words]


def turns_of(words: list[Word], split_gap_s: float | None) -> list[Turn]:
    turns: list[Turn] = []
    run: list[Word] = []

    def close() -> None:
        if run:
            turns.append(
                Turn(run[0].speaker, run[0].start_s, run[-1].end_s, len(run), sum(w.end_s - w.start_s for w in run))
            )

    for word in sorted(words, key=lambda w: w.start_s):
        breaks = run and (
            word.speaker != run[-1].speaker or (split_gap_s is not None and word.start_s - run[-1].end_s >= split_gap_s)
        )
        if breaks:
            close()
            run = []
        run.append(word)
    close()
    return turns


def measure(words: list[Word], duration_s: float, customer_heard: bool, turn_gap_s: float) -> CallTiming:
    turns = turns_of(words, None if customer_heard else turn_gap_s)
    agent = [t for t in turns if t.speaker == AGENT]
    customer = [t for t in turns if t.speaker == CUSTOMER]
    agent_words = sum(t.words for t in agent)
    agent_turn_s = sum(t.end_s - t.start_s for t in agent)
    agent_speech_s = sum(t.speech_s for t in agent)
    gaps = [
        (nxt.start_s - prev.end_s, prev.end_s)
        for prev, nxt in itertools.pairwise(turns)
        if prev.speaker == CUSTOMER and nxt.speaker == AGENT and nxt.start_s > prev.end_s
    ]
    longest = max(gaps, default=None)
    customer_turn_s = sum(t.end_s - t.start_s for t in customer)
    return CallTiming(
        duration_s=round(duration_s, 1),
        agent_turns=len(agent),
        customer_turns=len(customer) if customer_heard else None,
        longest_dead_air_s=round(longest[0], 1) if longest and customer_heard else None,
        longest_dead_air_at_s=round(longest[1], 1) if longest and customer_heard else None,
        dead_air_over_3s=sum(g >= 3.0 for g, _ in gaps) if customer_heard else None,
        agent_words=agent_words,
        agent_wpm_including_pauses=round(60 * agent_words / agent_turn_s, 1) if agent_turn_s else 0.0,
        agent_wpm_speech_only=round(60 * agent_words / agent_speech_s, 1) if agent_speech_s else 0.0,
        agent_talk_ratio=(
            round(agent_turn_s / (agent_turn_s + customer_turn_s), 2)
            if customer_heard and agent_turn_s + customer_turn_s
            else None
        ),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", type=Path, help="transcript JSON of the agent channel")
    parser.add_argument("--customer", type=Path, help="transcript JSON of the customer channel")
    parser.add_argument("--mixed", type=Path, help="transcript JSON of a one-channel two-speaker recording")
    parser.add_argument("--changes", help="with --mixed: SECONDS:agent|customer,... speaker change points")
    parser.add_argument(
        "--turn-gap",
        type=float,
        default=1.5,
        help="agent side only: a silence this long ends a turn (default %(default)s s)",
    )
    args = parser.parse_args(argv)

    if args.mixed:
        if not args.changes:
            parser.error("--mixed needs --changes")
        words, duration = load_words(args.mixed, AGENT)
        words = relabel(words, parse_changes(args.changes))
        customer_heard = True
    elif args.agent:
        words, duration = load_words(args.agent, AGENT)
        customer_heard = args.customer is not None
        if customer_heard:
            customer_words, customer_duration = load_words(args.customer, CUSTOMER)
            words += customer_words
            duration = max(duration, customer_duration)
    else:
        parser.error("give --agent (and --customer) or --mixed")
    print(json.dumps(asdict(measure(words, duration, customer_heard, args.turn_gap))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
