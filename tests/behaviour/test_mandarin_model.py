"""The Mandarin behaviour model: rebuilt bit for bit from corpus/zh, chosen by ``language: zh``, and
reading Mandarin replies through ``callsim analyze`` as the English model reads English ones."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from simulator.analysis.behaviour.model import shipped_weights
from simulator.cli import main
from simulator.scenario.kinds import CLAUSE_LABELS

pytestmark = pytest.mark.models


def test_the_mandarin_weights_are_what_the_corpus_rebuilds(repo_root):
    done = subprocess.run([sys.executable, "-m", "simulator.analysis.behaviour.train", "--language", "zh", "--check"],
                          cwd=repo_root, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"behaviour_zh\.npz: (identical to|agrees with) the rebuilt model", done.stdout), done.stdout


def test_the_mandarin_weights_name_the_multilingual_encoder_and_their_language():
    weights = shipped_weights("zh")
    assert weights.encoder == "use-multilingual-v3" and weights.about["language"] == "zh"
    assert weights.labels == CLAUSE_LABELS and weights.clause_weights.shape[0] == 512 + 2
    assert weights.about["replies"] >= 800  # corpus/zh and the development set


def analyse(capsys, tmp_path, repo_root, lines: list[dict]) -> list[dict]:
    source = tmp_path / "turns.jsonl"
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    scenario = repo_root / "tests" / "data" / "scenarios" / "broadband-outage-zh.yaml"
    assert main(["analyze", "--jsonl", str(source), "--scenario", str(scenario)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_mandarin_scenario_reads_replies_with_the_mandarin_model(capsys, tmp_path, repo_root):
    customer = "我家宽带断了三天了，我在家办公，你们到底什么时候修？"
    warm, cold = analyse(capsys, tmp_path, repo_root, [
        {"id": "warm", "context": customer,
         "text": "您好，我是远通宽带客服小李。断网三天还赶上您在家办公，换谁都会着急，真的非常抱歉。"
                 "麻烦您报一下机主的身份证后四位，我马上给您派加急工单，师傅今天下午六点前上门。"},
        {"id": "cold", "context": customer, "text": "您先别激动，激动也没用。师傅排不过来，这不归我们管，您等着吧。"},
    ])
    assert warm["empathy"]["level"] in {"weak", "strong"} and warm["forbidden"] == []
    assert {"greet", "verify", "repair"} <= set(warm["steps"])
    assert any("抱歉" in e["quote"] for e in warm["empathy"]["evidence"])  # the clause that apologised
    assert cold["empathy"]["level"] == "none"
    assert {"calm-down", "not-ours"} <= set(cold["forbidden"]) and "verify" not in cold["steps"]
