"""Where a repository's statements run: its own short transaction, or the caller's.

Repositories (runs, steps, audit, outbox) take a :class:`Scope`. ``Store`` is a scope that opens
a fresh transaction per call (committed on return); ``Tx`` is a scope that always yields its one
session, so that everything done through it commits or rolls back together. Steps (progress
records) ask for ``progress()``, which on a ``Store`` does not wait for PostgreSQL's disk flush.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

__all__ = ["Scope", "utcnow"]


class Scope(Protocol):
    def session(self) -> AbstractContextManager[Session]:
        """A session inside a transaction that the scope owns."""
        ...

    def connection(self) -> AbstractContextManager[Connection]:
        """A Core connection inside a transaction that the scope owns (no ORM session: one
        statement or a few, on a store's own engine, committed synchronously)."""
        ...

    def progress(self, *, atomic: bool = True) -> AbstractContextManager[Connection]:
        """A connection for a pipeline's progress records (its steps), in a transaction the
        scope owns; see ``Store.progress`` (``atomic=False``: the block runs one statement).
        A unit of work gives its own connection: its own writes decide."""
        ...

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...


def utcnow() -> datetime:
    """The store's clock: aware UTC, microsecond precision (what both backends keep)."""
    return datetime.now(UTC)
