"""How a trainee takes a call: practice (hints on), drill (turn timer), exam (no hints, no preview).

Not to be confused with ``simulator.record.CallMode`` (text or voice): that is the channel.
"""

from __future__ import annotations

import enum

from simulator.ui.i18n import message_id


class TrainingMode(enum.StrEnum):
    PRACTICE = "practice"
    DRILL = "drill"
    EXAM = "exam"

    @property
    def label(self) -> str:
        """The mode's message id, for the app's catalogue."""
        return MODE_NAMES[self]

    @property
    def shows_coaching(self) -> bool:
        return self is not TrainingMode.EXAM

    @property
    def allows_cards(self) -> bool:
        """Knowledge cards may be opened during the call (not in an exam)."""
        return self is not TrainingMode.EXAM

    @property
    def times_turns(self) -> bool:
        return self is TrainingMode.DRILL

    def next(self) -> TrainingMode:
        members = list(TrainingMode)
        return members[(members.index(self) + 1) % len(members)]

    @property
    def record_kind(self) -> str:
        """The store's call kind (``simulator.store.CallKind`` value) for a call in this mode."""
        return {TrainingMode.PRACTICE: "training", TrainingMode.DRILL: "drill", TrainingMode.EXAM: "exam"}[self]


MODE_NAMES = {TrainingMode.PRACTICE: message_id("practice"), TrainingMode.DRILL: message_id("drill"),
              TrainingMode.EXAM: message_id("exam")}
