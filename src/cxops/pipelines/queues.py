"""The shared queues workers take runs from (issue #17): DBOS queues in the PostgreSQL store.

- ``export``: partitioned by tenant (vendor and the tenant as the vendor addresses it), so one
  tenant is exported by one run at a time across every worker: a vendor's rate limit is per
  tenant, so two runs of one tenant at once only earn 429s;
- ``promote``: partitioned by target environment (``lease.target_name``), one promotion per
  target at a time (the target lease still fences it, as for a command).

Each queue has a limit of runs per worker (``worker_concurrency``; DBOS keeps it with the queue,
so the last worker started sets it for all). A request's run id is derived from its command
fingerprint (``runner.fingerprint``, secret-free params): enqueueing the same request while its
run is queued or running returns that run; once it ended, the same request makes a new run.
Each queued run has a store row with status ``queued`` until a worker takes it.
The queue holds only public params (profile name, URLs, ids): the worker reads the secrets
from the profile and its own environment (``env:`` references) when the run starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID

from cxops.errors import UsageError
from cxops.pipelines.engine import store_for
from cxops.pipelines.lease import target_name

__all__ = [
    "DEFAULT_CONCURRENCY",
    "KINDS",
    "dbos_name",
    "dbos_names",
    "enqueue",
    "partition_key",
    "register",
    "shared",
]

KINDS = ("export", "promote")
#: Runs one worker takes from each queue at once when ``--concurrency`` is not given.
DEFAULT_CONCURRENCY = 4
#: How often a worker looks for work (DBOS' default of 1 s adds a second to every run).
POLL_S = 0.2
_PREFIX = "cxops-q-"


def dbos_name(kind: str) -> str:
    """The DBOS queue of ``kind`` (``export`` or ``promote``)."""
    if kind not in KINDS:
        raise UsageError(f"unknown queue {kind!r}", hint=f"known: {', '.join(KINDS)}")
    return f"{_PREFIX}{kind}"


def dbos_names(kinds: Iterable[str]) -> list[str]:
    return [dbos_name(k) for k in kinds]


def shared(queue: str | None) -> bool:
    """True when a DBOS queue name is one of the shared queues (not a process' private one)."""
    return bool(queue) and str(queue).startswith(_PREFIX)


def register(kinds: Iterable[str], concurrency: int, *, update: bool = True) -> None:
    """Register the queues (a worker: ``update``; an enqueuer only creates missing ones)."""
    for kind in kinds:
        DBOS.register_queue(
            dbos_name(kind),
            worker_concurrency=concurrency,
            partition_concurrency=1,
            polling_interval_sec=POLL_S,
            on_conflict="always_update" if update else "never_update",
        )


def partition_key(kind: str, params: dict[str, Any]) -> str:
    """The key runs of one tenant (export) or one target (promote) share."""
    if kind == "export":
        return f"export:{params['connection']['vendor']}:{params['identity'] or params['tenant']}"
    return target_name(params)


def _run_id(kind: str, command: str, generation: int) -> str:
    return hashlib.sha256(f"{kind}:{command}:{generation}".encode()).hexdigest()[:32]


async def request_run_id(kind: str, command: str) -> tuple[str, bool]:
    """The run id of this request: that of its queued or running run (True), else a new one."""
    generation = 0
    while True:
        run_id = _run_id(kind, command, generation)
        status = await DBOS.get_workflow_status_async(run_id)
        if status is None:
            return run_id, False
        if status.status in ("ENQUEUED", "PENDING", "DELAYED"):
            return run_id, True
        generation += 1


async def enqueue(kind: str, workflow: Any, params: dict[str, Any]) -> tuple[str, bool]:
    """Put a run on ``kind``'s queue; its id and whether the same request was already there.

    Two enqueuers racing on one request derive the same id, and DBOS keeps one workflow per id.
    """
    await DBOS.register_queue_async(
        dbos_name(kind),
        worker_concurrency=DEFAULT_CONCURRENCY,
        partition_concurrency=1,
        polling_interval_sec=POLL_S,
        on_conflict="never_update",
    )
    run_id, existed = await request_run_id(kind, str(params["command"]))
    if not existed:
        # The store row first (status ``queued``: `runs list` and the dashboard show it before a
        # worker takes it); the worker's open step makes it running. A row left by an enqueuer
        # that died before the engine's enqueue is kept and the enqueue made now.
        store_for(params["store"]).runs.queue(str(params.get("kind", kind)), params, run_id)
        with (
            SetWorkflowID(run_id),
            SetEnqueueOptions(queue_partition_key=partition_key(kind, params)),
        ):
            await DBOS.enqueue_workflow_async(dbos_name(kind), workflow, run_id, params)
    return run_id, existed
