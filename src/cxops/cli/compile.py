"""``cxops compile``: vendor-side checks of CXone scripts and Genesys flows (docs/compile.md)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer

from cxops._version import __version__
from cxops.analysis.findings import Severity
from cxops.analysis.render import render, render_text
from cxops.cli import common
from cxops.cli.common import Output, checked, output_options
from cxops.cli.connection import connection_options
from cxops.cli.progress import ProgressView, quiet_option
from cxops.cli.runs import store_option
from cxops.cli.text import cell
from cxops.cli.webhooks import register_endpoint
from cxops.errors import UsageError
from cxops.pipelines.compile import (
    CompileOptions,
    CompileReport,
    Recorder,
    UnitResult,
    run_compile,
)
from cxops.sinks.webhooks import Relay
from cxops.store import Store
from cxops.transport import ConnectionSettings


def _check_flags(
    *,
    scripts: list[str] | None,
    all_: bool,
    webhook: str | None,
    webhook_secret_env: str | None,
    **_: Any,
) -> None:
    if scripts and all_:
        raise UsageError("--scripts and --all exclude each other")
    if (webhook is None) != (webhook_secret_env is None):
        raise UsageError("--webhook and --webhook-secret-env go together")


@checked(_check_flags)
@connection_options
@output_options("text", "json", "sarif", "junit", report=True)
def compile(
    scripts: list[str] | None = typer.Option(
        None,
        "--scripts",
        help="Script paths (Folder\\Name) or flow ids/names to compile; repeat the option.",
    ),
    all_: bool = typer.Option(False, "--all", help="Compile every script or flow (default)."),
    include_inactive: bool = typer.Option(
        False,
        "--include-inactive",
        help="CXone: also list inactive scripts and write their files; they are never saved.",
    ),
    save: bool = typer.Option(
        False,
        "--save",
        help="CXone: save the scripts that pass even on a profile marked protected = true.",
    ),
    concurrency: int = typer.Option(
        3, "--concurrency", min=1, max=32, help="Saves or validate jobs in flight at once."
    ),
    repo: Path = typer.Option(
        Path(".cxops/compile"),
        "--repo",
        help="Folder the flow files are written to (line:column refer to these files).",
    ),
    store: str | None = store_option(),
    webhook: str | None = typer.Option(
        None, "--webhook", help="Send each state change to this URL as a signed webhook."
    ),
    webhook_secret_env: str | None = typer.Option(
        None, "--webhook-secret-env", help="NAME of the variable holding the whsec_ secret."
    ),
    quiet: bool = quiet_option(),
    *,
    connection: ConnectionSettings,
    out: Output,
) -> None:
    """Compile IVR scripts and flows on the vendor; report errors at file line:column.

    CXone validates only when a script is SAVED: compiling a script that passes (200) or passes
    with warnings (206) saves it back with exactly the content read, which mints a new
    masterID in the script's history (the tenant changes; the script's content does not).
    A rejected script (409) is not saved, nor is an inactive one (--include-inactive lists
    them; a save would make them live again). On a profile marked protected = true nothing is
    saved without --save (exit 2). Genesys validate jobs change nothing.

    Exit 1 when any finding is an error; 3 when a script could not be checked at all.
    Example: cxops compile --vendor cxone --all --format sarif --output compile.sarif
    """
    console = common.console(stderr=True)
    options = CompileOptions(
        repo=repo,
        units=scripts or None,
        concurrency=concurrency,
        include_inactive=include_inactive,
        save=save,
    )

    def progress(unit: UnitResult) -> None:
        if view.shown:
            console.print(f"{cell(unit.unit)}: {unit.outcome} ({cell(unit.status)})", style="dim")

    with Store.open(store) as st, ProgressView("compile", quiet=quiet, console=console) as view:
        if webhook and webhook_secret_env:
            register_endpoint(st.outbox, webhook, webhook_secret_env)
        params = {"vendor": connection.vendor, "units": scripts or "all", "repo": str(repo)}
        recorder = Recorder(st, params)

        async def go() -> CompileReport:
            async with Relay(st).running():
                return await run_compile(connection, options, recorder, on_unit=progress, emit=view)

        report = asyncio.run(go())
    findings = report.findings
    if out.json:
        doc = {
            "run": report.run_id,
            "repo": str(repo),
            **report.summary(),
            "results": [{"unit": u.unit, **u.detail()} for u in report.units],
            "report": json.loads(render(findings, "json")),
        }
        out.document(doc, indent=2)
    elif out.format == "text":
        render_text(findings, out.console())
    else:
        out.write(render(findings, out.format, tool_version=__version__))
    if any(f.severity is Severity.error for f in findings):
        raise typer.Exit(1)
    failed = [u.unit for u in report.units if u.outcome == "failed"]
    if failed:
        # A unit the vendor could not check is no pass: the gate must not read it as clean.
        console.print(f"not checked (the vendor failed us): {cell(', '.join(failed))}")
        raise typer.Exit(3)
