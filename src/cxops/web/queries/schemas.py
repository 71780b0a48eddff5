"""The answers of the query layer: the JSON API's response models and what the pages render.

Every field a person reads is already worded here (names, sentences, readable times), so the
templates only place values; ids stay beside the names for machines.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "AuditEntryView",
    "AuditView",
    "Cell",
    "Change",
    "DeliveryView",
    "DoraRow",
    "EndpointView",
    "Environments",
    "FindingView",
    "FlowEdge",
    "FlowNode",
    "FlowView",
    "GateView",
    "KindRow",
    "MetricsView",
    "Page",
    "ProjectRow",
    "RollbackView",
    "RunDetail",
    "RunItem",
    "RunList",
    "StepView",
    "WebhooksView",
]


class Page(BaseModel):
    """Paging of a list: how many were shown and the cursor for the next (older) page."""

    shown: int
    next_before: str | None = None


class RunItem(BaseModel):
    """One run in a list: what it was about, in words, and how it ended."""

    id: str
    short_id: str
    kind: str
    status: str
    outcome: str | None = None
    title: str
    vendor: str | None = None
    project: str | None = None
    source: str | None = None
    environment: str | None = None
    version: str | None = None
    started: datetime
    started_text: str
    ended: datetime | None = None
    duration_s: float | None = None
    duration_text: str
    error: str | None = None


class RunList(BaseModel):
    runs: list[RunItem]
    page: Page
    filters: dict[str, str]
    kinds: list[str]
    statuses: list[str]


class StepView(BaseModel):
    """A step on the run's timeline: where it starts and how wide it is, in % of the run."""

    name: str
    label: str
    status: str
    attempt: int
    started: datetime
    duration_s: float | None
    duration_text: str
    offset_pct: float
    width_pct: float
    error: str | None = None


class GateView(BaseModel):
    gate: str
    passed: bool
    sentence: str
    details: list[str] = Field(default_factory=list)


class Change(BaseModel):
    """One planned change by names (flow, node, field), before → after when known."""

    action: str
    what: str
    path: list[str]
    before: str | None = None
    after: str | None = None
    ids: dict[str, str] = Field(default_factory=dict)


class RollbackView(BaseModel):
    failed: str | None
    point: str | None
    restored_point: str | None
    hash_before: str | None
    hash_restored: str | None
    identical: bool | None
    run_id: str | None = None


class FindingView(BaseModel):
    code: str
    name: str
    severity: str
    message: str
    where: str
    file: str | None = None
    line: int | None = None
    link: str | None = None


class RunDetail(BaseModel):
    run: RunItem
    steps: list[StepView]
    gates: list[GateView]
    bump: str | None = None
    changes: list[Change]
    rollback: RollbackView | None = None
    parity: str | None = None
    findings: list[FindingView]
    events: list[str]
    facts: list[tuple[str, str]]
    approval: dict[str, Any] | None = None


class Cell(BaseModel):
    """What is live for one project in one environment."""

    environment: str
    version: str | None = None
    content_hash: str | None = None
    promoted: datetime | None = None
    promoted_text: str | None = None
    run_id: str | None = None
    running: str | None = None  # the run id of a promotion in progress
    last_failed: str | None = None  # a sentence about a newer promotion that did not stick
    drift: str | None = None  # "in sync", "drift", "not exported since" ...
    drifted: bool = False
    exported_hash: str | None = None


class ProjectRow(BaseModel):
    vendor: str
    project: str
    cells: list[Cell]


class Environments(BaseModel):
    environments: list[str]
    projects: list[ProjectRow]


class AuditEntryView(BaseModel):
    seq: int
    time: datetime
    time_text: str
    actor: str
    action: str
    subject: str
    details: str
    hash: str
    bad: bool = False


class AuditView(BaseModel):
    ok: bool
    status: str
    entries_total: int
    head_seq: int
    head_hash: str
    problem: dict[str, Any] | None
    entries: list[AuditEntryView]
    filters: dict[str, str]
    actions: list[str]


class KindRow(BaseModel):
    kind: str
    runs: int
    success_rate: str
    p50: str
    p95: str


class DoraRow(BaseModel):
    scope: str
    deployments: int
    failed: int
    per_day: str
    change_failure: str
    lead_time: str
    time_to_restore: str


class MetricsView(BaseModel):
    window_days: float
    overall: DoraRow | None
    by_environment: list[DoraRow]
    by_project: list[DoraRow]
    by_flow: list[DoraRow]
    kinds: list[KindRow]
    daily: list[tuple[str, int, int]]  # day, deployments, failed
    raw: dict[str, Any]


class EndpointView(BaseModel):
    id: int
    url: str
    secret_env: str
    enabled: bool
    disabled_reason: str | None
    counts: dict[str, int]


class DeliveryView(BaseModel):
    event_id: str
    event_type: str
    run_id: str | None
    created_text: str
    endpoint_id: int
    endpoint_url: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_text: str | None


class WebhooksView(BaseModel):
    endpoints: list[EndpointView]
    deliveries: list[DeliveryView]
    dead: list[DeliveryView]
    counts: dict[str, int]


class FlowNode(BaseModel):
    id: str
    label: str
    type: str
    x: float
    y: float
    entry: bool
    unreachable: bool
    in_cycle: bool


class FlowEdge(BaseModel):
    source: str
    target: str
    kind: str
    in_cycle: bool


class FlowView(BaseModel):
    environment: str
    vendor: str
    project: str
    flow_id: str
    flow: str
    flows: list[tuple[str, str]]  # (id, name) of the project's flows
    nodes: list[FlowNode]
    edges: list[FlowEdge]
    cycles: list[list[str]]
    unreachable: list[str]
    findings: list[FindingView]
    width: float
    height: float
