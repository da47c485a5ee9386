"""What the Mandarin voice reads: numbers, times, amounts and acronyms in words, and the tones as
spoken (tone sandhi) rather than the dictionary's.  Fast: text and tables only, no model."""

from __future__ import annotations

import pytest

from simulator.tts.mandarin_g2p import MandarinG2P, Syllable, sandhi
from simulator.tts.mandarin_text import digit_groups, sentences, spoken_numbers


@pytest.mark.parametrize(("written", "spoken"), [
    ("电话13812345678", "电话一三八一二三四五六七八"),  # phone numbers digit by digit
    ("尾号0826", "尾号零八二六"),
    ("余额1,280.5元", "余额一千二百八十点五元"),  # thousands separator, decimals
    ("￥1,299.00", "一千二百九十九元"),  # currency sign after, zero cents dropped
    ("退款38.50元", "退款三十八点五元"),
    ("明天10:30到，9:05走", "明天十点三十分到，九点零五分走"),
    ("9:00前", "九点前"),
    ("等了2个小时，买了2台", "等了两个小时，买了两台"),  # a counting 2 is 两
    ("第2次，12点，2.5公斤", "第二次，十二点，二点五公斤"),
    ("12月3日", "十二月三日"),
    ("5%的", "百分之五的"),
    ("订单号JD20261203", "订单号杰迪二零二六一二零三"),  # acronyms in letter names, codes digit by digit
    ("在APP里", "在诶批批里"),
])
def test_numbers_times_amounts_and_acronyms_are_read_as_callers_read_them(written, spoken):
    assert spoken_numbers(written) == spoken


@pytest.mark.parametrize(("code", "groups"), [
    ("一三八一二三四五六七八", ["一三八", "一二三四", "五六七八"]),  # a mobile number 3-4-4
    ("六二二二零二零零零零零一二三四五", ["六二二二", "零二零零", "零零零一", "二三四五"]),  # a card in fours
    ("一二三四五六七八九", ["一二三四", "五六七", "八九"]),  # no lone digit at the end
    ("一二三四五六七", ["一二三四", "五六七"]),
])
def test_long_codes_are_read_in_groups(code, groups):
    assert digit_groups(code) == groups


def test_a_line_pauses_between_a_codes_groups_but_not_in_short_numbers():
    assert sentences("账号是02188675321，尾号0826。") == ["账号是零二一，八八六七，五三二一，尾号零八二六。"]
    assert sentences("账号是零二一八八六七五三二。") == ["账号是零二一八，八六七五，三二。"]
    assert sentences("等了十一天。") == ["等了十一天。"]


def syllables(text: str) -> list[Syllable]:
    chars, pinyin = text.split("|")
    return [Syllable(c, p) for c, p in zip(chars, pinyin.split(), strict=True)]


def tones(phrase: list[Syllable]) -> list[str]:
    return [s.pinyin for s in sandhi(phrase)]


def test_third_tones_rise_before_a_third_tone():
    assert tones(syllables("你好|ni3 hao3")) == ["ni2", "hao3"]
    assert tones(syllables("我想买|wo3 xiang3 mai3")) == ["wo2", "xiang2", "mai3"]
    assert tones(syllables("我是|wo3 shi4")) == ["wo3", "shi4"]


def test_hello_on_the_telephone_rises():
    assert tones(syllables("喂|wei4")) == ["wei2"]
    assert tones(syllables("喂养|wei4 yang3")) == ["wei4", "yang3"]


def test_bu_and_yi_change_tone_before_the_next_syllable():
    assert tones(syllables("不对|bu4 dui4")) == ["bu2", "dui4"]
    assert tones(syllables("不好|bu4 hao3")) == ["bu4", "hao3"]
    assert tones(syllables("一下|yi1 xia4")) == ["yi2", "xia4"]
    assert tones(syllables("一天|yi1 tian1")) == ["yi4", "tian1"]


def test_yi_stays_a_number():
    assert tones(syllables("十一点|shi2 yi1 dian3")) == ["shi2", "yi1", "dian3"]
    assert tones(syllables("第一次|di4 yi1 ci4")) == ["di4", "yi1", "ci4"]
    assert tones(syllables("统一|tong3 yi1")) == ["tong3", "yi1"]
    assert tones(syllables("尾号五五三一|wei3 hao4 wu3 wu3 san1 yi1"))[-1] == "yi1"


def test_the_phonemes_carry_the_spoken_tones():
    g2p = MandarinG2P()
    assert g2p("你好，一下。") == "ni↗xau↓, i↗ɕja↘."
    assert g2p("账号零二一八") == "ꭧa↘ŋxau↘ li↗ŋɚ↘ i→pa→"
