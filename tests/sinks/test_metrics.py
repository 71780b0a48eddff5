"""Metrics recomputed from the store: run, check, operation and DORA figures, and Prometheus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from cxops.sinks.metrics import (
    check_figures,
    collect,
    operation_figures,
    percentile,
    run_figures,
)
from cxops.sinks.metrics_prometheus import prometheus_text
from cxops.store import Run, Step, Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _run(kind: str, status: str, seconds: float | None, **extra: Any) -> Run:
    ended = None if seconds is None else T0 + timedelta(seconds=seconds)
    return Run(
        id=f"{kind}-{status}-{seconds}",
        kind=kind,
        status=status,
        started=T0,
        ended=ended,
        params=extra.get("params", {}),
        summary=extra.get("summary"),
        error=None,
    )


def test_percentile_is_nearest_rank() -> None:
    """p50 and p95 are observed values by nearest rank; empty input gives None."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50 and percentile(values, 0.95) == 95
    assert percentile([3.0], 0.95) == 3.0 and percentile([], 0.5) is None


def test_run_figures_per_kind() -> None:
    """Counts by status, success over finished runs only, durations of finished runs."""
    runs = [
        _run("export", "succeeded", 10),
        _run("export", "succeeded", 30),
        _run("export", "failed", 20),
        _run("export", "running", None),
        _run("compile", "succeeded", 5),
    ]
    compile_, export = run_figures(runs)
    assert export.kind == "export" and export.runs == 4
    assert export.by_status == {"failed": 1, "running": 1, "succeeded": 2}
    assert export.success_rate == 2 / 3
    assert (export.durations.count, export.durations.p50, export.durations.max) == (3, 20, 30)
    assert compile_.success_rate == 1.0


def test_check_figures_from_summaries() -> None:
    """Pass rate sums checks; a clean run is one with no error finding."""
    runs = [
        _run("export", "succeeded", 1, summary={"findings": {"error": 0, "warning": 2}}),
        _run(
            "export",
            "succeeded",
            1,
            summary={"findings": {"error": 3}, "checks": {"passed": 7, "failed": 3}},
        ),
        _run("export", "succeeded", 1, summary={"flows": 2}),
    ]
    (c,) = check_figures(runs)
    assert (c.runs_checked, c.clean_runs, c.clean_rate) == (2, 1, 0.5)
    assert c.findings == {"error": 3, "warning": 2}
    assert (c.checks_passed, c.checks_failed, c.pass_rate) == (7, 3, 0.7)


def test_operation_figures_from_steps() -> None:
    """Per operation: success over finished steps, retried steps, latency."""

    def step(status: str, attempt: int, seconds: float | None) -> Step:
        ended = None if seconds is None else T0 + timedelta(seconds=seconds)
        return Step(
            "r",
            "export.flow",
            f"k{status}{attempt}{seconds}",
            status,
            T0,
            ended,
            attempt,
            None,
            None,
        )

    (op,) = operation_figures(
        [
            step("succeeded", 1, 1),
            step("succeeded", 2, 3),
            step("failed", 3, 2),
            step("running", 1, None),
        ]
    )
    assert op.steps == 4 and op.success_rate == 2 / 3 and op.retried == 2
    assert (op.durations.p50, op.durations.max) == (2, 3)


def test_dora_figures_from_promote_runs(store: Store) -> None:
    """Deployment frequency, change failure rate, lead time and restore time from promote runs."""
    assert collect(store).dora.deployment_frequency is None  # no deployments yet
    committed = datetime.now(UTC) - timedelta(hours=2)
    good = store.runs.start("promote", {"target": "prod", "committed_at": committed.isoformat()})
    store.runs.finish(good.id)
    bad = store.runs.start("promote", {"target": "prod"})
    store.runs.finish(bad.id, "succeeded", summary={"rolled_back": True})
    fixed = store.runs.start("promote", {"target": "prod"})
    store.runs.finish(fixed.id)
    dora = collect(store, window=timedelta(days=10)).dora
    assert dora.deployment_frequency == 2 / 10
    assert dora.change_failure_rate == 1 / 3
    assert dora.lead_time_p50 is not None and 7190 < dora.lead_time_p50 < 7300
    assert dora.time_to_restore_p50 is not None and 0 <= dora.time_to_restore_p50 < 60


def test_collect_and_prometheus_exposition(store: Store) -> None:
    """Figures come from the stored rows and parse back from the Prometheus text exposition."""
    for status in ("succeeded", "succeeded", "failed"):
        run = store.runs.start("export")
        store.steps.begin(run.id, "export.flow", f"{run.id}:f")
        store.steps.finish(f"{run.id}:f", status=status if status == "failed" else "succeeded")
        store.runs.finish(run.id, status, summary={"findings": {"error": int(status == "failed")}})
    metrics = collect(store)
    (export,) = metrics.runs
    assert export.runs == 3 and export.success_rate == 2 / 3
    assert metrics.to_dict()["runs"][0]["by_status"] == {"failed": 1, "succeeded": 2}
    families = {f.name: f for f in text_string_to_metric_families(prometheus_text(store))}
    runs = {
        s.labels["status"]: s.value
        for s in families["cxops_runs"].samples
        if s.name == "cxops_runs_total"
    }
    assert runs == {"failed": 1.0, "succeeded": 2.0}
    (ratio,) = families["cxops_run_success_ratio"].samples
    assert ratio.value == 2 / 3 and ratio.labels == {"kind": "export"}
    assert {s.labels["quantile"] for s in families["cxops_run_duration_seconds"].samples} == {
        "0.5",
        "0.95",
        "1",
    }
    (clean,) = families["cxops_clean_run_ratio"].samples
    assert clean.value == 2 / 3
    steps = {s.labels["status"]: s.value for s in families["cxops_steps"].samples}
    assert steps == {"failed": 1.0, "succeeded": 2.0}
    assert "cxops_dora_change_failure_ratio" not in families
