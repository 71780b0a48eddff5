"""Runs, steps, the tamper-evident audit log and the outbox (SQLAlchemy 2 + Alembic)."""
