"""Mandarin replies read clause by clause (``split_clauses(reply, "zh")``), and English unchanged."""

from __future__ import annotations

from simulator.analysis.behaviour.clauses import sentences_of, split_clauses
from simulator.analysis.behaviour.features import reply_windows, text_length


def texts(reply: str) -> list[str]:
    return [c.text for c in split_clauses(reply, "zh")]


def test_sentences_end_at_chinese_stops_and_clauses_at_commas():
    assert texts("孩子上网课断网，确实太耽误事了。我先帮您查一下线路；麻烦您报一下身份证后四位好吗？") == [
        "孩子上网课断网", "确实太耽误事了。", "我先帮您查一下线路", "麻烦您报一下身份证后四位好吗？"]


def test_a_new_job_inside_a_sentence_starts_a_clause():
    assert texts("给您带来不便非常抱歉我先帮您查一下订单麻烦您提供一下订单号") == [
        "给您带来不便非常抱歉", "我先帮您查一下订单", "麻烦您提供一下订单号"]
    assert texts("不好意思但是这是规定没办法退") == ["不好意思", "但是这是规定没办法退"]


def test_recogniser_text_without_punctuation_splits_at_pauses_and_job_words():
    assert texts("嗯您好 不好意思让您久等了 那个我这边先帮您查一下 请问您的手机号是多少") == [
        "嗯您好 不好意思让您久等了", "那个我这边先帮您查一下", "请问您的手机号是多少"]


def test_short_fragments_join_a_neighbour_and_lists_stay_whole():
    # 您好 does no job alone; the enumeration comma 、 joins items of one list; a sentence stays whole.
    assert texts("您好，我是客服小李。需要身份证、户口本和结婚证。好的。") == [
        "您好，我是客服小李。", "需要身份证、户口本和结婚证。", "好的。"]


def test_offsets_point_into_the_reply_and_sentences_are_found():
    reply = "非常抱歉！我马上给您退款，三个工作日内到账。"
    clauses = split_clauses(reply, "zh")
    assert [c.text for c in clauses] == ["非常抱歉！", "我马上给您退款", "三个工作日内到账。"]
    assert all(c.text in reply[c.start:c.end] for c in clauses)
    assert [c.sentence for c in clauses] == [0, 1, 1]
    assert sentences_of(reply, "zh") == ["非常抱歉！", "我马上给您退款，三个工作日内到账。"]


def test_chinese_length_counts_characters_and_english_words_are_unchanged():
    assert text_length("我先帮您查一下") == 4 and text_length("I'll check that for you now") == 6
    english = "Sorry about that, let me check."
    assert [w.text for w in reply_windows(english)] == texts_en(english)


def texts_en(reply: str) -> list[str]:
    return [c.text for c in split_clauses(reply)]


def test_english_split_is_the_default_and_ignores_chinese_rules():
    assert texts_en("I'm so sorry about that，let me check that for you.") == [
        "I'm so sorry about that，let me check that for you."]
    assert split_clauses("", "zh") == [] and split_clauses("  ", "zh") == []
