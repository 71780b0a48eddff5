"""CXone's ``skip``/``top`` paging: ``top`` defaults to and is clamped at 100 (the Admin API's
page cap), and list answers carry ``totalRecords`` plus ``_links`` (self, next, previous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

MAX_TOP = 100


class PagingError(ValueError):
    """``skip`` or ``top`` is not a usable number (a 400)."""


@dataclass(frozen=True)
class Page:
    skip: int
    top: int

    def slice(self, rows: list[Any]) -> list[Any]:
        return rows[self.skip : self.skip + self.top]

    def links(self, request: Request, total: int) -> dict[str, str | None]:
        """``_links`` for this page: URLs of this, the next and the previous page (or None)."""
        base = str(request.url).split("?", 1)[0]
        params = {k: v for k, v in request.query_params.items() if k not in ("skip", "top")}

        def url(skip: int) -> str:
            return f"{base}?{urlencode({**params, 'skip': skip, 'top': self.top})}"

        return {
            "self": url(self.skip),
            "next": url(self.skip + self.top) if self.skip + self.top < total else None,
            "previous": url(max(0, self.skip - self.top)) if self.skip > 0 else None,
        }


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise PagingError(f"Invalid value for {name}: '{raw}' is not an integer") from None


def page_of(request: Request) -> Page:
    """The page a request asks for; raises :class:`PagingError` on a bad value."""
    skip = _int(request, "skip", 0)
    top = _int(request, "top", MAX_TOP)
    if skip < 0:
        raise PagingError("Invalid value for skip: must be 0 or more")
    if top < 1:
        raise PagingError("Invalid value for top: must be between 1 and 100")
    return Page(skip, min(top, MAX_TOP))
