"""The case library: calls marked as cases, trainers' notes on them, cases assigned to trainees and
review playlists.  The call itself is never changed: a case only points at it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from simulator.contracts import Speaker
from simulator.record import now_iso
from simulator.store import models as m
from simulator.store.coaching import CaseInfo, CaseKind, CaseNote, Playlist
from simulator.store.engine import Transactions
from simulator.store.people import known_trainee
from simulator.store.rows import check_name, resolve_call_prefix, reviewed_or_machine
from simulator.store.types import CallKind, StoreError

MAX_TAG_CHARS = 40


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags lower-cased, trimmed, each once, in the order given."""
    cleaned: list[str] = []
    for tag in tags:
        text = " ".join(tag.split()).lower()
        if not text or len(text) > MAX_TAG_CHARS:
            raise StoreError(f"invalid tag {tag!r}: 1-{MAX_TAG_CHARS} characters")
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _case_query() -> Any:
    return (sa.select(m.cases, m.trainees.c.name.label("trainee"), m.teams.c.name.label("team"),
                      m.calls.c.scenario_id, m.calls.c.kind.label("call_kind"), m.calls.c.started_at,
                      reviewed_or_machine("overall"), reviewed_or_machine("passed"))
            .select_from(m.cases.join(m.calls).outerjoin(m.trainees).outerjoin(m.teams).outerjoin(m.scorecards)
                         .outerjoin(m.reviewed_scores, m.reviewed_scores.c.call_id == m.calls.c.id)))


def _notes(conn: Any, case_ids: list[int]) -> dict[int, list[CaseNote]]:
    found: dict[int, list[CaseNote]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    rows = conn.execute(sa.select(m.case_notes).where(m.case_notes.c.case_id.in_(case_ids))
                        .order_by(m.case_notes.c.created_at, m.case_notes.c.id)).all()
    for row in rows:
        found[row.case_id].append(CaseNote(row.turn_index, row.note, row.author, row.created_at))
    return found


def _cases(conn: Any, query: Any) -> list[CaseInfo]:
    rows = conn.execute(query).all()
    notes = _notes(conn, [r.id for r in rows])
    return [CaseInfo(r.call_id, CaseKind(r.kind), tuple(r.tags), r.summary, r.marked_by, r.created_at, r.updated_at,
                     r.trainee, r.team, r.scenario_id, CallKind(r.call_kind), r.started_at, r.overall,
                     None if r.passed is None else bool(r.passed), tuple(notes[r.id])) for r in rows]


def _case_row_id(conn: Any, call_id: str) -> int:
    found = conn.execute(sa.select(m.cases.c.id).where(m.cases.c.call_id == call_id)).scalar()
    if found is None:
        raise StoreError(f"call {call_id[:8]} is not a case (mark it first: callsim case mark {call_id[:8]} ...)")
    return int(found)


class CaseRepo(Transactions):
    """Mixed into ``SqlStore``: shares its transactions.  Calls are named by id or unique prefix."""

    def mark_case(self, call_id: str, kind: CaseKind, *, tags: Sequence[str] = (), summary: str = "",
                  marked_by: str | None = None) -> CaseInfo:
        """Mark a call as a case; marking it again replaces kind, tags and summary and keeps the notes."""
        full_id = self._read(lambda conn: resolve_call_prefix(conn, call_id))
        values = {"kind": CaseKind(kind).value, "tags": clean_tags(tags), "summary": summary.strip(),
                  "marked_by": marked_by, "updated_at": now_iso()}

        def work(conn: Any) -> CaseInfo:
            existing = conn.execute(sa.select(m.cases.c.id).where(m.cases.c.call_id == full_id)).scalar()
            if existing is None:
                conn.execute(m.cases.insert().values(call_id=full_id, created_at=values["updated_at"], **values))
            else:
                conn.execute(m.cases.update().where(m.cases.c.id == existing).values(**values))
            return _cases(conn, _case_query().where(m.cases.c.call_id == full_id))[0]
        return self._write(work)

    def unmark_case(self, call_id: str) -> None:
        full_id = self._read(lambda conn: resolve_call_prefix(conn, call_id))
        self._write(lambda conn: conn.execute(m.cases.delete().where(m.cases.c.id == _case_row_id(conn, full_id))))

    def add_case_note(self, call_id: str, note: str, *, turn_index: int | None = None,
                      author: str | None = None) -> CaseNote:
        """A trainer's note on one trainee turn (1-based) of a case, or on the whole call."""
        full_id = self._read(lambda conn: resolve_call_prefix(conn, call_id))
        if not note.strip():
            raise StoreError("a note needs some text")
        if turn_index is not None and turn_index < 1:
            raise StoreError("--turn is the trainee's turn number on the scorecard, from 1")
        if turn_index is not None:  # a turn past the call's showed later as an empty phantom turn
            said = self._read(lambda conn: conn.execute(sa.select(sa.func.count()).select_from(m.turns).where(
                m.turns.c.call_id == full_id, m.turns.c.speaker == Speaker.TRAINEE.value)).scalar_one())
            if turn_index > said:
                raise StoreError(f"--turn {turn_index}: the call has trainee turns 1-{said}")
        created = now_iso()

        def work(conn: Any) -> CaseNote:
            conn.execute(m.case_notes.insert().values(case_id=_case_row_id(conn, full_id), turn_index=turn_index,
                                                      note=note.strip(), author=author, created_at=created))
            return CaseNote(turn_index, note.strip(), author, created)
        return self._write(work)

    def get_case(self, call_id: str) -> CaseInfo:
        full_id = self._read(lambda conn: resolve_call_prefix(conn, call_id))

        def work(conn: Any) -> CaseInfo:
            _case_row_id(conn, full_id)
            return _cases(conn, _case_query().where(m.cases.c.call_id == full_id))[0]
        return self._read(work)

    def cases(self, *, kind: CaseKind | None = None, tag: str | None = None,
              trainee: str | None = None) -> list[CaseInfo]:
        """Cases in the order they were marked, filtered by kind, tag or the call's trainee."""
        query = _case_query().order_by(m.cases.c.created_at, m.cases.c.id)
        if kind is not None:
            query = query.where(m.cases.c.kind == CaseKind(kind).value)
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        found = self._read(lambda conn: _cases(conn, query))
        wanted = clean_tags([tag])[0] if tag is not None else None
        return [c for c in found if wanted is None or wanted in c.tags]

    def assign_case(self, call_id: str, trainees: Sequence[str], assigned_by: str | None = None) -> int:
        """Give a case to trainees to study (shown in their app); returns how many were newly assigned."""
        full_id = self._read(lambda conn: resolve_call_prefix(conn, call_id))
        when = now_iso()

        def work(conn: Any) -> int:
            case_id = _case_row_id(conn, full_id)
            added = 0
            for name in trainees:
                person = known_trainee(conn, name)
                exists = conn.execute(sa.select(m.case_assignments.c.id).where(
                    m.case_assignments.c.case_id == case_id, m.case_assignments.c.trainee_id == person.id)).scalar()
                if exists is None:
                    conn.execute(m.case_assignments.insert().values(
                        case_id=case_id, trainee_id=person.id, assigned_by=assigned_by, assigned_at=when))
                    added += 1
            return added
        return self._write(work)

    def assigned_cases(self, trainee: str) -> list[CaseInfo]:
        """The cases assigned to ``trainee``, most recently assigned first."""
        def work(conn: Any) -> list[CaseInfo]:
            person = known_trainee(conn, trainee)
            ordered = conn.execute(
                sa.select(m.cases.c.call_id).select_from(m.case_assignments.join(m.cases))
                .where(m.case_assignments.c.trainee_id == person.id)
                .order_by(m.case_assignments.c.assigned_at.desc(), m.case_assignments.c.id.desc())).scalars().all()
            found = {c.call_id: c for c in _cases(conn, _case_query().where(m.cases.c.call_id.in_(ordered)))}
            return [found[call_id] for call_id in ordered]
        return self._read(work)

    def save_playlist(self, name: str, call_ids: Sequence[str], *, title: str | None = None, team: str | None = None,
                      created_by: str | None = None) -> Playlist:
        """Create or replace a review playlist: the cases (by call id) in meeting order."""
        check_name(name, "playlist")
        full_ids = self._read(lambda conn: [resolve_call_prefix(conn, c) for c in call_ids])
        if not full_ids:
            raise StoreError("a playlist needs at least one case")
        if len(set(full_ids)) != len(full_ids):
            raise StoreError("a case appears twice in the playlist")
        created = now_iso()

        def work(conn: Any) -> Playlist:
            case_ids = [_case_row_id(conn, c) for c in full_ids]
            conn.execute(m.playlists.delete().where(m.playlists.c.name == name))
            key = conn.execute(m.playlists.insert().values(name=name, title=title or name, team=team,
                                                           created_by=created_by, created_at=created)
                               ).inserted_primary_key
            assert key is not None, "a single-row insert always reports its primary key"
            conn.execute(m.playlist_items.insert(), [{"playlist_id": int(key[0]), "case_id": case_id, "position": n}
                                                     for n, case_id in enumerate(case_ids)])
            return Playlist(name, title or name, team, created_by, created, tuple(full_ids))
        return self._write(work)

    def get_playlist(self, name: str) -> Playlist:
        def work(conn: Any) -> Playlist:
            row = conn.execute(sa.select(m.playlists).where(m.playlists.c.name == name)).first()
            if row is None:
                raise StoreError(f"no playlist named {name!r} (see `callsim case playlists`)")
            call_ids = conn.execute(
                sa.select(m.cases.c.call_id).select_from(m.playlist_items.join(m.cases))
                .where(m.playlist_items.c.playlist_id == row.id).order_by(m.playlist_items.c.position)).scalars().all()
            return Playlist(row.name, row.title, row.team, row.created_by, row.created_at, tuple(call_ids))
        return self._read(work)

    def playlists(self) -> list[Playlist]:
        names = self._read(lambda conn: conn.execute(
            sa.select(m.playlists.c.name).order_by(m.playlists.c.created_at)).scalars().all())
        return [self.get_playlist(name) for name in names]
