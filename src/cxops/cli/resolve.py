"""``cxops resolve``: dependency graph, cycles and version ranges, ``cxops.lock``, registry push
(docs/resolve.md)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from cxops._version import __version__
from cxops.analysis.findings import Severity
from cxops.analysis.render import render, render_text
from cxops.cli import common
from cxops.cli.common import Output, checked, list_option, output_options, split
from cxops.cli.connection import connection_options
from cxops.cli.pace import concurrency_option, pace, rate_option
from cxops.cli.progress import ProgressView, quiet_option
from cxops.cli.runs import store_option
from cxops.errors import UsageError
from cxops.pipelines.resolve import Publish, ResolveOptions, run_resolve
from cxops.store import Store
from cxops.transport import ConnectionSettings, TransportOptions


def _check_flags(
    *, registry: str | None, artifact_name: str | None, artifact_version: str | None, **_: Any
) -> None:
    if (artifact_name or artifact_version) and not registry:
        raise UsageError("--artifact-name and --artifact-version need --registry")


@checked(_check_flags)
@connection_options
@output_options("text", "json", "sarif", "junit", report=True)
def resolve(
    repo: Path = typer.Option(
        Path("."), "--repo", help="Repository folder: bundles go to flows/, the lock to its root."
    ),
    lock: Path | None = typer.Option(None, "--lock", help="Lock file (default: REPO/cxops.lock)."),
    project: list[str] | None = list_option(
        None, "--project", metavar="PROJECT", help="Only these projects (id or name)."
    ),
    registry: str | None = typer.Option(
        None, "--registry", help="Artifact registry base URL to push the lock to."
    ),
    artifact_name: str | None = typer.Option(
        None, "--artifact-name", help="Artifact name (default: cxops-lock-VENDOR)."
    ),
    artifact_version: str | None = typer.Option(
        None,
        "--artifact-version",
        help="Artifact version (default: 0.0.0+ the first 12 hex digits of the lock's SHA-256).",
    ),
    all_versions: bool = typer.Option(
        False,
        "--all-versions",
        help="Genesys: also list what every version of every flow consumes (JSON output).",
    ),
    build_deadline: float = typer.Option(
        300.0, "--build-deadline", min=1, help="Seconds to wait for Genesys dependency tracking."
    ),
    rate: float = rate_option(),
    concurrency: int = concurrency_option(),
    quiet: bool = quiet_option(),
    store: str | None = store_option(),
    *,
    connection: ConnectionSettings,
    out: Output,
) -> None:
    """Resolve dependencies on the vendor, report cycles and version conflicts, write cxops.lock.

    Genesys: dependency tracking must be OPERATIONAL (cxops waits, or triggers a build when it
    is not); consumed resources of every flow are walked. Cognigy: node references and the
    project graph. The lock is deterministic (same tenant content, same bytes) and
    `cxops lock --check REPO` verifies it. With --registry the lock is pushed with an
    X-Checksum (SHA-256) header; a different artifact at the same version is never replaced.

    Progress (projects and flows read, requests per second, retries, an ETA) goes to stderr;
    --rate and --concurrency pace the client as for export.

    Exit 1 when any finding is an error. Example: cxops resolve --profile prod --repo release
    --rate 20 --registry https://registry.example/cxops
    """
    options = ResolveOptions(
        repo=repo,
        lock=lock,
        build_deadline=build_deadline,
        projects=split(project) or None,
        all_versions=all_versions,
    )
    publish = None
    if registry:
        publish = Publish(registry, artifact_name or f"cxops-lock-{connection.vendor}",
                          artifact_version)  # fmt: skip
    transport = TransportOptions(**pace(rate, concurrency))
    with Store.open(store) as st, ProgressView("resolve", quiet=quiet) as view:
        report, pushed = asyncio.run(
            run_resolve(
                connection, options, store=st, publish=publish, transport=transport, emit=view
            )
        )
    findings = report.findings
    console = common.console(stderr=True)
    console.print(
        f"{escape(str(report.lock_path))} {report.lock_status}: {report.flows} flow(s), "
        f"{report.dependencies} dependency(ies)"
    )
    if pushed is not None:
        console.print(f"pushed {escape(pushed.url)} ({pushed.status}, sha256 {pushed.checksum})")
    if out.json:
        doc = {
            **report.summary(),
            "pushed": None
            if pushed is None
            else {"url": pushed.url, "sha256": pushed.checksum, "status": pushed.status},
            "report": json.loads(render(findings, "json")),
        }
        if report.versions is not None:
            doc["versions"] = report.versions
        out.document(doc, indent=2)
    elif out.format == "text":
        render_text(findings, out.console())
    else:
        out.write(render(findings, out.format, tool_version=__version__))
    if any(f.severity is Severity.error for f in findings):
        raise typer.Exit(1)
