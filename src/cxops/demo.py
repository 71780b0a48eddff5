"""``make demo``: the export lifecycle on the embedded default (emulator, SQLite, DBOS, local git).

Starts the emulator in-process, exports every fixture tenant (dev and prod) of every vendor into
``./demo-repo/dev`` and ``./demo-repo/prod`` (one repository per environment: both hold projects
of the same names; fresh each time) with a store in a temporary folder, delivering
the ``flow.export.completed`` webhooks to the emulator's receiver while it runs; then shows the
findings (the fixtures' deliberate flaws) and ``git log --stat``. Then it promotes the clean
Cognigy project "Appointment Booking" from the dev tenant to prod with ``cxops promote`` (plan,
gates with evidence, parity, the artifact tag; signed ``flow.promote.*`` webhooks), changes a
node in dev, injects a verification failure with an emulator scenario and promotes again: that
one is rolled back (the report shows prod's content hash before and restored). Last come
``cxops audit verify`` and ``cxops metrics`` (DORA: 2 deployments, change failure 50%).
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from cxops.store import Store
from cxops.transport.settings import ConnectionSettings, resolve_connection
from cxops.vendors import ADAPTERS

REPO = Path("demo-repo")
SECRET_ENV = "CXOPS_DEMO_WEBHOOK_SECRET"
FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32}  # the emulator is local
PROJECT = "Appointment Booking"  # the smallest clean Cognigy fixture project (6 flows)
KEY_ENV = {"dev": "CXOPS_DEMO_COGNIGY_DEV_KEY", "prod": "CXOPS_DEMO_COGNIGY_PROD_KEY"}
PROMOTE_HOOK = "demo-promote"
DASHBOARD_HINT = (
    "make dashboard    (cxops serve --store sqlite:///demo-repo/.cxops/state.db "
    "--repo demo-repo/dev --repo demo-repo/prod), then open http://127.0.0.1:8080/"
)
#: The injected failure: after the merge, prod's playbook run (the smoke test of verification)
#: ends in error: the task of ``POST /playbooks/{id}/schedule`` fails.
VERIFY_FAULT = {
    "vendor": "cognigy",
    "tenant": "prod",
    "action": "job_fail",
    "job": "playbook-run",
    "reason": "injected: the playbook run crashed",
}


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
    # The store is kept beside the repositories, so `make dashboard` can show what the demo did.
    tmp = REPO / ".cxops"
    tmp.mkdir(parents=True, exist_ok=True)
    store_url = f"sqlite:///{(tmp / 'state.db').resolve()}"
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
            promoted = promote_part(console, emu, store_url, REPO, "dev")
            console.rule("[bold]7. cxops audit verify")
            cli(["audit", "verify"])
            console.rule("[bold]8. cxops metrics (DORA: blocked runs and dry runs do not count)")
            cli(["metrics"])
    finally:
        shutdown()
    console.rule("[bold]9. the dashboard")
    console.print(DASHBOARD_HINT, highlight=False)
    exported = all(r["status"] == "succeeded" for r in results)
    return 0 if exported and promoted_as_expected(promoted) else 1


def promote_part(
    console: Console, emu: EmulatorThread, store_url: str, workdir: Path, repo: str
) -> dict[str, Any]:
    """Sections 4-6: promote dev → prod, then a failing promotion that is rolled back.

    The emulator's clock runs 200x faster from here on (the promotion waits on its tasks).

    Runs ``cxops promote`` as a user would, inside ``workdir`` (where it writes ``cxops.toml``
    with the emulator's dev and prod tenants); ``repo`` (relative to ``workdir``) is the
    artifact repository. Returns both promotions' stored summaries and the webhook receiver's
    record.
    """
    httpx.post(f"{emu.url}/_emulator/clock", json={"speed": 200}).raise_for_status()
    os.environ["CXOPS_STORE_URL"] = store_url  # what every cxops command of the demo uses
    os.environ[SECRET_ENV] = emu.ctx.config.webhook_secret
    _write_profiles(emu, workdir)
    hook = f"{emu.url}/_emulator/webhooks/{PROMOTE_HOOK}"
    base = ["promote", "--from", "dev", "--to", "prod", "--project", PROJECT, "--repo", repo,
            "--rate", "5000", "--concurrency", "32",  # the emulator is local
            "--webhook", hook, "--webhook-secret-env", SECRET_ENV]  # fmt: skip
    with _inside(workdir):
        console.rule(f"[bold]4. cxops promote: {PROJECT}, cognigy dev → prod, v1.1.0")
        first = _promote(console, store_url, base, "1.1.0", "What's New flow")
        console.rule("[bold]5. a change in dev, then a promotion that fails verification")
        console.print(_change_dev(emu))
        scenario = {"faults": [VERIFY_FAULT]}
        httpx.post(f"{emu.url}/_emulator/scenario", json=scenario).raise_for_status()
        console.print(
            "[yellow]INJECTED FAILURE[/] (emulator scenario, POST /_emulator/scenario): prod's "
            "playbook runs end in error, so verification fails after the merge"
        )
        try:
            second = _promote(console, store_url, base, "1.1.1", "greeting comment")
        finally:
            httpx.post(f"{emu.url}/_emulator/scenario", json={}).raise_for_status()
        rb = second.get("rollback") or {}
        console.print(
            f"rollback report: failed: {rb.get('failed')}\n"
            f"  prod content hash before  {rb.get('target_hash_before')}\n"
            f"  prod content hash restored {rb.get('target_hash_restored')}\n"
            f"  identical: {rb.get('identical')}",
            highlight=False,
        )
    console.rule("[bold]6. promotion webhooks (signed, verified by the emulator's receiver)")
    got = httpx.get(hook).json()
    for event in got["events"]:
        data = event["payload"].get("data", {})
        console.print(f"  {event['payload'].get('type')}  run {str(data.get('run'))[:12]}")
    console.print(f"received {len(got['events'])}, signatures rejected: {got['rejected']}")
    return {"promoted": first, "rolled_back": second, "webhooks": got}


def promoted_as_expected(out: dict[str, Any]) -> bool:
    """The first promotion reached parity 1.0 and the second was rolled back to identical."""
    first, second = out["promoted"], out["rolled_back"]
    return (
        first.get("outcome") == "promoted"
        and (first.get("parity") or {}).get("score") == 1.0
        and second.get("outcome") == "rolled_back"
        and (second.get("rollback") or {}).get("identical") is True
        and out["webhooks"]["rejected"] == 0
    )


def _promote(
    console: Console, store_url: str, base: list[str], version: str, changelog: str
) -> dict[str, Any]:
    args = [*base, "--version", version, "--changelog", changelog]
    shown = [a if not a.startswith("http") else "<emulator receiver>" for a in args]
    console.print(f"$ cxops {shlex.join(shown)}", highlight=False)
    code = cli(args)
    with Store.open(store_url) as st:
        (run,) = st.runs.list(kind="promote", limit=1)
    console.print(f"(exit {code})")
    return {"run": run.id, **(run.summary or {})}


def _write_profiles(emu: EmulatorThread, workdir: Path) -> None:
    """``cxops.toml`` with profiles dev and prod; the keys only as ``env:`` references."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]
    lines = []
    for tenant, var in KEY_ENV.items():
        os.environ[var] = info[tenant]["credentials"]["admin"]["api_key"]
        lines += [
            f"[profiles.{tenant}]",
            'vendor = "cognigy"',
            f'base_url = "{info[tenant]["base_url"]}"',
            f'api_key = "env:{var}"',
            # The OData analytics endpoint: the sessions gate counts recent sessions there.
            f'odata_url = "{info[tenant]["odata"]}"',
            f'odata_key = "env:{var}"',
            "",
        ]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")


def _change_dev(emu: EmulatorThread) -> str:
    """Edit the dev project as a developer would: a comment on the Main flow's greeting node."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    api = info["api"]
    headers = {"X-API-Key": info["credentials"]["admin"]["api_key"]}
    projects = httpx.get(f"{api}/projects", headers=headers).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    flows = httpx.get(f"{api}/flows", params={"projectId": pid}, headers=headers).json()["items"]
    flow = next(f for f in flows if f["name"] == "Main")
    chart = httpx.get(f"{api}/flows/{flow['_id']}/chart", headers=headers).json()
    node = next(n for n in chart["nodes"] if n["type"] == "say")
    comment = "greets returning callers by name (next sprint)"
    url = f"{api}/flows/{flow['_id']}/chart/nodes/{node['_id']}"
    httpx.patch(url, json={"comment": comment}, headers=headers).raise_for_status()
    return f"dev: PATCH node {node['label']!r} of flow Main: comment = {comment!r}"


@contextmanager
def _inside(path: Path) -> Iterator[None]:
    """Work in ``path`` (where ``cxops.toml`` is), then come back."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


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
