"""How a call is taken: practice (hints on), drill (turn timer), exam (no hints, no preview)."""

from __future__ import annotations

import enum


class CallMode(enum.StrEnum):
    PRACTICE = "practice"
    DRILL = "drill"
    EXAM = "exam"

    @property
    def shows_coaching(self) -> bool:
        return self is not CallMode.EXAM

    @property
    def times_turns(self) -> bool:
        return self is CallMode.DRILL

    def next(self) -> CallMode:
        members = list(CallMode)
        return members[(members.index(self) + 1) % len(members)]

    @property
    def record_kind(self) -> str:
        """The store's call kind (``simulator.store.CallKind`` value) for a call in this mode."""
        return {CallMode.PRACTICE: "training", CallMode.DRILL: "drill", CallMode.EXAM: "exam"}[self]
