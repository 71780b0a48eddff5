"""Cognigy list paging: ``limit``/``skip`` plus opaque ``next``/``previous`` cursors.

The body is ``IMongoosePaginationPluginReturnValue``: ``items``, ``total``, ``nextCursor``,
``previousCursor`` (``null`` at either end). A cursor names the offset of the page it leads to,
so following ``nextCursor`` until it is ``null`` visits every item once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class PagingError(ValueError):
    """A bad ``limit``, ``skip`` or cursor (answered with 400)."""


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o:"):
            raise ValueError(raw)
        offset = int(raw[2:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise PagingError(f"invalid cursor {cursor!r}") from None
    if offset < 0:
        raise PagingError(f"invalid cursor {cursor!r}")
    return offset


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise PagingError(f"{name} must be an integer, got {value!r}") from None
    if number < 0:
        raise PagingError(f"{name} must not be negative")
    return number


def page(items: Sequence[dict[str, Any]], params: Mapping[str, str]) -> dict[str, Any]:
    """One page of ``items`` as the query ``params`` ask (``next`` wins over ``skip``)."""
    limit = min(_int(params, "limit", DEFAULT_LIMIT), MAX_LIMIT) or DEFAULT_LIMIT
    cursor = params.get("next") or params.get("previous")
    offset = decode_cursor(cursor) if cursor else _int(params, "skip", 0)
    end = offset + limit
    return {
        "items": list(items[offset:end]),
        "total": len(items),
        "nextCursor": encode_cursor(end) if end < len(items) else None,
        "previousCursor": encode_cursor(max(0, offset - limit)) if offset > 0 else None,
    }
