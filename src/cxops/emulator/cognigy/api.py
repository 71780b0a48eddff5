"""What every Cognigy handler shares: auth by scope, errors, effects (ledger + audit events)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cxops.emulator import guard, problems
from cxops.emulator.cognigy.model import CognigyTenant
from cxops.emulator.context import EmulatorContext, new_object_id
from cxops.emulator.tokens import Principal

VENDOR = "cognigy"
AUDIT_TTL_MS = 90 * 86_400_000


class Api:
    """Per-tenant helpers; ``tenant`` is looked up on each call because a reset rebuilds it."""

    def __init__(self, ctx: EmulatorContext, tenant: str) -> None:
        self.ctx = ctx
        self.name = tenant

    @property
    def t(self) -> CognigyTenant:
        tenant: CognigyTenant = self.ctx.tenant(VENDOR, self.name)
        return tenant

    def auth(self, request: Request, scope: str | None) -> Principal | Response:
        """The caller, or the error to answer; ``None``: any valid key or token will do."""
        return guard.authenticate(self.ctx, request, VENDOR, self.name, scope)

    def now_ms(self) -> int:
        return self.ctx.clock.millis()

    def effect(
        self,
        request: Request,
        effect: str,
        resource: str,
        project: str | None,
        who: Principal,
        kind: str = "action",
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Record an effect for the ledger and append an audit event (``IAuditEvent_2_0``)."""
        request.state.effect = effect
        request.state.resource = resource
        now = self.now_ms()
        self.t.audit.append(
            {
                "_id": new_object_id(),
                "timestamp": self.ctx.clock.iso(now / 1000),
                "type": kind,
                "actionType": effect.split(".", 1)[1],
                "user": who.client,
                "userReference": self.t.user,
                "organisationReference": self.t.organisation,
                "chain": [],
                "expiresAt": self.ctx.clock.iso((now + AUDIT_TTL_MS) / 1000),
                "payload": {"effect": effect, "resource": resource, **(payload or {})},
                "projectReference": project or "",
            }
        )


# The official client picks its error class from the body's numeric ``code`` (its ErrorCode
# enum: 400, 401, 403, 429, 1002 resource not found, 1004 conflict, 1005 invalid argument…)
# and falls back to the HTTP status, which has no class for 404: so 404s must carry 1002.
RESOURCE_NOT_FOUND = 1002


def problem(status: int, message: str, code: int | None = None) -> dict[str, Any]:
    """An RFC 7807 problem body with the client's numeric error ``code`` (default: the status)."""
    body = problems.error_body(VENDOR, status, message)
    body["code"] = code if code is not None else status
    return body


def error(status: int, message: str, code: int | None = None) -> Response:
    """:func:`problem` as a response."""
    return JSONResponse(
        problem(status, message, code), status_code=status, media_type="application/problem+json"
    )


def not_found(kind: str, rid: str) -> Response:
    return error(404, f"{kind} with id {rid} not found", RESOURCE_NOT_FOUND)


def bad_request(message: str) -> Response:
    return error(400, message)


async def body(request: Request) -> dict[str, Any] | Response:
    """The JSON object body, or a 400 problem."""
    try:
        data = await request.json()
    except ValueError:
        return bad_request("request body is not valid JSON")
    if not isinstance(data, dict):
        return bad_request("request body must be a JSON object")
    return data


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)
