"""Alembic migrations for the store, run programmatically on open (see ``simulator.store.migrate``)."""
