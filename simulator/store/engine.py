"""Open a database engine for SQLite or PostgreSQL and bring its schema to the newest migration.

SQLite is the one-station default: WAL (readers never block the writer), a long busy timeout, and
``BEGIN IMMEDIATE`` for every transaction so two processes never both read and then both try to
upgrade to a write lock (which SQLite refuses at once, whatever the timeout).  PostgreSQL serves a
lab with many stations; its migrations run under an advisory lock so stations opening together
do not race.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from simulator.lazy import require
from simulator.private_files import create_private_file, make_private_dir
from simulator.store.types import StoreError

if TYPE_CHECKING:  # SQLAlchemy itself is imported only when a store is opened
    import sqlalchemy as sa

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 60_000
WRITE_ATTEMPTS = 8
WRITE_OPTION = "callsim_write"
_MIGRATION_LOCK_KEY = 0x63616C6C  # "call": any constant shared by every callsim station

T = TypeVar("T")


def database_url(url_or_path: str | Path | None, data_dir: Path) -> str:
    """A SQLAlchemy URL from ``--db``/config: a URL as is, a file path as SQLite, None as the default file."""
    if url_or_path is None:
        return f"sqlite:///{(Path(data_dir) / 'callsim.db').resolve()}"
    text = str(url_or_path)
    if "://" in text:
        if text.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is what callsim installs; the bare scheme would ask for psycopg2
            text = "postgresql+psycopg://" + text.split("://", 1)[1]
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str) -> sa.Engine:
    sa = require("sqlalchemy", feature="the training store")
    if is_sqlite(url):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            make_private_dir(Path(path).parent)
            create_private_file(path)  # SQLite gives its -wal, -shm and -journal files this file's mode
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @sa.event.listens_for(engine, "connect")
        def _configure(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # writers take the write lock up front; readers stay deferred (WAL: they never block)
            immediate = connection.get_execution_options().get(WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    require("psycopg", "psycopg[binary]", feature="PostgreSQL")
    return sa.create_engine(url, pool_pre_ping=True)


def is_transient(error: BaseException) -> bool:
    """A lock or serialisation conflict that a retry of the whole transaction resolves."""
    text = str(error).lower()
    return any(word in text for word in ("database is locked", "database is busy", "deadlock detected",
                                         "could not serialize", "could not obtain lock"))


def with_retry(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    """Run ``work(connection)`` in one transaction; retry it whole on a transient lock conflict."""
    sa = require("sqlalchemy")
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with engine.connect() as connection:
                connection.execution_options(**{WRITE_OPTION: True})
                with connection.begin():
                    return work(connection)
        except sa.exc.OperationalError as err:
            if attempt == WRITE_ATTEMPTS - 1 or not is_transient(err):
                raise
            time.sleep(0.02 * 2 ** attempt + random.random() * 0.05)
    raise AssertionError("unreachable")


class Transactions:
    """What the store's repositories share: the engine, retried write transactions and plain reads."""

    engine: sa.Engine

    def _write(self, work: Callable[[sa.Connection], T]) -> T:
        return with_retry(self.engine, work)

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        with self.engine.connect() as connection:
            return work(connection)


def upgrade_to_head(engine: sa.Engine) -> str:
    """Run the packaged Alembic migrations up to head (both engines run the same scripts)."""
    require("alembic", feature="the training store's migrations")
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise StoreError(f"{MIGRATIONS_DIR}: no schema migrations found; reinstall callsim")
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return head

    def migrate(connection: Any) -> None:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    with_retry(engine, migrate)  # SQLite: BEGIN IMMEDIATE already serialises the stations
    return head
