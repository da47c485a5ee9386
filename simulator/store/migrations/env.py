"""Alembic environment: always run with a connection handed in by ``simulator.store.migrate``."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("callsim migrations run from simulator.store.migrate.upgrade(), not the alembic CLI")

context.configure(connection=connection, target_metadata=None, render_as_batch=True,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
