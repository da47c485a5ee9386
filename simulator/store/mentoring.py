"""Mentoring (师带徒): mentor-apprentice pairs, the work a mentor sets, and the mentor's feedback.

Mentors and apprentices are both people in the trainees table, so a senior agent who mentors can
also train.  Whether an assignment is done is worked out from the calls (``simulator.lab.mentoring``),
never stored, so it can't disagree with them.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from simulator.record import now_iso
from simulator.store import models as m
from simulator.store.coaching import Assignment, Feedback, Mentorship, TargetKind
from simulator.store.engine import Transactions
from simulator.store.people import get_or_create_trainee, known_trainee
from simulator.store.rows import resolve_call_prefix
from simulator.store.types import StoreError

mentor_people = m.trainees.alias("mentor_people")
apprentice_people = m.trainees.alias("apprentice_people")
apprentice_teams = m.teams.alias("apprentice_teams")


def _paired(conn: Any, mentor_id: int, apprentice_id: int) -> bool:
    return conn.execute(sa.select(m.mentorships.c.id).where(
        m.mentorships.c.mentor_id == mentor_id, m.mentorships.c.apprentice_id == apprentice_id)).scalar() is not None


def _require_pair(conn: Any, mentor: str, apprentice: str) -> tuple[int, int]:
    mentor_id, apprentice_id = known_trainee(conn, mentor).id, known_trainee(conn, apprentice).id
    if not _paired(conn, mentor_id, apprentice_id):
        raise StoreError(f"{mentor} is not {apprentice}'s mentor (pair them first: callsim mentor pair "
                         f"{mentor!r} {apprentice!r})")
    return mentor_id, apprentice_id


def _people_query(table: sa.Table) -> Any:
    """``table``'s rows with the mentor's and apprentice's names (and the apprentice's team)."""
    return (sa.select(table, mentor_people.c.name.label("mentor"), apprentice_people.c.name.label("apprentice"))
            .select_from(table.join(mentor_people, table.c.mentor_id == mentor_people.c.id)
                         .join(apprentice_people, table.c.apprentice_id == apprentice_people.c.id)
                         .outerjoin(apprentice_teams, apprentice_people.c.team_id == apprentice_teams.c.id)))


def _narrowed(query: Any, mentor: str | None, apprentice: str | None, team: str | None) -> Any:
    if mentor is not None:
        query = query.where(mentor_people.c.name == mentor)
    if apprentice is not None:
        query = query.where(apprentice_people.c.name == apprentice)
    if team is not None:
        query = query.where(apprentice_teams.c.name == team)
    return query


class MentorRepo(Transactions):
    """Mixed into ``SqlStore``: shares its transactions."""

    def pair(self, mentor: str, apprentice: str) -> Mentorship:
        """Pair a mentor (created if new) with an existing apprentice; pairing again changes nothing."""
        if mentor == apprentice:
            raise StoreError("a mentor cannot be their own apprentice")
        started = now_iso()

        def work(conn: Any) -> Mentorship:
            learner = known_trainee(conn, apprentice)
            guide = get_or_create_trainee(conn, mentor, None)
            if not _paired(conn, guide.id, learner.id):
                conn.execute(m.mentorships.insert().values(mentor_id=guide.id, apprentice_id=learner.id,
                                                           started_at=started))
            row = conn.execute(_people_query(m.mentorships).where(m.mentorships.c.mentor_id == guide.id,
                                                                  m.mentorships.c.apprentice_id == learner.id)).one()
            return Mentorship(row.mentor, row.apprentice, row.started_at)
        return self._write(work)

    def unpair(self, mentor: str, apprentice: str) -> None:
        """End a pairing; its assignments and feedback go with it."""
        def work(conn: Any) -> None:
            mentor_id, apprentice_id = _require_pair(conn, mentor, apprentice)
            for table in (m.assignments, m.mentor_feedback, m.mentorships):
                conn.execute(table.delete().where(table.c.mentor_id == mentor_id,
                                                  table.c.apprentice_id == apprentice_id))
        self._write(work)

    def mentorships(self, mentor: str | None = None, apprentice: str | None = None) -> list[Mentorship]:
        query = _narrowed(_people_query(m.mentorships), mentor, apprentice, None).order_by(
            mentor_people.c.name, apprentice_people.c.name)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Mentorship(r.mentor, r.apprentice, r.started_at) for r in rows]

    def assign(self, mentor: str, apprentice: str, target_kind: TargetKind, target_id: str, *,
               target_score: float, due_at: str, note: str | None = None) -> Assignment:
        """The mentor sets the apprentice a scenario or drill to reach ``target_score`` by ``due_at``."""
        if not 0 <= target_score <= 100:
            raise StoreError(f"a target score is 0-100, not {target_score:g}")
        if not target_id.strip():
            raise StoreError(f"name the {TargetKind(target_kind).value} to practise")
        assignment = Assignment(uuid.uuid4().hex, mentor, apprentice, TargetKind(target_kind), target_id.strip(),
                                float(target_score), due_at, note or None, now_iso())

        def work(conn: Any) -> Assignment:
            mentor_id, apprentice_id = _require_pair(conn, mentor, apprentice)
            conn.execute(m.assignments.insert().values(
                id=assignment.assignment_id, mentor_id=mentor_id, apprentice_id=apprentice_id,
                target_kind=assignment.target_kind.value, target_id=assignment.target_id,
                target_score=assignment.target_score, due_at=due_at, note=assignment.note,
                created_at=assignment.created_at))
            return assignment
        return self._write(work)

    def assignments(self, *, mentor: str | None = None, apprentice: str | None = None,
                    team: str | None = None) -> list[Assignment]:
        """Assignments by due date (soonest first), for a mentor, an apprentice or a team's apprentices."""
        query = _narrowed(_people_query(m.assignments), mentor, apprentice, team).order_by(
            m.assignments.c.due_at, m.assignments.c.created_at)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Assignment(r.id, r.mentor, r.apprentice, TargetKind(r.target_kind), r.target_id, r.target_score,
                           r.due_at, r.note, r.created_at) for r in rows]

    def cancel_assignment(self, assignment_id: str) -> str:
        """Withdraw an assignment (by id or unique prefix); returns its full id."""
        prefix = assignment_id.strip().lower()

        def work(conn: Any) -> str:
            found = conn.execute(sa.select(m.assignments.c.id).where(
                m.assignments.c.id.startswith(prefix, autoescape=True)).limit(2)).scalars().all() if prefix else []
            if len(found) != 1:
                raise StoreError(f"no single assignment with id {assignment_id!r} (see `callsim mentor assignments`)")
            conn.execute(m.assignments.delete().where(m.assignments.c.id == found[0]))
            return str(found[0])
        return self._write(work)

    def leave_feedback(self, mentor: str, text: str, *, call_id: str | None = None,
                       apprentice: str | None = None) -> Feedback:
        """Feedback on one of the apprentice's calls (the apprentice is the call's trainee), or general."""
        if not text.strip():
            raise StoreError("feedback needs some text")
        created = now_iso()

        def work(conn: Any) -> Feedback:
            full_id = resolve_call_prefix(conn, call_id) if call_id else None
            learner = apprentice
            if full_id is not None:
                learner = conn.execute(sa.select(m.trainees.c.name).select_from(m.calls.join(m.trainees))
                                       .where(m.calls.c.id == full_id)).scalar()
                if learner is None:
                    raise StoreError(f"call {full_id[:8]} has no trainee to give feedback to")
                if apprentice is not None and apprentice != learner:
                    raise StoreError(f"call {full_id[:8]} is {learner}'s, not {apprentice}'s")
            if learner is None:
                raise StoreError("give the call the feedback is about, or the apprentice")
            mentor_id, apprentice_id = _require_pair(conn, mentor, learner)
            conn.execute(m.mentor_feedback.insert().values(mentor_id=mentor_id, apprentice_id=apprentice_id,
                                                           call_id=full_id, text=text.strip(), created_at=created))
            return Feedback(mentor, learner, full_id, text.strip(), created)
        return self._write(work)

    def feedback(self, *, mentor: str | None = None, apprentice: str | None = None) -> list[Feedback]:
        """Mentors' feedback, newest first."""
        query = _narrowed(_people_query(m.mentor_feedback), mentor, apprentice, None).order_by(
            m.mentor_feedback.c.created_at.desc(), m.mentor_feedback.c.id.desc())
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Feedback(r.mentor, r.apprentice, r.call_id, r.text, r.created_at) for r in rows]
