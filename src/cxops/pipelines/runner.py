"""Starting, waiting for and resuming export runs; what the CLI, the demo and tests call.

>>> summary = asyncio.run(run_export(settings, ExportOptions(repo=Path("flows-repo"), all=True)))
... # doctest: +SKIP

Every entry point launches the engine first (``engine.launch``). A run is resumed only where it
was asked for (issue #14): ``cxops runs resume ID`` (:func:`resume_run`), or by the same command
line started again after a crash (:func:`finish_interrupted`: the runs of this kind, with this
command's :func:`fingerprint`, whose process is dead), and the command says so before it waits.
A run another live process is running is never taken (``engine.take_over`` refuses).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbos import DBOS, SetWorkflowID, WorkflowHandleAsync
from dbos import error as dbos_error

from cxops.errors import ConfigError, CxopsError, UsageError
from cxops.pipelines.connections import (
    public_settings,
    remember,
    run_connections,
    tenant_identity,
    with_credentials,
)
from cxops.pipelines.engine import RunBusy, alive, executor_id, launch, owner, take_over
from cxops.pipelines.export import export_workflow
from cxops.pipelines.export_incremental import DEFAULT_VERIFY_EVERY, MODES
from cxops.pipelines.record import RunCancelled
from cxops.pipelines.repo import repo_spec
from cxops.store import Run, Store
from cxops.store.actor import current_actor
from cxops.transport.settings import ConnectionSettings
from cxops.vendors import tenant_label

__all__ = [
    "ExportOptions",
    "Resumed",
    "cancel_run",
    "export_command",
    "export_params",
    "fingerprint",
    "finish_interrupted",
    "resume_run",
    "run_export",
    "start_export",
    "wait_run",
]


@dataclass
class ExportOptions:
    """What ``cxops export`` was asked to do (everything but the connection)."""

    repo: Path | str  # a folder, or a git URL (issue #17)
    project: str | None = None
    flows: list[str] | None = None
    all: bool = False
    commit: bool = True
    archive: bool = False
    max_nodes: int = 500
    concurrency: int = 16
    store: str | None = None
    transport: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    #: ``auto`` (incremental once the lock records stamps), ``incremental`` or ``full`` (#19).
    mode: str = "auto"
    #: Every N-th run is a full verify pass (0: never).
    verify_every: int = DEFAULT_VERIFY_EVERY


def export_params(
    settings: ConnectionSettings, options: ExportOptions, store: Store
) -> dict[str, Any]:
    """The workflow's input and the run's params: JSON, and free of secrets."""
    if options.flows and not options.project:
        raise UsageError("--flows needs --project", hint="name the project the flows belong to")
    if options.project and options.all:
        raise UsageError("--project and --all exclude each other")
    if options.mode not in MODES:
        raise UsageError(f"unknown export mode {options.mode!r}", hint=", ".join(MODES))
    if options.verify_every < 0:
        raise UsageError("--verify-every must be 0 (never) or more")
    params = {
        "connection": public_settings(settings),
        "tenant": tenant_label(settings),
        "identity": tenant_identity(settings),
        "project": options.project,
        "flows": options.flows,
        "all": options.all,
        "repo": repo_spec(options.repo),
        "commit": options.commit,
        "archive": options.archive,
        "max_nodes": options.max_nodes,
        "concurrency": options.concurrency,
        "store": store.url,
        "transport": options.transport,
        "force": options.force,
        "mode": options.mode,
        "verify_every": options.verify_every,
        "actor": current_actor(),  # a worker running it later records them, not itself
    }
    return {**params, "command": fingerprint("export", params)}


#: Params that do not make two command lines different (they are derived at start time).
#: ``actor`` is who asked (issue #16): anyone starting the same command line resumes it.
_VOLATILE = frozenset({"command", "committed_at", "actor"})


def fingerprint(kind: str, params: dict[str, Any]) -> str:
    """What identifies a command line: a hash of the run's kind and its (secret-free) params.
    A command started again with the same fingerprint resumes its own interrupted run."""
    doc = {k: v for k, v in params.items() if k not in _VOLATILE}
    text = json.dumps([kind, doc], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def export_command(settings: ConnectionSettings, options: ExportOptions) -> str:
    """The fingerprint of this export command line (what :func:`finish_interrupted` matches)."""
    store = launch(options.store)
    remember(settings)
    return str(export_params(settings, options, store)["command"])


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
    except (
        dbos_error.DBOSAwaitedWorkflowCancelledError,
        dbos_error.DBOSWorkflowCancelledError,
    ) as exc:
        # `cxops runs cancel` of a run still queued: the engine's entry was cancelled with it.
        raise RunCancelled(
            f"run {run_id} was cancelled before it started", hint=f"see `cxops runs show {run_id}`"
        ) from exc
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


async def enqueue_export(settings: ConnectionSettings, options: ExportOptions) -> tuple[str, bool]:
    """Put an export on the ``export`` queue (a worker runs it); its run id and whether the
    same request was already queued or running. Nothing secret is queued: the worker reads
    the profile's credentials itself."""
    from cxops.pipelines import queues

    store = launch(options.store)
    params = export_params(settings, options, store)
    return await queues.enqueue("export", export_workflow, params)


@dataclass
class Resumed:
    """A run that was resumed: its id, its summary, or the error that ended it."""

    run: str
    summary: dict[str, Any] | None = None
    error: str | None = None


def interrupted(store: Store, kinds: tuple[str, ...], command: str) -> list[Run]:
    """This command line's runs still ``running`` in the store, oldest first."""
    found = [
        r
        for kind in kinds
        for r in store.runs.list(kind=kind, status="running", limit=None)
        if r.params.get("command") == command
    ]
    return sorted(found, key=lambda r: r.started)


async def finish_interrupted(
    store_url: str | None,
    kinds: tuple[str, ...],
    command: str,
    say: Callable[[str], None] | None = None,
) -> list[Resumed]:
    """Finish this command line's own interrupted runs (its process died), saying so first.

    A run of the same command line that another live process is running is left alone (that
    process finishes it); so is every run of another command line.
    """
    store = launch(store_url)
    done = []
    for run in interrupted(store, kinds, command):
        try:
            how = await take_over(run.id)
        except RunBusy:
            continue
        if say is not None:
            say(f"resuming run {run.id}: this command was interrupted before it ended")
        try:
            if how == "absent":
                with SetWorkflowID(run.id):
                    await DBOS.start_workflow_async(_workflow(run.kind), run.id, run.params)
            done.append(Resumed(run.id, await wait_run(run.id)))
        except CxopsError as exc:
            done.append(Resumed(run.id, error=exc.message))
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


async def resume_run(
    prefix: str,
    store_url: str | None = None,
    say: Callable[[str], None] | None = None,
    credentials: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Resume the run whose id starts with ``prefix`` and wait for it; its summary.

    A run the engine is already recovering is waited for; one whose workflow stopped (error,
    cancelled) is resumed from its last completed step; one the engine has no record of starts
    from its stored params. A finished run (succeeded, partial or failed) returns its stored
    summary: re-run the command instead, which retries what failed.
    """
    store = launch(store_url)
    run = store.runs.find(prefix)
    workflow = _workflow(run.kind)
    status, _ = await owner(run.id)
    unfinished = status in ("PENDING", "ENQUEUED", "CANCELLED")
    if run.status != "running" and not unfinished:
        # Finished (even failed): resuming would replay the same end. (A run killed after its
        # end was recorded but before the workflow's last checkpoint is still unfinished: its
        # remaining bookkeeping is taken over below.)
        return {"run": run.id, "resumed": False, **(run.summary or {})}
    if not await _on_shared_queue(run.id):  # a worker reads its own credentials
        for public in run_connections(run.params):  # before anything runs: say what is missing
            with_credentials(public, credentials or {})
    how = await take_over(run.id)  # RunBusy (exit 2) while another live process runs it
    if say is not None and how == "requeued":
        say(
            f"run {run.id} ({run.kind}) is back on its queue: a worker resumes it from its "
            "last completed step; waiting for it (interrupting leaves it queued)"
        )
    elif say is not None:
        say(f"resuming run {run.id} ({run.kind}) from its last completed step")
    if how == "absent":  # the engine never recorded it: start it from the stored params
        with SetWorkflowID(run.id):
            await DBOS.start_workflow_async(workflow, run.id, run.params)
    summary = await wait_run(run.id)
    return {"run": run.id, "resumed": True, **summary}


async def _on_shared_queue(run_id: str) -> bool:
    from cxops.pipelines import queues

    record = await DBOS.get_workflow_status_async(run_id)
    return record is not None and queues.shared(record.queue_name)


#: Why a run cancelled while it waited on a queue ended (its ``error``).
QUEUED_CANCEL = "cancelled by `cxops runs cancel` before a worker took it"


async def _cancel_queued(store: Store, run: Run) -> Run | None:
    """End a queued run ``cancelled`` in the store (with its audit entry), unless a worker took
    it meanwhile (None); then take its entry off the engine's queue, best effort: a worker that
    dequeues it anyway finds it ended and stops at its first step."""
    with store.transaction() as tx:
        stopped = tx.runs.cancel_queued(run.id, QUEUED_CANCEL)
        if stopped is not None:
            tx.audit.append("cxops", "run.cancelled", run.id, {"kind": run.kind, "queued": True})
    if stopped is not None:
        with contextlib.suppress(Exception):  # the store row decides; the engine's is clutter
            await DBOS.cancel_workflow_async(run.id)
    return stopped


#: How often ``cancel_run`` looks at a run another process is stopping.
CANCEL_POLL_S = 0.2


async def cancel_run(
    prefix: str,
    store_url: str | None = None,
    say: Callable[[str], None] | None = None,
    credentials: dict[str, str | None] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Stop the run whose id starts with ``prefix`` between two steps; its final summary.

    The request is written to the store (and the audit log). A run whose process is alive stops
    at its next step and this waits for it, at most ``timeout`` seconds when given (then the
    summary says ``"requested": true`` with the run still running: it stops on its own); a run
    whose process died is taken over here and stopped here. A promotion past its rollback
    point rolls back either way (so, then, this needs the target's credentials as a resume
    does).
    """
    store = launch(store_url)
    run = store.runs.find(prefix)
    if run.status == "queued":
        stopped = await _cancel_queued(store, run)
        if stopped is not None:
            return {"run": run.id, "cancelled": True, "status": stopped.status,
                    "error": stopped.error, "queued": True}  # fmt: skip
        run = store.runs.get(run.id) or run  # a worker took it meanwhile: stop it running
    if run.status != "running":
        return {"run": run.id, "cancelled": False, **(run.summary or {}), "status": run.status}
    _workflow(run.kind)  # only durable runs can be stopped between steps
    with store.transaction() as tx:
        tx.runs.request_cancel(run.id)
        tx.audit.append("cxops", "run.cancel_requested", run.id, {"kind": run.kind})
    status, executor = await owner(run.id)
    if status in ("PENDING", "ENQUEUED") and executor != executor_id() and alive(executor):
        if say is not None:
            say(f"run {run.id} stops at its next step (its process, {executor}, is alive)")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while (ended := store.runs.get(run.id)) is not None and ended.status == "running":
            if deadline is not None and loop.time() >= deadline:
                return {"run": run.id, "cancelled": False, "requested": True,
                        "status": ended.status, "executor": executor}  # fmt: skip
            await asyncio.sleep(CANCEL_POLL_S)
        assert ended is not None
        return {"run": run.id, "cancelled": True, **(ended.summary or {}), "status": ended.status}
    point = store.steps.get(f"{run.id}:rollback_point")
    needs_target = point is not None and point.status == "succeeded"  # it will roll back
    for public in run_connections(run.params):
        try:
            with_credentials(public, credentials or {})
        except ConfigError:
            if needs_target:
                raise
            # Without credentials a run still stops: its next step raises before connecting.
    how = await take_over(run.id)
    if how == "ended":  # the engine finished it, the store never heard: end it as cancelled
        with store.transaction() as tx:
            tx.finish_run(run.id, "cancelled", error="cancelled by `cxops runs cancel`")
            tx.leases.release_all(run.id)
        return {"run": run.id, "cancelled": True, "status": "cancelled"}
    if say is not None:
        say(f"stopping run {run.id} here: its process is gone")
    if how == "absent":
        with SetWorkflowID(run.id):
            await DBOS.start_workflow_async(_workflow(run.kind), run.id, run.params)
    summary = await wait_run(run.id)
    return {"run": run.id, "cancelled": True, **summary}
