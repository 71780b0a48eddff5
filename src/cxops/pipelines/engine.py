"""The durable engine: DBOS, configured next to the cxops store, launched once per process.

Pipelines are DBOS workflows (``@DBOS.workflow``) whose steps are checkpointed in the cxops store
(``record.py``) and, for promote's (``@DBOS.step``; not the export's since issue #19), in DBOS'
*system database*:

- store ``sqlite:///DIR/state.db`` → system database ``sqlite:///DIR/dbos.sqlite`` (embedded;
  another store file ``DIR/NAME.db`` gets ``DIR/NAME.dbos.sqlite``, so two stores in one folder
  never share an engine);
- store ``postgresql://...`` → the same database, schema ``dbos`` (or ``<schema>_dbos`` when the
  store URL pins a ``search_path``, so a store in its own schema gets its own engine tables).

``application_version`` is pinned to :data:`APP_VERSION`: DBOS only recovers workflows started
under the version it runs, and its default (a hash of the workflow source) would change with
any edit, leaving interrupted runs behind. Bump it only when a workflow's order of steps changes.

**Ownership** (issue #14). Every process has its own executor id (``executors.py`` holds the
liveness lock that says it is alive), so DBOS' launch-time recovery (of the executor's own
pending workflows) finds nothing: a process never picks up another one's run by starting. A run
moves to this process only through :func:`take_over`, which refuses while the run's executor is
alive and re-queues it on this process' private queue (``cxops-exec-<executor>``), the only
queue it listens to, so no other process can dequeue it either. Who calls :func:`take_over`
decides what is resumed: ``cxops runs resume ID``, ``cxops runs cancel ID``, or a command that
finds its own run interrupted (same command line, ``runner.finish_interrupted``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from dbos import DBOS, DBOSConfig
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.pool import Pool

from cxops.errors import UsageError
from cxops.pipelines import pacing
from cxops.pipelines.executors import Liveness, new_executor_id
from cxops.store import Store
from cxops.store.engine import resolve_url

__all__ = [
    "APP_VERSION",
    "SYS_POOL_SIZE",
    "RunBusy",
    "alive",
    "engine_url",
    "executor_id",
    "launch",
    "owner",
    "shutdown",
    "store_for",
    "take_over",
]

#: Pinned so that a run interrupted by one cxops process resumes in the next (see module doc).
APP_VERSION = "cxops-pipelines-5"

_lock = threading.Lock()
_launched: tuple[str, str] | None = None
_stores: dict[str, Store] = {}
_liveness: Liveness | None = None
_executor: tuple[int, str] | None = None  # (pid, id): a forked child gets its own id
_worker: tuple[int, str, tuple[str, ...], int] | None = None  # (pid, id, queues, concurrency)

#: DBOS' system-database pool of a process on a PostgreSQL store (its notification listener
#: holds one more connection, outside the pool); the store's own are ``store.engine.PG_POOL_SIZE``
#: and ``PG_PROGRESS_POOL_SIZE``. 2 since issue #19 (3 before): the export's steps are no DBOS
#: steps any more, and the store's progress connection took the third (8 per process still).
SYS_POOL_SIZE = 2

#: A worker's executor id is this prefix and its stable ``--id`` (issue #17).
WORKER_PREFIX = "cxops-worker-"


class RunBusy(UsageError):
    """The run is being run by another live cxops process; this one leaves it alone."""


def executor_id() -> str:
    """This process' DBOS executor id (new in every process, forks included)."""
    global _executor
    if _worker is not None and _worker[0] == os.getpid():
        return f"{WORKER_PREFIX}{_worker[1]}"
    if _executor is None or _executor[0] != os.getpid():
        _executor = (os.getpid(), new_executor_id())
    return _executor[1]


def queue_name() -> str:
    """This process' private queue: runs taken over are queued here, and only here dequeued."""
    return f"cxops-exec-{executor_id()}"


def _schema(url: URL) -> str | None:
    for option in parse_qs(str(url.query.get("options", ""))).get("-csearch_path", []):
        return option.split(",")[0].strip() or None
    options = url.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    for part in text.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0].strip() or None
    return None


#: DBOS system databases on SQLite that this process opened (their resolved file paths).
_SQLITE_SYSDBS: set[str] = set()


def _dbos_sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL and ``synchronous=NORMAL`` on DBOS' SQLite system database, as on the store.

    DBOS opens it in SQLite's default rollback-journal mode with ``synchronous=FULL``: every
    step checkpoint then costs a journal write and two syncs, most of a warm step's durable
    overhead (benchmarks/durable_overhead.py). In WAL mode with ``NORMAL`` a commit survives
    a killed process (what recovery relies on); only a power cut may lose the last commits,
    whose steps then run again, and cxops' steps are idempotent (``pipelines.record``). DBOS
    creates its engine itself, so this listens on every pool and acts only on the files that
    ``launch`` registered.
    """
    if not isinstance(dbapi_conn, sqlite3.Connection) or not _SQLITE_SYSDBS:
        return
    row = dbapi_conn.execute("PRAGMA database_list").fetchone()
    if row is None or row[2] not in _SQLITE_SYSDBS:
        return
    dbapi_conn.execute("PRAGMA journal_mode=WAL")
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")


event.listen(Pool, "connect", _dbos_sqlite_pragmas)


def engine_url(store_url: str) -> tuple[str, str | None]:
    """The DBOS system database URL for a store URL, and its schema (PostgreSQL only)."""
    url = resolve_url(store_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or ".cxops/state.db").resolve()
        name = "dbos.sqlite" if path.name == "state.db" else f"{path.stem}.dbos.sqlite"
        return f"sqlite:///{path.parent / name}", None
    schema = _schema(url)
    plain = url.set(query={k: v for k, v in url.query.items() if k != "options"})
    return plain.render_as_string(hide_password=False), f"{schema}_dbos" if schema else "dbos"


def launch_worker(
    store_url: str | None, worker_id: str, queues: tuple[str, ...], concurrency: int
) -> Store:
    """Launch DBOS as worker ``worker_id`` (executor ``cxops-worker-<id>``, stable across its
    restarts, so DBOS' launch-time recovery finishes what it held): it also listens to the
    shared ``queues`` (``pipelines/queues.py``), registered with ``concurrency`` per worker."""
    global _worker
    worker_store(store_url)
    shutdown()
    # Every workflow a queue may hand over must be registered before launch.
    from cxops.pipelines.promote import workflow as _promote  # noqa: F401

    _worker = (os.getpid(), worker_id, queues, concurrency)
    return launch(store_url)


def worker_store(store_url: str | None) -> None:
    """UsageError unless ``store_url`` is a PostgreSQL store (what workers and queues need)."""
    if resolve_url(store_url).get_backend_name() != "postgresql":
        raise UsageError(
            "workers and queues need a PostgreSQL store (the embedded SQLite store runs every "
            "command in its own process, with no worker)",
            hint="pass --store postgresql://... (or set CXOPS_STORE_URL) on workers and commands",
        )


def worker() -> tuple[str, tuple[str, ...], int] | None:
    """This process' worker (id, queues, concurrency), or None for a command."""
    if _worker is None or _worker[0] != os.getpid():
        return None
    return _worker[1], _worker[2], _worker[3]


def launch(store_url: str | None = None) -> Store:
    """Launch DBOS beside the store at ``store_url`` (idempotent per URL) and open the store.

    The process takes its liveness lock in that store and listens only to its private queue
    (see the module doc). A second store URL in the same process (tests) shuts the first engine
    down before launching the next.
    """
    global _launched, _liveness
    url = str(resolve_url(store_url).render_as_string(hide_password=False))
    sysdb, schema = engine_url(url)
    # Workflows must be registered before launch so recovery can find them by name.
    from cxops.pipelines import export as _export  # noqa: F401

    with _lock:
        if _launched != (url, sysdb):
            if _launched is not None:
                _stop()
            config: DBOSConfig = {
                "name": "cxops",
                "system_database_url": sysdb,
                "application_version": APP_VERSION,
                "executor_id": executor_id(),
                "log_level": "WARNING",
                "notification_listener_polling_interval_sec": 0.1,
            }
            if schema is not None:
                config["dbos_system_schema"] = schema
            else:
                _SQLITE_SYSDBS.add(str(Path(sysdb.removeprefix("sqlite:///")).resolve()))
            me = worker()
            if schema is not None:
                # A bounded pool per process (docs/scale-out.md): DBOS' default of 20 would let
                # 10 workers exhaust PostgreSQL's 100 connections. Its connections are held for
                # one short statement (a dequeue, a step's checkpoint); DBOS waits for a free
                # one when all are busy.
                config["sys_db_pool_size"] = SYS_POOL_SIZE
            # Open the store first: a PostgreSQL database that does not exist is then a
            # ConfigError, where DBOS would create it (issue #15).
            store_for(url)
            _route_logs()
            store = store_for(url)
            _liveness = Liveness(
                store, resolve_url(url), executor_id(), worker=me[0] if me else None
            )
            pacing.install(store)  # PostgreSQL: tenants' rates shared with the other processes
            store.connect_progress()  # PostgreSQL: steps' records have their own connection
            DBOS(config=config)
            from cxops.pipelines import queues

            shared = list(queues.dbos_names(me[1])) if me else []
            DBOS.listen_queues([queue_name(), *shared])
            DBOS.launch()
            _off_loop(lambda: DBOS.register_queue(queue_name(), polling_interval_sec=0.1))
            if me is not None:
                _off_loop(lambda: queues.register(me[1], me[2]))
            _quiet()
            _launched = (url, sysdb)
        return store_for(url)


def _off_loop(call: Callable[[], object]) -> None:
    # DBOS' synchronous calls refuse to run on a thread with a running event loop, and launch()
    # is called from both kinds of code: run them on a thread of their own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(call).result()


def _stop() -> None:
    global _liveness
    with contextlib.suppress(Exception):  # best effort: a stale queue row is only clutter
        _off_loop(lambda: DBOS.delete_queue(queue_name()))
    DBOS.destroy()
    pacing.uninstall()
    if _liveness is not None:
        _liveness.close()
        _liveness = None


async def owner(run_id: str) -> tuple[str | None, str | None]:
    """The engine's status of a run's workflow and the executor that has it (None, None when
    the engine never recorded it)."""
    status = await DBOS.get_workflow_status_async(run_id)
    if status is None:
        return None, None
    return status.status, status.executor_id


def liveness() -> Liveness | None:
    """This process' liveness lock (None before launch)."""
    return _liveness


def alive(executor: str | None) -> bool:
    """True when ``executor`` is a live cxops process (this one included)."""
    return _liveness is not None and _liveness.alive(executor)


async def take_over(run_id: str) -> str:
    """Make this process run ``run_id`` from its last checkpoint; what was done:

    ``absent`` (the engine has no record: start it from the run's params), ``ended`` (the
    workflow finished), ``mine`` (already running here), ``taken`` (re-queued on this process'
    private queue: it runs here next), ``requeued`` (a run of a shared queue, issue #17: back on
    its queue, a worker runs it next). :class:`RunBusy` when another live process runs it.
    """
    status, executor = await owner(run_id)
    if status is None:
        return "absent"
    if status in ("SUCCESS", "ERROR"):
        return "ended"
    if status in ("PENDING", "ENQUEUED") and executor == executor_id():
        return "mine"
    if status in ("PENDING", "ENQUEUED") and alive(executor):
        raise RunBusy(
            f"run {run_id} is being run by another cxops process (executor {executor})",
            hint=f"wait for it, or stop it with `cxops runs cancel {run_id}`",
        )
    record = await DBOS.get_workflow_status_async(run_id)
    from cxops.pipelines import queues

    if record is not None and queues.shared(record.queue_name):
        # A run a worker took from a shared queue goes back to that queue (keeping its
        # partition: one run per tenant or target), for whichever worker dequeues it next.
        if status == "PENDING" and executor:
            from cxops.pipelines import dbos_private

            await dbos_private.recover_pending([executor])
        else:
            await DBOS.resume_workflow_async(run_id, queue_name=record.queue_name)
        return "requeued"
    await DBOS.resume_workflow_async(run_id, queue_name=queue_name())
    return "taken"


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
    _quiet()


def _quiet() -> None:
    # DBOS logs every recovery and shutdown at INFO, and a failed workflow's whole traceback at
    # ERROR, ahead of cxops' own "error:"/"hint:" lines; cxops reports what matters, so DBOS
    # stays silent unless cxops logs at debug (issue #15).
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    level = os.environ.get("CXOPS_DBOS_LOG_LEVEL") or ("DEBUG" if debug else "CRITICAL")
    logging.getLogger("dbos").setLevel(logging.CRITICAL + 1 if level == "CRITICAL" else level)


def store_for(url: str) -> Store:
    """The process' one open store for ``url`` (steps share it instead of reopening)."""
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = Store.open(url)
    return store


def shutdown() -> None:
    """Stop DBOS and close the stores (end of a command; tests between stores)."""
    global _launched
    with _lock:
        if _launched is not None:
            _stop()
            _launched = None
        for store in _stores.values():
            store.close()
        _stores.clear()
