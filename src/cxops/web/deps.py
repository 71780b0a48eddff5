"""What every request handler gets: the open store, the repositories and the server's config."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request

from cxops.errors import UsageError
from cxops.store import Store
from cxops.web.config import WebConfig
from cxops.web.queries.repos import Repos

__all__ = ["Ctx", "ctx", "parse_since"]


@dataclass(frozen=True)
class Ctx:
    store: Store
    repos: Repos
    config: WebConfig


def ctx(request: Request) -> Ctx:
    """The application's context (set by ``create_app``)."""
    got: Ctx = request.app.state.ctx
    return got


_RELATIVE = re.compile(r"^(\d+)\s*([hd])$")


def parse_since(value: str | None) -> datetime | None:
    """``24h``, ``7d``, an ISO date or time (UTC when naive); None for empty."""
    if not value:
        return None
    m = _RELATIVE.match(value.strip())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return datetime.now(UTC) - (timedelta(hours=n) if unit == "h" else timedelta(days=n))
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise UsageError(f"since: not a time: {value!r}", hint="use 24h, 7d or 2026-12-01") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
