"""The scorer's catalogues (``simulator/scoring/wording/<language>.json``): every language has every
English message id with the same fields, a language other than English names every step kind and
retells every rule the analysers write, and English says exactly what the enums it stands for say."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import simulator.analysis
from simulator.analysis.behaviour.judge import COLD_KINDS, WARM_KINDS
from simulator.analysis.lexical import judge_empathy_lexically
from simulator.contracts import Evidence, Outcome, ToneLabel, ToneMeasures
from simulator.scenario.kinds import StepKind
from simulator.scenario.model import DurationUnit, Language, SeverityName, Timescale
from simulator.scoring.policy import describe_takes
from simulator.scoring.scorecard import Dimension, JudgedOutcome, Phase
from simulator.scoring.wording import CATALOGUES, ENGLISH, wording_for

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
TRANSLATED = [language for language in CATALOGUES if language != Language.EN.value]
UNITS = {"dB", "dBFS", "Hz"}  # stay in Latin letters in Chinese text


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def words_outside_fields(template: str) -> list[str]:
    literal = "".join(text for text, _, _, _ in string.Formatter().parse(template))
    return [word for word in re.findall(r"[A-Za-z]+", literal) if word not in UNITS]


def analyser_rules() -> set[str]:
    """Every evidence rule the shipped analysers write: the literal ``Evidence("rule", ...)`` calls in
    ``simulator/analysis`` and the judge's tables of warm and cold kinds."""
    rules = {rule for rule, _ in WARM_KINDS.values()}
    rules |= {f"empathy.dismissive.{kind.value}" for kind in COLD_KINDS}
    for path in Path(simulator.analysis.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Evidence"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                rules.add(node.args[0].value)
    return rules


def test_every_scenario_language_has_a_catalogue():
    assert set(CATALOGUES) == {language.value for language in Language}
    assert wording_for(Language.ZH).language == "zh" and wording_for("en") is ENGLISH


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_has_the_english_ids_with_the_same_fields(language):
    english, translated = ENGLISH.messages, CATALOGUES[language].messages
    assert sorted(set(english) - set(translated)) == [], "ids the translation lacks"
    assert sorted(set(translated) - set(english)) == [], "ids English lacks"
    for message, template in translated.items():
        assert fields(template) == fields(english[message]), message


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_is_written_in_its_own_script(language):
    """No English word left in a Chinese template (outside its fields), and Chinese wherever there
    are words at all."""
    for message, template in CATALOGUES[language].messages.items():
        assert words_outside_fields(template) == [], (message, template)
        if words_outside_fields(ENGLISH.messages[message]):
            assert CHINESE.search(template), (message, template)


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_names_every_step_kind_and_retells_every_analyser_rule(language):
    wording = CATALOGUES[language]
    assert wording.kinds is not None and wording.heard_rules is not None
    assert sorted(kind.value for kind in StepKind if kind.value not in wording.kinds) == []
    heard = wording.heard_rules
    assert sorted(analyser_rules() - set(heard)) == [], "analyser rules the catalogue cannot retell"
    for rule in ("model", "scenario_example", "cues", "cue.level", "cue.pitch", "cue.tension",
                 "tone.raised_voice.unmeasured"):
        assert rule in heard
    for rule, template in heard.items():
        assert CHINESE.search(template) and words_outside_fields(template) == [], (rule, template)


def test_a_missing_message_is_an_error_not_english():
    with pytest.raises(KeyError):
        wording_for(Language.ZH)("no.such.message")


def test_english_says_what_the_enums_say():
    """The English catalogue stands in for text that was written from the enums: it must match them."""
    assert all(ENGLISH(f"outcome.{o.value}") == o.value.replace("_", " ") for o in Outcome)
    assert all(ENGLISH(f"status.{o.value}") == o.value for o in (*Outcome, *JudgedOutcome))
    assert all(ENGLISH(f"dimension.{d.value}") == d.value for d in Dimension)
    assert all(ENGLISH(f"phase.{p.value}") == p.value for p in Phase)
    assert all(ENGLISH(f"severity.{s.value}") == s.value for s in SeverityName)
    assert all(ENGLISH(f"voice.{label.value}") == label.value for label in ToneLabel)
    for unit in DurationUnit:
        for takes in (Timescale(min=3, max=5, unit=unit), Timescale(min=2, unit=unit),
                      Timescale(min=1.5, max=1.5, unit=unit)):
            assert describe_takes(takes, ENGLISH) == takes.describe()
    assert all(ENGLISH.kind(kind) == kind.description for kind in StepKind)


def test_turns_are_listed_as_each_language_counts_them():
    zh = wording_for(Language.ZH)
    assert ENGLISH.turns([3]) == "turn 3" and ENGLISH.turns([5, 1, 2, 1]) == "turns 1, 2 and 5"
    assert zh.turns([3]) == "第 3 轮" and zh.turns([5, 1, 2, 1]) == "第 1、2、5 轮"


def test_the_analysers_english_evidence_is_retold_in_chinese():
    """Real analyser output (the word-list judge, the behaviour judge's wording, the voice's cues)
    retold by rule; English keeps the analysers' words exactly."""
    zh = wording_for(Language.ZH)
    judged = judge_empathy_lexically("I'm so sorry, I understand how frustrating this is and I'll sort it out",
                                     "this is so frustrating")
    assert judged.evidence
    for item in judged.evidence:
        assert ENGLISH.heard(item) == item.detail
        assert CHINESE.search(zh.heard(item)) and not re.search(r"[A-Za-z]{3,}", zh.heard(item)), item
    dismissive = judge_empathy_lexically("calm down, that's not my problem", "I'm furious")
    assert zh.heard(dismissive.evidence[0]) == "敷衍、否定客户的说法，扣同理心分"
    for kind, said in COLD_KINDS.items():
        retold = zh.heard(Evidence("empathy.dismissive", "x", f"{said} (model 0.91)"))
        assert retold == zh.heard_rules[f"empathy.dismissive.{kind.value}"] + "（模型把握 0.91）"  # type: ignore[index]
    assert zh.heard(Evidence("empathy.apology", "抱歉", "apologised for the problem (the scenario's step 'sorry', "
                                                      "semantic)")) == "为问题致歉（与场景步骤 sorry 的示例说法相符）"
    heated = ToneMeasures(ToneLabel.ANGRY, raised_voice=True, level_rise_db=8.4, pitch_rise_semitones=3.2,
                          tilt_rise_db=2.0)
    hostile = Evidence("tone.hostile", "您好", "sounded heated compared with your own voice (+8 dB level, ...)")
    assert zh.heard(hostile, heated) == ("和您平时的声音相比，听起来很冲"
                                         "（音量 +8 dB、音调 +3.2 个半音、嗓音紧张度 +2.0 dB）")
    raised = Evidence("tone.raised_voice", "您好", "voice 8 dB louder than your usual level")
    assert zh.heard(raised, heated) == "音量比您平时高了 8 dB"
    assert ENGLISH.heard(hostile, heated) == hostile.detail
