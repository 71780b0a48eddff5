"""Each vendor's error body, status by status, in the shape its own clients parse.

- Cognigy: RFC 7807 ``{type,title,status,detail,code,traceId}`` as ``application/problem+json``;
  429 carries ``Retry-After`` as seconds or an HTTP-date (the official client accepts both).
- CXone: ``{error,error_description}`` from the auth host, ``{message}`` elsewhere; its 429 has no
  reliable ``Retry-After``, so none is sent.
- Genesys Cloud: ``{message,code,status,contextId,details[],errors[]}``; 429 is
  ``too.many.requests.retry.after`` with ``Retry-After`` seconds and ``inin-ratelimit-*`` headers.
"""

from __future__ import annotations

import math
import time
import uuid
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

COGNIGY, CXONE, GENESYS = "cognigy", "cxone", "genesys"

_GENESYS_CODES = {
    400: "bad.request",
    401: "authentication.required",
    403: "missing.permissions",
    404: "not.found",
    409: "conflict",
    415: "unsupported.media.type",
    429: "too.many.requests.retry.after",
    500: "internal.server.error",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "gateway.timeout",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    vendor: str,
    status: int,
    message: str | None = None,
    code: str | None = None,
    *,
    auth_host: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """The JSON body ``vendor`` sends with ``status``; ``extra`` fields are merged in."""
    text = message or _phrase(status)
    body: dict[str, Any]
    if vendor == COGNIGY:
        body = {
            "type": f"https://docs.cognigy.com/errors/{status}",
            "title": _phrase(status),
            "status": status,
            "detail": text,
            "code": code or status,
            "traceId": uuid.uuid4().hex,
        }
    elif vendor == CXONE:
        body = (
            {"error": code or _phrase(status).lower().replace(" ", "_"), "error_description": text}
            if auth_host
            else {"message": text}
        )
    elif vendor == GENESYS:
        body = {
            "message": text,
            "code": code or _GENESYS_CODES.get(status, "error"),
            "status": status,
            "messageParams": {},
            "contextId": str(uuid.uuid4()),
            "details": [],
            "errors": [],
        }
    else:
        raise ValueError(f"unknown vendor {vendor!r}")
    body.update(extra)
    return body


def error_response(
    vendor: str,
    status: int,
    message: str | None = None,
    code: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    auth_host: bool = False,
    **extra: Any,
) -> JSONResponse:
    """A ready response with the vendor's body and content type."""
    media = "application/problem+json" if vendor == COGNIGY else "application/json"
    body = error_body(vendor, status, message, code, auth_host=auth_host, **extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=media)


def too_many_requests(
    vendor: str, wait: float, *, http_date: bool = False, limit: int | None = None
) -> JSONResponse:
    """The vendor's 429 for a client that must wait ``wait`` real seconds."""
    seconds = max(1, math.ceil(wait))
    headers: dict[str, str] = {}
    if vendor == GENESYS:
        headers["Retry-After"] = str(seconds)
        if limit is not None:
            headers["inin-ratelimit-allowed"] = str(limit)
            headers["inin-ratelimit-count"] = str(limit)
            headers["inin-ratelimit-reset"] = str(seconds)
        msg = f"Rate limit exceeded the maximum. Retry the request in [{seconds}] seconds"
        return error_response(vendor, 429, msg, headers=headers)
    if vendor == COGNIGY:
        # An HTTP-date has whole seconds: round up so the date never comes before the bucket.
        when = math.ceil(time.time() + wait)
        headers["Retry-After"] = formatdate(when, usegmt=True) if http_date else str(seconds)
        return error_response(
            vendor,
            429,
            "Too many requests, please try again later.",
            headers=headers,  # code 429: the client's TooManyRequestsError (ErrorCode enum)
        )
    return error_response(vendor, 429, "Too many requests")
