"""Prometheus text exposition of :mod:`cxops.sinks.metrics`, through a custom collector.

The collector recomputes from the store on every scrape (``prometheus_client``'s documented
pattern for figures that live elsewhere), so ``cxops metrics --prometheus`` and a web
``/metrics`` endpoint can share it.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from cxops.sinks.metrics import Durations, Metrics, collect
from cxops.store import Store

__all__ = ["StoreCollector", "prometheus_text", "render"]


def _durations(name: str, doc: str, label: str, rows: list[tuple[str, Durations]]) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=[label, "quantile"])
    for value, d in rows:
        for q, figure in (("0.5", d.p50), ("0.95", d.p95), ("1", d.max)):
            if figure is not None:
                family.add_metric([value, q], figure)
    return family


def render(m: Metrics) -> Iterator[Metric]:
    """The metric families for one set of figures."""
    runs = CounterMetricFamily("cxops_runs", "Runs by kind and status.", labels=["kind", "status"])
    success = GaugeMetricFamily(
        "cxops_run_success_ratio", "Succeeded / finished runs.", labels=["kind"]
    )
    for k in m.runs:
        for status, n in k.by_status.items():
            runs.add_metric([k.kind, status], n)
        if k.success_rate is not None:
            success.add_metric([k.kind], k.success_rate)
    yield runs
    yield success
    yield _durations(
        "cxops_run_duration_seconds",
        "Finished run durations (quantile 1 is the maximum).",
        "kind",
        [(k.kind, k.durations) for k in m.runs],
    )
    passes = GaugeMetricFamily("cxops_check_pass_ratio", "Passed / run checks.", labels=["kind"])
    clean = GaugeMetricFamily(
        "cxops_clean_run_ratio", "Runs with no error finding / runs checked.", labels=["kind"]
    )
    findings = CounterMetricFamily(
        "cxops_findings", "Findings by severity.", labels=["kind", "severity"]
    )
    for c in m.checks:
        if c.pass_rate is not None:
            passes.add_metric([c.kind], c.pass_rate)
        if c.clean_rate is not None:
            clean.add_metric([c.kind], c.clean_rate)
        for severity, n in c.findings.items():
            findings.add_metric([c.kind, severity], n)
    yield from (passes, clean, findings)
    steps = CounterMetricFamily(
        "cxops_steps", "Steps by operation and status.", labels=["operation", "status"]
    )
    ok = GaugeMetricFamily(
        "cxops_step_success_ratio", "Succeeded / finished steps.", labels=["operation"]
    )
    for o in m.operations:
        for status, n in o.by_status.items():
            steps.add_metric([o.operation, status], n)
        if o.success_rate is not None:
            ok.add_metric([o.operation], o.success_rate)
    yield from (steps, ok)
    yield _durations(
        "cxops_step_duration_seconds",
        "Step latency of the last attempt (quantile 1 is the maximum).",
        "operation",
        [(o.operation, o.durations) for o in m.operations],
    )
    deliveries = GaugeMetricFamily(
        "cxops_webhook_deliveries", "Webhook deliveries by state.", labels=["state"]
    )
    for state, n in m.deliveries.items():
        deliveries.add_metric([state], n)
    yield deliveries
    dora = [
        ("cxops_dora_deployment_frequency_per_day", m.dora.deployment_frequency),
        ("cxops_dora_lead_time_seconds", m.dora.lead_time_p50),
        ("cxops_dora_change_failure_ratio", m.dora.change_failure_rate),
        ("cxops_dora_time_to_restore_seconds", m.dora.time_to_restore_p50),
    ]
    for name, value in dora:
        if value is not None:
            yield GaugeMetricFamily(name, f"DORA over {m.dora.window_days:g} days.", value=value)
    yield from _dora_groups(m)


#: Per-scope families: ``cxops_dora_<figure>_by_<scope>`` with the scope's labels. A flow is
#: labelled by its id (stable across renames and environments: the series' identity) and by
#: ``flow_name``, the name a person reads (issue #16). Each id carries one name (its latest), so
#: the name label adds no series: cardinality stays one per flow (docs/metrics.md).
_SCOPES = (
    ("environment", ["environment"]),
    ("project", ["environment", "project"]),
    ("flow", ["environment", "project", "flow", "flow_name"]),
)
_FIGURES = (
    ("deployments", "Deployments (blocked runs and dry runs are not)", "deployments"),
    ("failed_deployments", "Deployments that failed or were rolled back", "failed"),
    ("deployment_frequency_per_day", "Successful deployments per day", "deployment_frequency"),
    ("change_failure_ratio", "Failed / deployments", "change_failure_rate"),
    ("lead_time_seconds", "Median seconds from commit to deployed", "lead_time_p50"),
    ("time_to_restore_seconds", "Median seconds from failure to restore", "time_to_restore_p50"),
)


def _dora_groups(m: Metrics) -> Iterator[Metric]:
    groups = {
        "environment": m.dora.by_environment,
        "project": m.dora.by_project,
        "flow": m.dora.by_flow,
    }
    for scope, labels in _SCOPES:
        if not groups[scope]:
            continue
        for suffix, doc, attr in _FIGURES:
            family = GaugeMetricFamily(
                f"cxops_dora_{suffix}_by_{scope}",
                f"{doc}, per {scope}, over {m.dora.window_days:g} days.",
                labels=labels,
            )
            for g in groups[scope]:
                value = getattr(g, attr)
                if value is not None:
                    row = [g.environment, g.project or "", g.flow or "", g.flow_name or ""]
                    values = row[: len(labels)]
                    family.add_metric(values, float(value))
            yield family


class StoreCollector(Collector):
    """A collector that recomputes every figure from ``store`` at each scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        """Yield the families for the store as it is now."""
        yield from render(collect(self.store))


def prometheus_text(store: Store) -> str:
    """The Prometheus text exposition of the store's figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(store))
    return generate_latest(registry).decode("utf-8")
