"""Genesys Cloud routes for one tenant: login, then each API family from its own module.

``POST /oauth/token`` is the login host's client-credentials grant (Basic client auth); the
official SDK derives the login URL from the API host, so serving both on one mount lets
``ApiClient.get_client_credentials_token`` work against the emulator unchanged.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import oauth
from cxops.emulator.context import EmulatorContext
from cxops.emulator.genesys import (
    architect_jobs,
    authorization,
    controls,
    dependencies,
    flows,
    runtime,
    textbots,
)
from cxops.emulator.genesys.common import Api

VENDOR = "genesys"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
    """The Starlette app serving one tenant at Genesys' own paths."""
    api = Api(ctx, tenant)

    async def token(request: Request) -> Response:
        """``POST /oauth/token`` (login host): client credentials with Basic client auth."""
        client_id, secret, form = await oauth.client_from_request(request)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "description": "grant type not supported",
                    "error_description": "grant type not supported",
                },
                400,
            )
        cred = oauth.match_client(ctx, VENDOR, tenant, client_id, secret)
        if cred is None:
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "description": "client not found",
                    "error_description": "client not found",
                },
                400,
            )
        who = ctx.tokens.issue(cred)
        return JSONResponse(
            {"access_token": who.token, "token_type": "bearer", "expires_in": int(ctx.tokens.ttl)}
        )

    async def unknown(request: Request, exc: Exception) -> Response:
        """Any route the emulator does not serve answers Genesys' JSON ``ErrorBody``."""
        status = getattr(exc, "status_code", 404)
        what = "not found" if status == 404 else "not allowed"
        return api.error(status, f"{request.method} {request.url.path}: {what}.")

    return Starlette(
        exception_handlers={404: unknown, 405: unknown},
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            *flows.routes(api),
            *architect_jobs.routes(api),
            *dependencies.routes(api),
            *runtime.routes(api),
            *textbots.routes(api),
            *authorization.routes(api),
            *controls.routes(api),
        ],
    )
