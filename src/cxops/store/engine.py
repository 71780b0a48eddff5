"""Where the store lives: URL resolution and engines tuned for each backend.

The default is a SQLite file ``.cxops/state.db`` in the working folder (created with its folder),
in WAL mode with foreign keys on; every transaction starts with ``BEGIN IMMEDIATE`` so that
writers queue on SQLite's lock instead of failing when a read lock would need upgrading (the
audit chain depends on appends being serialized). PostgreSQL URLs (``postgresql://``) are mapped
to the psycopg 3 driver.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

from cxops.errors import ConfigError

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "PG_POOL_SIZE",
    "PG_PROGRESS_POOL_SIZE",
    "create_progress_engine",
    "create_store_engine",
    "resolve_url",
]

ENV_VAR = "CXOPS_STORE_URL"
DEFAULT_PATH = Path(".cxops") / "state.db"
_BUSY_TIMEOUT_MS = 30_000
#: The execution option that marks a SQLite block of one statement: no BEGIN IMMEDIATE.
ONE_STATEMENT = "cxops_one_statement"
#: Connections one process may hold on a PostgreSQL store, opened on demand and never more
#: (no overflow): a worker's liveness session is one of them, steps, the outbox relay and the
#: shared pacing share the rest, waiting up to a minute for one when all are busy. With DBOS'
#: pool (``pipelines/engine.py``) this keeps a worker under 10 connections, so 10 workers fit
#: PostgreSQL's default ``max_connections`` of 100 (docs/scale-out.md, issue #17).
PG_POOL_SIZE = 4
#: The one more connection of a process on a PostgreSQL store that writes pipelines' progress
#: (``create_progress_engine``); DBOS' pool gave it up (``pipelines/engine.SYS_POOL_SIZE``).
PG_PROGRESS_POOL_SIZE = 1
_PG_POOL_TIMEOUT_S = 60
#: A pooled PostgreSQL connection idle at least this long is checked before use.
_PING_IDLE_S = 5.0
_HINT = (
    "use a SQLite path (sqlite:///path/state.db) or a PostgreSQL URL "
    "(postgresql://user@host:5432/db), via --store or CXOPS_STORE_URL"
)


def resolve_url(url: str | None = None) -> URL:
    """The store URL from the argument, else ``CXOPS_STORE_URL``, else the default SQLite file.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://``; a SQLite file's
    folder is created. Anything else is a :class:`ConfigError`.
    """
    text = url or os.environ.get(ENV_VAR) or f"sqlite:///{DEFAULT_PATH.as_posix()}"
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise ConfigError(f"not a store URL: {text!r}", hint=_HINT) from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgresql":
        if driver not in ("", "psycopg"):
            raise ConfigError(f"unsupported PostgreSQL driver {driver!r}", hint=_HINT)
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError("an in-memory SQLite store would forget everything", hint=_HINT)
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # under a file, no permission: the user's path (issue #15)
            raise ConfigError(
                f"cannot use the store path {parsed.database!r}: {exc.strerror or exc}",
                hint=_HINT,
            ) from None
        return parsed
    raise ConfigError(f"unsupported store backend {parsed.drivername!r}", hint=_HINT)


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide how transactions start.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A one-statement block (``Store.progress(atomic=False)``) is its own transaction: SQLite
    # takes the write lock for the statement alone, waiting for it as BEGIN IMMEDIATE would
    # (the sqlite3 module never begins one itself: ``isolation_level`` is None).
    if not conn.get_execution_options().get(ONE_STATEMENT):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: URL) -> Engine:
    """An engine for a resolved URL, with the SQLite pragmas and locking described above."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "a PostgreSQL store needs the psycopg driver",
            hint="pip install 'cxops[postgres]'",
        ) from exc
    engine = create_engine(
        url, pool_size=PG_POOL_SIZE, max_overflow=0, pool_timeout=_PG_POOL_TIMEOUT_S
    )
    _ping_when_idle(engine)
    return engine


def create_progress_engine(store: Engine) -> Engine:
    """The engine of a PostgreSQL store's progress records (pipeline steps), beside ``store``'s:
    one connection (:data:`PG_PROGRESS_POOL_SIZE`) whose commits do not wait for the WAL flush
    (``synchronous_commit`` off for the session; see ``Store.progress`` for what that promises)
    and in autocommit mode, so a one-statement write is one round trip: no ``BEGIN`` and
    ``COMMIT`` of its own. A block that needs a transaction asks for one (``Store.progress``).
    """
    engine = create_engine(
        store.url,
        pool_size=PG_PROGRESS_POOL_SIZE,
        max_overflow=0,
        pool_timeout=_PG_POOL_TIMEOUT_S,
        isolation_level="AUTOCOMMIT",
    )
    event.listen(engine, "connect", _async_commit)
    _ping_when_idle(engine)
    return engine


def _async_commit(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    with dbapi_conn.cursor() as cur:
        cur.execute("SET synchronous_commit TO off")
    dbapi_conn.commit()


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only after it sat idle (:func:`_ping_if_idle`); a
    new connection needs no check."""
    event.listen(engine, "connect", _idle_from)
    event.listen(engine, "checkin", _idle_from)
    event.listen(engine, "checkout", _ping_if_idle)


def _idle_from(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Check a connection that sat in the pool a while before handing it out (a server
    restart or a dropped idle connection then costs a reconnect, not a failed transaction).

    SQLAlchemy's ``pool_pre_ping`` checks every checkout: three more round trips (begin,
    ``SELECT 1``, rollback) per transaction, as many as a step's own (issue #19). A connection
    back in the pool for less than :data:`_PING_IDLE_S` (a pipeline's next step) goes out as
    it is. Raising ``DisconnectionError`` makes the pool replace it and try again."""
    if time.monotonic() - record.info.get("idle_since", 0.0) < _PING_IDLE_S:
        return
    try:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT 1")
        dbapi_conn.rollback()
    except Exception as exc:
        raise DisconnectionError(f"stale store connection: {exc}") from exc
