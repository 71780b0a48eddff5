"""Bring a store's schema to the newest Alembic revision; called by ``Store.open``.

No ``alembic.ini`` is needed: the configuration is built here, pointing at the ``migrations``
folder inside the package, and runs on a connection we hand in. Concurrent first opens are safe:
SQLite's ``BEGIN IMMEDIATE`` and a PostgreSQL advisory lock make the second opener wait, then
find the schema current.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

__all__ = ["current_revision", "head", "upgrade"]

_LOCATION = str(Path(__file__).parent / "migrations")
_ADVISORY_KEY = 0x63786F7073  # "cxops": one lock id for every cxops migration


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", _LOCATION)
    return cfg


@cache
def head() -> str:
    """The newest revision shipped with this version of cxops."""
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every missing migration; a no-op (one cheap query) when already current."""
    if current_revision(engine) == head():
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
