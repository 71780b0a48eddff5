"""``cxops runs show RUN`` as text for people: the run in sections (what it did, plan, gates,
steps, rollback, events), instead of one JSON line (``--json`` keeps the full document).

A promotion that rolled back links to its rollback run (``<run>-rollback``), and a rollback run
to the promotion it undid, so either id finds the other.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from cxops.analysis.names import change_line
from cxops.cli.promotion_text import gate_lines, rollback_lines
from cxops.cli.text import cell
from cxops.store import Event, Run, Step

__all__ = ["print_run"]

#: Characters of a nested parameter or summary value shown (``--json`` has all of it).
WIDTH = 160


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}s"


def _safe(value: Any) -> str:
    return cell(value)  # one line: a newline in a name could fake a line of the report


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _safe(text if len(text) <= WIDTH else text[: WIDTH - 1] + "…")


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(f"[bold]{title}[/]")


def _fields(console: Console, values: dict[str, Any], skip: set[str]) -> None:
    for key, value in values.items():
        if key not in skip and value not in (None, "", [], {}):
            console.print(f"  {_safe(key)}: {_value(value)}", soft_wrap=True)


def _plan(console: Console, plan: dict[str, Any]) -> None:
    diff, version = plan.get("diff") or {}, plan.get("version") or {}
    source, target = plan.get("source") or {}, plan.get("target") or {}
    console.print(
        f"  {_safe(source.get('name'))} → {_safe(target.get('name'))}: "
        f"{diff.get('total_changes', 0)} change(s), suggested bump {_safe(diff.get('bump'))}",
        soft_wrap=True,
    )
    for change in (diff.get("changes") or [])[:20]:  # by name (#16: analysis/names.py)
        console.print(f"    {_safe(change_line(change))}", soft_wrap=True)
    if version.get("given"):
        state = "ok" if version.get("ok") else f"[red]{_safe(version.get('reason'))}[/]"
        last = version.get("previous") or "no earlier tag"
        console.print(f"  version {_safe(version['given'])} (last: {_safe(last)}): {state}")


def _steps(console: Console, steps: list[Step]) -> None:
    if not steps:
        console.print("  no steps")
        return
    table = Table("step", "status", "attempt", "duration", "error", box=None, padding=(0, 2))
    for s in steps:
        name = s.name
        if name == "promote.deploy":  # which deploy stage
            name = f"{name} {s.key.rsplit(':deploy:', 1)[-1]}"
        table.add_row(
            _safe(name), s.status, str(s.attempt), _seconds(s.duration), _safe(s.error or "")
        )
    console.print(table)


def _promotion(console: Console, run: Run, rollback: Run | None) -> None:
    summary = run.summary or {}
    if isinstance(summary.get("plan"), dict):
        _section(console, "plan")
        _plan(console, summary["plan"])
    if summary.get("gates") or summary.get("verify"):
        console.print()
        gate_lines(console, summary, sections=True)
    if isinstance(summary.get("parity"), dict):
        par = summary["parity"]
        console.print(f"  parity {par.get('score')} ({par.get('matched')}/{par.get('compared')})")
    if isinstance(summary.get("rollback"), dict):
        _section(console, "rollback")
        rollback_lines(console, summary, summary["rollback"], "  ")
        if rollback is not None:
            console.print(
                f"  rollback run: {_safe(rollback.id)} ({rollback.status}): "
                f"cxops runs show {_safe(rollback.id)}",
                soft_wrap=True,
            )


def _rollback_run(console: Console, run: Run) -> None:
    promotion = str(run.params.get("promote") or "")
    _section(console, "rollback")
    console.print(
        f"  undid promotion {_safe(promotion)}: cxops runs show {_safe(promotion)}", soft_wrap=True
    )
    if run.summary:
        rollback_lines(console, {"rollback": run.summary}, run.summary, "  ")


def print_run(
    console: Console, run: Run, steps: list[Step], events: list[Event], rollback: Run | None
) -> None:
    """The run in sections; ``rollback`` is the run that undid it (a promotion's), if any."""
    console.print(f"[bold]run {_safe(run.id)}[/]  {_safe(run.kind)}  {_safe(run.status)}")
    console.print(f"  started {_when(run.started)}  ended {_when(run.ended)}  "
                  f"{_seconds(run.duration)}")  # fmt: skip
    summary = run.summary or {}
    if summary.get("outcome"):
        console.print(f"  outcome: {_safe(str(summary['outcome']).replace('_', ' '))}")
    if run.error:
        console.print(f"  [red]error:[/] {_safe(run.error)}", soft_wrap=True)
    _section(console, "parameters")
    _fields(console, run.params, {"store"})
    if run.kind.startswith("promote"):
        _promotion(console, run, rollback)
    elif run.kind == "rollback":
        _rollback_run(console, run)
    elif summary:
        _section(console, "summary")
        _fields(console, summary, set())
    _section(console, "steps")
    _steps(console, steps)
    if events:
        _section(console, "events")
        for e in events:
            console.print(f"  {_safe(e.type)} ({_safe(e.id)})")
