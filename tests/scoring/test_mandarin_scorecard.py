"""A Mandarin call's scorecard is written in Chinese: evidence, tips, fail reasons, the outcome read off
an outside call and the text report.  What stays as it is: what was said (quoted), the scenario's own
text and ids."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.call.golden import run_golden
from simulator.contracts import Evidence, Speaker, ToneLabel, ToneMeasures
from simulator.record import CallHeader, CallMode, CallRecord
from simulator.scenario.loader import effective_rubric, load_scenario
from simulator.scenario.model import DimensionWeights, KnowledgeCard, Language, Scenario
from simulator.scoring.call_scorer import score_call
from simulator.scoring.report import format_scorecard
from simulator.scoring.scorecard import Scorecard
from simulator.scoring.wording import wording_for
from tests.scoring.test_scorecard_scoring import build_record

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
MANDARIN_SCENARIOS = sorted(path.stem for path in SCENARIOS.glob("zh-*.yaml"))
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")  # what was said, an example, a step as the scenario writes it
UNITS = {"dB", "dBFS", "Hz"}


def scenario_ids(scenario: Scenario) -> set[str]:
    """The words of the scenario's ids (``meter-check``: meter, check), which the report names steps by."""
    ids = [s.id for s in scenario.script] + [f.id for f in scenario.forbidden]
    ids += [f"card.{c.id}" for c in scenario.knowledge]  # a broken card's rule id
    return {word for name in ids for word in re.findall(r"[A-Za-z]+", name)}


def english_words(text: str, scenario: Scenario) -> list[str]:
    """Latin words of three letters or more outside quotes, ids and units: an English sentence left over."""
    return [word for word in re.findall(r"[A-Za-z]{3,}", QUOTED.sub("", text))
            if word not in scenario_ids(scenario) and word not in UNITS]


def scorer_texts(card: Scorecard) -> list[str]:
    """Every text the scorer wrote on the card."""
    texts = [*card.tips, *card.fail_reasons]
    texts += [e.detail for e in card.evidence]
    texts += [e.detail for turn in card.turns for e in turn.evidence]
    texts += [s.order_problem for s in card.steps if s.order_problem]
    texts += [v.why for v in card.violations if v.why]
    if card.judged_outcome is not None:
        texts.append(card.judged_outcome.reason)
    return texts


def assert_chinese(card: Scorecard, scenario: Scenario) -> None:
    for text in scorer_texts(card):
        assert CHINESE.search(text) and english_words(text, scenario) == [], text
    report = format_scorecard(card, detailed=True, words=wording_for(scenario.language))
    for line in report.splitlines():
        assert english_words(line, scenario) == [], line


@pytest.fixture(scope="module")
def mandarin_golden_cards() -> list[tuple[str, Scenario, Scorecard]]:
    registry = builtin_analysers()
    cards = []
    for name in MANDARIN_SCENARIOS:
        loaded = load_scenario(SCENARIOS / f"{name}.yaml")
        coverage = run_golden(loaded, SCENARIOS / "golden" / f"{name}.yaml", registry, "semantic")
        assert not coverage.errors
        cards += [(f"{name}.{result.name}", loaded.scenario, result.finished.scorecard) for result in coverage.results]
    return cards


@pytest.mark.models
def test_every_mandarin_golden_call_is_scored_in_chinese(mandarin_golden_cards):
    assert len(mandarin_golden_cards) >= 30
    for name, scenario, card in mandarin_golden_cards:
        assert scenario.language == Language.ZH, name
        assert_chinese(card, scenario)
    every = [text for _, _, card in mandarin_golden_cards for text in card.tips + card.fail_reasons]
    # the calls between them show each kind of text: tips, why a call failed, a step out of order
    assert any(text.startswith("这一步您没有做") for text in every)
    assert any(text.startswith("总分") for text in every)
    assert any(s.order_problem for _, _, card in mandarin_golden_cards for s in card.steps)
    assert any(e.rule == "empathy.none" for _, _, card in mandarin_golden_cards for e in card.evidence)


@pytest.mark.models
def test_the_mandarin_report_reads_as_a_chinese_scorecard(mandarin_golden_cards):
    _, scenario, card = next(item for item in mandarin_golden_cards if item[0] == "zh-parcel-lost.poor")
    report = format_scorecard(card, detailed=True, words=wording_for(scenario.language))
    lines = report.splitlines()
    assert lines[0].startswith("评分卡：") and "合格线 70" in lines[0] and "未通过" in lines[0]
    assert any(line.startswith("  同理心：") for line in lines)
    assert any(line.startswith("  未通过原因：总分") for line in lines)
    assert any(line.startswith("  建议：") for line in lines)
    assert any(re.match(r"  第 \d+ 轮：同理心 ", line) for line in lines)


def _voiced_record(scenario: Scenario) -> CallRecord:
    """Three spoken replies with every kind of delivery problem the tone scorer marks down."""
    exchanges = [("你们到底怎么回事！东西呢？", 0, "您好，很高兴为您服务，请问您的订单号是多少？"),
                 ("订单号二零二四。", 0, "嗯嗯那个这个我看一下啊嗯"),
                 ("你们快点行不行！", 10, "我说了我在查，您别着急嘛")]
    times = [(0.0, 2.0, 2.5, 5.0), (5.5, 7.0, 12.0, 15.0), (15.5, 17.0, 17.2, 19.0)]
    fast = ToneMeasures(ToneLabel.NEUTRAL, words_per_minute=320, pitch_range_semitones=5, speech_s=2.5)
    flat = ToneMeasures(ToneLabel.NEUTRAL, words_per_minute=200, pitch_range_semitones=0.5, fillers=6,
                        fillers_per_minute=40, speech_s=3.0)
    hostile_cue = Evidence("tone.hostile", "您别着急嘛", "sounded heated compared with your own voice (+9 dB level)",
                           weight=-1.0)
    heated = ToneMeasures(ToneLabel.ANGRY, words_per_minute=210, pitch_range_semitones=6, speech_s=1.8,
                          raised_voice=True, level_rise_db=9.0, pitch_rise_semitones=2.5, tilt_rise_db=1.5,
                          evidence=(hostile_cue,))
    record = build_record(scenario, exchanges, times=times, tones=[fast, flat, heated])
    turns = list(record.turns)
    last = turns[-1]
    assert last.analysis is not None
    timing = replace(last.analysis.timing, overlap_s=1.6)
    turns[-1] = replace(last, analysis=replace(last.analysis, timing=timing, interrupted_customer=True))
    return replace(record, turns=tuple(turns))


def test_tone_and_timing_on_a_mandarin_call_are_in_chinese():
    loaded = load_scenario(SCENARIOS / "zh-parcel-lost.yaml")
    scenario = loaded.scenario
    rubric = effective_rubric(loaded)
    # tone weighed above the rest, so that the three tips are about the voice
    rubric = rubric.model_copy(update={"weights": DimensionWeights(empathy=0.05, compliance=0.05, tone=0.9)})
    card = score_call(_voiced_record(scenario), scenario, rubric)
    rules = {e.rule for e in card.evidence}
    assert {"tone.pace", "tone.fillers", "tone.monotone", "tone.dead_air", "tone.overlap", "tone.hostile"} <= rules
    assert_chinese(card, scenario)
    pace = next(e for e in card.evidence if e.rule == "tone.pace")
    assert "每分钟 320 字" in pace.detail  # Mandarin is timed in characters
    hostile = next(e for e in card.evidence if e.rule == "tone.hostile")
    assert hostile.detail.startswith("和您平时的声音相比，听起来很冲（音量 +9 dB")
    assert len(card.tips) == 3 and all(tip.startswith("第 ") for tip in card.tips), card.tips  # "第 3 轮，您的语气…"


def test_an_out_of_policy_promise_on_a_mandarin_call_is_explained_in_chinese():
    loaded = load_scenario(SCENARIOS / "zh-parcel-lost.yaml")
    card = KnowledgeCard(id="reship", title="补发时效", text="补发需要三到五个工作日。",
                         takes={"min": 3, "max": 5, "unit": "working_days"}, severity="critical")
    scenario = loaded.scenario.model_copy(update={"knowledge": (card,)})
    record = build_record(scenario, [("我的快递呢？", 0, "It'll be back today, I promise.")])
    scored = score_call(record, scenario, effective_rubric(loaded))
    [broken] = [v for v in scored.violations if v.phrase_id == "card.reship"]
    assert broken.why is not None
    assert "“today”意味着 当天内办好，比卡片允许的 3-5 个工作日更快" in broken.why
    assert broken.why.startswith("违反政策的承诺：您说了“It'll be back today”")
    assert any(reason.startswith("第 1 轮作出了违反政策的红线承诺") for reason in scored.fail_reasons)
    assert_chinese(scored, scenario)


def test_an_outside_mandarin_call_is_judged_in_chinese():
    """An imported recording scored against a Mandarin scenario: the outcome read off its close, and why
    empathy was called for, are Chinese."""
    loaded = load_scenario(SCENARIOS / "zh-parcel-lost.yaml")
    scenario = loaded.scenario
    made = build_record(scenario, [("我的快递根本没收到！太气人了！", 0, "您好，很高兴为您服务，请问有什么可以帮您？"),
                                   ("订单号二零二四。", 0, "好的，我记下了。")])
    header = CallHeader(scenario.id, "sha", 0, CallMode.IMPORTED, "lexical", "2026-01-01T00:00:00")
    # an outside customer's mood is their voice over their usual: 95 rose sharply
    turns = tuple(replace(t, start_s=2.0 * t.index, end_s=2.0 * t.index + 1.5,
                          mood=95 if t.speaker == Speaker.CUSTOMER else t.mood) for t in made.turns)
    record = CallRecord(header, turns, None, None, True)
    card = score_call(record, scenario, effective_rubric(loaded), recording_s=30.0)
    assert card.judged_outcome is not None and CHINESE.search(card.judged_outcome.reason)
    needed = [e.detail for e in card.evidence if e.rule == "empathy.needed"]
    assert needed and all(d.startswith("此处需要共情（客户的声音比平时明显提高，激动程度 95/100）") for d in needed)
    assert_chinese(card, scenario)


def test_an_english_call_keeps_its_english_words():
    loaded = load_scenario(SCENARIOS / "billing-overcharge.yaml")
    record = build_record(loaded.scenario, [("You charged me twice!", 0, "What's your account number?")])
    card = score_call(record, loaded.scenario, effective_rubric(loaded))
    assert card.tips and not any(CHINESE.search(text) for text in scorer_texts(card))
    assert format_scorecard(card).startswith("Scorecard: ")
