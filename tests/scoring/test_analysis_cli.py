"""``callsim analyze`` end to end through the CLI entry point, with the real model."""

from __future__ import annotations

import json

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.cli import main

pytestmark = pytest.mark.models


def run(capsys, lines: list[str], tmp_path, *extra: str) -> tuple[int, list[dict], str]:
    source = tmp_path / "turns.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["analyze", "--jsonl", str(source), *extra])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_analyze_scores_each_line_in_order(capsys, tmp_path):
    lines = [
        json.dumps({"id": "kind", "text": "I'm so sorry you've been charged twice, that must be worrying. "
                                          "I'll sort it out for you.",
                    "context": "You've charged me twice this month!"}),
        json.dumps({"id": "rude", "text": "Calm down, it's one payment.", "context": "You've charged me twice!"}),
        json.dumps({"id": 7, "text": "Could you confirm your date of birth for security?"}),
    ]
    code, out, _ = run(capsys, lines, tmp_path, "--scenario", "billing-overcharge")
    assert code == 0
    assert [o["id"] for o in out] == ["kind", "rude", "7"]
    kind, rude, verify = out
    assert kind["empathy"]["level"] == "strong" and kind["empathy"]["score"] >= 0.7
    assert kind["empathy"]["evidence"][0]["quote"]
    assert rude["empathy"]["level"] == "none" and rude["forbidden"] == ["calm-down"]
    assert "verify" in verify["steps"]
    assert all("tone" not in o for o in out)  # no audio, no tone


def test_analyze_without_scenario_reports_only_empathy(capsys, tmp_path):
    code, out, _ = run(capsys, [json.dumps({"id": "a", "text": "Sorry for the inconvenience."})], tmp_path)
    assert code == 0
    assert set(out[0]) == {"id", "text", "empathy"} and out[0]["empathy"]["level"] == "weak"


def test_bad_lines_give_errors_with_line_numbers_and_the_rest_still_run(capsys, tmp_path):
    lines = ["{not json", json.dumps({"text": "no id"}), json.dumps({"id": "x"}),
             json.dumps({"id": "gone", "text": "Hello", "audio": "missing.wav"}),
             json.dumps({"id": "ok", "text": "Sorry about that."})]
    code, out, err = run(capsys, lines, tmp_path)
    assert code == 1
    assert [o.get("line") for o in out[:4]] == [1, 2, 3, 4]
    assert all("error" in o for o in out[:4]) and out[2]["id"] == "x" and out[3]["id"] == "gone"
    assert out[4]["id"] == "ok" and out[4]["empathy"]["level"] == "weak"
    assert "turns.jsonl:1: not valid JSON" in err and "turns.jsonl:4:" in err and "missing.wav" in err


def test_a_lone_surrogate_or_a_list_for_speaker_is_that_lines_error_not_the_end_of_the_run(capsys, tmp_path):
    """JSON allows "\\ud800", which no output can encode: it stopped the whole run on UnicodeEncodeError."""
    lines = ['{"id": "half", "text": "\\ud800"}', json.dumps({"id": "who", "text": "Hi.", "speaker": ["a"]}),
             json.dumps({"id": "ok", "text": "Sorry about that."})]
    code, out, _ = run(capsys, lines, tmp_path)
    assert code == 1 and [o.get("line") for o in out[:2]] == [1, 2] and all("error" in o for o in out[:2])
    assert "lone surrogate" in out[0]["error"] and out[2]["empathy"]["level"] == "weak"


def test_analyze_measures_tone_for_audio_lines(capsys, tmp_path, repo_root):
    clip = repo_root / "tests" / "data" / "asr" / "whisper_jfk.wav"
    said = ("And so, my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
    lines = [json.dumps({"id": "spoken", "text": said, "audio": str(clip)}),
             json.dumps({"id": "typed", "text": "Thank you."})]
    code, out, _ = run(capsys, lines, tmp_path)
    assert code == 0
    tone = out[0]["tone"]
    assert tone["label"] in {"angry", "neutral", "positive"}
    assert tone["wpm"] is None or 60 < tone["wpm"] < 300
    assert "tone" not in out[1]


def test_semantic_and_lexical_are_registered_with_tone():
    registry = builtin_analysers()
    assert {"semantic", "lexical"} <= set(registry.names())
    for name in ("semantic", "lexical"):
        analyser = registry.create(name, None)
        assert analyser.name == name and hasattr(analyser, "baseline")  # the tone wrapper


def test_analyze_reads_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": "s", "text": "I'm so sorry about that."}) + "\n"))
    assert main(["analyze", "--jsonl", "-"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["id"] == "s" and out[0]["empathy"]["level"] == "weak"


def test_a_line_in_another_language_than_the_analysis_is_that_lines_error(capsys, tmp_path):
    """A Mandarin reply read by the English model came back "empathy none", as if it had been cold."""
    lines = [json.dumps({"id": "zh", "text": "非常抱歉给您带来不便，我来帮您处理"}, ensure_ascii=False),
             json.dumps({"id": "en", "text": "Sorry about that."})]
    code, out, err = run(capsys, lines, tmp_path)
    assert code == 1 and out[0]["line"] == 1 and "the text is Chinese, and the analysis is English" in out[0]["error"]
    assert out[1]["empathy"]["level"] == "weak" and "turns.jsonl:1: the text is Chinese" in err
