"""Request paths built from vendor ids, and the fence that keeps credentials under the API.

A vendor id is data, never URL syntax: :func:`seg` percent-encodes one id as exactly one path
segment (RFC 3986 §3.3), so ``/``, ``?``, ``#``, ``%`` and the dot segments ``.``/``..`` cannot
change which resource is asked for. :func:`api_path` joins a fixed prefix and such segments.

The client's fence (:func:`inside`) is the second line, for a path built by hand: a request to
the tenant's origin is only sent with credentials when its path, percent-decoded and with dot
segments removed (as a server or proxy may do), still lies under the API prefix (the base URL's
path plus the vendor's API root). Issue #15: a flow id ``../../x`` once sent the bearer token to
a path outside the API, and ``?``/``#`` in an id fetched another resource.

>>> seg("a/b?c#d")
'a%2Fb%3Fc%23d'
>>> api_path("/api/v2/flows", "..", "versions", "1")
'/api/v2/flows/%2E%2E/versions/1'
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote

import httpx

__all__ = ["API_ROOTS", "api_path", "inside", "same_origin", "seg"]

#: Where each vendor's REST API lives on its host (VENDORS.md; the emulator mounts the same).
#: Genesys: ``/api/v2/...``; Cognigy: ``/new/v2.0/...``; CXone: ``/inContactAPI/services/...``
#: (CXone's own samples also write it lower-case, so the comparison ignores case). Cognigy's
#: simulator answers under ``/testing/`` beside ``/new/`` on the same host (VENDORS.md).
API_ROOTS: dict[str, tuple[str, ...]] = {
    "genesys": ("/api/",),
    "cognigy": ("/new/", "/testing/"),
    "cxone": ("/incontactapi/",),
}


def seg(value: object) -> str:
    """One path segment holding ``value`` verbatim: everything but unreserved characters
    percent-encoded, and a segment of only dots encoded too (``..`` is not a step up)."""
    text = quote(str(value), safe="")
    if text and set(text) == {"."}:
        return "%2E" * len(text)
    return text


def api_path(prefix: str, *segments: object) -> str:
    """``prefix`` (a fixed path cxops wrote) followed by each of ``segments`` as one segment.

    >>> api_path("/new/v2.0/flows", "f?x=1", "chart")
    '/new/v2.0/flows/f%3Fx%3D1/chart'
    """
    return "/".join([prefix.rstrip("/"), *(seg(s) for s in segments)])


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Scheme, host and port equal (RFC 6454): where the client's credentials may go."""
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _normal(path: str) -> str:
    # Decode until stable (``%252E`` decodes twice on a sloppy proxy), then drop dot segments.
    for _ in range(4):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    out = posixpath.normpath("/" + path.lstrip("/"))
    return out if out.endswith("/") else out + "/"


def inside(url: httpx.URL, prefix: str | tuple[str, ...]) -> bool:
    """Whether ``url``'s path, decoded and normalised, lies under ``prefix`` (or one of several
    prefixes), ignoring case."""
    want = tuple(p.rstrip("/").casefold() + "/" for p in _as_tuple(prefix))
    return _normal(url.path).casefold().startswith(want) and _normal(
        url.raw_path.decode("ascii", "replace").split("?", 1)[0]
    ).casefold().startswith(want)


def _as_tuple(prefix: str | tuple[str, ...]) -> tuple[str, ...]:
    return (prefix,) if isinstance(prefix, str) else prefix
