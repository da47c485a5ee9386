"""A clause that says what would happen under a condition is not the act: the grammar rule the
scenario matcher uses for intents ("if it goes on I will end the call" warns, it does not end it)."""

from __future__ import annotations

import pytest

from simulator.analysis.behaviour.conditions import conditional_clauses
from simulator.analysis.behaviour.features import reply_windows


def flags(reply: str, language: str = "en") -> dict[str, bool]:
    windows = reply_windows(reply, language)
    return dict(zip((w.text for w in windows),
                    conditional_clauses(reply, [(w.start, w.end) for w in windows], language), strict=True))


def act_flag(reply: str, act: str, language: str = "en") -> bool:
    return next(flag for text, flag in flags(reply, language).items() if act in text)


@pytest.mark.parametrize("reply, act", [
    ("Please keep it civil. If the shouting goes on, I'll put the phone down.", "put the phone down"),
    ("I want to sort this out, but please stop the abuse or I'll close the chat.", "close the chat"),
    ("Lower your voice please, otherwise I'm going to have to disconnect.", "disconnect"),
    ("I will transfer you to the complaints team if you keep raising your voice.", "transfer you"),
    ("Unless the language stops I am going to hang up.", "hang up"),
    ("madam and if it carries on I will end the call", "end the call"),
])
def test_an_act_under_a_condition_is_read_as_conditional(reply, act):
    assert act_flag(reply, act)


@pytest.mark.parametrize("reply, act", [
    ("As I warned you, I'm ending the call now. You're welcome to ring back.", "ending the call"),
    ("I'm ending this call now, if you want to call back later you're welcome to.", "ending this call"),
    ("If you'd prefer, I can put the refund through today.", "refund"),
    ("I can send you a voucher if you would like one.", "voucher"),
    ("You can have a refund or I can rebook you on the next flight.", "rebook"),
    ("I'll transfer you to billing, they can sort the charge.", "transfer you"),
])
def test_the_act_itself_and_an_offer_around_the_customers_wish_are_not(reply, act):
    assert not act_flag(reply, act)


def test_mandarin_warning_and_polite_offer():
    assert act_flag("如果您继续骂人，我就只能挂断电话了。", "挂断", "zh")
    assert act_flag("请您文明用语，否则我只能结束通话。", "结束通话", "zh")
    assert not act_flag("如果您需要，我帮您转投诉。", "转投诉", "zh")
    assert not act_flag("我现在帮您转投诉专线。", "转投诉", "zh")


@pytest.mark.parametrize("reply, act", [
    ("Let me check if the payment went through, then I'll send you the voucher.", "voucher"),
    ("I can't refund it unless you have the receipt, but I can offer you store credit.", "store credit"),
])
def test_if_as_whether_and_a_condition_on_something_else_leave_the_act_alone(reply, act):
    assert not act_flag(reply, act)
