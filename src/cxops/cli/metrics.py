"""``cxops metrics``: run, check, operation and DORA figures computed from the store."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.console import Console
from rich.table import Table

from cxops.analysis.names import label, shared
from cxops.cli.common import Output, output_options
from cxops.cli.runs import store_option
from cxops.cli.text import cell
from cxops.errors import UsageError
from cxops.sinks.metrics import DoraGroup, Metrics, collect
from cxops.sinks.metrics_prometheus import prometheus_text
from cxops.store import Store


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _sec(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}s"


@output_options("text", "json", "prometheus", report=True)
def metrics(
    prometheus: bool = typer.Option(
        False, "--prometheus", help="Same as --format prometheus (kept for scripts)."
    ),
    window_days: float = typer.Option(30.0, min=0.01, help="DORA window, in days back from now."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Run durations and success rates, check pass rates, per-operation latency, DORA figures.

    DORA (from promotions): deployment frequency, lead time, change failure rate and time to
    restore, overall and per environment, project and flow; blocked promotions and dry runs
    are not deployments.

    Example: cxops metrics --format prometheus -o cxops.prom
    """
    if prometheus:
        if out.format not in ("text", "prometheus"):
            raise UsageError(f"choose one of --prometheus and --format {out.format}")
        out.format = "prometheus"
    with Store.open(store) as st:
        if out.format == "prometheus":
            out.write(prometheus_text(st))
            return
        figures = collect(st, window=timedelta(days=window_days))
    if out.json:
        out.document(figures.to_dict())
    else:
        _show(figures, out.console())


def _show(m: Metrics, console: Console) -> None:
    runs = Table("kind", "runs", "success", "p50", "p95", "max", title="runs")
    for k in m.runs:
        d = k.durations
        runs.add_row(
            k.kind, str(k.runs), _pct(k.success_rate), _sec(d.p50), _sec(d.p95), _sec(d.max)
        )
    console.print(runs if m.runs else "no runs yet")
    if m.checks:
        checks = Table(
            "kind", "runs checked", "clean", "check pass rate", "findings", title="checks"
        )
        for c in m.checks:
            found = ", ".join(f"{k} {v}" for k, v in c.findings.items())
            checks.add_row(
                c.kind, str(c.runs_checked), _pct(c.clean_rate), _pct(c.pass_rate), found
            )
        console.print(checks)
    if m.operations:
        ops = Table("operation", "steps", "success", "retried", "p50", "p95", title="operations")
        for o in m.operations:
            d = o.durations
            ops.add_row(
                o.operation,
                str(o.steps),
                _pct(o.success_rate),
                str(o.retried),
                _sec(d.p50),
                _sec(d.p95),
            )
        console.print(ops)
    dora = m.dora
    if dora.deployment_frequency is None:
        console.print("DORA: no deployments recorded yet (blocked promotions and dry runs are not)")
        return
    console.print(
        f"DORA ({dora.window_days:g} days): {dora.deployments} deployment(s), "
        f"{dora.failed} failed; {dora.deployment_frequency:.2f} successful deployments/day, "
        f"change failure {_pct(dora.change_failure_rate)}, "
        f"lead time {_sec(dora.lead_time_p50) or 'n/a'}, "
        f"time to restore {_sec(dora.time_to_restore_p50) or 'n/a'} "
        "(CFR: change failure rate; lead and restore: medians)"
    )
    console.print(_dora_table("DORA by environment", ["environment"], dora.by_environment))
    console.print(_dora_table("DORA by project", ["environment", "project"], dora.by_project))
    for p in dora.by_project:  # one table of flows per project, keyed like the row above
        flows = [
            g for g in dora.by_flow if (g.environment, g.project) == (p.environment, p.project)
        ]
        if flows:
            title = f"DORA by flow of '{cell(p.project)}' in {cell(p.environment)}"
            console.print(_dora_table(title, ["flow"], flows))


def _dora_table(title: str, head: list[str], groups: list[DoraGroup]) -> Table:
    """One row per group; a flow by its name (its id beside a name two flows of the table share,
    the id alone for a plan recorded without names; ``--json`` has both)."""
    table = Table(*head, "deploys", "failed", "/day", "CFR", "lead", "restore", title=title)
    twins = shared((g.flow or "", g.flow_name) for g in groups)
    for g in groups:
        flow = g.flow or ""
        shown = label("", g.flow_name, flow, ambiguous=flow in twins)
        row = {"environment": g.environment, "project": g.project, "flow": shown}
        keys = [cell(row[h]) for h in head]  # names from the vendor: escaped
        table.add_row(
            *keys,
            str(g.deployments),
            str(g.failed),
            f"{g.deployment_frequency:.2f}",
            _pct(g.change_failure_rate),
            _sec(g.lead_time_p50),
            _sec(g.time_to_restore_p50),
        )
    return table
