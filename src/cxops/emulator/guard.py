"""Authentication, scope checks and rate limiting for vendor handlers, in each vendor's shape.

A handler starts with::

    who = guard.authenticate(ctx, request, "genesys", tenant, "architect:flow:view")
    if isinstance(who, Response):
        return who

The order is the vendors': a missing or bad credential is 401, a missing scope 403 (naming it),
then the client's rate limit 429.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cxops.emulator import problems
from cxops.emulator.context import EmulatorContext
from cxops.emulator.ratelimit import Limit
from cxops.emulator.tokens import Principal

_MISSING = {
    problems.COGNIGY: "Missing or invalid X-API-Key or Authorization header",
    problems.CXONE: "Authorization has been denied for this request.",
    problems.GENESYS: "No authentication bearer token specified in authorization header.",
}


def _unauthorized(vendor: str, why: str) -> Response:
    if vendor == problems.GENESYS:
        code = "bad.credentials" if why != "missing" else "authentication.required"
        text = _MISSING[vendor] if why == "missing" else "Invalid login credentials."
        return problems.error_response(vendor, 401, text, code)
    text = _MISSING[vendor] if why == "missing" else f"Unauthorized: {why}"
    # Cognigy: the numeric code (401) picks the official client's UnauthorizedError.
    return problems.error_response(vendor, 401, text)


def forbidden(vendor: str, scope: str) -> Response:
    """403 naming the missing permission the way the vendor does."""
    if vendor == problems.GENESYS:
        return problems.error_response(
            vendor,
            403,
            f"You are missing the following permission(s): {scope}",
            "missing.permissions",
            messageParams={"permissions": scope},
        )
    if vendor == problems.COGNIGY:
        # The numeric code (403) picks the official client's ForbiddenError (ErrorCode enum).
        return problems.error_response(vendor, 403, f"Missing permission: {scope}")
    return problems.error_response(vendor, 403, f"Insufficient scope: {scope} is required")


def authenticate(
    ctx: EmulatorContext, request: Request, vendor: str, tenant: str, scope: str | None = None
) -> Principal | Response:
    """The caller, or the error response to send instead."""
    header = request.headers.get("authorization", "")
    principal: Principal | None = None
    if vendor == problems.COGNIGY and "x-api-key" in request.headers:
        cred = ctx.tokens.find(vendor, tenant, api_key=request.headers["x-api-key"])
        if cred is None:
            return _unauthorized(vendor, "invalid api key")
        principal = Principal(cred, scopes=cred.scopes)
    elif header[:7].lower() == "bearer ":
        principal, why = ctx.tokens.check(vendor, tenant, header[7:].strip())
        if principal is None:
            return _unauthorized(vendor, why)
    else:
        return _unauthorized(vendor, "missing")
    request.state.client = principal.client
    if scope is not None and not principal.allows(scope):
        return forbidden(vendor, scope)
    limit: Limit | None = ctx.faults.limit_for(vendor, tenant)
    if limit is not None:
        wait = ctx.limiter.take(f"{vendor}/{tenant}/{principal.client}", limit)
        if wait > 0:
            http_date = ctx.faults.scenario.retry_after_format == "http-date"
            return problems.too_many_requests(
                vendor, wait, http_date=http_date, limit=int(limit.burst)
            )
    return principal
