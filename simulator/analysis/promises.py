"""What a trainee promised in a reply: a time ("it'll be back today"), no charge ("I'll waive the
fee") or an amount of money ("I'll credit you fifty pounds").

Rule-based and explainable, built for speech-recogniser text: numbers may be words ("forty eight
hours", "a hundred and twenty pounds"), times may have no number ("tomorrow", "within the hour")
and punctuation may be missing.  The reply is cut into clauses (sentence ends, commas, "but",
"however"); a clause promises a time when it has a commitment word ("will", "'ll", "should",
"going to", "could"...) and a time, unless the time is for the agent's own action ("I'll process it
today", "let me check right now"); it promises no charge when it says so in any of the ways listed in
``data/promises.yaml``; it offers money when an amount comes with an offer word ("credit",
"refund", "goodwill"...).  A negation ("can't", "won't", "never") or a hedge ("might",
"hopefully") before the time or money takes the promise back, as does a question.

Of a time, the reader keeps the *latest* it can mean ("3 to 5 days" is 5; "next week" is 14
days; "within the next week" 7; a working day counts as a day), so a promise is only ever read as
faster than it was said when the words leave no doubt.  A weekday ("by Friday") is counted from the
day the call was made when the caller gives it (``said_on``), else read as a week.  "Should" and
"could" about the outcome are promises: a customer told "it should be back today" plans on it.
The vocabulary is data (``data/promises.yaml``); the grammar is here.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

LEXICON = "promises.yaml"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CONTRACTIONS = ((re.compile(r"\bwon't\b"), "will not"), (re.compile(r"\bcan't\b"), "can not"),
                 (re.compile(r"\bshan't\b"), "shall not"), (re.compile(r"n't\b"), " not"),
                 (re.compile(r"'ll\b"), " will"), (re.compile(r"\bcannot\b"), "can not"),
                 (re.compile(r"\b(it|you|they|that)ll\b"), r"\1 will"),  # "itll", typed; not "ill", "well", "shell"
                 (re.compile(r"\bwont\b"), "will not"), (re.compile(r"\bcant\b"), "can not"))
_CURRENCY_SIGNS = {"£": "pounds", "$": "dollars", "€": "euros"}
_CLAUSE_CUT = re.compile(r"(?<=[.!?;:])\s+|\n+|,\s*|\s+(?=(?:but|however|although|though|whereas)\b)", re.IGNORECASE)
# A promise in a clause that says "it" or "that" may be about the clause before ("Your refund is done.
# It'll be back today."): only then does the reader look back, and only one clause.
_REFERS_BACK = re.compile(r"\b(?:it|its|it's|that|this|they|them|those)\b", re.IGNORECASE)
_NUMBER = r"\d+(?:\.\d+)?"


class PromiseKind(enum.StrEnum):
    TIME = "time"  # something will happen within a time
    NO_CHARGE = "no_charge"  # the customer will not pay (a fee waived, no charge)
    AMOUNT = "amount"  # an amount of money offered (a credit, compensation)


@dataclass(frozen=True, slots=True)
class Promise:
    kind: PromiseKind
    clause: str  # the trainee's clause, as said
    phrase: str  # the words the promise rests on (lower case, numbers as digits)
    context: str  # what the promise may be about: the clause, and the one before when it says "it"/"that"
    latest_days: float | None = None  # TIME: the latest the words can mean, in days from now
    amount: float | None = None  # AMOUNT
    currency: str | None = None  # AMOUNT: ISO code when said ("pounds" -> GBP)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    numbers: dict[str, float]
    scales: dict[str, float]
    quantities: dict[str, float]
    units: dict[str, float]
    moments: dict[str, float]
    weekdays: tuple[str, ...]  # Monday first, as ``date.weekday()`` counts
    commitments: re.Pattern[str]
    take_backs: re.Pattern[str]  # negations and hedges
    own_action: re.Pattern[str]  # "I'll process...", "let me check...": the agent's action, not the outcome
    no_charge: tuple[re.Pattern[str], ...]
    currencies: dict[str, str]
    offers: re.Pattern[str]
    time: re.Pattern[str]
    money: re.Pattern[str]


def _words_pattern(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)  # longest first: "working days" before "days"
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


@cache
def lexicon() -> _Lexicon:
    """The vocabulary file, read once (it is part of the package and never changes at run time)."""
    data: dict[str, Any] = yaml.safe_load(resources.files("simulator.analysis.data").joinpath(LEXICON)
                                          .read_text(encoding="utf-8"))
    units = {k: float(v) for k, v in data["units"].items()}
    moments = {k: float(v) for k, v in data["moments"].items()}
    unit_words = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    lead = _words_pattern(data["deadlines"]).pattern
    fillers = "|".join(re.escape(f) for f in data["deadline_fillers"])
    numbered = (lead + rf"\s+(?:(?:{fillers})\s+)*(?P<low>{_NUMBER})"
                rf"(?:\s*(?:to|or|-|and|until)\s*(?P<high>{_NUMBER}))?\s+(?P<unit>{unit_words})")
    moment = _words_pattern(list(moments)).pattern.replace(r"\b(?:", r"\b(?P<moment>", 1)
    weekdays = tuple(data["weekdays"])
    weekday = r"\b(?:(?P<next>next|this coming)\s+)?(?P<weekday>" + "|".join(weekdays) + r")\b"
    time = re.compile(f"{numbered}|{weekday}|{moment}")
    currency_words = _words_pattern(list(data["currencies"])).pattern
    money = re.compile(rf"(?P<amount>{_NUMBER})\s+(?P<currency>" + currency_words + ")")
    return _Lexicon(
        numbers={k: float(v) for k, v in data["numbers"].items()},
        scales={k: float(v) for k, v in data["scales"].items()},
        quantities={k: float(v) for k, v in data["quantities"].items()},
        units=units, moments=moments, weekdays=weekdays,
        commitments=_words_pattern(data["commitments"]),
        take_backs=_words_pattern(data["negations"] + data["hedges"]),
        own_action=re.compile(r"\b(?:(?:i|we) (?:will|shall|am going to|are going to|can|could)|let me|let us)"
                              r"(?: (?:just|quickly|now|personally|also|then))? (?:"
                              + "|".join(re.escape(a) for a in data["agent_actions"]) + r")\b"),
        no_charge=tuple(re.compile(p) for p in data["no_charge"]),
        currencies=dict(data["currencies"]),
        offers=_words_pattern(data["offers"]),
        time=time, money=money,
    )


def _spell_numbers(text: str, lex: _Lexicon) -> str:
    """Number words as digits: "forty eight" -> 48, "a hundred and twenty" -> 120, "an hour" -> 1 hour."""
    for phrase, value in sorted(lex.quantities.items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"\b{re.escape(phrase)}\b", f"{value:g}", text)
    tokens = text.split(" ")
    out: list[str] = []
    index = 0
    while index < len(tokens):
        word = tokens[index]
        starts_scale = word in ("a", "one") and index + 1 < len(tokens) and tokens[index + 1] in lex.scales
        if word not in lex.numbers and not starts_scale:
            out.append(word)
            index += 1
            continue
        total, current = 0.0, 0.0
        while index < len(tokens):
            word = tokens[index]
            if word in lex.numbers:
                current += lex.numbers[word]
            elif word in ("a", "one") and index + 1 < len(tokens) and tokens[index + 1] in lex.scales:
                current += 1
            elif word in lex.scales and current:
                current *= lex.scales[word]
                if lex.scales[word] >= 1000:
                    total, current = total + current, 0.0
            elif word == "and" and index + 1 < len(tokens) and tokens[index + 1] in lex.numbers and current >= 100:
                pass  # "a hundred and twenty"
            else:
                break
            index += 1
        out.append(f"{total + current:g}")
    text = " ".join(out)
    unit_words = "|".join(re.escape(u) for u in sorted(lex.units, key=len, reverse=True))
    return re.sub(rf"\b(?:a|an)\s+(?=(?:{unit_words})\b)", "1 ", text)


def normalise_speech(text: str) -> str:
    """Lower case, contractions spelled out, currency signs and number words as words and digits."""
    lex = lexicon()
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"([£$€])\s*(\d+(?:\.\d+)?)", lambda m: f"{m.group(2)} {_CURRENCY_SIGNS[m.group(1)]}", text)
    text = re.sub(r"(\d+(?:\.\d+)?)\s*(?:hrs?|h)\b", r"\1 hours", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    text = re.sub(r"[^\w.\s]|(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points, drop other punctuation
    return _spell_numbers(" ".join(text.split()), lex)


def _clauses(reply: str) -> list[tuple[str, str]]:
    """Each clause with its context (itself, and the clause before when it refers back), as said."""
    clauses = [c.strip() for c in _CLAUSE_CUT.split(reply.strip()) if c and c.strip(" ,.;:")]
    found = []
    for number, clause in enumerate(clauses):
        refers_back = number > 0 and _REFERS_BACK.search(clause) is not None
        found.append((clause, f"{clauses[number - 1]} {clause}" if refers_back else clause))
    return found


def _taken_back(said: str, before: int, lex: _Lexicon) -> bool:
    """A negation or hedge before position ``before`` (the promise's own words are after it)."""
    return lex.take_backs.search(said[:before]) is not None


def _weekday_days(match: re.Match[str], lex: _Lexicon, said_on: date | None) -> float:
    """Days from the call to the weekday named, the latest it can mean (the same weekday: a week on)."""
    ahead = 7 if match.group("next") == "next" else 0  # "next Friday" may be the one after the coming one
    if said_on is None:
        return 7.0 + ahead
    gap = (lex.weekdays.index(match.group("weekday")) - said_on.weekday()) % 7
    return float((gap or 7) + ahead)


def _time_promise(clause: str, said: str, context: str, lex: _Lexicon, said_on: date | None) -> Promise | None:
    if lex.commitments.search(said) is None:
        return None
    readings = []
    for match in lex.time.finditer(said):
        if match.group("moment"):
            days = lex.moments[match.group("moment")]
        elif match.group("weekday"):
            days = _weekday_days(match, lex, said_on)
        else:
            high = float(match.group("high") or match.group("low"))
            days = high * lex.units[match.group("unit")]
        readings.append((days, match))
    if not readings:
        return None
    days, match = max(readings, key=lambda reading: reading[0])  # the latest the words can mean
    if _taken_back(said, match.start(), lex) or lex.own_action.search(said[:match.start()]) is not None:
        return None
    return Promise(PromiseKind.TIME, clause, match.group(0), context, latest_days=round(days, 4))


def _no_charge_promise(clause: str, said: str, context: str, lex: _Lexicon) -> Promise | None:
    for pattern in lex.no_charge:
        match = pattern.search(said)
        if match is not None and not _taken_back(said, match.start(), lex):
            return Promise(PromiseKind.NO_CHARGE, clause, match.group(0), context)
    return None


def _amount_promise(clause: str, said: str, context: str, lex: _Lexicon) -> Promise | None:
    if lex.offers.search(said) is None:
        return None
    match = lex.money.search(said)
    if match is None or _taken_back(said, match.start(), lex):
        return None
    return Promise(PromiseKind.AMOUNT, clause, match.group(0), context, amount=float(match.group("amount")),
                   currency=lex.currencies[match.group("currency")])


def read_promises(reply: str, *, said_on: date | None = None) -> tuple[Promise, ...]:
    """Every promise in a reply, in order; questions promise nothing.  ``said_on``: the day of the call,
    to count a weekday from ("by Friday" said on a Thursday is 1 day)."""
    lex = lexicon()
    promises: list[Promise] = []
    for clause, context in _clauses(reply):
        if clause.rstrip().endswith("?"):
            continue
        said = normalise_speech(clause)
        said_context = normalise_speech(context)
        found = (_time_promise(clause, said, said_context, lex, said_on),
                 _no_charge_promise(clause, said, said_context, lex),
                 _amount_promise(clause, said, said_context, lex))
        promises.extend(promise for promise in found if promise is not None)
    return tuple(promises)
