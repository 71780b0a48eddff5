"""``cxops worker``: take export and promote runs from the shared queues until stopped.

Thin: parses, installs the signal handlers, calls ``cxops.pipelines.worker.serve``.
"""

from __future__ import annotations

import asyncio
import signal

import typer

from cxops.cli.common import Output, list_option, output_options, split
from cxops.cli.runs import store_option
from cxops.errors import UsageError

__all__ = ["worker"]


@output_options("text", "json")
def worker(
    worker_id: str | None = typer.Option(
        None, "--id", help="This worker's stable id (default: the host name)."
    ),
    queue_list: list[str] = list_option(
        ["export", "promote"], "--queues", metavar="QUEUE", help="The queues to take runs from."
    ),
    concurrency: int = typer.Option(
        4, "--concurrency", min=1, help="Runs taken from each queue at once."
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Run a worker on a PostgreSQL store: it takes runs from the queues, one run per tenant
    (export) or per target (promote) at a time across all workers, finishes the runs of
    workers that died, and drains on SIGTERM (takes nothing new, finishes what it holds).

    With --json, one document once it has drained: {"worker", "queues", "finished"}.

    Example: cxops worker --id eu-1 --queues export --concurrency 8 --store postgresql://...
    """
    from cxops.cli.export import run_async, say
    from cxops.pipelines import queues
    from cxops.pipelines.worker import default_id, serve

    kinds = tuple(split(queue_list))
    for kind in kinds:
        queues.dbos_name(kind)  # names an unknown queue
    if not kinds:
        raise UsageError("--queues names no queue", hint="e.g. --queues export,promote")
    wid = worker_id or default_id()
    if not wid.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise UsageError(
            f"--id {wid!r} may hold only letters, digits, '-', '_' and '.'",
            hint="e.g. --id eu-1",
        )

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await serve(store, wid, kinds, concurrency, stop, say)

    finished = run_async(main)
    if out.json:  # once drained: who it was and what it did
        out.document({"worker": wid, "queues": list(kinds), "finished": finished})
