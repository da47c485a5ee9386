"""Text-mode calls through the real CLI: typed replies, reply files, JSON, records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from simulator.call.text_io import parse_reply
from simulator.cli import main
from simulator.contracts import Outcome, Speaker
from simulator.record import CALL_FILE, read_call

from .conftest import REFERENCE

GOOD = """\
# a competent agent
Thank you for calling, my name is Sam. I'm so sorry you've been charged twice, that must be worrying.
Could you confirm your date of birth and postcode for security, please?
I've refunded the second payment; it will be back in your account within three working days.
Is there anything else I can help with today?
"""


def run_json(tmp_path: Path, replies: str, *extra: str, capsys) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    reply_file = tmp_path / "replies.txt"
    reply_file.write_text(replies, encoding="utf-8")
    code = main(["play", str(REFERENCE), "--text", "--replies", str(reply_file), "--json",
                 "--record-to", str(tmp_path / "calls"), *extra])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_good_call_as_json(tmp_path, capsys):
    call = run_json(tmp_path, GOOD, "--seed", "4", "--analyser", "lexical", capsys=capsys)
    assert call["scenario"] == "billing-overcharge" and call["seed"] == 4
    assert call["outcome"] == "resolved"
    speakers = [t["speaker"] for t in call["turns"]]
    assert speakers[0] == "customer" and speakers[-1] == "customer"
    assert speakers.count("trainee") == 4
    trainee = [t for t in call["turns"] if t["speaker"] == "trainee"]
    assert {"greet", "acknowledge"} <= set(trainee[0]["steps"])
    assert "verify" in trainee[1]["steps"]
    moods = [t["mood"] for t in call["turns"] if t["speaker"] == "customer"]
    assert moods[-1] < moods[0]
    scores = call["scores"]
    assert {d["dimension"] for d in scores["dimensions"]} == {"empathy", "compliance", "tone"}
    assert all(s["hit"] for s in scores["steps"] if s["required"])


def test_replaying_the_same_replies_and_seed_gives_the_same_call(tmp_path, capsys):
    first = run_json(tmp_path / "a", GOOD, "--seed", "9", capsys=capsys)
    second = run_json(tmp_path / "b", GOOD, "--seed", "9", capsys=capsys)
    for call in (first, second):
        call.pop("record")
    assert first == second


def test_poor_call_escalates(tmp_path, capsys):
    call = run_json(tmp_path, "Calm down, madam.\nIt's not my fault, nothing I can do.\n", capsys=capsys)
    assert call["outcome"] == "escalated"
    assert call["turns"][1]["forbidden"] == ["calm-down"]
    assert call["scores"]["passed"] is False
    assert call["scores"]["violations"][0]["phrase_id"] == "calm-down"


def test_replies_running_out_ends_the_call_unresolved_and_keeps_the_record(tmp_path, capsys):
    call = run_json(tmp_path, "Hello, you're through to Sam.\n", capsys=capsys)
    assert call["outcome"] == "unresolved"
    record = read_call(Path(call["record"]))
    assert record.complete and record.outcome == Outcome.UNRESOLVED
    assert [t.speaker for t in record.turns] == [Speaker.CUSTOMER, Speaker.TRAINEE, Speaker.CUSTOMER]


def test_reply_markers():
    assert parse_reply("[silence]").silence and parse_reply("[silence 8.5]").silence_s == 8.5
    assert parse_reply("").silence
    interrupted = parse_reply("[interrupt] sorry to cut in")
    assert interrupted.interrupted and interrupted.text == "sorry to cut in"


def test_typed_call_in_a_real_process(tmp_path):
    """`callsim play --text` reading the keyboard (stdin) and printing the transcript and scorecard."""
    typed = GOOD.splitlines()[1:3]
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "billing-overcharge", "--text", "--record-to", str(tmp_path)],
        input="\n".join([*typed, "/hangup"]) + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Margaret Hughes" in out and "customer [mood" in out
    assert "steps greet" in out and "Scorecard:" in out
    [folder] = list(tmp_path.iterdir())
    assert (folder / CALL_FILE).is_file()


def test_missing_scenario_and_bad_reply_file(tmp_path, capsys):
    assert main(["play", str(tmp_path / "nope.yaml"), "--text"]) == 1
    assert "cannot read file" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    assert main(["play", str(REFERENCE), "--text", "--replies", str(bad)]) == 1
    assert "UTF-8" in capsys.readouterr().err


ZH_SCENARIO = """\
id: zh-refund
title: 退款延迟
summary: 顾客的退款两周还没到账。
difficulty: 1
language: zh
persona:
  name: 王女士
  situation: 退款两周未到账
  voice: older-woman-brisk
  mood: 60
script:
  - id: apologise
    description: 道歉
    keywords: ["抱歉", "对不起"]
  - id: refund
    description: 说明退款时间
    keywords: ["退款"]
    after: [apologise]
start: opening
on_patience_lost: hangup
on_max_turns: hangup
nodes:
  opening:
    lines: ["我的退款两个星期了还没到账！"]
    transitions:
      - when: {steps_done: [apologise, refund]}
        goto: done
      - when: {steps_hit: [apologise]}
        say: "那到底什么时候退款？"
      - say: "你在听吗？"
  done:
    end: resolved
    lines: ["好的，谢谢。"]
  hangup:
    end: hung_up
    lines: ["算了，我挂了。"]
"""


def test_a_chinese_scenario_plays_in_text_mode(project, tmp_path, capsys):
    path = project / "scenarios" / "zh-refund.yaml"
    path.write_text(ZH_SCENARIO, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    replies = tmp_path / "zh.txt"
    replies.write_text("非常抱歉给您带来不便。\n您的退款今天已经处理，三个工作日内到账。\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["play", str(path), "--text", "--replies", str(replies), "--json", "--analyser", "lexical",
                 "--record-to", str(tmp_path / "calls")]) == 0
    call = json.loads(capsys.readouterr().out)
    assert call["outcome"] == "resolved"
    assert [t["steps"] for t in call["turns"] if t["speaker"] == "trainee"] == [["apologise"], ["refund"]]


def test_typed_cards_command_shows_the_cards_and_is_counted(tmp_path, monkeypatch, capsys):
    """`/cards` typed during `play --text` shows the knowledge cards, is not sent to the customer, and is
    counted in the call record like F8 in the app."""
    import io

    typed = GOOD.splitlines()[1:3]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join([typed[0], "/cards", typed[1], "/hangup"]) + "\n"))
    assert main(["play", "billing-overcharge", "--text", "--analyser", "lexical",
                 "--record-to", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Refund of a duplicate payment" in out.split("Scorecard:")[0]
    assert "knowledge cards opened 1 time(s)" in out
    [folder] = list(tmp_path.iterdir())
    record = read_call(folder / CALL_FILE)
    assert [lookup.after_turn for lookup in record.card_lookups] == [1]
    trainee_lines = [t.text for t in record.turns if t.speaker == Speaker.TRAINEE]
    assert "/cards" not in trainee_lines and len(trainee_lines) == 2
