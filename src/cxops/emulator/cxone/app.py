"""CXone routes for one tenant (auth host and API host share the mount in the emulator).

- ``POST /auth/token``: OAuth2 password grant with the access key as username/password and the
  application's client credentials in Basic auth (cxops' VENDORS.md; CXone developer portal).
- ``GET /.well-known/cxone-configuration?tenantId=``: discovery, ``api_endpoint`` = API host,
  with ``area``, ``uhDomain`` and ``acdDomain`` (public typings of ``getCXoneConfig``).
- Studio scripts and folders under ``/inContactAPI/services/vNN.0/`` (:mod:`.scripts`,
  :mod:`.folders`).
- ``/_emulator/testcall``: a test-call hook for promotion gates (:mod:`.testcalls`; no auth).

Public clients spell the API root ``/inContactAPI``, ``/InContactAPI`` and ``/incontactapi``;
the platform accepts all, so the emulator matches that segment case-insensitively.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from cxops.emulator import oauth, problems
from cxops.emulator.context import EmulatorContext
from cxops.emulator.cxone.folders import folder_routes
from cxops.emulator.cxone.scripts import script_routes
from cxops.emulator.cxone.testcalls import test_call_routes

VENDOR = "cxone"
_API_ROOT = "/incontactapi/"


def _b64(data: Mapping[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _id_token(tenant: str, subject: str) -> str:
    """An unsigned JWT naming the tenant (live id_tokens carry such claims; nothing here is
    secret and no client should trust it)."""
    claims = {"iss": "cxone-emulator", "sub": subject, "tenant": tenant, "tenantId": tenant}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


class _CaseInsensitiveRoot:
    """Rewrite any spelling of ``/inContactAPI/`` to the one the routes use."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root: str = scope.get("root_path", "")
            path: str = scope["path"]
            rest = path[len(root) :] if root and path.startswith(root) else path
            if rest.lower().startswith(_API_ROOT) and not rest.startswith("/inContactAPI/"):
                prefix = path[: len(path) - len(rest)]
                scope = {**scope, "path": prefix + "/inContactAPI/" + rest[len(_API_ROOT) :]}
        await self.app(scope, receive, send)


def create_app(ctx: EmulatorContext, tenant: str) -> ASGIApp:
    async def token(request: Request) -> Response:
        """``POST /auth/token``: password grant with the access key, Basic client credentials.

        Errors follow RFC 6749 §5.2: a wrong client is ``401 invalid_client``, a wrong access
        key ``400 invalid_grant``."""
        client_id, secret, form = await oauth.client_from_request(request)
        if form.get("grant_type") != "password":
            return problems.error_response(
                VENDOR, 400, "grant_type must be password", "unsupported_grant_type", auth_host=True
            )
        if oauth.match_client(ctx, VENDOR, tenant, client_id, secret) is None:
            return problems.error_response(
                VENDOR, 401, "Client authentication failed", "invalid_client", auth_host=True
            )
        cred = ctx.tokens.find(VENDOR, tenant, access_key_id=form.get("username"))
        if (
            cred is None
            or cred.access_key_secret != form.get("password")
            or cred.client_id != client_id
        ):
            return problems.error_response(
                VENDOR, 400, "Invalid access key id or secret", "invalid_grant", auth_host=True
            )
        who = ctx.tokens.issue(cred)
        # The public typings of ``POST /auth/token`` list id_token and refresh_token too; the
        # emulator's are opaque-but-JWT-shaped (unsigned) and refresh is not served.
        return JSONResponse(
            {
                "access_token": who.token,
                "token_type": "Bearer",
                "expires_in": int(ctx.tokens.ttl),
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "refresh_token": secrets.token_urlsafe(24),
                "id_token": _id_token(tenant, cred.access_key_id or client_id),
            }
        )

    async def discovery(request: Request) -> Response:
        # ``request.base_url`` leaves out the mount (Starlette's ``app_root_path``); the API host
        # of this tenant is the mount itself, which is ``root_path``.
        mount = request.scope.get("root_path", "")
        api = str(request.url.replace(path=mount, query="")).rstrip("/")
        return JSONResponse(
            {
                "private": False,
                "area": "na1",
                "cluster": "emu",
                "domain": "niceincontact.com",
                "acdDomain": "nice-incontact.com",
                "uhDomain": "niceincontact.com",
                "tenantId": request.query_params.get("tenantId", tenant),
                "api_endpoint": api,
                "auth_endpoint": api,
                "ui_endpoint": api,
            }
        )

    app = Starlette(
        routes=[
            Route("/auth/token", token, methods=["POST"]),
            Route("/.well-known/cxone-configuration", discovery, methods=["GET"]),
            *script_routes(ctx, tenant),
            *folder_routes(ctx, tenant),
            *test_call_routes(ctx, tenant),
        ]
    )
    return _CaseInsensitiveRoot(app)
