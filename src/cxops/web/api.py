"""The JSON API under ``/api/v1``: the query layer's answers, typed, so FastAPI's OpenAPI
document describes every one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from cxops.pipelines.promote.approval import decide
from cxops.web.auth import require_actor
from cxops.web.deps import Ctx, ctx, parse_since
from cxops.web.queries import audit, environments, flows, metrics, runs, webhooks
from cxops.web.queries.schemas import (
    AuditView,
    Environments,
    FlowView,
    MetricsView,
    RunDetail,
    RunList,
    WebhooksView,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


class ProjectRef(BaseModel):
    repo: int
    repo_name: str
    vendor: str
    project_id: str
    name: str
    flows: list[tuple[str, str]]


class Decision(BaseModel):
    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=1, max_length=2000)
    approver: str = Field(min_length=1, max_length=128)


class Decided(BaseModel):
    run_id: str
    decision: str
    approver: str


class Redelivered(BaseModel):
    redelivered: bool
    message: str


@router.get("/environments", response_model=Environments)
def get_environments(c: Ctx = Depends(ctx)) -> Environments:
    """Projects by environments: what is live, promoted when and by which run, drift."""
    return environments.environments(c.store, c.repos)


@router.get("/runs", response_model=RunList)
def get_runs(
    c: Ctx = Depends(ctx),
    kind: str | None = None,
    status: str | None = None,
    project: str | None = None,
    environment: str | None = None,
    since: str | None = Query(None, description="ISO time or date, or 24h / 7d back from now"),
    before: datetime | None = Query(None, description="paging cursor: page.next_before"),
    limit: int = Query(runs.PAGE, ge=1, le=1000),
) -> RunList:
    """Runs, newest first, filtered."""
    return runs.run_list(
        c.store, kind=kind or None, status=status or None, project=project or None,
        environment=environment or None, since=parse_since(since), before=before, limit=limit,
    )  # fmt: skip


@router.get("/runs/{run_id}", response_model=RunDetail)
def get_run(run_id: str, c: Ctx = Depends(ctx)) -> RunDetail:
    """One run: steps, gate evidence as sentences, the plan by names, rollback, findings."""
    return runs.run_detail(c.store, c.repos, run_id)


@router.post("/runs/{run_id}/approval", response_model=Decided)
def post_approval(run_id: str, body: Decision, request: Request, c: Ctx = Depends(ctx)) -> Decided:
    """Approve or reject a promotion waiting at its approval gate (needs the token; audited
    with the approver and the reason)."""
    require_actor(request, c.config)
    approver = f"{body.approver} (dashboard)"
    run = decide(c.store, run_id, approve=body.decision == "approve", approver=approver,
                 reason=body.reason)  # fmt: skip
    return Decided(run_id=run.id, decision=body.decision, approver=approver)


@router.get("/projects", response_model=list[ProjectRef])
def get_projects(c: Ctx = Depends(ctx)) -> list[ProjectRef]:
    """Every project of the repositories this server reads, with its flows."""
    out = []
    for p in c.repos.projects():
        out.append(
            ProjectRef(
                repo=c.repos.roots.index(p.repo),
                repo_name=p.repo.name,
                vendor=p.vendor,
                project_id=p.project_id,
                name=p.name,
                flows=sorted(((f.id, f.name) for f in c.repos.flows(p)), key=lambda t: t[1]),
            )
        )
    return out


@router.get("/flows/{repo}/{vendor}/{project}/{flow_id:path}", response_model=FlowView)
def get_flow(repo: int, vendor: str, project: str, flow_id: str, c: Ctx = Depends(ctx)) -> FlowView:
    """A flow's graph (laid out), its cycles and unreachable nodes, and its findings."""
    return flows.flow_view(c.repos, repo, vendor, project, flow_id)


@router.get("/audit", response_model=AuditView)
def get_audit(
    c: Ctx = Depends(ctx),
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
) -> AuditView:
    """The audit log (newest first, filtered) and the chain's verification."""
    return audit.audit_view(
        c.store, actor=actor or None, action=action or None, subject=subject or None,
        head_file=c.config.audit_head,
    )  # fmt: skip


@router.get("/metrics", response_model=MetricsView)
def get_metrics(
    c: Ctx = Depends(ctx), window_days: float = Query(30.0, gt=0, le=3650)
) -> MetricsView:
    """DORA per environment, project and flow; run durations and success rates."""
    return metrics.metrics_view(c.store, c.repos, window_days)


@router.get("/webhooks", response_model=WebhooksView)
def get_webhooks(c: Ctx = Depends(ctx)) -> WebhooksView:
    """Endpoints, deliveries with their attempts, dead letters."""
    return webhooks.webhooks_view(c.store)


@router.post("/webhooks/deliveries/{event_id}/{endpoint_id}/redeliver", response_model=Redelivered)
def post_redeliver(
    event_id: str, endpoint_id: int, request: Request, c: Ctx = Depends(ctx)
) -> Redelivered:
    """Send a dead letter again (needs the token; audited)."""
    actor = require_actor(request, c.config)
    done = webhooks.redeliver(c.store, event_id, endpoint_id, actor)
    message = (
        "pending again: the relay sends it on its next pass"
        if done
        else "no dead letter with this event and endpoint"
    )
    return Redelivered(redelivered=done, message=message)
