"""CXone routes for one tenant (auth host and API host share the mount in the emulator)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import oauth, problems
from cxops.emulator.context import EmulatorContext

VENDOR = "cxone"


def create_app(ctx: EmulatorContext, tenant: str) -> Starlette:
    async def token(request: Request) -> Response:
        """``POST /auth/token``: password grant with the access key, Basic client credentials."""
        client_id, secret, form = await oauth.client_from_request(request)
        if form.get("grant_type") != "password":
            return problems.error_response(
                VENDOR, 400, "grant_type must be password", "unsupported_grant_type", auth_host=True
            )
        cred = ctx.tokens.find(VENDOR, tenant, access_key_id=form.get("username"))
        if (
            cred is None
            or cred.access_key_secret != form.get("password")
            or cred.client_id != client_id
            or cred.client_secret != secret
        ):
            return problems.error_response(
                VENDOR, 401, "Invalid access key or client", "invalid_grant", auth_host=True
            )
        who = ctx.tokens.issue(cred)
        return JSONResponse(
            {
                "access_token": who.token,
                "token_type": "Bearer",
                "expires_in": int(ctx.tokens.ttl),
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            }
        )

    async def discovery(request: Request) -> Response:
        api = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "private": False,
                "area": "na1",
                "cluster": "emu",
                "domain": "niceincontact.com",
                "tenantId": request.query_params.get("tenantId", tenant),
                "api_endpoint": api,
                "auth_endpoint": api,
                "ui_endpoint": api,
            }
        )

    return Starlette(
        routes=[
            Route("/auth/token", token, methods=["POST"]),
            Route("/.well-known/cxone-configuration", discovery, methods=["GET"]),
        ]
    )
