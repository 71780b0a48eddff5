"""Genesys Cloud routes for one tenant."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import guard, oauth
from cxops.emulator.context import EmulatorContext

VENDOR = "genesys"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
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

    async def flows(request: Request) -> Response:
        who = guard.authenticate(ctx, request, VENDOR, tenant, "architect:flow:view")
        if isinstance(who, Response):
            return who
        return JSONResponse(
            {"entities": [], "pageSize": 25, "pageNumber": 1, "total": 0, "pageCount": 0}
        )

    return Starlette(
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route("/api/v2/flows", flows, methods=["GET"]),
        ]
    )
