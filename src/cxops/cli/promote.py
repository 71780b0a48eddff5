"""``cxops promote``: move a project from one environment to another behind gates.

Parses, calls ``cxops.pipelines.promote.runner``, renders. ``--from``/``--to`` name connection
profiles of ``cxops.toml`` (docs/promote.md has one for the emulator's dev and prod tenants).
Exit 0 promoted (or a dry run that nothing would block); 1 blocked, rolled back or a dry run
that would be blocked; 2 usage/config; 3 vendor/network.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import nodesemver  # type: ignore[import-untyped]
import typer
from rich.console import Console
from rich.status import Status

from cxops.cli import common
from cxops.cli.common import Output, list_option, output_options, split
from cxops.cli.connection import connection_settings
from cxops.cli.export import announce_queued, run_async, say, with_relay
from cxops.cli.progress import ProgressView
from cxops.cli.promotion_text import gate_lines, rollback_lines
from cxops.cli.runs import store_option
from cxops.cli.text import cell
from cxops.cli.webhooks import register_endpoint
from cxops.errors import UsageError
from cxops.pipelines.engine import launch
from cxops.pipelines.promote.gates import GATES
from cxops.pipelines.promote.plan import plan_lines
from cxops.pipelines.promote.runner import (
    DEFAULT_GATES,
    PromoteOptions,
    finish_interrupted,
    run_promote,
)
from cxops.pipelines.record import observe

__all__ = ["promote", "render"]


class _Steps:
    """Progress on stderr: a line per finished step, and a live status line on a terminal."""

    def __init__(self, console: Console, pace: str) -> None:
        self.console = console
        self.pace = pace
        self.last = time.monotonic()
        self.status: Status | None = None

    def __call__(self, run_id: str, event: str, data: dict[str, Any]) -> None:
        if event != "step":
            return
        now = time.monotonic()
        step = str(data["step"])
        if str(data.get("what", "")).startswith("deploy:"):  # which deploy stage
            step = f"{step} {str(data['what']).removeprefix('deploy:')}"
        self.console.print(f"  {step} done ({now - self.last:.1f}s)", highlight=False, markup=False)
        self.last = now
        if self.status is not None:
            self.status.update(f"promote {run_id[:12]}: after {step} ({self.pace})")


@contextmanager
def _progress(as_json: bool, rate: float, concurrency: int) -> Iterator[None]:
    """Show the promotion's steps on stderr while it runs (nothing with ``--json``)."""
    if as_json:
        yield
        return
    err = common.console(stderr=True)
    steps = _Steps(err, f"--rate {rate:g} req/s, --concurrency {concurrency}")
    remove = observe(steps)
    # The plan reads both sides: their flows read, req/s, retries and an ETA (issue #16).
    plan = ProgressView("promote plan", console=err, live=False)
    remove_plan = observe(plan.observer())
    try:
        if err.is_terminal:
            with err.status(f"promote: planning ({steps.pace})") as status:
                steps.status = status
                yield
        else:
            err.print(f"promote: planning ({steps.pace})", highlight=False)
            yield
    finally:
        remove_plan()
        remove()


def render(summary: dict[str, Any], as_json: bool) -> int:
    """Print the promotion's summary (JSON on stdout, or tables); the exit code it calls for."""
    outcome = summary.get("outcome")
    ok = outcome == "promoted" and "error" not in (summary.get("artifact") or {})
    ok = ok or outcome == "nothing_to_promote"
    code = 0 if ok or (outcome == "dry_run" and not summary["would_block"]) else 1
    if code and summary.get("exit_code") in (2, 3):  # refused credentials, a failing vendor
        code = summary["exit_code"]
    if as_json:
        typer.echo(json.dumps(summary))
        return code
    console = common.console()
    for r in summary.get("resumed", []):
        done = r["error"] or (r["summary"] or {}).get("outcome")
        console.print(f"finished interrupted promotion {r['run']}: {cell(done)}")
    plan = summary.get("plan") or {}
    if plan:
        version = plan["version"]
        for line in plan_lines(plan):
            console.print(cell(line), soft_wrap=True)
        if version["given"]:
            state = "ok" if version["ok"] else f"[red]{cell(version['reason'])}[/]"
            last = cell(version["previous"] or "no earlier tag")
            console.print(f"version {cell(version['given'])} (last: {last}): {state}")
    gate_lines(console, summary)
    if "parity" in summary:
        parity = summary["parity"]
        console.print(f"parity {parity['score']} ({parity['matched']}/{parity['compared']})")
        for line in parity["differences"][:20]:
            console.print(f"  {cell(line)}", soft_wrap=True)
    if outcome == "nothing_to_promote":
        console.print("nothing to promote: the target already has this content (--force deploys)")
    rb = summary.get("rollback")
    if rb:
        rollback_lines(console, summary, rb)
    if (summary.get("artifact") or {}).get("error"):
        console.print(f"[red]artifact not written[/]: {cell(summary['artifact']['error'])}")
    elif summary.get("artifact"):
        console.print(
            f"artifact: commit {summary['artifact']['commit']} tag {summary['artifact']['tag']}"
        )
    console.print(
        f"run {summary.get('run')}: {outcome}"
        + (f" ({cell(summary['error'])})" if summary.get("error") else ""),
        soft_wrap=True,
    )
    return code


@output_options("text", "json", report=True)
def promote(
    source: str = typer.Option(..., "--from", help="Profile of the source environment."),
    target: str = typer.Option(..., "--to", help="Profile of the target environment."),
    project: str | None = typer.Option(None, "--project", help="Project (id or name) to promote."),
    target_project: str | None = typer.Option(
        None, "--target-project", help="The target's project when its name differs."
    ),
    flows: list[str] | None = list_option(None, "--flows", help="Only these flows (ids or names)."),
    version: str | None = typer.Option(None, "--version", help="Semver tag of this release."),
    changelog: str | None = typer.Option(None, "--changelog", help="Release notes for the tag."),
    gates: list[str] = list_option(
        DEFAULT_GATES, "--gates", metavar="GATE", help=f"Gates to run, of: {', '.join(GATES)}."
    ),
    tests: Path | None = typer.Option(None, "--tests", help="Simulation thresholds (YAML/JSON)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan and gates only; change nothing."),
    override: bool = typer.Option(
        False, "--override-active-sessions", help="Deploy despite active sessions."
    ),
    sessions_timeout: float = typer.Option(
        300.0, "--sessions-timeout", min=0, help="Seconds to wait for sessions to drain."
    ),
    repo: Path | None = typer.Option(None, "--repo", help="Git repository for the artifact."),
    webhooks: list[str] | None = typer.Option(
        None,
        "--webhook",
        metavar="URL",
        help="Send flow.promote.started/completed/rolled_back here (repeatable).",
    ),
    secret_env: str | None = typer.Option(
        None,
        "--webhook-secret-env",
        metavar="VAR",
        help="NAME of the variable holding the whsec_ secret.",
    ),
    rate: float = typer.Option(
        10.0,
        "--rate",
        min=0.1,
        help="Requests per second per tenant. 10 spares a real tenant (a plan then takes ~30 s on "
        "a Cognigy project); raise it for a local emulator.",
    ),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Requests in flight."),
    mechanism: Literal["merge", "repoint"] = typer.Option(
        "merge",
        "--mechanism",
        help="Cognigy only: 'merge' (package upload + merge into the target project; rollback "
        "restores a snapshot) or 'repoint' (upload a snapshot of the source, point the target's "
        "endpoints at it; rollback points them back).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Deploy even when the plan finds nothing to change."
    ),
    approval_timeout: float = typer.Option(
        86400.0,
        "--approval-timeout",
        min=1,
        help="With --gates ...,approval: seconds to wait for `cxops runs approve|reject` or the "
        "dashboard before the gate fails.",
    ),
    enqueue: bool = typer.Option(
        False, "--enqueue", help="Queue the promotion for a worker (PostgreSQL store) instead."
    ),
    wait: bool = typer.Option(False, "--wait", help="With --enqueue: wait for the run's end."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Promote a project between environments behind gates, rolling back on failure.

    Steps: plan (diff, version check), gates (--gates), rollback point, deploy, verify (health,
    smoke, parity); any failure after the rollback point restores it. Exit 0 promoted (or a dry
    run nothing would block), 1 blocked / rolled back, 2 usage, 3 vendor or network.

    Example: cxops promote --from dev --to prod --project Billing --version 1.4.0 --repo rel
    --webhook https://hooks.example --webhook-secret-env CXOPS_WEBHOOK_SECRET
    """
    as_json = out.json
    if source == target:
        raise UsageError("--from and --to name the same profile")
    unknown = [g for g in split(gates) if g not in GATES]
    if unknown:  # the runner checks again; this answers before any profile is read
        raise UsageError(
            f"unknown gate(s): {', '.join(unknown)}", hint=f"known: {', '.join(GATES)}"
        )
    if version is not None and not nodesemver.valid(version, True):
        # Checked here, before any vendor call, not only in the plan (issue #16).
        raise UsageError(
            f"--version {version!r} is not a semantic version", hint="e.g. --version 1.4.0"
        )
    if bool(webhooks) != bool(secret_env):
        raise UsageError("--webhook and --webhook-secret-env go together")
    options = PromoteOptions(
        project=project,
        target_project=target_project,
        flows=split(flows) or None,
        version=version,
        changelog=changelog,
        gates=tuple(split(gates)),
        tests=str(tests) if tests else None,
        dry_run=dry_run,
        override_sessions=override,
        sessions_timeout=sessions_timeout,
        repo=repo,
        store=store,
        mechanism=mechanism,
        force=force,
        approval_timeout=approval_timeout,
        transport={"rate": rate, "burst": max(rate, 1.0) * 2, "concurrency": concurrency},
    )
    src, dst = connection_settings(source), connection_settings(target)
    if wait and not enqueue:
        raise UsageError("--wait goes with --enqueue", hint="a plain promote always waits")

    async def queued() -> int:
        from cxops.pipelines.engine import worker_store
        from cxops.pipelines.promote.runner import enqueue_promote

        worker_store(store)
        opened = launch(store)
        for url in webhooks or []:
            register_endpoint(opened.outbox, url, str(secret_env))
        run_id, existed = await enqueue_promote(src, dst, options)
        summary = await announce_queued(run_id, existed, "promote", wait=wait, as_json=as_json)
        return 0 if summary is None else render(summary, as_json)

    if enqueue:
        code = run_async(queued)
        if code:
            raise typer.Exit(code)
        return

    async def main() -> int:
        opened = launch(store)
        for url in webhooks or []:
            register_endpoint(opened.outbox, url, str(secret_env))
        async with with_relay(store, None, None, quiet=True):
            with _progress(as_json, rate, concurrency):
                resumed = await finish_interrupted(src, dst, options, say)
                summary = await run_promote(src, dst, options)
        summary["resumed"] = [r.__dict__ for r in resumed]
        return render(summary, as_json)

    code = run_async(main)
    if code:
        raise typer.Exit(code)
