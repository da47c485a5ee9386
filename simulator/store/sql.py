"""The SQL store (SQLite or PostgreSQL through SQLAlchemy Core): one transaction per public call.

Imported only through ``simulator.store.open_store`` so text mode works without SQLAlchemy.  The
methods live in small repositories by subject (``people``, ``calls``, ``labrecords``, ``caselib``,
``mentoring``); this class owns the engine and the transaction plumbing they share.
"""

from __future__ import annotations

import sqlalchemy as sa

from simulator.store.calls import CallRepo
from simulator.store.caselib import CaseRepo
from simulator.store.engine import create_engine, upgrade_to_head
from simulator.store.labrecords import LabRecordRepo
from simulator.store.mentoring import MentorRepo
from simulator.store.people import PeopleRepo
from simulator.store.reviews import ReviewRepo
from simulator.store.rows import HOST, safe_url, sha256_file
from simulator.store.types import StoreError


class SqlStore(PeopleRepo, CallRepo, LabRecordRepo, ReviewRepo, CaseRepo, MentorRepo):
    """The training store.  Every method is one transaction; results are frozen values."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = create_engine(url)
            self.schema_revision = upgrade_to_head(self.engine)
        except (sa.exc.SQLAlchemyError, OSError) as err:
            shown = safe_url(url)
            reason = getattr(err, "orig", None) or err
            raise StoreError(f"cannot open the training store at {shown}: {str(reason).strip().splitlines()[0]} "
                             "(check --db / database_url, that the server is running, and that the disk holding "
                             "it has space)") from None
        except ImportError as err:  # mysql://, mssql://...: SQLAlchemy knows the dialect, its driver is not here
            raise StoreError(f"cannot open the training store at {safe_url(url)}: its database driver "
                             f"({err.name or err}) is not installed; callsim stores calls in SQLite (a file path) or "
                             "PostgreSQL (postgresql://...)") from None

    # -- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


__all__ = ["HOST", "SqlStore", "sha256_file"]
