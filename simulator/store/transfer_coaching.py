"""The coaching half of an export: cases (with notes and who they were assigned to), review playlists,
mentor-apprentice pairs, mentors' assignments and feedback.

What travels follows the trainees chosen for the export:

* a case goes with its call (so only cases on exported calls), with all its notes, and assigned only
  to exported trainees (other trainees' names stay behind);
* a playlist goes when at least one of its cases does, holding just those cases in meeting order;
* a pairing, with its assignments and feedback, goes when the apprentice or the mentor is exported
  (the other person arrives as a name without calls).  Feedback about a call the receiving store
  doesn't have keeps its text but loses the link to the call.

Import adds only what is missing (same case call, note text and time, pair, assignment id, feedback
text and time), so importing a file twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from simulator.store import models as m
from simulator.store.people import get_or_create_trainee

mentor_people = m.trainees.alias("export_mentor")
apprentice_people = m.trainees.alias("export_apprentice")


def export_coaching(conn: Any, trainee_ids: list[int], call_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The coaching rows that belong with these trainees and calls, as JSON-ready data."""
    return {"cases": _export_cases(conn, trainee_ids, call_ids),
            "playlists": _export_playlists(conn, call_ids),
            **_export_mentoring(conn, trainee_ids)}


def _export_cases(conn: Any, trainee_ids: list[int], call_ids: list[str]) -> list[dict[str, Any]]:
    cases = []
    rows = conn.execute(sa.select(m.cases).where(m.cases.c.call_id.in_(call_ids))
                        .order_by(m.cases.c.created_at, m.cases.c.id)).all() if call_ids else []
    for row in rows:
        notes = conn.execute(sa.select(m.case_notes.c.turn_index, m.case_notes.c.note, m.case_notes.c.author,
                                       m.case_notes.c.created_at).where(m.case_notes.c.case_id == row.id)
                             .order_by(m.case_notes.c.created_at, m.case_notes.c.id)).all()
        assigned = conn.execute(
            sa.select(m.trainees.c.name.label("trainee"), m.case_assignments.c.assigned_by,
                      m.case_assignments.c.assigned_at)
            .select_from(m.case_assignments.join(m.trainees))
            .where(m.case_assignments.c.case_id == row.id, m.case_assignments.c.trainee_id.in_(trainee_ids))
            .order_by(m.case_assignments.c.assigned_at, m.case_assignments.c.id)).all()
        cases.append({**{k: v for k, v in row._mapping.items() if k != "id"},
                      "notes": [dict(n._mapping) for n in notes],
                      "assigned_to": [dict(a._mapping) for a in assigned]})
    return cases


def _export_playlists(conn: Any, call_ids: list[str]) -> list[dict[str, Any]]:
    if not call_ids:
        return []
    playlists = []
    for row in conn.execute(sa.select(m.playlists).order_by(m.playlists.c.created_at, m.playlists.c.id)).all():
        items = conn.execute(sa.select(m.cases.c.call_id).select_from(m.playlist_items.join(m.cases))
                             .where(m.playlist_items.c.playlist_id == row.id)
                             .order_by(m.playlist_items.c.position)).scalars().all()
        travelling = [call_id for call_id in items if call_id in set(call_ids)]
        if travelling:
            playlists.append({**{k: v for k, v in row._mapping.items() if k != "id"}, "call_ids": travelling})
    return playlists


def _with_names(table: sa.Table, trainee_ids: list[int]) -> Any:
    keep = [c for c in table.columns if c.name not in ("mentor_id", "apprentice_id") and
            not (c.name == "id" and isinstance(c.type, sa.Integer))]
    return (sa.select(*keep, mentor_people.c.name.label("mentor"), apprentice_people.c.name.label("apprentice"))
            .select_from(table.join(mentor_people, table.c.mentor_id == mentor_people.c.id)
                         .join(apprentice_people, table.c.apprentice_id == apprentice_people.c.id))
            .where(sa.or_(table.c.mentor_id.in_(trainee_ids), table.c.apprentice_id.in_(trainee_ids))))


def _export_mentoring(conn: Any, trainee_ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    if not trainee_ids:
        return {"mentorships": [], "assignments": [], "mentor_feedback": []}
    return {table.name: [dict(r._mapping) for r in conn.execute(
                _with_names(table, trainee_ids).order_by(table.c.id))]
            for table in (m.mentorships, m.assignments, m.mentor_feedback)}


def import_coaching(conn: Any, coaching: dict[str, list[dict[str, Any]]]) -> int:
    """Add the coaching rows this store lacks; returns how many rows were added."""
    people: dict[str, int] = {}

    def person(name: str) -> int:
        if name not in people:
            people[name] = get_or_create_trainee(conn, name, None).id
        return people[name]

    added = sum(_import_case(conn, case, person) for case in coaching.get("cases", []))
    added += sum(_import_playlist(conn, playlist) for playlist in coaching.get("playlists", []))
    added += _import_mentoring(conn, coaching, person)
    return added


def _absent(conn: Any, table: sa.Table, **equal: Any) -> bool:
    query = sa.select(sa.literal(1)).select_from(table).where(*(table.c[k] == v for k, v in equal.items()))
    return conn.execute(query.limit(1)).first() is None


def _import_case(conn: Any, case: dict[str, Any], person: Any) -> int:
    added = 0
    columns = {c.name for c in m.cases.columns} - {"id"}
    if _absent(conn, m.cases, call_id=case["call_id"]):
        conn.execute(m.cases.insert().values(**{k: case[k] for k in columns}))
        added += 1
    case_id = conn.execute(sa.select(m.cases.c.id).where(m.cases.c.call_id == case["call_id"])).scalar_one()
    for note in case.get("notes", []):
        if _absent(conn, m.case_notes, case_id=case_id, created_at=note["created_at"], note=note["note"]):
            conn.execute(m.case_notes.insert().values(case_id=case_id, **note))
            added += 1
    for given in case.get("assigned_to", []):
        trainee_id = person(given["trainee"])
        if _absent(conn, m.case_assignments, case_id=case_id, trainee_id=trainee_id):
            conn.execute(m.case_assignments.insert().values(case_id=case_id, trainee_id=trainee_id,
                                                            assigned_by=given["assigned_by"],
                                                            assigned_at=given["assigned_at"]))
            added += 1
    return added


def _import_playlist(conn: Any, playlist: dict[str, Any]) -> int:
    """A playlist whose name this store already uses is left as it is (the receiving lab's wins)."""
    if not _absent(conn, m.playlists, name=playlist["name"]):
        return 0
    key = conn.execute(m.playlists.insert().values(
        **{k: playlist[k] for k in ("name", "title", "team", "created_by", "created_at")})).inserted_primary_key
    assert key is not None, "a single-row insert always reports its primary key"
    case_ids = [conn.execute(sa.select(m.cases.c.id).where(m.cases.c.call_id == call_id)).scalar_one()
                for call_id in playlist["call_ids"]]
    conn.execute(m.playlist_items.insert(), [{"playlist_id": int(key[0]), "case_id": case_id, "position": n}
                                             for n, case_id in enumerate(case_ids)])
    return 1


def _import_mentoring(conn: Any, coaching: dict[str, list[dict[str, Any]]], person: Any) -> int:
    added = 0
    for pair in coaching.get("mentorships", []):
        ids = {"mentor_id": person(pair["mentor"]), "apprentice_id": person(pair["apprentice"])}
        if _absent(conn, m.mentorships, **ids):
            conn.execute(m.mentorships.insert().values(started_at=pair["started_at"], **ids))
            added += 1
    for work in coaching.get("assignments", []):
        if _absent(conn, m.assignments, id=work["id"]):
            conn.execute(m.assignments.insert().values(
                mentor_id=person(work["mentor"]), apprentice_id=person(work["apprentice"]),
                **{k: v for k, v in work.items() if k not in ("mentor", "apprentice")}))
            added += 1
    for said in coaching.get("mentor_feedback", []):
        ids = {"mentor_id": person(said["mentor"]), "apprentice_id": person(said["apprentice"])}
        if not _absent(conn, m.mentor_feedback, created_at=said["created_at"], text=said["text"], **ids):
            continue
        call_id = said["call_id"]
        if call_id is not None and _absent(conn, m.calls, id=call_id):
            call_id = None  # the call stayed behind: keep the words, drop the link
        conn.execute(m.mentor_feedback.insert().values(call_id=call_id, text=said["text"],
                                                       created_at=said["created_at"], **ids))
        added += 1
    return added
