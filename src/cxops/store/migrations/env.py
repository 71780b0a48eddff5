"""Alembic environment: always run online on the connection that ``migrate.upgrade`` hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from cxops.store.models import Base

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
