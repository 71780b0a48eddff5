"""Release figures computed from the store, every time, from the rows themselves.

No running averages: each figure is recomputed from the runs and steps tables, so it is always
consistent with ``cxops runs list``. Conventions the figures read (docs/store.md):

* a run's ``summary["findings"]`` is ``{"error": n, "warning": n, "info": n}`` and
  ``summary["checks"]`` is ``{"passed": n, "failed": n}``;
* DORA figures read runs of kind ``promote``: ``params["target"]`` (environment),
  ``params["committed_at"]`` (ISO time of the change), ``summary["rolled_back"]`` (bool).
  They are None until such runs exist.

Percentiles use the nearest-rank method (always a value that was observed).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cxops.store import Run, RunStatus, Step, Store
from cxops.store.scope import utcnow

__all__ = [
    "CheckFigures",
    "Dora",
    "Durations",
    "KindFigures",
    "Metrics",
    "OperationFigures",
    "change_failure_rate",
    "collect",
    "deployment_frequency",
    "lead_time",
    "percentile",
    "time_to_restore",
]

PROMOTE = "promote"


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass(frozen=True)
class Durations:
    """Seconds: how many, median, 95th percentile and maximum."""

    count: int
    p50: float | None
    p95: float | None
    max: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Durations:
        """Summarize a list of durations in seconds."""
        return cls(
            len(values),
            percentile(values, 0.5),
            percentile(values, 0.95),
            max(values, default=None),
        )


@dataclass(frozen=True)
class KindFigures:
    """Runs of one kind: counts by status, success rate over finished runs, durations."""

    kind: str
    runs: int
    by_status: dict[str, int]
    success_rate: float | None
    durations: Durations


@dataclass(frozen=True)
class CheckFigures:
    """Checks of one kind of run, from run summaries."""

    kind: str
    runs_checked: int
    clean_runs: int  # runs with no error finding
    clean_rate: float | None
    findings: dict[str, int]
    checks_passed: int
    checks_failed: int
    pass_rate: float | None


@dataclass(frozen=True)
class OperationFigures:
    """Steps of one name (an operation): outcomes, retries and latency of the last attempts."""

    operation: str
    steps: int
    by_status: dict[str, int]
    success_rate: float | None
    retried: int
    durations: Durations


@dataclass(frozen=True)
class Dora:
    """The four DORA figures over a window; None where the store has no data for one."""

    window_days: float
    deployment_frequency: float | None  # successful deployments per day
    lead_time_p50: float | None  # seconds from change to deployed
    change_failure_rate: float | None
    time_to_restore_p50: float | None  # seconds from a failed deployment to the next good one


@dataclass(frozen=True)
class Metrics:
    """Every figure, as of ``generated``."""

    generated: datetime
    runs: list[KindFigures]
    checks: list[CheckFigures]
    operations: list[OperationFigures]
    dora: Dora
    deliveries: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``cxops metrics --json``."""
        doc = asdict(self)
        doc["generated"] = self.generated.isoformat()
        return doc


def run_figures(runs: Iterable[Run]) -> list[KindFigures]:
    """Per-kind counts, success rate (succeeded / finished) and durations of finished runs."""
    by_kind: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_kind[run.kind].append(run)
    out = []
    for kind, group in sorted(by_kind.items()):
        statuses = Counter(r.status for r in group)
        finished = [r for r in group if r.status in RunStatus.FINAL]
        out.append(
            KindFigures(
                kind,
                len(group),
                dict(sorted(statuses.items())),
                _ratio(statuses[RunStatus.SUCCEEDED], len(finished)),
                Durations.of([r.duration for r in finished if r.duration is not None]),
            )
        )
    return out


def check_figures(runs: Iterable[Run]) -> list[CheckFigures]:
    """Per-kind check results from run summaries (runs without findings/checks are skipped)."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        if run.summary and ("findings" in run.summary or "checks" in run.summary):
            by_kind[run.kind].append(run.summary)
    out = []
    for kind, summaries in sorted(by_kind.items()):
        findings: Counter[str] = Counter()
        passed = failed = clean = 0
        for summary in summaries:
            found = {k: int(v) for k, v in dict(summary.get("findings") or {}).items()}
            findings.update(found)
            clean += found.get("error", 0) == 0
            checks = summary.get("checks") or {}
            passed += int(checks.get("passed", 0))
            failed += int(checks.get("failed", 0))
        out.append(
            CheckFigures(
                kind,
                len(summaries),
                clean,
                _ratio(clean, len(summaries)),
                dict(sorted(findings.items())),
                passed,
                failed,
                _ratio(passed, passed + failed),
            )
        )
    return out


def operation_figures(steps: Iterable[Step]) -> list[OperationFigures]:
    """Per step name: outcomes, success rate over finished steps, retries, latency."""
    by_name: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        by_name[step.name].append(step)
    out = []
    for name, group in sorted(by_name.items()):
        statuses = Counter(s.status for s in group)
        finished = statuses["succeeded"] + statuses["failed"]
        out.append(
            OperationFigures(
                name,
                len(group),
                dict(sorted(statuses.items())),
                _ratio(statuses["succeeded"], finished),
                sum(1 for s in group if s.attempt > 1),
                Durations.of([s.duration for s in group if s.duration is not None]),
            )
        )
    return out


def _deployments(runs: Iterable[Run], since: datetime) -> list[Run]:
    found = [r for r in runs if r.kind == PROMOTE and r.status in RunStatus.FINAL]
    return sorted((r for r in found if r.started >= since), key=lambda r: r.started)


def _failed(run: Run) -> bool:
    return run.status != RunStatus.SUCCEEDED or bool((run.summary or {}).get("rolled_back"))


def deployment_frequency(runs: Sequence[Run], since: datetime, days: float) -> float | None:
    """Successful deployments per day since ``since``; None with no deployment at all."""
    deployments = _deployments(runs, since)
    if not deployments:
        return None
    return sum(1 for r in deployments if not _failed(r)) / days


def change_failure_rate(runs: Sequence[Run], since: datetime) -> float | None:
    """Share of deployments that failed or were rolled back."""
    deployments = _deployments(runs, since)
    return _ratio(sum(1 for r in deployments if _failed(r)), len(deployments))


def lead_time(runs: Sequence[Run], since: datetime) -> float | None:
    """Median seconds from ``params.committed_at`` to the end of a successful deployment."""
    waits = []
    for run in _deployments(runs, since):
        stamp = run.params.get("committed_at")
        if not _failed(run) and run.ended and isinstance(stamp, str):
            try:
                waits.append((run.ended - datetime.fromisoformat(stamp)).total_seconds())
            except (ValueError, TypeError):
                continue  # an unparseable or naive stamp says nothing about lead time
    return percentile(waits, 0.5)


def time_to_restore(runs: Sequence[Run], since: datetime) -> float | None:
    """Median seconds from a failed deployment to the next successful one of the same target."""
    broken: dict[Any, datetime] = {}
    restores = []
    for run in _deployments(runs, since):
        target = run.params.get("target")
        if _failed(run):
            broken.setdefault(target, run.started)
        elif target in broken and run.ended:
            restores.append((run.ended - broken.pop(target)).total_seconds())
    return percentile(restores, 0.5)


def collect(
    store: Store, *, window: timedelta = timedelta(days=30), now: datetime | None = None
) -> Metrics:
    """Compute every figure from the store (DORA over ``window`` back from ``now``)."""
    now = now or utcnow()
    runs = store.runs.list(limit=None)
    since, days = now - window, window.total_seconds() / 86400
    dora = Dora(
        days,
        deployment_frequency(runs, since, days),
        lead_time(runs, since),
        change_failure_rate(runs, since),
        time_to_restore(runs, since),
    )
    return Metrics(
        now,
        run_figures(runs),
        check_figures(runs),
        operation_figures(store.steps.all()),
        dora,
        store.outbox.counts(),
    )
