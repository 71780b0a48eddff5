"""Every vendor error body of VENDORS.md, parsed into the :mod:`cxops.errors` tree.

- Cognigy: RFC 7807 ``{type,title,status,detail,code,traceId}``.
- CXone: ``{error,error_description}`` (auth host) or ``{message}`` (API host); kept tolerant
  because no official client documents it.
- Genesys Cloud: ``{message,code,status,contextId,details[],errors[]}``; its login host answers
  ``{error,description,error_description}``.

A body that is not JSON (a proxy's HTML page, a cut-off stream) still gives an error naming the
status; its text is shortened and redacted. Response bodies that should be JSON and are not become
:class:`ProtocolError` through :func:`json_body`.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from cxops.errors import (
    AuthError,
    Conflict,
    NotFound,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    Unstorable,
    VendorError,
)
from cxops.logs import redact
from cxops.model.errors import ParseError
from cxops.model.parse import parse_json

__all__ = [
    "DEFAULT_ANSWER_BYTES",
    "DEFAULT_ANSWER_DEPTH",
    "PARSED_KEY",
    "answer_error",
    "error_from_response",
    "json_body",
]

#: Per answer: bigger bodies are refused while they stream in (a 600 MB answer once drove an
#: export to a 20 GB peak, issue #15). Configurable (TransportOptions.max_answer_bytes).
DEFAULT_ANSWER_BYTES = 256 * 1024 * 1024
#: Nesting cap for vendor JSON; real flow documents nest a few dozen levels.
DEFAULT_ANSWER_DEPTH = 256
#: Where the client leaves the JSON it already parsed (to judge a retry), so it is parsed once.
PARSED_KEY = "cxops.parsed_json"
_MISSING = object()

_BY_STATUS: dict[int, type[VendorError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}

_HINTS: dict[type[VendorError], str] = {
    AuthError: "check credentials: the client id/secret, API key or access key, and that they "
    "are for this tenant",
    PermissionDenied: "check credentials: grant the missing permission/scope to the client, "
    "or use another client",
    NotFound: "check the id and that you are connected to the right tenant/region",
    Conflict: "someone else changed it, or the vendor rejected the content; re-read and retry",
    RateLimited: "the tenant kept throttling; retry later or lower --rate/--concurrency",
    ServerError: "the vendor is failing; retry later and quote the trace id to the vendor",
    VendorError: "see the vendor's message; quote the trace id when asking the vendor",
}

# How each vendor names a missing permission in its 403 message.
_SCOPE_PATTERNS = [
    re.compile(r"missing the following permission\(s\):\s*(?P<s>[\w:.*,\s-]+?)\s*$", re.I),
    re.compile(r"missing (?:permission|scope)s?:?\s*(?P<s>[\w:.*-]+)", re.I),
    re.compile(r"insufficient scope:?\s*(?P<s>[\w:.*-]+)", re.I),
    re.compile(r"requires? (?:the )?(?:scope|permission)s?\s+(?P<s>[\w:.*-]+)", re.I),
]

_MAX_TEXT = 300


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "", [], {}) else None


def _fields(vendor: str, body: Any) -> tuple[str | None, str | None, str | None, dict[str, Any]]:
    """``(message, vendor code, trace id, extra)`` out of a decoded error body."""
    if not isinstance(body, dict):
        return None, None, None, {}
    extra: dict[str, Any] = {}
    message = (
        _text(body.get("detail"))
        or _text(body.get("message"))
        or _text(body.get("error_description"))
        or _text(body.get("description"))
        or _text(body.get("title"))
        or _text(body.get("error"))
    )
    code = _text(body.get("code")) or _text(body.get("error"))
    trace = _text(body.get("traceId")) or _text(body.get("contextId"))
    if vendor == "genesys":
        params = body.get("messageParams")
        if isinstance(params, dict) and params.get("permissions"):
            extra["permissions"] = str(params["permissions"])
        errs = [e.get("message") for e in body.get("errors") or [] if isinstance(e, dict)] + [
            d.get("errorMessage") or d.get("message")
            for d in body.get("details") or []
            if isinstance(d, dict)
        ]
        details = [str(e) for e in errs if e]
        if details:
            extra["details"] = details
    return message, code, trace, extra


def missing_scope(message: str | None, extra: dict[str, Any]) -> str | None:
    """The permission a 403 names, from structured fields first, then the vendor's wording."""
    if extra.get("permissions"):
        return str(extra["permissions"])
    for pattern in _SCOPE_PATTERNS:
        found = pattern.search(message or "")
        if found:
            return found.group("s").strip().rstrip(".")
    return None


def _decode(response: httpx.Response) -> Any:
    try:
        return parse_json(response.content) if response.content else None
    except ParseError:
        return None


def error_from_response(vendor: str, response: httpx.Response) -> VendorError:
    """The :class:`VendorError` subclass for an error ``response`` (status ≥ 400).

    The message reads ``<vendor> <METHOD> <path>: <status> <vendor message> [<code>]``; the
    error carries status, vendor code, trace/context id and a hint.
    """
    status = response.status_code
    body = _decode(response)
    message, code, trace, extra = _fields(vendor, body)
    if message is None:
        snippet = response.text.strip()[:_MAX_TEXT] if body is None else ""
        message = snippet or response.reason_phrase or "error"
    if extra.get("details"):
        message = f"{message} ({'; '.join(extra['details'][:3])})"
    request = response.request
    path = request.url.path
    text = redact(f"{vendor} {request.method} {path}: {status} {message}")
    if code and code not in text:
        text += f" [{code}]"
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else VendorError)
    kw: dict[str, Any] = {
        "status": status,
        "vendor": vendor,
        "vendor_code": code,
        "trace_id": trace,
        "method": request.method,
        "url": redact(str(request.url.copy_with(query=None))),
        "hint": _HINTS[cls] + (f" (trace id {trace})" if trace and cls is ServerError else ""),
    }
    if cls is PermissionDenied:
        missing = missing_scope(message, extra)
        if missing:
            kw["hint"] = (
                f"check credentials: grant '{missing}' to the client (or use a client that has it)"
            )
        return PermissionDenied(text, missing=missing, **kw)
    return cls(text, **kw)


def json_body(
    vendor: str,
    response: httpx.Response,
    expect: type | None = None,
    *,
    max_bytes: int = DEFAULT_ANSWER_BYTES,
    max_depth: int = DEFAULT_ANSWER_DEPTH,
) -> Any:
    """The decoded JSON of a successful response; :class:`ProtocolError` when it is not JSON.

    The body goes through the one bounded parser (``cxops.model.parse``): a size and a depth
    cap, and I-JSON: no NaN or ``1e400`` (infinity), no integer beyond 2**53 - 1, no duplicate
    key, no lone surrogate. ``expect`` (``dict`` or ``list``) also checks the top-level shape.
    """
    where = f"{vendor} {response.request.method} {response.request.url.path}"
    parsed = response.extensions.get(PARSED_KEY, _MISSING)
    if parsed is not _MISSING:
        data = parsed
    else:
        try:
            data = parse_json(response.content, max_bytes=max_bytes, max_depth=max_depth)
        except ParseError as exc:
            raise answer_error(where, response.status_code, exc) from None
    if expect is not None and not isinstance(data, expect):
        raise ProtocolError(
            f"{where}: expected a JSON {expect.__name__}, got {type(data).__name__}",
            hint="the vendor's API may have changed; report it with the cxops version",
        )
    return data


def answer_error(where: str, status: int, exc: ParseError) -> ProtocolError:
    """The ProtocolError for an answer the bounded parser refused (names why and where):
    :class:`Unstorable` when the JSON is whole but cxops cannot store it faithfully."""
    message = redact(f"{where}: {status} with a body cxops refuses: {exc.message}")
    if exc.reason == "too_large":
        hint = "the answer is over the size cap; raise max_answer_bytes if it is genuine"
    elif exc.reason in ("syntax", "utf8", "bom"):
        hint = "the vendor or a proxy sent a broken body; retry, and report it if it persists"
    else:  # too_deep, surrogate, i_json (non-finite, beyond 2**53, long numbers, duplicates)
        hint = "the vendor sent JSON cxops cannot store faithfully (RFC 8785); report it"
        return Unstorable(message, hint=hint)
    return ProtocolError(message, hint=hint)
