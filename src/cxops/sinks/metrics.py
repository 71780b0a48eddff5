"""Release figures computed from the store, every time, from the rows themselves.

No running averages: each figure is recomputed from the runs and steps tables, so it is always
consistent with ``cxops runs list``. Conventions the figures read (docs/store.md):

* a run's ``summary["findings"]`` is ``{"error": n, "warning": n, "info": n}`` and
  ``summary["checks"]`` is ``{"passed": n, "failed": n}``;
* DORA figures read runs of kind ``promote``: ``params["target"]`` (environment),
  ``params["committed_at"]`` (ISO time of the change), ``summary["outcome"]``,
  ``summary["rolled_back"]`` (bool), ``summary["plan"]`` (target project name, ``flows``, the
  diff's changed flows), and runs of kind ``rollback`` (``params["promote"]``: the promotion they
  restored). A promotion is a deployment unless it is ``blocked``, a ``dry_run`` or
  ``plan_failed`` (nothing reached the target); it failed when it is not ``succeeded`` or was
  rolled back (``rolled_back``, ``rollback_failed``). Figures are None until deployments exist,
  overall and per environment, project and flow (docs/metrics.md).

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
    "Deployment",
    "Dora",
    "DoraGroup",
    "Durations",
    "KindFigures",
    "Metrics",
    "OperationFigures",
    "change_failure_rate",
    "collect",
    "deployment_frequency",
    "deployments",
    "dora",
    "is_deployment",
    "lead_time",
    "percentile",
    "time_to_restore",
]

PROMOTE = "promote"
ROLLBACK = "rollback"


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
class DoraGroup:
    """DORA figures of one environment, one project in it, or one flow of that project."""

    environment: str
    project: str | None
    flow: str | None  # a flow's referenceId
    deployments: int
    failed: int
    deployment_frequency: float  # successful deployments per day
    change_failure_rate: float | None
    lead_time_p50: float | None
    time_to_restore_p50: float | None
    flow_name: str | None = None  # the flow's name in its latest deployment (the plan's)


@dataclass(frozen=True)
class Dora:
    """The four DORA figures over a window; None where the store has no data for one."""

    window_days: float
    deployment_frequency: float | None  # successful deployments per day
    lead_time_p50: float | None  # seconds from change to deployed
    change_failure_rate: float | None
    time_to_restore_p50: float | None  # seconds from a failed deployment to its restore
    deployments: int = 0  # deployments in the window (failed ones included)
    failed: int = 0
    by_environment: list[DoraGroup] = field(default_factory=list)
    by_project: list[DoraGroup] = field(default_factory=list)
    by_flow: list[DoraGroup] = field(default_factory=list)


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


#: Outcomes that never reached the target (``failed``: an error before the rollback point;
#: ``cancelled``: stopped before it; ``nothing_to_promote``: the target already had the content).
NOT_DEPLOYED = frozenset(
    {"blocked", "dry_run", "plan_failed", "failed", "cancelled", "nothing_to_promote"}
)


@dataclass(frozen=True)
class Deployment:
    """One promotion that reached the target: where, what it changed, whether it failed."""

    run: Run
    environment: str  # params.target
    project: str  # the target project's name (the plan's), else what --project named
    flows: tuple[str, ...]  # flow referenceIds it changed (``--flows``, else the plan's diff)
    failed: bool  # not succeeded, rolled back, or the rollback failed
    restored: datetime | None  # end of its rollback run when that restored identical content
    flow_names: dict[str, str] = field(default_factory=dict)  # id → name, from the plan's diff


def _flows(run: Run) -> tuple[str, ...]:
    plan = (run.summary or {}).get("plan") or {}
    if plan.get("flows"):
        return tuple(sorted({str(f) for f in plan["flows"]}))
    changed = set()
    for change in (plan.get("diff") or {}).get("changes") or []:
        if change.get("what") == "flow" and change.get("id"):
            changed.add(str(change["id"]))
        elif change.get("flow"):
            changed.add(str(change["flow"]))
    return tuple(sorted(changed))


def _flow_names(run: Run) -> dict[str, str]:
    """Flow id → name, as the plan's diff names them (a flow change's ``name``, any other
    change's ``flow_name``; plans stored before #16 have none)."""
    plan = (run.summary or {}).get("plan") or {}
    names: dict[str, str] = {}
    for change in (plan.get("diff") or {}).get("changes") or []:
        if change.get("what") == "flow" and change.get("id") and change.get("name"):
            names[str(change["id"])] = str(change["name"])
        elif change.get("flow") and change.get("flow_name"):
            names.setdefault(str(change["flow"]), str(change["flow_name"]))
    return names


def _project(run: Run) -> str:
    target = ((run.summary or {}).get("plan") or {}).get("target") or {}
    name = target.get("name") or run.params.get("target_project") or run.params.get("project")
    return str(name) if name else "unknown"


def is_deployment(run: Run) -> bool:
    """A finished promotion that reached the target: blocked runs, dry runs and failed plans
    changed nothing (a gate doing its job is not a failed change), so they are not deployments."""
    if run.kind != PROMOTE or run.status not in RunStatus.FINAL:
        return False
    return (run.summary or {}).get("outcome") not in NOT_DEPLOYED


def _failed(run: Run) -> bool:
    summary = run.summary or {}
    return (
        run.status != RunStatus.SUCCEEDED
        or bool(summary.get("rolled_back"))
        or summary.get("outcome") in ("rolled_back", "rollback_failed")
    )


def deployments(runs: Sequence[Run], since: datetime) -> list[Deployment]:
    """Deployments started since ``since``, oldest first (see :func:`is_deployment`)."""
    restores = {
        str(r.params.get("promote")): r.ended
        for r in runs
        if r.kind == ROLLBACK and r.status == RunStatus.SUCCEEDED and r.ended is not None
    }
    found = sorted(
        (r for r in runs if is_deployment(r) and r.started >= since), key=lambda r: r.started
    )
    return [
        Deployment(
            r,
            str(r.params.get("target") or "unknown"),
            _project(r),
            _flows(r),
            _failed(r),
            restores.get(r.id) if _failed(r) else None,
            _flow_names(r),
        )
        for r in found
    ]


def _frequency(found: Sequence[Deployment], days: float) -> float | None:
    return None if not found else sum(1 for d in found if not d.failed) / days


def _failure_rate(found: Sequence[Deployment]) -> float | None:
    return _ratio(sum(1 for d in found if d.failed), len(found))


def _lead_time(found: Sequence[Deployment]) -> float | None:
    waits = []
    for d in found:
        stamp = d.run.params.get("committed_at")
        if not d.failed and d.run.ended and isinstance(stamp, str):
            try:
                waits.append((d.run.ended - datetime.fromisoformat(stamp)).total_seconds())
            except (ValueError, TypeError):
                continue  # an unparseable or naive stamp says nothing about lead time
    return percentile(waits, 0.5)


def _time_to_restore(found: Sequence[Deployment]) -> float | None:
    # Restored = the failed deployment's own rollback restored identical content (its end), else
    # the next successful deployment of the same environment and project (its end); measured
    # from the start of the failed deployment (the first of a run of failures).
    broken: dict[tuple[str, str], datetime] = {}
    restores = []
    for d in found:
        key = (d.environment, d.project)
        if d.failed and d.restored is not None:
            restores.append((d.restored - d.run.started).total_seconds())
        elif d.failed:
            broken.setdefault(key, d.run.started)
        elif key in broken and d.run.ended:
            restores.append((d.run.ended - broken.pop(key)).total_seconds())
    return percentile(restores, 0.5)


def deployment_frequency(runs: Sequence[Run], since: datetime, days: float) -> float | None:
    """Successful deployments per day since ``since``; None with no deployment at all."""
    return _frequency(deployments(runs, since), days)


def change_failure_rate(runs: Sequence[Run], since: datetime) -> float | None:
    """Share of deployments that failed verification or deploy (rolled back or not)."""
    return _failure_rate(deployments(runs, since))


def lead_time(runs: Sequence[Run], since: datetime) -> float | None:
    """Median seconds from ``params.committed_at`` to the end of a successful deployment."""
    return _lead_time(deployments(runs, since))


def time_to_restore(runs: Sequence[Run], since: datetime) -> float | None:
    """Median seconds from a failed deployment to its restore: the end of its rollback when that
    restored identical content, else the end of the next successful deployment of the same
    environment and project."""
    return _time_to_restore(deployments(runs, since))


def _group(found: Sequence[Deployment], days: float, key: tuple[str, ...]) -> DoraGroup:
    flow = key[2] if len(key) > 2 else None
    # The latest deployment's name for the flow (found is oldest first): a renamed flow is one
    # group (its id), shown by its current name.
    named = [d.flow_names[flow] for d in found if flow and flow in d.flow_names]
    return DoraGroup(
        key[0],
        key[1] if len(key) > 1 else None,
        key[2] if len(key) > 2 else None,
        len(found),
        sum(1 for d in found if d.failed),
        sum(1 for d in found if not d.failed) / days,
        _failure_rate(found),
        _lead_time(found),
        _time_to_restore(found),
        named[-1] if named else None,
    )


def dora(runs: Sequence[Run], since: datetime, days: float) -> Dora:
    """The DORA figures since ``since``, overall and per environment, project and flow."""
    found = deployments(runs, since)
    levels: tuple[dict[tuple[str, ...], list[Deployment]], ...] = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
    )
    for d in found:
        levels[0][(d.environment,)].append(d)
        levels[1][(d.environment, d.project)].append(d)
        for flow in d.flows:
            levels[2][(d.environment, d.project, flow)].append(d)
    per_env, per_project, per_flow = (
        [_group(group, days, key) for key, group in sorted(level.items())] for level in levels
    )
    return Dora(
        days,
        _frequency(found, days),
        _lead_time(found),
        _failure_rate(found),
        _time_to_restore(found),
        len(found),
        sum(1 for d in found if d.failed),
        per_env,
        per_project,
        per_flow,
    )


def collect(
    store: Store, *, window: timedelta = timedelta(days=30), now: datetime | None = None
) -> Metrics:
    """Compute every figure from the store (DORA over ``window`` back from ``now``)."""
    now = now or utcnow()
    runs = store.runs.list(limit=None)
    since, days = now - window, window.total_seconds() / 86400
    return Metrics(
        now,
        run_figures(runs),
        check_figures(runs),
        operation_figures(store.steps.all()),
        dora(runs, since, days),
        store.outbox.counts(),
    )
