"""``make demo``: the whole lifecycle on the embedded default (emulator, SQLite, local git).

At this stage it starts the emulator and shows what it serves; later stages add export,
validation, promotion and metrics.
"""

from __future__ import annotations

import httpx
from rich.console import Console
from rich.table import Table

from cxops.emulator import EmulatorThread


def main() -> int:
    console = Console()
    with EmulatorThread() as emu:
        details = httpx.get(f"{emu.url}/_emulator/info").json()
        console.rule("[bold]cxops demo: the emulator")
        table = Table("vendor", "tenant", "base URL", "what it holds")
        for vendor, tenants in details["vendors"].items():
            for tenant, d in tenants.items():
                table.add_row(vendor, tenant, d["base_url"], _summary(emu, vendor, tenant))
        console.print(table)
    return 0


def _summary(emu: EmulatorThread, vendor: str, tenant: str) -> str:
    state = emu.ctx.tenant(vendor, tenant)
    summary = getattr(state, "summary", None)
    return str(summary()) if callable(summary) else type(state).__name__


if __name__ == "__main__":
    raise SystemExit(main())
