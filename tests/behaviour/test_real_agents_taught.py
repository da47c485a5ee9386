"""The real agents' utterances taught as training items (corpus/real_en/): the file is what its
script writes from the benchmark, holds exactly the first half of the calls, and teaches only the
kinds it shows (never the absence of a forbidden move, an apology or warmth these calm calls never have)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from simulator.analysis.behaviour.corpus import read_items_file
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES

REPO = Path(__file__).resolve().parents[2]
HALF = REPO / "corpus" / "real_en" / "hvb_agents_first_half.jsonl"
TURNS = REPO / "benchmarks" / "realcalls" / "hvb_agent_turns.jsonl"


def test_the_file_is_what_its_script_writes_from_the_benchmark():
    done = subprocess.run([sys.executable, "corpus/real_en/build.py", "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_holds_every_utterance_of_the_first_half_of_the_calls_and_none_of_the_other():
    every_turn = [json.loads(line)["sid"] for line in TURNS.read_text().splitlines()]
    calls = sorted(set(every_turn))
    half = read_items_file(HALF)
    half_calls = {item.item_id.split("-")[1] for item in half}
    assert len(calls) == 92 and half_calls == set(calls[:46])
    assert len(half) == sum(sid in half_calls for sid in every_turn) == 309


def test_it_teaches_the_steps_it_shows_and_leaves_what_it_never_shows_unsure():
    half = read_items_file(HALF)
    shown = set().union(*(item.labels for item in half))
    never = {"apologise", "acknowledge_emotion", *FORBIDDEN_KIND_NAMES}
    assert not shown & never and shown <= set(STEP_KIND_NAMES) and len(shown) == 11
    assert all(never <= item.unsure for item in half)
    assert all(item.customer == "" and item.empathy is None for item in half)  # all 309 were labelled 0
    assert sum(bool(item.labels) for item in half) > 150  # greetings, closes, confirmations...


def test_the_clause_models_training_reads_it_by_default_and_the_reader_does_not():
    from simulator.analysis.behaviour.train import default_items_files, real_words_items_files

    assert real_words_items_files("en") == [HALF] and real_words_items_files("zh") == []
    assert HALF not in default_items_files("en")  # the post-call reader's training reads only these
