"""``cxops runs list|show|resume|cancel|approve|reject``: the history of runs and their steps,
from the store; resuming an interrupted run, stopping one, answering an approval gate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from cxops.cli.common import Output, console, output_options
from cxops.cli.text import cell
from cxops.store import Run, Step, Store

app = typer.Typer(
    help="The history of runs (export, compile, promote, ...) and their steps.",
    no_args_is_help=True,
)

STORE_HELP = "Store URL (default: sqlite:///.cxops/state.db in the working folder)."


def store_option() -> Any:
    """The ``--store`` option every store command shares."""
    return typer.Option(None, "--store", envvar="CXOPS_STORE_URL", help=STORE_HELP)


def when(value: datetime | None) -> str:
    """A time for people: UTC, to the second."""
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}s"


def run_dict(run: Run) -> dict[str, Any]:
    """A run as JSON."""
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "started": run.started.isoformat(),
        "ended": None if run.ended is None else run.ended.isoformat(),
        "duration": run.duration,
        "params": run.params,
        "summary": run.summary,
        "error": run.error,
    }


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "key": step.key,
        "status": step.status,
        "attempt": step.attempt,
        "started": step.started.isoformat(),
        "ended": None if step.ended is None else step.ended.isoformat(),
        "duration": step.duration,
        "result": step.result,
        "error": step.error,
    }


@app.command("list")
@output_options("text", "json")
def list_runs(
    kind: str | None = typer.Option(None, help="Only runs of this kind (export, promote, ...)."),
    status: str | None = typer.Option(None, help="Only runs in this status."),
    rollback_of: str | None = typer.Option(
        None,
        "--rollback-of",
        metavar="RUN",
        help="Only the rollback of this promotion (its id or a prefix).",
    ),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """List runs, newest first.

    Example: cxops runs list --kind export --status failed
    Example: cxops runs list --rollback-of 3f2a   (the run that undid promotion 3f2a)
    """
    with Store.open(store) as st:
        if rollback_of is not None:
            promotion = st.runs.find(rollback_of)
            undid = st.runs.list(kind="rollback", status=status, limit=None)
            runs = [r for r in undid if r.params.get("promote") == promotion.id][:limit]
        else:
            runs = st.runs.list(kind=kind, status=status, limit=limit)
    if out.json:
        out.document({"runs": [run_dict(r) for r in runs]})
        return
    table = Table("id", "kind", "status", "started (UTC)", "duration", "error")
    for r in runs:
        short = r.id[:12] + ("-rollback" if r.id.endswith("-rollback") else "")
        table.add_row(
            cell(short), r.kind, r.status, when(r.started), _seconds(r.duration), cell(r.error)
        )
    empty = "no rollback of that run" if rollback_of is not None else "no runs yet"
    out.console().print(table if runs else empty)


@app.command("show")
@output_options("text", "json", report=True)
def show(
    run_id: str = typer.Argument(..., help="A run id, or a unique prefix of one."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Show one run in sections: parameters, plan, gates, steps, rollback, events.

    A promotion that rolled back names the check that failed and links to its rollback run; a
    rollback run names the promotion it undid (`runs list --rollback-of` finds one from the
    other). A prefix shared by a promotion and its own rollback names the promotion.
    --json prints the whole run (parameters, summary, steps, events) as one document.
    Example: cxops runs show 3f2a
    """
    with Store.open(store) as st:
        run = st.runs.find(run_id)
        steps = st.steps.for_run(run.id)
        events = st.outbox.events(run_id=run.id)
        rollback = st.runs.get(f"{run.id}-rollback") if run.kind.startswith("promote") else None
    if out.json:
        doc = run_dict(run)
        doc["steps"] = [_step_dict(s) for s in steps]
        doc["events"] = [{"id": e.id, "type": e.type} for e in events]
        doc["rollback_run"] = None if rollback is None else rollback.id
        out.document(doc)
        return
    from cxops.cli.runs_show import print_run

    print_run(out.console(), run, steps, events, rollback)


def _credential(flag: str, env: str) -> Any:
    return typer.Option(
        None, flag, help=f"Give again the credential the run used (or set {env}).", envvar=None
    )


def _credentials(**flags: str | None) -> dict[str, str | None]:
    return {k: v for k, v in flags.items() if v}


def _say(message: str) -> None:
    console(stderr=True, markup=False).print(message)


@app.command("resume")
@output_options("text", "json")
def resume(
    run_id: str = typer.Argument(..., help="The run to resume (an id or a unique prefix)."),
    client_id: str | None = _credential("--client-id", "CXOPS_CLIENT_ID"),
    client_secret: str | None = _credential("--client-secret", "CXOPS_CLIENT_SECRET"),
    api_key: str | None = _credential("--api-key", "CXOPS_API_KEY"),
    access_key_id: str | None = _credential("--access-key-id", "CXOPS_ACCESS_KEY_ID"),
    access_key_secret: str | None = _credential("--access-key-secret", "CXOPS_ACCESS_KEY_SECRET"),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Resume an interrupted run from its last completed step, and wait for it.

    Runs never store secrets: credentials come from the flags given here, else the profile or
    the CXOPS_* variables the first command used; the command names what is missing. A run
    another live cxops process is running is left alone (exit 2).
    Example: cxops runs resume 3f2a --api-key "$KEY"
    """

    from cxops.cli.export import render_summary, run_async, with_relay
    from cxops.cli.promote import render as render_promotion
    from cxops.pipelines.runner import resume_run

    creds = _credentials(
        client_id=client_id,
        client_secret=client_secret,
        api_key=api_key,
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
    )

    async def main() -> int:
        async with with_relay(store, None, None, quiet=out.json, label="run"):
            summary = await resume_run(run_id, store, _say, creds)
        if "outcome" in summary:  # a promotion's summary
            return render_promotion(summary, out.json)
        return render_summary(summary, [], out.json)

    code = run_async(main)
    if code:
        raise typer.Exit(code)


@app.command("cancel")
@output_options("text", "json")
def cancel(
    run_id: str = typer.Argument(..., help="The run to stop (an id or a unique prefix)."),
    client_id: str | None = _credential("--client-id", "CXOPS_CLIENT_ID"),
    client_secret: str | None = _credential("--client-secret", "CXOPS_CLIENT_SECRET"),
    api_key: str | None = _credential("--api-key", "CXOPS_API_KEY"),
    access_key_id: str | None = _credential("--access-key-id", "CXOPS_ACCESS_KEY_ID"),
    access_key_secret: str | None = _credential("--access-key-secret", "CXOPS_ACCESS_KEY_SECRET"),
    store: str | None = store_option(),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0,
        metavar="SECONDS",
        help="Wait at most this long for a run another live process runs to stop (default: "
        "until it stops; 0: do not wait). The request stands: the run stops at its next step.",
    ),
    *,
    out: Output,
) -> None:
    """Stop a run between two steps, and wait until it has stopped.

    A promotion past its rollback point rolls back (exit 1, like any rolled-back promotion); a
    run whose process died is stopped by this command (with the credentials a resume needs);
    a run still waiting on a shared queue ends cancelled at once, and no worker starts it.
    A run that already ended is left as it is (exit 0, and says so). Exit 1 once the run is
    cancelled, and when --timeout passed before it stopped (it still stops at its next step).
    Example: cxops runs cancel 3f2a --timeout 60
    """

    from cxops.cli.export import render_summary, run_async, with_relay
    from cxops.cli.promote import render as render_promotion
    from cxops.pipelines.runner import cancel_run

    creds = _credentials(
        client_id=client_id,
        client_secret=client_secret,
        api_key=api_key,
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
    )

    async def main() -> int:
        async with with_relay(store, None, None, quiet=out.json, label="run"):
            summary = await cancel_run(run_id, store, _say, creds, timeout)
        if summary.get("requested"):  # --timeout passed, its process still working
            if out.json:
                out.document(summary)
            else:
                out.console().print(
                    f"run {summary['run']} is still running: it stops at its next step "
                    f"(see `cxops runs show {summary['run']}`)"
                )
            return 1
        if not summary.get("cancelled"):
            if out.json:
                out.document(summary)
            else:
                out.console().print(f"run {summary['run']} already ended: {summary['status']}")
            return 0
        if summary.get("queued"):  # cancelled before a worker took it: nothing ran
            if out.json:
                out.document(summary)
            else:
                out.console().print(f"run {summary['run']} cancelled: {summary['error']}")
            return 1
        if "outcome" in summary:
            return render_promotion(summary, out.json)
        render_summary(summary, [], out.json)
        return 1

    code = run_async(main)
    if code:
        raise typer.Exit(code)


def _decide(
    run_id: str, approve: bool, reason: str, by: str | None, store: str | None, out: Output
) -> None:
    from cxops.pipelines.promote.approval import decide
    from cxops.store.actor import current_actor

    approver = by or current_actor()  # the OS user, or the CI's identity (issue #16)
    with Store.open(store) as st:
        run = decide(st, run_id, approve=approve, approver=approver, reason=reason)
    verdict = "approved" if approve else "rejected"
    if out.json:
        out.document({"run": run.id, "decision": verdict, "by": approver, "reason": reason})
        return
    out.console().print(
        f"run {cell(run.id[:12])} {verdict} by {cell(approver)}: {cell(reason)} (audited)"
    )


@app.command("approve")
@output_options("text", "json")
def approve(
    run_id: str = typer.Argument(..., help="The promotion waiting for approval (id or prefix)."),
    reason: str = typer.Option(..., "--reason", help="Why (goes into the audit log)."),
    by: str | None = typer.Option(
        None, "--as", help="Approver name (default: your user, or the CI identity)."
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Approve a promotion waiting at its approval gate; it goes on to deploy.

    Example: cxops runs approve 3f2a --reason "CAB 2026-12-05"
    """
    _decide(run_id, True, reason, by, store, out)


@app.command("reject")
@output_options("text", "json")
def reject(
    run_id: str = typer.Argument(..., help="The promotion waiting for approval (id or prefix)."),
    reason: str = typer.Option(..., "--reason", help="Why (goes into the audit log)."),
    by: str | None = typer.Option(
        None, "--as", help="Name of who rejects (default: your user, or the CI identity)."
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Reject a promotion waiting at its approval gate; it ends blocked, nothing deployed.

    Example: cxops runs reject 3f2a --reason "freeze until Monday"
    """
    _decide(run_id, False, reason, by, store, out)
