"""Store fixtures shared by the store, sinks and CLI tests: a fresh store on SQLite and PostgreSQL.

``store_url`` is parametrized over a SQLite file and a PostgreSQL schema made for the test (at
``CXOPS_TEST_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``) and dropped after.
An unreachable PostgreSQL skips those cases loudly, or fails them when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from cxops.store import Store

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_base() -> str:
    return os.environ.get("CXOPS_TEST_PG_URL", PG_DEFAULT)


def _admin_engine() -> Engine:
    url = _pg_base().replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, connect_args={"connect_timeout": 3})


@dataclass
class PgServer:
    engine: Engine | None
    reason: str = ""


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[PgServer]:
    """An engine on the test PostgreSQL, or the reason it cannot be reached."""
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL at {_pg_base()} unreachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL store tests must run)")
        yield PgServer(None, reason)
        return
    yield PgServer(engine)
    engine.dispose()


def pg_schema_url(server: PgServer) -> Iterator[str]:
    """Create a fresh schema, yield a URL whose search_path is that schema, drop it after."""
    if server.engine is None:
        pytest.skip(f"SKIPPING THE POSTGRESQL CASE: {server.reason}")
    schema = f"cxops_test_{uuid.uuid4().hex[:12]}"
    with server.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in _pg_base() else "?"
    try:
        yield f"{_pg_base()}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with server.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, pg_admin: PgServer) -> Iterator[str]:
    """A URL of an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
    else:
        yield from pg_schema_url(pg_admin)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL of an empty SQLite store file."""
    return f"sqlite:///{tmp_path / 'state.db'}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on each backend."""
    with Store.open(store_url) as opened:
        yield opened
