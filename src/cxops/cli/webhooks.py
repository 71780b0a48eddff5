"""``cxops webhooks deliver``: drain the outbox to the webhook endpoints."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console

from cxops.cli.runs import store_option
from cxops.errors import UsageError
from cxops.sinks.webhooks import Relay
from cxops.store import Store

app = typer.Typer(help="Signed webhooks (Standard Webhooks) from the outbox.", no_args_is_help=True)


@app.command("deliver")
def deliver(
    webhook: str | None = typer.Option(
        None, "--webhook", help="Register this endpoint URL first (with --webhook-secret-env)."
    ),
    secret_env: str | None = typer.Option(
        None,
        "--webhook-secret-env",
        help="NAME of the environment variable holding the endpoint's whsec_ secret(s).",
    ),
    wait: float = typer.Option(
        0.0,
        min=0,
        help="Keep retrying on the retry schedule for up to this many seconds (0: one pass).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    store: str | None = store_option(),
) -> None:
    """Send every due webhook delivery once (or keep going for --wait seconds).

    Exit 0 when every attempt made was delivered; 1 when some failed (they stay pending on the
    retry schedule, are dead-lettered, or their endpoint answered 410 Gone and was disabled).

    Example: cxops webhooks deliver --json
    """
    if (webhook is None) != (secret_env is None):
        raise UsageError("--webhook and --webhook-secret-env go together")
    with Store.open(store) as st:
        if webhook and secret_env:
            st.outbox.register(webhook, secret_env)
        relay = Relay(st)
        if wait > 0:
            report = asyncio.run(relay.drain(deadline=wait))
        else:
            report = asyncio.run(relay.drain_once())
        counts = st.outbox.counts()
    failed = report.retrying + report.dead + report.disabled
    if as_json:
        typer.echo(json.dumps({"report": report.to_dict(), "deliveries": counts}))
    else:
        console = Console()
        console.print(
            f"attempted {report.attempted}: delivered {report.delivered}, "
            f"retrying {report.retrying}, dead {report.dead}, disabled {report.disabled}"
        )
        if report.waiting_for_secret:
            console.print(
                f"{report.waiting_for_secret} deliveries wait for their secret variable to be set"
            )
        console.print("outbox: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if failed:
        raise typer.Exit(1)
