"""Mirror a live call into the store turn by turn (one transaction per turn).

Pass ``CallMirror(...)`` as ``on_event`` to ``run_call`` (or call it with each ``CallEvent`` from
``CallSession.run()``).  The call's own ``call.jsonl`` stays the primary durable record: if the
database is unreachable mid-call the mirror warns once and carries on, and ``finish()`` (or the
next start's ``recover_unfinished()``) reconciles the database from the file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from simulator.record import CallEnded, CallEvent, CallRecord, CustomerSpoke, TraineeAnswered, read_call
from simulator.scoring.scorecard import Scorecard
from simulator.store.types import CallKind


class CallMirror:
    def __init__(self, store, folder: Path, *, trainee: str | None = None, team: str | None = None,
                 kind: CallKind = CallKind.TRAINING, competition: str | None = None,
                 warn: Callable[[str], None] | None = None):
        self.store = store
        self.folder = Path(folder)
        self.trainee = trainee
        self.team = team
        self.kind = kind
        self.competition = competition
        self.call_id: str | None = None
        self.record: CallRecord | None = None
        self._warn = warn or (lambda text: print(f"callsim: {text}", file=sys.stderr))
        self._failed = False

    def __call__(self, event: CallEvent) -> None:
        if self._failed:
            return
        try:
            if self.call_id is None:
                header = read_call(self.folder).header  # the recorder wrote it before the first event
                self.call_id = self.store.begin_call(header, self.folder, trainee=self.trainee, team=self.team,
                                                     kind=self.kind, competition=self.competition)
            if isinstance(event, (CustomerSpoke, TraineeAnswered)):
                self.store.add_turn(self.call_id, event.record, self.folder)
            elif isinstance(event, CallEnded):
                self.record = event.record
                self.store.end_call(self.call_id, event.record.outcome, event.record.ended_at)
        except Exception as err:
            self._failed = True
            self._warn(f"could not write the call to the store ({err}); it is kept in {self.folder} "
                       "and will be saved at the end of the call")

    def finish(self, record: CallRecord, scorecard: Scorecard | None) -> str:
        """Save the finished call and its scorecard (fills any turns the live writes missed)."""
        self.call_id = self.store.save_call(record, scorecard, trainee=self.trainee, team=self.team, kind=self.kind,
                                            competition=self.competition, call_id=self.call_id)
        return self.call_id
