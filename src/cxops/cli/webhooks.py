"""``cxops webhooks list|add|remove|deliver``: the webhook endpoints, and draining the outbox.

An endpoint is a URL and the NAME of the environment variable that holds its ``whsec_`` secret;
the secret itself is never stored. Registering checks that the variable is set and holds a valid
secret, so a typo is an error at once (exit 2), not a delivery that waits forever.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import typer

from cxops.cli.common import Output, output_options, say
from cxops.cli.runs import store_option
from cxops.errors import UsageError
from cxops.sinks.webhooks import Relay
from cxops.sinks.webhooks.signing import load_secrets
from cxops.store import Store
from cxops.store.outbox import Outbox
from cxops.store.records import Endpoint

app = typer.Typer(help="Signed webhooks (Standard Webhooks) from the outbox.", no_args_is_help=True)


def register_endpoint(outbox: Outbox, url: str, secret_env: str) -> Endpoint:
    """Register ``url`` once its secret variable is known to be set and valid (else exit 2).

    Every command's ``--webhook``/``--webhook-secret-env`` goes through here.
    """
    load_secrets(secret_env)
    return outbox.register(url, secret_env)


def _state(endpoint: Endpoint) -> str:
    return "enabled" if endpoint.disabled_at is None else f"disabled ({endpoint.disabled_reason})"


@app.command("list")
@output_options("text", "json")
def list_endpoints(
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """The webhook endpoints: URL, secret variable (and whether it is set here), state, deliveries.

    Example: cxops webhooks list
    """
    with Store.open(store) as st:
        endpoints = st.outbox.endpoints()
        counts = st.outbox.endpoint_counts()
    rows: list[dict[str, Any]] = [
        {
            "id": e.id,
            "url": e.url,
            "secret_env": e.secret_env,
            "secret_set": bool(os.environ.get(e.secret_env)),
            "enabled": e.disabled_at is None,
            "disabled_reason": e.disabled_reason,
            "deliveries": counts.get(e.id, {}),
        }
        for e in endpoints
    ]
    if out.json:
        out.document({"endpoints": rows})
        return
    console = out.console()
    if not rows:
        console.print("no webhook endpoints (add one: cxops webhooks add URL --secret-env NAME)")
    for row, endpoint in zip(rows, endpoints, strict=True):
        secret = "set" if row["secret_set"] else "NOT SET in this environment"
        tally = counts.get(endpoint.id, {})
        done = ", ".join(f"{k} {v}" for k, v in tally.items() if v) or "none yet"
        console.print(f"{endpoint.url}  [{_state(endpoint)}]", markup=False)
        console.print(
            f"  secret: ${endpoint.secret_env} ({secret}); deliveries: {done}", markup=False
        )


@app.command("add")
@output_options("text", "json")
def add(
    url: str = typer.Argument(..., help="The receiver's http(s) URL."),
    secret_env: str = typer.Option(
        ...,
        "--secret-env",
        help="NAME of the environment variable holding the endpoint's whsec_ secret(s).",
    ),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Send every later event to URL, signed with the secret in $NAME (checked now: exit 2 if
    unset or not a whsec_ secret). Adding a removed URL again enables it again.

    Example: cxops webhooks add https://ci.example/hook --secret-env HOOK_SECRET
    """
    with Store.open(store) as st:
        endpoint = register_endpoint(st.outbox, url, secret_env)
    if out.json:
        out.document({"added": endpoint.url, "secret_env": secret_env, "state": _state(endpoint)})
        return
    say(f"added {endpoint.url} [{_state(endpoint)}]")


@app.command("remove")
@output_options("text", "json")
def remove(
    url: str = typer.Argument(..., help="The endpoint's URL, as `cxops webhooks list` shows it."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Stop sending to URL: pending deliveries to it are dropped, its history is kept.

    Example: cxops webhooks remove https://ci.example/hook
    """
    with Store.open(store) as st:
        endpoint, dropped = st.outbox.remove(url)
    if out.json:
        out.document({"removed": endpoint.url, "dropped": dropped})
        return
    say(f"removed {endpoint.url} ({dropped} pending deliveries dropped)")


@app.command("deliver")
@output_options("text", "json")
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
    store: str | None = store_option(),
    *,
    out: Output,
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
            register_endpoint(st.outbox, webhook, secret_env)
        relay = Relay(st)
        if wait > 0:
            report = asyncio.run(relay.drain(deadline=wait))
        else:
            report = asyncio.run(relay.drain_once())
        counts = st.outbox.counts()
    failed = report.retrying + report.dead + report.disabled
    if out.json:
        out.document({"report": report.to_dict(), "deliveries": counts})
    else:
        console = out.console()
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
