"""Argument types the commands share: a whole number in a range, said as argparse says a bad value.

A flag that took any int let through values nothing downstream could use (a seed the store cannot
keep, a mood of 500, a minimum of -5 attempts), each failing later, or silently clamped.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: ``low`` to ``high`` (no upper bound when None)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: {span}")
        return value

    return parse


class CommaList(argparse.Action):
    """A ``KIND[,KIND...]`` flag that may also be given again: ``--require a --require b`` means ``a,b``
    (argparse's plain store kept the last one and dropped the first without a word)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        earlier = getattr(namespace, self.dest, None)
        given = str(values)
        setattr(namespace, self.dest, ",".join(part for part in (earlier, given) if part) if earlier else given)
