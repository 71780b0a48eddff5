"""The tables, as typed SQLAlchemy 2.0 models; the Alembic migrations create exactly these.

Times are timezone-aware UTC in Python on both backends (:class:`UTCDateTime`); JSON columns use
the portable ``JSON`` type (text on SQLite, ``json`` on PostgreSQL: kept as written, which the
audit hash does not need but people reading the database appreciate).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AuditLockRow",
    "AuditRow",
    "Base",
    "DeliveryRow",
    "EndpointRow",
    "LeaseRow",
    "OutboxRow",
    "RunRow",
    "StepRow",
    "UTCDateTime",
    "for_dialects",
    "table_of",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python; SQLite keeps them naive, PostgreSQL as timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonDoc = dict[str, Any]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), JsonDoc: JSON()}


def for_dialects(build: Callable[[Any], Any]) -> dict[str, Any]:
    """A statement built with each backend's ``insert`` (upserts: ``ON CONFLICT`` is
    dialect-specific), by dialect name, for ``statements[scope.dialect]``."""
    return {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (no ORM bookkeeping on the hot paths)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started: Mapped[datetime]
    ended: Mapped[datetime | None]
    params: Mapped[JsonDoc]
    summary: Mapped[JsonDoc | None]
    error: Mapped[str | None] = mapped_column(Text)
    #: When ``cxops runs cancel`` asked the run to stop (its process stops between steps).
    cancel_requested: Mapped[datetime | None]


class LeaseRow(Base):
    """One named lease (e.g. ``promote:cognigy:<tenant>``): who holds it, and a fencing token
    that grows with every acquisition, so a holder can prove it still holds it."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    token: Mapped[int] = mapped_column(Integer)
    acquired: Mapped[datetime | None]


class StepRow(Base):
    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    started: Mapped[datetime]
    ended: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    result: Mapped[JsonDoc | None]
    error: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """One audit entry. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(512))
    details: Mapped[JsonDoc]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), index=True)


class AuditLockRow(Base):
    """One row that every audit append locks first, so appends are serialized (PostgreSQL)."""

    __tablename__ = "audit_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class EndpointRow(Base):
    """A webhook endpoint: its URL and the NAME of the environment variable holding its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    secret_env: Mapped[str] = mapped_column(String(256))
    created: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[JsonDoc]
    created: Mapped[datetime]
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), index=True)


class DeliveryRow(Base):
    """The delivery state of one event to one endpoint."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (Index("ix_outbox_deliveries_due", "state", "next_attempt"),)

    event_id: Mapped[str] = mapped_column(ForeignKey("outbox.id"), primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime | None]
    last_attempt: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
