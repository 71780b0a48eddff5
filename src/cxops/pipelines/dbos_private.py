"""The only place cxops reaches into DBOS' private API (issue #17), pinned to ``dbos`` 3.x.

DBOS has no public call for either of these, and both are needed by workers:

- :func:`recover_pending`: hand a dead executor's ``PENDING`` workflows back to their queues
  (``DBOS._recover_pending_workflows``; what DBOS itself runs at launch for the executor's own
  workflows). Its update matches only rows still owned by those executors, so two living
  workers racing re-enqueue a workflow once.
- :func:`stop_dequeuing`: stop taking new work while running workflows go on (draining on
  SIGTERM): DBOS' queue manager thread (``dbos._queue.queue_thread``, started by launch with a
  stop ``threading.Event`` as its first argument) ends its per-queue dequeue loops when that
  event is set.

When DBOS changes either, the worker tests fail here first (a killed worker's run never
finished; a stopped worker taking new runs). Keep every other use of ``dbos._*`` out of cxops.
"""

from __future__ import annotations

import asyncio

from dbos import DBOS

__all__ = ["recover_pending", "stop_dequeuing"]


async def recover_pending(executors: list[str]) -> None:
    """Return ``executors``' pending workflows to their queues (off the event loop)."""
    await asyncio.to_thread(DBOS._recover_pending_workflows, executors)


def stop_dequeuing() -> None:
    """Stop this process' queue manager from dequeuing; running workflows go on."""
    from dbos._dbos import _get_dbos_instance
    from dbos._queue import queue_thread

    for thread in _get_dbos_instance()._background_threads:
        if getattr(thread, "_target", None) is queue_thread:
            thread._args[0].set()  # type: ignore[attr-defined]
