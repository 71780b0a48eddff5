"""The metrics page: DORA per environment, project and flow, run durations and success."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from cxops.sinks.metrics import Dora, DoraGroup, collect, deployments
from cxops.store import Store
from cxops.web.queries.repos import Repos
from cxops.web.queries.schemas import DoraRow, KindRow, MetricsView
from cxops.web.queries.words import duration, pct

__all__ = ["metrics_view"]


def _row(scope: str, g: Dora | DoraGroup) -> DoraRow:
    """One table row of DORA figures: the whole window's (``Dora``) or one group's."""
    frequency = g.deployment_frequency
    return DoraRow(
        scope=scope,
        deployments=g.deployments,
        failed=g.failed,
        per_day=f"{frequency:.2f}" if frequency is not None else "n/a",
        change_failure=pct(g.change_failure_rate),
        lead_time=duration(g.lead_time_p50) if g.lead_time_p50 is not None else "n/a",
        time_to_restore=duration(g.time_to_restore_p50)
        if g.time_to_restore_p50 is not None
        else "n/a",
    )


def metrics_view(store: Store, repos: Repos, window_days: float = 30.0) -> MetricsView:
    """Every figure of ``cxops metrics`` (the same ``collect``), worded, plus a daily series."""
    m = collect(store, window=timedelta(days=window_days))
    d = m.dora
    overall = None
    if d.deployment_frequency is not None:
        overall = _row("all environments", d)
    names: dict[str, str] = {}
    for vendor in {str(k) for k in ("cognigy", "cxone", "genesys")}:
        names.update(repos.names(vendor)[0])
    days: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    runs = store.runs.list(kind="promote", limit=None)
    for dep in deployments(runs, m.generated - timedelta(days=window_days)):
        day = f"{dep.run.started:%Y-%m-%d}"
        days[day] += 1
        failed[day] += dep.failed
    return MetricsView(
        window_days=window_days,
        overall=overall,
        by_environment=[_row(g.environment, g) for g in d.by_environment],
        by_project=[_row(f"{g.project} in {g.environment}", g) for g in d.by_project],
        by_flow=[
            # The plan's name (#16), else the repositories' (Genesys keys are not repo ids).
            _row(f"{g.flow_name or names.get(g.flow or '', g.flow)} ({where})", g)
            for g in d.by_flow
            for where in [f"{g.project} in {g.environment}"]
        ],
        kinds=[
            KindRow(
                kind=k.kind,
                runs=k.runs,
                success_rate=pct(k.success_rate),
                p50=duration(k.durations.p50) if k.durations.p50 is not None else "n/a",
                p95=duration(k.durations.p95) if k.durations.p95 is not None else "n/a",
            )
            for k in m.runs
        ],
        daily=[(day, days[day], failed[day]) for day in sorted(days)],
        raw=m.to_dict(),
    )
