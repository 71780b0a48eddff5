"""Cognigy.AI routes for one tenant."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import guard, oauth, problems
from cxops.emulator.context import EmulatorContext

VENDOR = "cognigy"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
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

    async def projects(request: Request) -> Response:
        who = guard.authenticate(ctx, request, VENDOR, tenant, "projects:read")
        if isinstance(who, Response):
            return who
        return JSONResponse({"items": [], "total": 0, "nextCursor": None, "previousCursor": None})

    return Starlette(
        routes=[
            Route("/auth/oauth2/token", token, methods=["POST"]),
            Route("/new/v2.0/projects", projects, methods=["GET"]),
        ]
    )
