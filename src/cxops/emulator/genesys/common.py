"""What every Genesys handler shares: the tenant, auth, error bodies, jobs and operations."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cxops.emulator import guard, problems
from cxops.emulator.context import EmulatorContext, new_uuid
from cxops.emulator.genesys.state import Flow, GenesysTenant
from cxops.emulator.genesys.wire import flow_json
from cxops.emulator.jobs import FAILURE, SUCCESS, Job
from cxops.emulator.tokens import Principal

VENDOR = "genesys"
# Generic job states (``jobs.Job.status``) to ``ArchitectJobStateResponse.status``.
JOB_STATUS = {"Registered": "Registered", "Started": "Started", SUCCESS: "Success"}


class Api:
    """Handlers' view of one tenant; ``org`` is re-read on each use because reset rebuilds it."""

    def __init__(self, ctx: EmulatorContext, tenant: str) -> None:
        self.ctx = ctx
        self.tenant = tenant

    @property
    def org(self) -> GenesysTenant:
        org: GenesysTenant = self.ctx.tenant(VENDOR, self.tenant)
        return org

    def now(self) -> float:
        return self.ctx.clock.now()

    def auth(self, request: Request, permission: str | None) -> Principal | Response:
        """The caller, or the error to answer; ``None``: any valid token will do."""
        return guard.authenticate(self.ctx, request, VENDOR, self.tenant, permission)

    @staticmethod
    def error(status: int, message: str, code: str | None = None) -> Response:
        return problems.error_response(VENDOR, status, message, code)

    def flow(self, flow_id: str | None) -> Flow | Response:
        flow = self.org.flows.get(flow_id or "")
        if flow is None:
            return self.error(404, f"Flow '{flow_id}' not found.", "not.found")
        return flow

    def flow_body(self, flow: Flow) -> dict[str, Any]:
        """``Flow`` JSON with the live state of its current operation."""
        body = flow_json(flow)
        if flow.operation is not None:
            body["currentOperation"] = self.operation(flow.operation)
        return body

    def operation(self, op: dict[str, Any]) -> dict[str, Any]:
        """``Operation`` JSON; a publish's ``actionStatus`` follows its job on the clock."""
        out = {k: v for k, v in op.items() if k != "job"}
        job = self.ctx.jobs.get(op["job"]) if op.get("job") else None
        if job is not None:
            state, _ = job.status(self.now())
            out["complete"] = state in (SUCCESS, FAILURE)
            out["actionStatus"] = {SUCCESS: "SUCCESS", FAILURE: "FAILURE"}.get(state, state)
            if state == FAILURE:
                out["errorMessage"] = job.reason or "publish failed"
                out["errorCode"] = "flow.publish.failed"
        return out

    def start_job(
        self,
        kind: str,
        phases: list[tuple[str, float]],
        on_done: Any = None,
        data: dict[str, Any] | None = None,
        job_id: str | None = None,
    ) -> Job:
        """A job on the emulator clock that honours the scenario's ``job_fail``/``job_stall``."""
        job = Job(
            job_id or new_uuid(),
            kind,
            VENDOR,
            self.tenant,
            created=self.now(),
            phases=phases,
            data=data or {},
            on_done=on_done,
        )
        rule = self.ctx.faults.match_job(VENDOR, self.tenant, kind)
        if rule is not None and rule.action == "job_fail":
            job.outcome, job.reason = FAILURE, rule.reason
        elif rule is not None and rule.action == "job_stall":
            job.stall = True
        return self.ctx.jobs.add(job)


def job_messages(job: Job, state: str) -> list[dict[str, Any]]:
    """``ArchitectJobMessage`` list of a failed job (the failure reason as an Error)."""
    if state != FAILURE:
        return []
    return [{"type": "Error", "text": job.reason or "job failed"}]


def job_status(state: str) -> str:
    """Generic job state to Genesys ``Registered/Started/Success/Failure``."""
    if state == FAILURE or state.startswith("cancel"):
        return "Failure"
    return JOB_STATUS.get(state, "Started")


def signature() -> str:
    """The secret part of a presigned URL."""
    return secrets.token_urlsafe(24)


def effect(request: Request, name: str, resource: str) -> None:
    """Mark this request as a vendor-side effect for the ledger."""
    request.state.effect = f"{VENDOR}.{name}"
    request.state.resource = resource


def multi(query: Any, key: str) -> list[str]:
    """A list parameter sent repeated (``?type=A&type=B``) or comma-joined (``?type=A,B``,
    which is how the SDK's ``to_path_value`` sends lists)."""
    return [part for value in query.getlist(key) for part in value.split(",") if part]


def mount_url(request: Request) -> str:
    """This tenant's root URL, mount included (``request.base_url`` stops at the outer app)."""
    url = request.url
    return f"{url.scheme}://{url.netloc}{request.scope.get('root_path', '')}".rstrip("/")


def ok(body: Any, status: int = 200) -> Response:
    """A JSON response."""
    return JSONResponse(body, status_code=status)
