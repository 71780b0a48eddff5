"""``cxops export``: pull flows from a tenant into a git repository, checked and content-hashed.

Parses, calls ``cxops.pipelines.runner``, renders. Progress goes to stderr (``cli/progress.py``:
a live line on a terminal, plain lines otherwise; ``--quiet`` for none); ``--json`` prints one
document on stdout. Exit 1 when the checks found errors or a project failed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cxops.analysis.checks import DEFAULT_MAX_NODES
from cxops.cli import common
from cxops.cli.common import Output, checked, list_option, output_options, split
from cxops.cli.connection import connection_options
from cxops.cli.pace import concurrency_option, pace, rate_option
from cxops.cli.progress import ProgressView, observed, quiet_option
from cxops.cli.runs import store_option
from cxops.cli.text import cell
from cxops.cli.webhooks import register_endpoint
from cxops.errors import UsageError
from cxops.pipelines.engine import launch, shutdown
from cxops.pipelines.export_incremental import DEFAULT_VERIFY_EVERY
from cxops.pipelines.runner import (
    ExportOptions,
    Resumed,
    enqueue_export,
    export_command,
    finish_interrupted,
    run_export,
    wait_run,
)
from cxops.sinks.webhooks import Relay
from cxops.transport.settings import ConnectionSettings

__all__ = ["export", "render_summary", "say", "with_relay"]


@asynccontextmanager
async def with_relay(
    store_url: str | None,
    webhook: str | None,
    secret_env: str | None,
    *,
    quiet: bool,
    label: str = "export",
) -> AsyncIterator[None]:
    """Launch the engine, register the webhook, run the relay, and show the progress of the
    runs this process runs on stderr meanwhile (``cli/progress.py``; none when ``quiet``)."""
    if bool(webhook) != bool(secret_env):
        raise UsageError("--webhook and --webhook-secret-env go together")
    store = launch(store_url)
    if webhook and secret_env:
        register_endpoint(store.outbox, webhook, secret_env)
    async with Relay(store).running(poll=0.5):
        with observed(ProgressView(label, quiet=quiet)):
            yield


def render_summary(summary: dict[str, Any], resumed: list[Resumed], as_json: bool) -> int:
    """Print a run's summary (JSON on stdout, or tables); the exit code it calls for."""
    failed = summary.get("projects_failed", [])
    errors = summary.get("findings", {}).get("error", 0)
    code = 1 if failed or errors else 0
    if failed and summary.get("status") == "failed":
        # Nothing was exported: say whose fault (2 credentials, 3 the vendor; issue #15).
        codes = {p.get("exit_code") for p in summary.get("projects", []) if p["status"] != "ok"}
        code = max((c for c in codes if c in (2, 3)), default=1)
    if as_json:
        doc = {**summary, "resumed": [r.__dict__ for r in resumed]}
        typer.echo(json.dumps(doc))
        return code
    console = common.console()
    for r in resumed:
        console.print(
            f"resumed interrupted run {r.run}: {cell(r.error or (r.summary or {}).get('status'))}"
        )
    table = Table("project", "name", "status", "flows", "findings / error")
    per = summary.get("findings_per_project", {})
    for p in summary.get("projects", []):
        found = per.get(f"{summary.get('vendor', '')}/{p['project']}") or _counts(per, p["project"])
        detail = p.get("error") or ", ".join(f"{n} {k}" for k, n in sorted(found.items()))
        style = "red" if p["status"] != "ok" else ""
        table.add_row(  # vendor names and errors: escaped (a name could drive the terminal)
            cell(p["project"]),
            cell(p["name"]),
            f"[{style}]{p['status']}[/]" if style else "ok",
            str(p.get("flows", "")),
            cell(detail),
        )
    console.print(table)
    for flow in summary.get("unstorable", []):
        console.print(
            f"[red]flow {cell(flow['name'])} ({cell(flow['id'])}) of {cell(flow['project'])} "
            f"not exported:[/] {cell(flow['error'])}",
            highlight=False,
            soft_wrap=True,
        )
    _render_pass(console, summary)
    counts = summary.get("findings", {})
    console.print(
        f"run {summary.get('run')}: {summary.get('status')}; "
        f"findings: {counts.get('error', 0)} error(s), {counts.get('warning', 0)} "
        f"warning(s), {counts.get('info', 0)} info"
    )
    if summary.get("commit"):
        console.print(f"commit {summary['commit']}")
    elif summary.get("changed") is False:
        console.print("nothing changed: no new commit")
    elif summary.get("changed") is None:
        console.print("--no-commit: files written, not committed")
    return code


def _render_pass(console: Console, summary: dict[str, Any]) -> None:
    """The pass the run made (#19) and every change a vendor made without its stamp."""
    if summary.get("pass"):
        same = sum(1 for p in summary.get("projects", []) if p.get("unchanged"))
        console.print(
            f"{summary['pass']} pass ({summary.get('pass_reason', '')}); "
            f"{same} project(s) unchanged by their stamps",
            highlight=False,
        )
    for stale in summary.get("stale", []):
        console.print(
            f"[yellow]warning:[/] {cell(stale['message'])}", highlight=False, soft_wrap=True
        )


def _counts(per: dict[str, dict[str, int]], project: str) -> dict[str, int]:
    for key, counts in per.items():
        if key.endswith("/" + project):
            return counts
    return {}


def say(message: str) -> None:
    """A line for people on stderr (what a command does before its own work)."""
    common.say(message)


def run_async(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a command's coroutine, shutting the engine down afterwards."""
    try:
        return asyncio.run(main())
    finally:
        shutdown()


async def _enqueued(
    connection: ConnectionSettings, options: ExportOptions, wait: bool, as_json: bool
) -> int:
    from cxops.pipelines.engine import worker_store

    worker_store(options.store)
    run_id, existed = await enqueue_export(connection, options)
    summary = await announce_queued(run_id, existed, "export", wait=wait, as_json=as_json)
    if summary is None:
        return 0
    summary["vendor"] = connection.vendor
    return render_summary(summary, [], as_json)


async def announce_queued(
    run_id: str, existed: bool, queue: str, *, wait: bool, as_json: bool
) -> dict[str, Any] | None:
    """Say that a run was queued (or already was); with ``wait``, its summary once it ends.

    Shared by ``export --enqueue`` and ``promote --enqueue``; None when not waiting.
    """
    what = "already queued or running" if existed else f"queued on {queue}"
    if not wait:
        if as_json:
            typer.echo(json.dumps({"run": run_id, "queued": not existed, "existed": existed}))
        else:
            say(f"run {run_id}: {what}; a worker runs it (see `cxops runs show {run_id}`)")
        return None
    if not as_json:
        say(f"run {run_id}: {what}; waiting for a worker to finish it")
    return {"run": run_id, **(await wait_run(run_id))}


def _check_flags(
    *, project: str | None, flows: list[str] | None, all_projects: bool, **_: Any
) -> None:
    if project and all_projects:
        raise UsageError("--project and --all exclude each other")
    if flows and not project:
        raise UsageError("--flows needs --project", hint="name the project the flows belong to")


@checked(_check_flags)
@connection_options
@output_options("text", "json", report=True)
def export(
    repo: str = typer.Option(
        ...,
        "--repo",
        help="The git repository to write: a folder (created if new), or a git URL to clone "
        "and push to (file://, https://, ssh://, user@host:path).",
    ),
    project: str | None = typer.Option(None, "--project", help="Export this project (id or name)."),
    flows: list[str] | None = list_option(None, "--flows", help="Only these flows (ids or names)."),
    all_projects: bool = typer.Option(False, "--all", help="Every project of the tenant."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write files, do not commit."),
    archive: bool = typer.Option(False, "--archive", help="Also keep the vendor's archive file."),
    force: bool = typer.Option(
        False, "--force", help="Overwrite uncommitted changes in the paths the export writes."
    ),
    webhook: str | None = typer.Option(None, "--webhook", help="Send flow.export.completed here."),
    secret_env: str | None = typer.Option(
        None, "--webhook-secret-env", help="NAME of the variable holding the whsec_ secret."
    ),
    max_nodes: int = typer.Option(DEFAULT_MAX_NODES, "--max-nodes", min=1, help="CX102 limit."),
    rate: float = rate_option(),
    concurrency: int = concurrency_option(),
    quiet: bool = quiet_option(),
    enqueue: bool = typer.Option(
        False, "--enqueue", help="Queue the run for a worker (PostgreSQL store) instead."
    ),
    wait: bool = typer.Option(False, "--wait", help="With --enqueue: wait for the run's end."),
    incremental: bool | None = typer.Option(
        None,
        "--incremental/--full",
        help="Fetch only flows whose vendor change stamp moved (the default once cxops.lock "
        "records stamps), or everything.",
    ),
    verify_every: int = typer.Option(
        DEFAULT_VERIFY_EVERY,
        "--verify-every",
        min=0,
        help="Every N-th run is a full pass that reports changes made without a stamp (0: never).",
    ),
    store: str | None = store_option(),
    *,
    connection: ConnectionSettings,
    out: Output,
) -> None:
    """Export flows into a git repository: checked, locked and committed once per run.

    Once cxops.lock records the vendors' change stamps, only changed flows are fetched; every
    --verify-every runs a full pass checks that no change went by without its stamp.

    Example: cxops export --profile dev --all --repo flows-repo --webhook https://hooks.example
    --webhook-secret-env CXOPS_WEBHOOK_SECRET

    Example: cxops export --profile dev --all --repo flows-repo --full
    """
    options = ExportOptions(
        repo=repo,
        project=project,
        flows=split(flows) or None,
        all=all_projects,
        commit=not no_commit,
        archive=archive,
        max_nodes=max_nodes,
        force=force,
        store=store,
        transport=pace(rate, concurrency),
        mode="auto" if incremental is None else "incremental" if incremental else "full",
        verify_every=verify_every,
    )
    as_json = out.json
    if enqueue:
        code = run_async(lambda: _enqueued(connection, options, wait, as_json))
        if code:
            raise typer.Exit(code)
        return
    if wait:
        raise UsageError("--wait goes with --enqueue", hint="a plain export always waits")

    async def main() -> int:
        async with with_relay(store, webhook, secret_env, quiet=quiet):
            own = export_command(connection, options)
            resumed = await finish_interrupted(store, ("export",), own, say)
            summary = await run_export(connection, options)
        summary["vendor"] = connection.vendor
        return render_summary(summary, resumed, as_json)

    code = run_async(main)
    if code:
        raise typer.Exit(code)
