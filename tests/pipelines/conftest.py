"""Pipeline fixtures: emulator settings per vendor tenant, a store on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from cxops.transport.settings import ConnectionSettings, resolve_connection
from tests.store.fixtures import PgServer, pg_admin, pg_schema_url  # noqa: F401

#: Emulator tenants answer at loopback speed: no need for the real-tenant default pace.
FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32}


def emulator_settings(emu: EmulatorThread, vendor: str, tenant: str) -> ConnectionSettings:
    """Read-only credentials of one emulator tenant, as a user would pass them."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"][vendor][tenant]
    creds = info["credentials"]["readonly"]
    flags = {"vendor": vendor, "base_url": info["base_url"], "auth_url": info.get("auth_url")}
    if vendor == "cognigy":
        flags["api_key"] = creds["api_key"]
    else:
        flags |= {k: creds[k] for k in creds}
        flags["tenant_id"] = info.get("tenant_id")
    return resolve_connection(flags, environ={})


@pytest.fixture
def engine_down() -> Iterator[None]:
    """Shut the durable engine down after the test (each test has its own store)."""
    yield
    shutdown()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    pg_admin: PgServer,  # noqa: F811  (the fixture imported above)
    engine_down: None,
) -> Iterator[str]:
    """A fresh store on SQLite, or a fresh PostgreSQL schema (engine tables: ``<schema>_dbos``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    for url in pg_schema_url(pg_admin):
        try:
            yield url
        finally:
            shutdown()
            schema = url.rsplit("search_path%3D", 1)[-1]
            assert pg_admin.engine is not None
            with pg_admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_dbos" CASCADE'))
