"""Alembic migrations of the store, applied by :func:`cxops.store.migrate.upgrade` on open."""
