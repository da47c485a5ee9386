"""Clauses that wish the customer well: a wish is not a promise.

"Best of luck with everything", "I hope it all works out", "have a great day": the agent says what
they would like to happen, not what they or the company will do, so the customer is promised
nothing and no false promise can be in it.  Likeness of wording cannot tell "I hope you get it all
taken care of" from "it'll all be taken care of": they share every content word.  Grammar can (the
wish word), so the behaviour model makes its false-promise reading on the reply without its wishes
(``BehaviourModel``).

A clause is a wish when it has a wish word (hope, hopefully, wish, luck, all the best, "have / enjoy
a good ...") and does not also commit.  It commits when it names what the promise reader
(``simulator.analysis.promises``) reads as a promise's substance, whatever the hedge: a time ("by
Friday", "tomorrow", "within 48 hours"), no charge, or an amount of money; or when the agent hopes to
do something themselves ("I hope to have it fixed by Friday", "we're hoping to get it out"); or when
it says promise / guarantee / definitely.  Those stay for the model to judge.  English only: a
Mandarin reply is read as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.analysis.behaviour.clause import Span
from simulator.analysis.promises import lexicon, normalise_speech

_WISH = re.compile(
    r"\b(?:hope|hoping|hopefully|wish|wishing|luck|all the best|best wishes)\b"
    r"|\b(?:have|enjoy) (?:a|the|your) (?:\w+ ){0,2}?"
    r"(?:good|great|nice|lovely|wonderful|fantastic|brilliant|pleasant|safe|happy|blessed)\b")
# The agent's own act hoped for: "I hope to have it fixed", "we're hoping to get it out", "I'd hope to"
# ("we're", "I'm", "I'd" come out of ``normalise_speech`` as "we re", "i m", "i d").
_HOPES_TO_ACT = re.compile(r"\b(?:i|we)(?: am| are| re| m| do| would| d)? (?:hope|hoping) to\b")
_PLEDGE = re.compile(r"\b(?:promise|promised|guarantee|guaranteed|definitely|for sure|certainly)\b")


def commits(said: str) -> bool:
    """Whether a clause (as ``normalise_speech`` gives it) commits to something a customer would hold
    the agent to: a time, no charge, money, the agent's own hoped-for act or a pledge word."""
    lex = lexicon()
    return bool(lex.time.search(said) or lex.money.search(said) or any(p.search(said) for p in lex.no_charge)
                or _HOPES_TO_ACT.search(said) or _PLEDGE.search(said))


def is_wish(clause: str) -> bool:
    """A clause that only wishes the customer well."""
    said = normalise_speech(clause)
    return bool(_WISH.search(said)) and not commits(said)


def wish_clauses(reply: str, clauses: Sequence[Span], language: str = "en") -> tuple[bool, ...]:
    """Per clause (character spans into ``reply``, in order): whether it only wishes the customer well."""
    if language != "en":
        return tuple(False for _ in clauses)
    return tuple(is_wish(reply[start:end]) for start, end in clauses)
