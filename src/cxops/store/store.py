"""``Store``: open a store by URL, run units of work, reach the repositories.

Two ways to write:

* ``store.runs.start(...)``, ``store.audit.append(...)``, ... each commit on their own;
* ``with store.transaction() as tx:`` groups writes (``tx.runs``, ``tx.steps``, ``tx.audit``,
  ``tx.outbox``, ``tx.emit``) into ONE transaction: an exception inside the block rolls every
  one of them back, so an outbox event is never recorded without the state change it reports
  (nor the other way round).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cxops.errors import ConfigError, CxopsError
from cxops.store import migrate
from cxops.store.audit import Audit
from cxops.store.engine import (
    ONE_STATEMENT,
    create_progress_engine,
    create_store_engine,
    resolve_url,
)
from cxops.store.leases import Leases
from cxops.store.outbox import Outbox
from cxops.store.records import Event, Run
from cxops.store.runs import Runs, Steps

__all__ = ["Store", "StoreError", "Tx"]

# PostgreSQL errors that opening a store meets through the user's settings, with what to do.
_SETUP_ERRORS = {
    "3F000": "the URL's search_path names a schema that does not exist: create it first "
    "(CREATE SCHEMA <name>) or change ?options=-csearch_path%3D<name> in --store / CXOPS_STORE_URL",
    "42501": "the database role may not create cxops' tables there: grant it CREATE on the "
    "schema, or point --store / CXOPS_STORE_URL at a schema it owns",
}


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class StoreError(CxopsError):
    """The database refused or failed an operation (translated from SQLAlchemy)."""

    exit_code = 4


class Tx:
    """One unit of work: every repository here writes in the same database transaction."""

    def __init__(self, session: Session, dialect: str) -> None:
        self._session = session
        self._dialect = dialect
        self.runs = Runs(self)
        self.steps = Steps(self)
        self.audit = Audit(self)
        self.outbox = Outbox(self)
        self.leases = Leases(self)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The transaction's one session (the ``Scope`` protocol)."""
        yield self._session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """The transaction's connection, its pending ORM writes flushed first (Core statements
        do not autoflush)."""
        self._session.flush()
        yield self._session.connection()

    def progress(self, *, atomic: bool = True) -> AbstractContextManager[Connection]:
        """:meth:`connection`, too: the unit's other writes decide how it commits."""
        return self.connection()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._dialect

    def emit(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        run_id: str | None = None,
        event_id: str | None = None,
    ) -> Event:
        """Add an outbox event (shorthand for ``tx.outbox.add``)."""
        return self.outbox.add(type, payload, run_id=run_id, event_id=event_id)

    def finish_run(
        self,
        run_id: str,
        status: str = "succeeded",
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Run:
        """End a run (shorthand for ``tx.runs.finish``)."""
        return self.runs.finish(run_id, status, summary=summary, error=error)


class Store:
    """A cxops store: SQLite file by default, PostgreSQL by URL; schema migrated on open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._progress: Engine | None = None  # PostgreSQL, on first use
        self._progress_lock = threading.Lock()
        self.runs = Runs(self)
        self.steps = Steps(self)
        self.audit = Audit(self)
        self.outbox = Outbox(self)
        self.leases = Leases(self)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (creating and migrating as needed) the store at ``url``.

        ``url`` defaults to ``CXOPS_STORE_URL``, then ``sqlite:///.cxops/state.db``.
        """
        resolved = resolve_url(url)
        engine = create_store_engine(resolved)
        shown = resolved.render_as_string(hide_password=True)
        try:
            migrate.upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise ConfigError(
                f"cannot open the store at {shown}: {exc.orig}",
                hint="check --store / CXOPS_STORE_URL, that the database is up and reachable",
            ) from exc
        except ProgrammingError as exc:
            # PostgreSQL: the URL's search_path names a schema that does not exist (3F000), or
            # the role may not create tables there (42501); both are the user's settings.
            code = getattr(exc.orig, "sqlstate", None)
            if code not in _SETUP_ERRORS:
                raise
            engine.dispose()
            raise ConfigError(
                f"cannot open the store at {shown}: {_first_line(exc.orig)}",
                hint=_SETUP_ERRORS[code],
            ) from exc
        return cls(engine)

    @property
    def url(self) -> str:
        """The store's URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in its own transaction, committed when the block ends (``Scope``)."""
        try:
            with self._sessions() as s, s.begin():
                yield s
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in its own transaction on the store's engine, committed when the
        block ends (``Scope``): what :meth:`session` gives, without an ORM session."""
        try:
            with self.engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE (engine.py)
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @contextmanager
    def progress(self, *, atomic: bool = True) -> Iterator[Connection]:
        """A connection for progress records (a pipeline's steps: Core statements, no ORM
        session on a pipeline's hot path) in a transaction of its own, committed when the
        block ends; on PostgreSQL through the progress engine
        (``store.engine.create_progress_engine``), whose commits do not wait for the WAL
        flush. ``atomic=False``: the block runs ONE statement, which is its own transaction
        (autocommit mode: no ``BEGIN`` and ``COMMIT`` of its own, on PostgreSQL one round
        trip).

        The same promise as the SQLite store's ``synchronous=NORMAL``: the commit survives a
        killed cxops process at once (what resuming a run needs) and is visible to every
        other session at once; only a crash of the database server itself may lose the last
        few hundred milliseconds of such commits, never a later synchronous one (PostgreSQL's
        log is written in order, so a run's end, audit entry or outbox event that is on disk
        has every step record before it on disk too). A step whose record is lost runs again
        on resume, as after a kill at its ``after_call`` boundary (``pipelines/record.py``).
        Each step's begin and end then costs one round trip and no disk flush: most of a
        paced run's durable overhead on PostgreSQL otherwise (issue #19,
        ``benchmarks/durable_overhead.py``).
        """
        try:
            if self.dialect != "postgresql":
                if atomic:
                    with self.engine.begin() as conn:  # BEGIN IMMEDIATE (engine.py)
                        yield conn
                    return
                # one statement, its own transaction: no BEGIN IMMEDIATE and COMMIT calls
                with self.engine.connect() as conn:
                    yield conn.execution_options(**{ONE_STATEMENT: True})
                    conn.commit()
                return
            with self.progress_engine.connect() as conn:
                if not atomic:
                    yield conn
                    return
                # a transaction, BEGIN to COMMIT, on the autocommit engine
                with conn.execution_options(isolation_level="READ COMMITTED").begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @property
    def progress_engine(self) -> Engine:
        """The engine progress records are written through: on PostgreSQL the progress engine
        (created on first use), on SQLite the store's own engine."""
        if self.dialect != "postgresql":
            return self.engine
        with self._progress_lock:
            if self._progress is None:
                self._progress = create_progress_engine(self.engine)
            return self._progress

    def connect_progress(self) -> None:
        """Connect the progress engine now (PostgreSQL; nothing on SQLite): a pipeline's engine
        launch does, so that its first step does not wait for a connection to be set up."""
        if self.dialect == "postgresql":
            try:
                with self.progress_engine.connect():
                    pass
            except SQLAlchemyError as exc:
                raise self._error(exc) from exc

    def _error(self, exc: SQLAlchemyError) -> StoreError:
        return StoreError(
            f"store operation failed: {type(exc).__name__}: {exc}", hint=f"store at {self.url}"
        )

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A unit of work: all of it commits at the end of the block, or none of it does."""
        with self.session() as s:
            yield Tx(s, self.dialect)

    def close(self) -> None:
        """Release the connection pools."""
        self.engine.dispose()
        if self._progress is not None:
            self._progress.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
