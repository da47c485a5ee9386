"""Teams and trainees (names are unique; concurrent sign-ins of one new name create one row)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from simulator.record import now_iso
from simulator.store import models as m
from simulator.store.engine import Transactions
from simulator.store.rows import check_name, team_info, trainee_info
from simulator.store.types import StoreError, TeamInfo, TraineeInfo


def team_row_id(conn: sa.Connection, name: str, *, create: bool) -> int | None:
    """The team's row id; with ``create``, a new team row when there is none."""
    found = conn.execute(sa.select(m.teams.c.id).where(m.teams.c.name == name)).scalar()
    if found is not None or not create:
        return found
    check_name(name, "team")
    # a savepoint so a concurrent creator's row (unique violation) leaves our transaction usable
    try:
        with conn.begin_nested():
            key = conn.execute(m.teams.insert().values(name=name, created_at=now_iso())).inserted_primary_key
            assert key is not None, "a single-row insert always reports its primary key"
            return int(key[0])
    except sa.exc.IntegrityError:
        return conn.execute(sa.select(m.teams.c.id).where(m.teams.c.name == name)).scalar_one()


def known_team(conn: sa.Connection, name: str) -> TeamInfo:
    found = team_info(conn, name)
    if found is None:
        raise StoreError(f"no team named {name!r}")
    return found


def known_trainee(conn: sa.Connection, name: str) -> TraineeInfo:
    found = trainee_info(conn, name)
    if found is None:
        raise StoreError(f"no trainee named {name!r}")
    return found


def get_or_create_trainee(conn: sa.Connection, name: str, team: str | None) -> TraineeInfo:
    """The trainee, created (with the team) if new; a given team replaces the old one."""
    team_id = team_row_id(conn, team, create=True) if team else None
    found = trainee_info(conn, name)
    if found is None:
        check_name(name, "trainee")
        try:
            with conn.begin_nested():
                conn.execute(m.trainees.insert().values(name=name, team_id=team_id, created_at=now_iso()))
        except sa.exc.IntegrityError:
            pass  # another station created it a moment ago
    elif team_id is not None:
        conn.execute(m.trainees.update().where(m.trainees.c.name == name).values(team_id=team_id))
    found = trainee_info(conn, name)
    assert found is not None, "the row was inserted above, or by another station first"
    return found


class PeopleRepo(Transactions):
    """Teams and trainees, mixed into ``SqlStore``."""

    def create_team(self, name: str) -> TeamInfo:
        def work(conn: Any) -> TeamInfo:
            if team_row_id(conn, name, create=False) is not None:
                raise StoreError(f"team {name!r} already exists")
            team_row_id(conn, name, create=True)
            return known_team(conn, name)
        return self._write(work)

    def ensure_team(self, name: str) -> TeamInfo:
        def work(conn: Any) -> TeamInfo:
            team_row_id(conn, name, create=True)
            return known_team(conn, name)
        return self._write(work)

    def get_team(self, name: str) -> TeamInfo | None:
        return self._read(lambda conn: team_info(conn, name))

    def list_teams(self) -> list[TeamInfo]:
        rows = self._read(lambda conn: conn.execute(sa.select(m.teams).order_by(m.teams.c.name)).all())
        return [TeamInfo(r.id, r.name, r.created_at) for r in rows]

    def create_trainee(self, name: str, team: str | None = None) -> TraineeInfo:
        def work(conn: Any) -> TraineeInfo:
            if trainee_info(conn, name) is not None:
                raise StoreError(f"trainee {name!r} already exists")
            return get_or_create_trainee(conn, name, team)
        return self._write(work)

    def ensure_trainee(self, name: str, team: str | None = None) -> TraineeInfo:
        """Get the trainee, creating it (and the team) if new; a given team replaces the old one."""
        return self._write(lambda conn: get_or_create_trainee(conn, name, team))

    def set_team(self, trainee: str, team: str | None) -> TraineeInfo:
        def work(conn: Any) -> TraineeInfo:
            known_trainee(conn, trainee)
            team_id = team_row_id(conn, team, create=True) if team else None
            conn.execute(m.trainees.update().where(m.trainees.c.name == trainee).values(team_id=team_id))
            return known_trainee(conn, trainee)
        return self._write(work)

    def get_trainee(self, name: str) -> TraineeInfo | None:
        return self._read(lambda conn: trainee_info(conn, name))

    def list_trainees(self, team: str | None = None) -> list[TraineeInfo]:
        query = (sa.select(m.trainees.c.id, m.trainees.c.name, m.teams.c.name.label("team"), m.trainees.c.created_at)
                 .select_from(m.trainees.outerjoin(m.teams)).order_by(m.trainees.c.name))
        if team is not None:
            query = query.where(m.teams.c.name == team)
        return [TraineeInfo(r.id, r.name, r.team, r.created_at) for r in self._read(lambda c: c.execute(query).all())]
