"""A worker: takes runs from the shared queues, finishes dead workers' runs, drains on stop.

``cxops worker`` runs :func:`serve` until stopped. A worker is DBOS executor
``cxops-worker-<id>`` (``engine.launch_worker``): restarted with the same ``--id``, DBOS'
launch-time recovery finishes what it held. Meanwhile, every :data:`TICK_S`, it looks for runs
of the shared queues that are ``PENDING`` on an executor whose liveness lock is gone (a worker
killed, its host lost) and returns them to their queue (DBOS' recovery: it only matches rows
still owned by the dead executor, so two living workers racing re-enqueue a run once); the next
worker to dequeue it resumes it from its last completed step. Runs of plain commands are not
touched here (issue #14: they are resumed by ``cxops runs resume`` or their own command line).

Stopping (SIGTERM, SIGINT) drains: the worker takes nothing new and waits for the runs it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dbos import DBOS
from sqlalchemy import text

from cxops.pipelines import dbos_private, engine, queues
from cxops.pipelines.executors import WORKER_APP
from cxops.sinks.webhooks import Relay
from cxops.store import Store

__all__ = ["TICK_S", "WorkerInfo", "default_id", "list_workers", "recover_dead", "serve"]

#: How often a worker looks for dead workers' runs and reports what it took and finished.
TICK_S = 0.5


def default_id() -> str:
    """A worker's id when ``--id`` is not given: the host name."""
    return socket.gethostname().split(".")[0] or "worker"


async def _held(executor: str | None = None) -> list[Any]:
    names = queues.dbos_names(queues.KINDS)
    return list(
        await DBOS.list_workflows_async(
            status="PENDING",
            queue_name=names,
            executor_id=executor,
            load_input=False,
            load_output=False,
        )
    )


async def recover_dead() -> list[str]:
    """Return the shared-queue runs of dead executors to their queues; the executors found."""
    dead = sorted(
        {w.executor_id for w in await _held() if w.executor_id and not engine.alive(w.executor_id)}
    )
    if dead:
        await dbos_private.recover_pending(dead)
    return dead


async def serve(
    store_url: str | None,
    worker_id: str,
    kinds: tuple[str, ...],
    concurrency: int,
    stop: asyncio.Event,
    say: Callable[[str], None],
) -> int:
    """Run the worker until ``stop`` is set, then drain; the number of runs it finished."""
    store = engine.launch_worker(store_url, worker_id, kinds, concurrency)
    # The worker delivers the webhooks its runs emit (the outbox is in the store).
    async with Relay(store).running(poll=0.5):
        return await _serve(worker_id, kinds, concurrency, stop, say)


async def _serve(
    worker_id: str,
    kinds: tuple[str, ...],
    concurrency: int,
    stop: asyncio.Event,
    say: Callable[[str], None],
) -> int:
    me = engine.executor_id()
    say(
        f"worker {worker_id} (executor {me}, pid {os.getpid()}) takes {', '.join(kinds)}, "
        f"{concurrency} run(s) per queue at once"
    )
    running: set[str] = set()
    seen: set[str] = set()
    finished = 0
    since = datetime.now(UTC) - timedelta(seconds=5)

    async def report() -> None:
        # Every run this worker dequeued since it started, whatever its status now: a short
        # run may be taken and finished between two ticks.
        nonlocal finished
        mine = await DBOS.list_workflows_async(
            queue_name=queues.dbos_names(queues.KINDS),
            executor_id=me,
            dequeued_after=since.isoformat(),
            load_input=False,
            load_output=False,
        )
        for w in mine:
            run = w.workflow_id
            if run not in seen:
                seen.add(run)
                running.add(run)
                say(f"took run {run} from {str(w.queue_name).removeprefix('cxops-q-')}")
            if run in running and w.status not in ("PENDING", "ENQUEUED"):
                running.discard(run)
                finished += 1
                say(f"finished run {run}: {str(w.status).lower()}")

    while not stop.is_set():
        for executor in await recover_dead():
            say(f"executor {executor} is gone: its runs are back on their queues")
        await report()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TICK_S)
    dbos_private.stop_dequeuing()
    await asyncio.sleep(queues.POLL_S)  # a dequeue in flight lands in what is held
    await report()
    if running:
        say(f"draining: waiting for {len(running)} run(s)")
    while running:
        await asyncio.sleep(TICK_S)
        await report()
    say(f"worker {worker_id} stopped")
    return finished


@dataclass
class WorkerInfo:
    """A row of ``cxops workers list``."""

    id: str
    host: str | None
    alive: bool
    lease_age_s: float | None
    runs: int


async def list_workers(store: Store) -> list[WorkerInfo]:
    """Living workers (their liveness sessions) and dead ones still holding runs."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT application_name, host(client_addr), "
                "extract(epoch from now() - backend_start) FROM pg_stat_activity "
                "WHERE application_name LIKE :p"
            ),
            {"p": WORKER_APP + "%"},
        ).all()
    held: dict[str, int] = {}
    for w in await _held():
        held[str(w.executor_id)] = held.get(str(w.executor_id), 0) + 1
    found: dict[str, WorkerInfo] = {}
    for name, host, age in rows:
        wid = str(name).removeprefix(WORKER_APP)
        executor = engine.WORKER_PREFIX + wid
        where = str(host) if host else "local"
        found[wid] = WorkerInfo(wid, where, True, float(str(age)), held.pop(executor, 0))
    for executor, n in sorted(held.items()):
        wid = executor.removeprefix(engine.WORKER_PREFIX)
        found.setdefault(wid, WorkerInfo(wid, None, engine.alive(executor), None, n))
    return sorted(found.values(), key=lambda w: w.id)
