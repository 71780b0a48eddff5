"""The dashboard's pages: each one asks the query layer, then places the answer in a template.

Forms (filters, login, redeliver) are plain HTML forms, so every page works without
JavaScript; ``static/live.js`` only reloads the live views (environments, runs) every few
seconds while a promotion runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cxops.web.auth import COOKIE, authorized, require_actor, safe_next, session_value
from cxops.web.deps import Ctx, ctx, parse_since
from cxops.web.queries import audit, environments, flows, metrics, runs, webhooks
from cxops.web.svg import bars, flow_svg

__all__ = ["render", "router", "templates"]

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page; every template gets ``can_act`` (the token was given) for its buttons."""
    config = request.app.state.ctx.config
    context.setdefault("can_act", authorized(request, config))
    context.setdefault("token_configured", config.token is not None)
    context.setdefault("token_required", config.token_required)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def environments_page(request: Request, c: Ctx = Depends(ctx)) -> HTMLResponse:
    view = environments.environments(c.store, c.repos)
    live = any(cell.running for row in view.projects for cell in row.cells)
    return render(request, "environments.html", view=view, live=live, nav="environments")


@router.get("/runs", response_class=HTMLResponse)
def runs_page(
    request: Request,
    c: Ctx = Depends(ctx),
    kind: str = "",
    status: str = "",
    project: str = "",
    environment: str = "",
    since: str = "",
    before: str = "",
) -> HTMLResponse:
    from datetime import datetime

    view = runs.run_list(
        c.store, kind=kind or None, status=status or None, project=project or None,
        environment=environment or None, since=parse_since(since),
        before=datetime.fromisoformat(before) if before else None,
    )  # fmt: skip
    live = any(r.status in ("queued", "running") for r in view.runs)
    query = {"kind": kind, "status": status, "project": project, "environment": environment,
             "since": since}  # fmt: skip
    return render(request, "runs.html", view=view, q=query, live=live, nav="runs")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str, c: Ctx = Depends(ctx)) -> HTMLResponse:
    view = runs.run_detail(c.store, c.repos, run_id)
    live = view.run.status in ("queued", "running")
    return render(request, "run.html", view=view, live=live, nav="runs")


@router.post("/runs/{run_id}/approval")
def approval_form(
    request: Request,
    run_id: str,
    decision: str = Form(...),
    reason: str = Form(...),
    approver: str = Form(...),
    c: Ctx = Depends(ctx),
) -> Response:
    from cxops.pipelines.promote.approval import decide

    require_actor(request, c.config)
    run = decide(c.store, run_id, approve=decision == "approve",
                 approver=f"{approver} (dashboard)", reason=reason)  # fmt: skip
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.get("/flows", response_class=HTMLResponse)
def flows_page(request: Request, c: Ctx = Depends(ctx)) -> HTMLResponse:
    projects = []
    for p in c.repos.projects():
        flows_ = sorted(((f.id, f.name) for f in c.repos.flows(p)), key=lambda t: t[1].lower())
        projects.append((c.repos.roots.index(p.repo), p, flows_))
    return render(request, "flows.html", projects=projects, nav="flows")


@router.get("/flows/{repo}/{vendor}/{project}/{flow_id:path}", response_class=HTMLResponse)
def flow_page(
    request: Request, repo: int, vendor: str, project: str, flow_id: str, c: Ctx = Depends(ctx)
) -> HTMLResponse:
    view = flows.flow_view(c.repos, repo, vendor, project, flow_id)
    return render(request, "flow.html", view=view, svg=flow_svg(view), repo=repo, nav="flows")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, c: Ctx = Depends(ctx), actor: str = "", action: str = "", subject: str = ""
) -> HTMLResponse:
    view = audit.audit_view(
        c.store, actor=actor or None, action=action or None, subject=subject or None,
        head_file=c.config.audit_head,
    )  # fmt: skip
    q = {"actor": actor, "action": action, "subject": subject}
    return render(request, "audit.html", view=view, q=q, nav="audit")


@router.get("/dora", response_class=HTMLResponse)
def metrics_page(
    request: Request, c: Ctx = Depends(ctx), window_days: float = 30.0
) -> HTMLResponse:
    view = metrics.metrics_view(c.store, c.repos, window_days)
    chart = bars(view.daily, "deployments per day")
    return render(request, "metrics.html", view=view, chart=chart, nav="metrics")


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, c: Ctx = Depends(ctx), done: str = "") -> HTMLResponse:
    view = webhooks.webhooks_view(c.store)
    return render(request, "webhooks.html", view=view, done=done, nav="webhooks")


@router.post("/webhooks/redeliver")
def redeliver_form(
    request: Request,
    event_id: str = Form(...),
    endpoint_id: int = Form(...),
    c: Ctx = Depends(ctx),
) -> Response:
    actor = require_actor(request, c.config)
    ok = webhooks.redeliver(c.store, event_id, endpoint_id, actor)
    done = f"{event_id} is pending again" if ok else f"{event_id} is not a dead letter"
    from urllib.parse import quote

    return RedirectResponse(f"/webhooks?done={quote(done)}", status_code=303)


def login_page(request: Request, status_code: int = 401, error: str = "") -> HTMLResponse:
    """The login form (also the answer to a page request without the token)."""
    target = request.url.path if request.url.path != "/login" else "/"
    if request.url.query and request.url.path != "/login":
        target += "?" + request.url.query
    return render(
        request, "login.html", status_code=status_code, next=target, error=error, nav="",
        can_act=False,
    )  # fmt: skip


@router.get("/login", response_class=HTMLResponse)
def login_get(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error="", nav="", can_act=False)


@router.post("/login")
def login_post(
    request: Request, token: str = Form(...), next: str = Form("/"), c: Ctx = Depends(ctx)
) -> Response:
    import hmac

    expected = c.config.token
    if expected is None or not hmac.compare_digest(token, expected):
        return render(
            request, "login.html", status_code=401, next=safe_next(next),
            error="that is not this server's token", nav="", can_act=False,
        )  # fmt: skip
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, session_value(expected), httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
