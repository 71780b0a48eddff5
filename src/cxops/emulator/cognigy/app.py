"""Cognigy.AI routes for one tenant: OAuth2, ``/new/v2.0`` REST, ``/testing`` simulator and the
tenant's ``/_emulator`` test controls.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import oauth
from cxops.emulator.cognigy import (
    routes_acl,
    routes_control,
    routes_deploy,
    routes_odata,
    routes_playbooks,
    routes_resources,
    routes_runtime,
    routes_tasks,
    routes_testing,
)
from cxops.emulator.cognigy.api import RESOURCE_NOT_FOUND, Api, error, problem
from cxops.emulator.context import EmulatorContext

VENDOR = "cognigy"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
    """The ASGI app serving one tenant at Cognigy's own paths."""

    async def token(request: Request) -> Response:
        """``POST /auth/oauth2/token``: client credentials as form fields ``client_id`` /
        ``client_secret``, as the official client's OAuth2Authentication sends them."""
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported grant_type", "unsupported_grant_type")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        cred = oauth.match_client(ctx, VENDOR, tenant, client_id, secret)
        if cred is None:
            return oauth_error(401, "invalid client credentials", "invalid_client")
        who = ctx.tokens.issue(cred, oauth.requested_scopes(form))
        return JSONResponse(
            {
                "access_token": who.token,
                "token_type": "Bearer",
                "expires_in": int(ctx.tokens.ttl),
                "scope": " ".join(sorted(who.scopes)),
            }
        )

    api = Api(ctx, tenant)
    routes = [Route("/auth/oauth2/token", token, methods=["POST"])]
    modules = (
        routes_resources,
        routes_deploy,
        routes_tasks,
        routes_runtime,
        routes_playbooks,
        routes_testing,
        routes_odata,
        routes_acl,
    )
    for module in (*modules, routes_control):
        routes.extend(module.routes(api))

    async def unrouted(request: Request, exc: Exception) -> Response:
        # Unknown paths and methods answer in Cognigy's error shape with the client's numeric
        # codes (ErrorCode: 1002 resource not found, 1013 method not allowed), never plain text.
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 404:
            return error(404, f"Cannot {request.method} {request.url.path}", RESOURCE_NOT_FOUND)
        if status == 405:
            return error(405, f"{request.method} is not allowed here", 1013)
        return error(status, str(getattr(exc, "detail", "error")))

    return Starlette(routes=routes, exception_handlers={HTTPException: unrouted})


def oauth_error(status: int, message: str, kind: str) -> Response:
    """An OAuth2 error (RFC 6749 §5.2 ``error``; the client's OAuth2Errors list) in Cognigy's
    problem shape, with the numeric ``code`` every Cognigy error body carries."""
    body = {**problem(status, message), "error": kind, "error_description": message}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")
