"""Who may read and who may act.

* Reading: free on a loopback bind (only this machine can connect); on any other bind every
  path but the login form and the static assets needs the token, as ``Authorization: Bearer``
  or the session cookie the login form sets. Without it: 401 (JSON for the API and
  ``/metrics``, the login form for pages).
* Acting (redeliver a webhook, answer an approval): always needs the token, even on loopback,
  since any local process could otherwise post to the page; a server started without
  ``--token-env`` shows the buttons disabled and answers 403.

The cookie holds an HMAC of the token, not the token (a stolen cookie is not the secret that
``Authorization`` and other tools accept), is HttpOnly and SameSite=Strict (a cross-site form
cannot post with it; an ``Origin`` from another host is refused as well).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from cxops.web.config import WebConfig

__all__ = [
    "COOKIE",
    "authorized",
    "gate_reads",
    "require_actor",
    "safe_next",
    "session_value",
]

COOKIE = "cxops_session"
_OPEN = ("/login", "/static/")


def session_value(token: str) -> str:
    """The cookie's value for a token: an HMAC, so the cookie is not the token itself."""
    return hmac.new(token.encode(), b"cxops-dashboard-session/1", hashlib.sha256).hexdigest()


def authorized(request: Request, config: WebConfig) -> bool:
    """Whether the request carries the server's token (bearer header or session cookie)."""
    if config.token is None:
        return False
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), config.token):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, session_value(config.token))


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path in ("/metrics", "/openapi.json")
        or "text/html" not in request.headers.get("accept", "")
    )


def gate_reads(
    config: WebConfig, login_page: Callable[[Request], Response]
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """HTTP middleware: 401 without the token when the bind is not loopback."""

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if (
            config.token_required
            and not request.url.path.startswith(_OPEN)
            and not authorized(request, config)
        ):
            if _wants_json(request):
                return JSONResponse(
                    {"detail": "this server needs its token (Authorization: Bearer ...)"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return login_page(request)
        return await call_next(request)

    return middleware


def require_actor(request: Request, config: WebConfig) -> str:
    """Check that the request may act; returns who acts (for the audit log)."""
    if config.token is None:
        raise HTTPException(403, "actions need a token: start cxops serve with --token-env NAME")
    if not authorized(request, config):
        raise HTTPException(401, "this action needs the server's token")
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host", ""):
        raise HTTPException(403, "refused: the request came from another site")
    return "dashboard"


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this server only (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
