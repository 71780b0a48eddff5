"""``cxops doctor``: check a profile before the first export (docs/doctor.md)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.markup import escape

from cxops.cli.common import Output, output_options, say
from cxops.cli.connection import connection_options
from cxops.pipelines.doctor import Check, Report, diagnose
from cxops.safefile import write_file
from cxops.transport import ConnectionSettings

_MARK = {"ok": "ok", "missing": "MISSING", "denied": "DENIED", "failed": "FAILED",
         "unchecked": "unchecked", "skipped": "skipped"}  # fmt: skip
_STYLE = {"ok": "green", "missing": "red", "denied": "red", "failed": "red"}


def _line(check: Check) -> str:
    mark = _MARK[check.status]
    style = _STYLE.get(check.status, "yellow")
    text = f"[{style}]{mark:>9}[/]  {check.kind:<10} {escape(check.name)}"
    if check.note:
        text += f" — {escape(check.note)}"
    if check.needed_by and check.failing:
        text += f" (needed by {escape(check.needed_by)})"
    lines = [text]
    lines += [f"{'':>11}{'':<11} {escape(p.describe())}" for p in check.problems]
    if check.grant:
        lines.append(f"{'':>11}{'':<11} → {escape(check.grant)}")
    return "\n".join(lines)


def _summary(report: Report) -> str:
    failing = [c for c in report.checks if c.failing]
    if not failing:
        return "[green]ready[/]: every check passed"
    return f"[red]not ready[/]: {len(failing)} check(s) failed (exit {report.exit_code})"


@output_options("text", "json", report=True)
@connection_options
def doctor(
    project: str | None = typer.Option(
        None, "--project", help="Cognigy: the project to read objects from (default: the first)."
    ),
    report_file: Path | None = typer.Option(
        None,
        "--report",
        metavar="FILE",
        dir_okay=False,
        help="Also write the JSON report to FILE, to attach to a bug (no secrets, no values).",
    ),
    *,
    connection: ConnectionSettings,
    out: Output,
) -> None:
    """Check a profile: reachability, credentials, each permission cxops' commands need, and
    that the tenant's answers hold every field cxops reads (one of each object, GETs only).

    One line per check; a missing permission says what to grant. --report FILE also writes the
    result as JSON (route templates, field paths, JSON types and statuses; no secret, URL, id or
    content value) to attach to a bug report. Exit 0 all good, 1 something missing,
    2 credentials or configuration, 3 the vendor is unreachable.

    Example: cxops doctor --profile prod --report doctor.json
    """
    report = asyncio.run(diagnose(connection, project=project))
    document = report.as_dict()
    if report_file is not None:
        write_file(report_file, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        say(f"wrote {report_file} (json, the doctor's report)")
    if out.json:
        out.document(document, indent=2)
    else:
        text = out.console()
        text.print(f"cxops doctor: {escape(report.vendor)}")
        for check in report.checks:
            text.print(_line(check))
        text.print(_summary(report))
    if report.exit_code:
        raise typer.Exit(report.exit_code)
