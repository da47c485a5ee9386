"""Trainer reviews: overrides beside the machine's judgements, timeline notes, the audit of every
change, and the reviewed scorecards that scores elsewhere are read from.

The reviewed scorecards are computed by the caller (``simulator.lab.review``, which can load the
scenario and rescore) and written here in the same transaction as the change that caused them,
so a call's overrides and its reviewed score never disagree.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

from simulator.record import now_iso
from simulator.scoring.scorecard import Scorecard, scorecard_from_json, scorecard_to_json
from simulator.store import models as m
from simulator.store.engine import Transactions
from simulator.store.rows import check_name
from simulator.store.types import AuditEntry, CallReview, Override, ReviewNote, ReviewTarget, StoreError

MAX_NOTE_CHARS = 2000


class ReviewRepo(Transactions):
    """Mixed into ``SqlStore``: shares its transactions."""

    def set_override(self, override: Override, *, reviewer_card: Scorecard, call_card: Scorecard) -> Override:
        """Keep (or change) a reviewer's judgement, audit it, and store the rescored cards."""
        check_name(override.reviewer, "reviewer")
        if not override.reason.strip():
            raise StoreError("an override needs a reason (what the machine got wrong)")
        stamp = now_iso()

        def work(conn: Any) -> Override:
            key = _override_key(override)
            before = conn.execute(sa.select(m.review_overrides.c.reviewed, m.review_overrides.c.created_at)
                                  .where(*key)).first()
            values = {"machine": override.machine, "reviewed": override.reviewed, "reason": override.reason.strip(),
                      "updated_at": stamp}
            if before is None:
                conn.execute(m.review_overrides.insert().values(
                    call_id=override.call_id, reviewer=override.reviewer, target=override.target.value,
                    turn_index=override.turn_index, item=override.item, created_at=stamp, **values))
            else:
                conn.execute(m.review_overrides.update().where(*key).values(**values))
            conn.execute(m.review_audit.insert().values(
                call_id=override.call_id, actor=override.reviewer, action="override", target=override.what,
                before=override.machine if before is None else before.reviewed, after=override.reviewed,
                reason=override.reason.strip(), at=stamp))
            _save_cards(conn, override.call_id, override.reviewer, reviewer_card, call_card, stamp)
            created = stamp if before is None else before.created_at
            return Override(override.call_id, override.reviewer, override.target, override.turn_index, override.item,
                            override.machine, override.reviewed, override.reason.strip(), created, stamp)
        return self._write(work)

    def accept_call(self, call_id: str, reviewer: str, *, reviewer_card: Scorecard, call_card: Scorecard) -> None:
        """A reviewer signs a call off (what they did not override, they agree with); audited."""
        check_name(reviewer, "reviewer")
        stamp = now_iso()

        def work(conn: Any) -> None:
            conn.execute(m.review_audit.insert().values(
                call_id=call_id, actor=reviewer, action="accept", target="call", before=None,
                after=reviewer_card.overall, reason=None, at=stamp))
            _save_cards(conn, call_id, reviewer, reviewer_card, call_card, stamp)
        self._write(work)

    def add_note(self, call_id: str, author: str, at_s: float, text: str, turn_index: int | None = None
                 ) -> ReviewNote:
        check_name(author, "reviewer")
        text = text.strip()
        if not text:
            raise StoreError("a note needs some text")
        if len(text) > MAX_NOTE_CHARS:
            raise StoreError(f"a note is at most {MAX_NOTE_CHARS} characters (this one has {len(text)})")
        if not math.isfinite(at_s) or at_s < 0:  # inf was stored, then broke every view and export of the call
            raise StoreError(f"a note's time is on the call clock, 0 or more seconds (got {at_s})")
        full_id = self.resolve_call_id(call_id)  # type: ignore[attr-defined]  # CallRepo, in SqlStore
        stamp = now_iso()

        def work(conn: Any) -> int:
            new_id = conn.execute(m.review_notes.insert().values(
                call_id=full_id, author=author, at_s=float(at_s), turn_index=turn_index, text=text,
                created_at=stamp).returning(m.review_notes.c.id)).scalar_one()
            conn.execute(m.review_audit.insert().values(
                call_id=full_id, actor=author, action="note", target=f"at {at_s:.1f} s", before=None, after=text,
                reason=None, at=stamp))
            return int(new_id)
        return ReviewNote(self._write(work), full_id, author, float(at_s), turn_index, text, stamp)

    # -- reading --------------------------------------------------------------------------------
    def overrides(self, call_id: str | None = None, reviewer: str | None = None) -> list[Override]:
        query = sa.select(m.review_overrides).order_by(m.review_overrides.c.call_id, m.review_overrides.c.updated_at,
                                                       m.review_overrides.c.id)
        if call_id is not None:
            query = query.where(m.review_overrides.c.call_id == call_id)
        if reviewer is not None:
            query = query.where(m.review_overrides.c.reviewer == reviewer)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Override(r.call_id, r.reviewer, ReviewTarget(r.target), r.turn_index, r.item, r.machine, r.reviewed,
                         r.reason, r.created_at, r.updated_at) for r in rows]

    def notes(self, call_id: str) -> list[ReviewNote]:
        rows = self._read(lambda conn: conn.execute(sa.select(m.review_notes).where(
            m.review_notes.c.call_id == call_id).order_by(m.review_notes.c.at_s, m.review_notes.c.id)).all())
        return [ReviewNote(r.id, r.call_id, r.author, r.at_s, r.turn_index, r.text, r.created_at) for r in rows]

    def audit(self, call_id: str | None = None) -> list[AuditEntry]:
        query = sa.select(m.review_audit).order_by(m.review_audit.c.at, m.review_audit.c.id)
        if call_id is not None:
            query = query.where(m.review_audit.c.call_id == call_id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [AuditEntry(r.call_id, r.actor, r.action, r.target, r.before, r.after, r.reason, r.at) for r in rows]

    def call_reviews(self, call_id: str | None = None) -> list[CallReview]:
        """Each reviewer's scorecard of each reviewed call (of ``call_id`` if given)."""
        query = sa.select(m.call_reviews).order_by(m.call_reviews.c.call_id, m.call_reviews.c.started_at)
        if call_id is not None:
            query = query.where(m.call_reviews.c.call_id == call_id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [CallReview(r.call_id, r.reviewer, r.started_at, r.updated_at, scorecard_from_json(r.data))
                for r in rows]


def _override_key(override: Override) -> tuple[Any, ...]:
    c = m.review_overrides.c
    return (c.call_id == override.call_id, c.reviewer == override.reviewer, c.target == override.target.value,
            c.turn_index == override.turn_index, c.item == override.item)


def _save_cards(conn: Any, call_id: str, reviewer: str, reviewer_card: Scorecard, call_card: Scorecard,
                stamp: str) -> None:
    if conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id == call_id)).scalar() is None:
        raise StoreError(f"no call {call_id!r}")
    mine = (m.call_reviews.c.call_id == call_id, m.call_reviews.c.reviewer == reviewer)
    started = conn.execute(sa.select(m.call_reviews.c.started_at).where(*mine)).scalar()
    conn.execute(m.call_reviews.delete().where(*mine))
    conn.execute(m.call_reviews.insert().values(
        call_id=call_id, reviewer=reviewer, started_at=started or stamp, updated_at=stamp,
        overall=reviewer_card.overall, passed=reviewer_card.passed, data=scorecard_to_json(reviewer_card)))
    reviewers = list(conn.execute(sa.select(m.call_reviews.c.reviewer).where(m.call_reviews.c.call_id == call_id)
                                  .order_by(m.call_reviews.c.started_at, m.call_reviews.c.reviewer)).scalars())
    scores = {d.dimension.value: d.score for d in call_card.dimensions}
    conn.execute(m.reviewed_scores.delete().where(m.reviewed_scores.c.call_id == call_id))
    conn.execute(m.reviewed_scores.insert().values(
        call_id=call_id, overall=call_card.overall, passed=call_card.passed, empathy=scores.get("empathy"),
        compliance=scores.get("compliance"), tone=scores.get("tone"), reviewers=reviewers, updated_at=stamp,
        data=scorecard_to_json(call_card)))
