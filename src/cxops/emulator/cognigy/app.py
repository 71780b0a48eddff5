"""Cognigy.AI routes for one tenant: OAuth2, ``/new/v2.0`` REST, ``/testing`` simulator and the
tenant's ``/_emulator`` test controls.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import oauth, problems
from cxops.emulator.cognigy import (
    routes_control,
    routes_deploy,
    routes_resources,
    routes_runtime,
    routes_tasks,
    routes_testing,
)
from cxops.emulator.cognigy.api import Api
from cxops.emulator.context import EmulatorContext

VENDOR = "cognigy"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
    """The ASGI app serving one tenant at Cognigy's own paths."""

    async def token(request: Request) -> Response:
        """``POST /auth/oauth2/token``: client credentials, client auth by Basic or form."""
        client_id, secret, form = await oauth.client_from_request(request)
        if form.get("grant_type") != "client_credentials":
            return problems.error_response(
                VENDOR, 400, "unsupported grant_type", "unsupported_grant_type"
            )
        cred = oauth.match_client(ctx, VENDOR, tenant, client_id, secret)
        if cred is None:
            return problems.error_response(
                VENDOR, 401, "invalid client credentials", "invalid_client"
            )
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
    modules = (routes_resources, routes_deploy, routes_tasks, routes_runtime, routes_testing)
    for module in (*modules, routes_control):
        routes.extend(module.routes(api))
    return Starlette(routes=routes)
