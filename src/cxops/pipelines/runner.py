"""Starting, waiting for and resuming export runs; what the CLI, the demo and tests call.

>>> summary = asyncio.run(run_export(settings, ExportOptions(repo=Path("flows-repo"), all=True)))
... # doctest: +SKIP

Every entry point launches the engine first (``engine.launch``), which recovers runs an earlier
process left unfinished; :func:`finish_interrupted` waits for those, so "the next start" of a
cxops command completes them before doing its own work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbos import DBOS, SetWorkflowID, WorkflowHandleAsync

from cxops.errors import CxopsError, UsageError
from cxops.pipelines.connections import public_settings, remember
from cxops.pipelines.engine import launch, pending_runs
from cxops.pipelines.export import WORKFLOW, export_workflow
from cxops.store import Store
from cxops.transport.settings import ConnectionSettings
from cxops.vendors import tenant_label

__all__ = [
    "ExportOptions",
    "Resumed",
    "export_params",
    "finish_interrupted",
    "resume_run",
    "run_export",
    "start_export",
    "wait_run",
]


@dataclass
class ExportOptions:
    """What ``cxops export`` was asked to do (everything but the connection)."""

    repo: Path
    project: str | None = None
    flows: list[str] | None = None
    all: bool = False
    commit: bool = True
    archive: bool = False
    max_nodes: int = 500
    concurrency: int = 16
    store: str | None = None
    transport: dict[str, Any] = field(default_factory=dict)


def export_params(
    settings: ConnectionSettings, options: ExportOptions, store: Store
) -> dict[str, Any]:
    """The workflow's input and the run's params: JSON, and free of secrets."""
    if options.flows and not options.project:
        raise UsageError("--flows needs --project", hint="name the project the flows belong to")
    if options.project and options.all:
        raise UsageError("--project and --all exclude each other")
    return {
        "connection": public_settings(settings),
        "tenant": tenant_label(settings),
        "project": options.project,
        "flows": options.flows,
        "all": options.all,
        "repo": str(options.repo.resolve()),
        "commit": options.commit,
        "archive": options.archive,
        "max_nodes": options.max_nodes,
        "concurrency": options.concurrency,
        "store": store.url,
        "transport": options.transport,
    }


async def start_export(
    settings: ConnectionSettings, options: ExportOptions
) -> WorkflowHandleAsync[dict[str, Any]]:
    """Launch the engine and start an export run; its handle (``workflow_id`` = the run id)."""
    store = launch(options.store)
    remember(settings)
    params = export_params(settings, options, store)
    run_id = uuid.uuid4().hex
    with SetWorkflowID(run_id):
        return await DBOS.start_workflow_async(export_workflow, run_id, params)


#: How often a run started elsewhere (or recovered) is looked up while waiting for it: DBOS'
#: default of 1 s would keep a finished command waiting for up to a second.
POLL_S = 0.1


async def wait_run(
    run_id: str, handle: WorkflowHandleAsync[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Wait for a run's workflow and return its summary (re-raising its cxops error).

    A handle from :func:`start_export` awaits the workflow directly; without one the engine's
    record is polled (runs started by another process, or recovered).
    """
    if handle is None:
        handle = await DBOS.retrieve_workflow_async(run_id)
    try:
        result: dict[str, Any] = await handle.get_result(polling_interval_sec=POLL_S)
    except CxopsError:
        raise
    except Exception as exc:
        raise CxopsError(
            f"run {run_id} failed: {type(exc).__name__}: {exc}",
            hint=f"see `cxops runs show {run_id}`; resume with `cxops runs resume {run_id}`",
        ) from exc
    return result


async def run_export(settings: ConnectionSettings, options: ExportOptions) -> dict[str, Any]:
    """Start an export and wait for it; its summary (see ``export._summary``)."""
    handle = await start_export(settings, options)
    run_id = handle.get_workflow_id()
    summary = await wait_run(run_id, handle)
    return {"run": run_id, **summary}


@dataclass
class Resumed:
    """A run that was resumed: its id, its summary, or the error that ended it."""

    run: str
    summary: dict[str, Any] | None = None
    error: str | None = None


async def finish_interrupted(
    store_url: str | None = None, *, skip: str | None = None
) -> list[Resumed]:
    """Wait for every run the engine recovered at launch (except ``skip``)."""
    launch(store_url)
    done = []
    for run_id in await pending_runs(WORKFLOW):
        if run_id == skip:
            continue
        try:
            done.append(Resumed(run_id, await wait_run(run_id)))
        except CxopsError as exc:
            done.append(Resumed(run_id, error=exc.message))
    return done


def _workflow(kind: str) -> Any:
    """The durable workflow that runs ``kind`` (what ``runs resume`` restarts)."""
    if kind == "export":
        return export_workflow
    if kind in ("promote", "promote-dry-run"):
        # Imported here: the promote package imports this module (wait_run, Resumed).
        from cxops.pipelines.promote.workflow import promote_workflow

        return promote_workflow
    raise UsageError(
        f"a run of kind {kind!r} cannot be resumed",
        hint="only export and promote runs are durable workflows; run the command again",
    )


async def resume_run(prefix: str, store_url: str | None = None) -> dict[str, Any]:
    """Resume the run whose id starts with ``prefix`` and wait for it; its summary.

    A run the engine is already recovering is waited for; one whose workflow stopped (error,
    cancelled) is resumed from its last completed step; one the engine has no record of starts
    from its stored params. A finished run (succeeded, partial or failed) returns its stored
    summary: re-run the command instead, which retries what failed.
    """
    store = launch(store_url)
    run = store.runs.find(prefix)
    workflow = _workflow(run.kind)
    status = await DBOS.get_workflow_status_async(run.id)
    recovering = status is not None and status.status in ("PENDING", "ENQUEUED")
    if run.status != "running" and not recovering:
        # Finished (even failed): resuming would replay the same end. (A run killed after its
        # end was recorded but before the workflow's last checkpoint is still recovering: its
        # remaining bookkeeping is waited for below.)
        return {"run": run.id, "resumed": False, **(run.summary or {})}
    if status is None:  # the engine never recorded it: start it from the stored params
        with SetWorkflowID(run.id):
            await DBOS.start_workflow_async(workflow, run.id, run.params)
    elif status.status in ("ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"):
        await DBOS.resume_workflow_async(run.id)
    summary = await wait_run(run.id)
    return {"run": run.id, "resumed": True, **summary}
