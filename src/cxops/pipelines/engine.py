"""The durable engine: DBOS, configured next to the cxops store, launched once per process.

Pipelines are DBOS workflows (``@DBOS.workflow``) whose steps (``@DBOS.step``) are checkpointed
in DBOS' *system database*:

- store ``sqlite:///DIR/state.db`` → system database ``sqlite:///DIR/dbos.sqlite`` (embedded);
- store ``postgresql://...`` → the same database, schema ``dbos`` (or ``<schema>_dbos`` when the
  store URL pins a ``search_path``, so a store in its own schema gets its own engine tables).

``application_version`` is pinned to :data:`APP_VERSION`: DBOS only recovers workflows started
under the version it runs, and its default (a hash of the workflow source) would change with
any edit, leaving interrupted runs behind. Bump it only when a workflow's order of steps changes.

:func:`launch` recovers every interrupted workflow of this machine (executor ``local``) in the
background, as DBOS does at launch; :func:`pending_runs` lists them so a command can wait.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

from dbos import DBOS, DBOSConfig
from sqlalchemy.engine import URL

from cxops.store import Store
from cxops.store.engine import resolve_url

__all__ = ["APP_VERSION", "engine_url", "launch", "pending_runs", "shutdown", "store_for"]

#: Pinned so that a run interrupted by one cxops process resumes in the next (see module doc).
APP_VERSION = "cxops-pipelines-2"

_lock = threading.Lock()
_launched: tuple[str, str] | None = None
_stores: dict[str, Store] = {}


def _schema(url: URL) -> str | None:
    for option in parse_qs(str(url.query.get("options", ""))).get("-csearch_path", []):
        return option.split(",")[0].strip() or None
    options = url.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    for part in text.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0].strip() or None
    return None


def engine_url(store_url: str) -> tuple[str, str | None]:
    """The DBOS system database URL for a store URL, and its schema (PostgreSQL only)."""
    url = resolve_url(store_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or ".cxops/state.db").resolve()
        return f"sqlite:///{path.parent / 'dbos.sqlite'}", None
    schema = _schema(url)
    plain = url.set(query={k: v for k, v in url.query.items() if k != "options"})
    return plain.render_as_string(hide_password=False), f"{schema}_dbos" if schema else "dbos"


def launch(store_url: str | None = None) -> Store:
    """Launch DBOS beside the store at ``store_url`` (idempotent per URL) and open the store.

    Launching recovers interrupted workflows in the background. A second store URL in the same
    process (tests) shuts the first engine down before launching the next.
    """
    global _launched
    url = str(resolve_url(store_url).render_as_string(hide_password=False))
    sysdb, schema = engine_url(url)
    # Workflows must be registered before launch so recovery can find them by name.
    from cxops.pipelines import export as _export  # noqa: F401

    with _lock:
        if _launched != (url, sysdb):
            if _launched is not None:
                DBOS.destroy()
            config: DBOSConfig = {
                "name": "cxops",
                "system_database_url": sysdb,
                "application_version": APP_VERSION,
                "log_level": "WARNING",
                "notification_listener_polling_interval_sec": 0.1,
            }
            if schema is not None:
                config["dbos_system_schema"] = schema
            _route_logs()
            DBOS(config=config)
            DBOS.launch()
            _quiet()
            _launched = (url, sysdb)
        return store_for(url)


def _route_logs() -> None:
    # DBOS binds a console handler to the sys.stderr of import time; under a test runner or a
    # redirected stderr that stream may be closed by the next launch. Send DBOS' records
    # through Python logging instead (where cxops' configuration and redaction apply); the
    # NullHandler keeps DBOS from installing its console handler again.
    log = logging.getLogger("dbos")
    for handler in list(log.handlers):
        if not isinstance(handler, logging.NullHandler):
            log.removeHandler(handler)
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.propagate = True


def _quiet() -> None:
    # DBOS logs every recovery and shutdown at INFO; cxops' own logging says what matters.
    level = os.environ.get("CXOPS_DBOS_LOG_LEVEL", "WARNING")
    logging.getLogger("dbos").setLevel(level)


def store_for(url: str) -> Store:
    """The process' one open store for ``url`` (steps share it instead of reopening)."""
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = Store.open(url)
    return store


async def pending_runs(name: str) -> list[str]:
    """Ids of workflows called ``name`` that are not finished (running, queued or recovering)."""
    found = await DBOS.list_workflows_async(status=["PENDING", "ENQUEUED"], name=name)
    return [w.workflow_id for w in found]


def shutdown() -> None:
    """Stop DBOS and close the stores (end of a command; tests between stores)."""
    global _launched
    with _lock:
        if _launched is not None:
            DBOS.destroy()
            _launched = None
        for store in _stores.values():
            store.close()
        _stores.clear()
