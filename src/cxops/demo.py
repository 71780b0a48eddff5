"""``make demo``: the export lifecycle on the embedded default (emulator, SQLite, DBOS, local git).

Starts the emulator in-process, exports every fixture tenant (dev and prod) of every vendor into
``./demo-repo/dev`` and ``./demo-repo/prod`` (one repository per environment: both hold projects
of the same names; fresh each time) with a store in a temporary folder, delivering
the ``flow.export.completed`` webhooks to the emulator's receiver while it runs; then shows the
findings (the fixtures' deliberate flaws), ``git log --stat``, ``cxops audit verify`` and
``cxops metrics``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from cxops.cli.main import main as cli
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import launch, shutdown
from cxops.pipelines.export_files import FINDINGS_FILE
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.sinks.webhooks import Relay
from cxops.transport.settings import ConnectionSettings, resolve_connection
from cxops.vendors import ADAPTERS

REPO = Path("demo-repo")
SECRET_ENV = "CXOPS_DEMO_WEBHOOK_SECRET"
FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32}  # the emulator is local


def _settings(info: dict[str, Any], vendor: str) -> ConnectionSettings:
    creds = info["credentials"]["readonly"]
    flags = {"vendor": vendor, "base_url": info["base_url"], "auth_url": info.get("auth_url")}
    if vendor == "cognigy":
        flags["api_key"] = creds["api_key"]
    else:
        flags |= dict(creds)
        flags["tenant_id"] = info.get("tenant_id")
    return resolve_connection(flags, environ={})


async def _export_all(
    console: Console, emu: EmulatorThread, store_url: str
) -> list[dict[str, Any]]:
    vendors = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]
    hook = f"{emu.url}/_emulator/webhooks/demo"
    store = launch(store_url)
    store.outbox.register(hook, SECRET_ENV)
    results = []
    async with Relay(store).running(poll=0.2):
        for vendor in sorted(ADAPTERS):
            for tenant in ("dev", "prod"):
                start = time.monotonic()
                # One repository per environment: dev and prod hold projects of the same names.
                repo = REPO / tenant
                options = ExportOptions(repo=repo, all=True, store=store_url, transport=FAST)
                out = await run_export(_settings(vendors[vendor][tenant], vendor), options)
                out["where"] = f"{vendor}/{tenant}"
                out["seconds"] = time.monotonic() - start
                results.append(out)
    return results


def main() -> int:
    """Run the demo; 0 when every export succeeded."""
    console = Console()
    shutil.rmtree(REPO, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix="cxops-demo-"))
    store_url = f"sqlite:///{tmp / 'state.db'}"
    os.environ["CXOPS_STORE_URL"] = store_url
    try:
        with EmulatorThread() as emu:
            os.environ[SECRET_ENV] = emu.ctx.config.webhook_secret
            console.rule("[bold]1. export every fixture tenant into ./demo-repo/{dev,prod}")
            missing = sorted({"cognigy", "cxone", "genesys"} - set(ADAPTERS))
            if missing:
                console.print(f"[yellow]no adapter yet for: {', '.join(missing)}[/]")
            results = asyncio.run(_export_all(console, emu, store_url))
            table = Table("tenant", "projects", "flows", "errors", "warnings", "commit", "s")
            table.columns[0].no_wrap = True
            for r in results:
                f = r["findings"]
                table.add_row(
                    str(r["where"]),
                    str(len(r["projects"])),
                    str(r["flows"]),
                    str(f.get("error", 0)),
                    str(f.get("warning", 0)),
                    str(r["commit"] or "-")[:8],
                    f"{r['seconds']:.1f}",
                )
            console.print(table)
            got = httpx.get(f"{emu.url}/_emulator/webhooks/demo").json()
            console.print(
                f"webhooks received by the emulator: {len(got['events'])} "
                f"(signatures rejected: {got['rejected']})"
            )
            shutdown()
            console.rule("[bold]2. findings (the fixtures' deliberate flaws)")
            names = {p["project"]: p["name"] for r in results for p in r["projects"]}
            console.print(_findings_table(names))
            console.rule("[bold]3. git log --stat")
            for tenant in ("dev", "prod"):
                log = subprocess.run(
                    ["git", "log", "--stat=80,40", "--format=%x00%h %s"],
                    cwd=REPO / tenant,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                console.print(f"[bold]demo-repo/{tenant}[/]")
                console.print("\n".join(_shorten(log)), highlight=False)
            console.rule("[bold]4. cxops audit verify")
            cli(["audit", "verify"])
            console.rule("[bold]5. cxops metrics")
            cli(["metrics"])
    finally:
        shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(r["status"] == "succeeded" for r in results) else 1


def _findings_table(names: dict[str, str]) -> Table:
    """Findings of both repositories' reports, grouped by project and code."""
    table = Table("repo", "project", "code", "severity", "n", "example")
    for column in table.columns[:5]:
        column.no_wrap = True
    for tenant in ("dev", "prod"):
        report = json.loads((REPO / tenant / FINDINGS_FILE).read_text(encoding="utf-8"))
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for f in report["findings"]:
            loc = f.get("location", {})
            project = names.get(loc.get("project"), loc.get("project"))
            key = (f"{loc.get('vendor')}/{project}", f["code"], f["severity"])
            groups.setdefault(key, []).append(f)
        for (project, code, severity), found in sorted(groups.items()):
            style = "red" if severity == "error" else "yellow"
            table.add_row(
                tenant,
                _clip(project, 28),
                code,
                f"[{style}]{severity}[/]",
                str(len(found)),
                _clip(found[0]["message"], 44),
            )
    return table


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _shorten(log: str) -> list[str]:
    """Each commit of ``git log --stat``: its subject, three files, and the summary line."""
    out: list[str] = []
    for block in log.split("\0"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        out += [*lines[:4], "    ...", lines[-1]] if len(lines) > 5 else lines
    return out


if __name__ == "__main__":
    raise SystemExit(main())
