"""Service-lab records: competitions, KPIs, star-level certifications and drill runs."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from simulator.record import now_iso
from simulator.store import models as m
from simulator.store.engine import Transactions
from simulator.store.people import get_or_create_trainee
from simulator.store.rows import trainee_info
from simulator.store.types import Certification, KpiRow, StoreError


class LabRecordRepo(Transactions):
    """Mixed into ``SqlStore``: shares its transactions."""

    def put_competition(self, competition_id: str, title: str, starts_at: str, ends_at: str, min_attempts: int,
                        data: dict[str, Any]) -> None:
        """Create or replace a competition definition (``data``: scenarios, teams, ranking...)."""
        values = {"title": title, "starts_at": starts_at, "ends_at": ends_at, "min_attempts": min_attempts,
                  "data": data}

        def work(conn: Any) -> None:
            exists = conn.execute(sa.select(m.competitions.c.id).where(m.competitions.c.id == competition_id)).scalar()
            if exists:
                conn.execute(m.competitions.update().where(m.competitions.c.id == competition_id).values(**values))
            else:
                conn.execute(m.competitions.insert().values(id=competition_id, created_at=now_iso(), **values))
        self._write(work)

    def get_competition(self, competition_id: str) -> dict[str, Any] | None:
        row = self._read(lambda conn: conn.execute(
            sa.select(m.competitions).where(m.competitions.c.id == competition_id)).first())
        return dict(row._mapping) if row else None

    def list_competitions(self) -> list[dict[str, Any]]:
        query = sa.select(m.competitions).order_by(m.competitions.c.starts_at)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [dict(r._mapping) for r in rows]

    def put_kpis(self, rows: list[KpiRow], source: str) -> int:
        """Store KPI rows (one per trainee and period; a re-import replaces the period) atomically."""
        def work(conn: Any) -> int:
            for row in rows:
                trainee_id = get_or_create_trainee(conn, row.trainee, None).id
                conn.execute(m.kpis.delete().where(m.kpis.c.trainee_id == trainee_id, m.kpis.c.period == row.period))
                conn.execute(m.kpis.insert().values(
                    trainee_id=trainee_id, period=row.period, satisfaction=row.satisfaction,
                    first_call_resolution=row.first_call_resolution, handle_time_s=row.handle_time_s,
                    complaints=row.complaints, source=source, created_at=now_iso()))
            return len(rows)
        return self._write(work)

    def kpis(self, trainee: str | None = None, team: str | None = None) -> list[KpiRow]:
        query = (sa.select(m.kpis, m.trainees.c.name.label("trainee"))
                 .select_from(m.kpis.join(m.trainees).outerjoin(m.teams)).order_by(m.trainees.c.name, m.kpis.c.period))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [KpiRow(r.trainee, r.period, r.satisfaction, r.first_call_resolution, r.handle_time_s, r.complaints)
                for r in rows]

    def certify(self, trainee: str, stars: int, call_ids: list[str]) -> Certification:
        certified_at = now_iso()

        def work(conn: Any) -> None:
            found = trainee_info(conn, trainee)
            if found is None:
                raise StoreError(f"no trainee named {trainee!r}")
            conn.execute(m.certifications.insert().values(trainee_id=found.id, stars=stars,
                                                          certified_at=certified_at, call_ids=list(call_ids)))
        self._write(work)
        return Certification(trainee, stars, certified_at, tuple(call_ids))

    def certifications(self, trainee: str | None = None) -> list[Certification]:
        query = (sa.select(m.certifications, m.trainees.c.name.label("trainee"))
                 .select_from(m.certifications.join(m.trainees)).order_by(m.certifications.c.certified_at))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Certification(r.trainee, r.stars, r.certified_at, tuple(r.call_ids)) for r in rows]

    def save_drill_run(self, drill_id: str, trainee: str | None, started_at: str, data: dict[str, Any]) -> str:
        run_id = uuid.uuid4().hex

        def work(conn: Any) -> str:
            trainee_id = get_or_create_trainee(conn, trainee, None).id if trainee else None
            conn.execute(m.drill_runs.insert().values(id=run_id, trainee_id=trainee_id, drill_id=drill_id,
                                                      started_at=started_at, data=data))
            return run_id
        return self._write(work)

    def drill_runs(self, trainee: str | None = None, team: str | None = None) -> list[dict[str, Any]]:
        """Stored drill runs, oldest first: their JSON (``simulator.lab.drills.drill_result_to_json``)."""
        query = (sa.select(m.drill_runs.c.id, m.drill_runs.c.started_at, m.drill_runs.c.data)
                 .select_from(m.drill_runs.outerjoin(m.trainees).outerjoin(m.teams))
                 .order_by(m.drill_runs.c.started_at))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [{"run_id": r.id, "started_at": r.started_at, **r.data} for r in rows]
