"""``cxops emulator``: serve the three vendors' emulated APIs on loopback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from cxops.cli import common
from cxops.emulator.app import create_app
from cxops.emulator.context import EmulatorConfig
from cxops.emulator.control import info
from cxops.emulator.scenario import Scenario
from cxops.emulator.server import bind, make_server


def emulator(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8800, help="Port to listen on; 0 picks a free one."),
    scenario: Path | None = typer.Option(
        None,
        help="Fault scenario (YAML, TOML or JSON): errors, latency, resets, "
        "rate limits, failing or stuck jobs. See docs/emulator.md.",
        exists=True,
        dir_okay=False,
    ),
    speed: float = typer.Option(
        1.0,
        min=0.001,
        help="How fast emulated time runs; 60 makes a one-minute vendor job finish in a second.",
    ),
    seed: int = typer.Option(7, help="Seed for the fixture tenants' content."),
    token_ttl: float = typer.Option(3600.0, min=1, help="Token lifetime in emulated seconds."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print the connection details as one "
        "JSON object on the first line of stdout, then serve.",
    ),
) -> None:
    """Serve emulated Cognigy.AI, CXone and Genesys Cloud APIs with dev and prod fixture tenants.

    Each tenant lives at http://HOST:PORT/{vendor}/{tenant}/ and answers at the vendor's real
    paths (e.g. /genesys/dev/api/v2/flows). /_emulator/ has the ledger of mutating calls, the
    request log, the clock, the fault scenario, a reset, and a Standard Webhooks receiver.

    Example: cxops emulator --port 0 --json --scenario faults.yaml
    """
    config = EmulatorConfig(
        seed=seed,
        speed=speed,
        token_ttl=token_ttl,
        scenario=Scenario.load(scenario) if scenario else None,
    )
    app = create_app(config)
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    details = info(app.state.ctx, f"http://{shown_host}:{actual}")
    if as_json:
        sys.stdout.write(json.dumps(details) + "\n")
        sys.stdout.flush()
    else:
        _show(details)
    make_server(app).run(sockets=[sock])


def _show(details: dict[str, object]) -> None:
    console = common.console()
    console.print(f"[bold]cxops emulator[/] on {details['url']}  (Ctrl-C to stop)")
    table = Table("vendor", "tenant", "base URL", "credentials (demo values)")
    vendors = details["vendors"]
    assert isinstance(vendors, dict)
    for vendor, tenants in vendors.items():
        for tenant, d in tenants.items():
            admin = d["credentials"]["admin"]
            creds = ", ".join(f"{k}={v}" for k, v in admin.items() if v)
            table.add_row(vendor, tenant, d["base_url"], creds)
    console.print(table)
    console.print(
        f"control: {details['url']}/_emulator/info, /_emulator/ledger, /_emulator/webhooks/NAME"
    )
