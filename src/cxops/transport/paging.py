"""One async iterator per paging style, each guarded against pages that repeat or never end.

=================  ====================================  ======================================
style              request                               answer
=================  ====================================  ======================================
Cognigy offset     ``limit``, ``skip``                   ``items``, ``total``
Cognigy cursor     ``limit``, ``next=<cursor>``          ``items``, ``nextCursor``
CXone              ``skip``, ``top`` (≤ 100)             ``<list key>``, ``totalRecords``; 204
Genesys            ``pageNumber``, ``pageSize``          ``entities``, ``pageCount``, ``nextUri``
=================  ====================================  ======================================

The guard (:class:`PageGuard`) raises :class:`ProtocolError` when a page repeats an earlier one,
a cursor comes back, or more than ``max_pages`` pages arrive; items seen twice (a list shifting
under offset paging) are yielded once. Every iterator yields the items (dicts) in order.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from typing import Any

from cxops.errors import ProtocolError
from cxops.transport.client import Params, VendorClient
from cxops.transport.vendor_errors import json_body

__all__ = ["PageGuard", "cognigy_cursor", "cognigy_pages", "cxone_pages", "genesys_pages"]

log = logging.getLogger(__name__)

Item = dict[str, Any]
MAX_PAGES = 10_000


def default_key(item: Any) -> Hashable:
    """An item's identity: ``_id`` (Cognigy), ``id`` (Genesys), ``masterID`` (CXone) or JSON."""
    if isinstance(item, dict):
        for field in ("_id", "id", "masterID"):
            if isinstance(item.get(field), str | int):
                return str(item[field])
    return json.dumps(item, sort_keys=True, default=str)


class PageGuard:
    """Remembers pages, cursors and items of one listing to refuse loops and duplicates."""

    def __init__(
        self,
        where: str,
        max_pages: int = MAX_PAGES,
        key: Callable[[Any], Hashable] = default_key,
    ) -> None:
        self.where = where
        self.max_pages = max_pages
        self.key = key
        self.pages = 0
        self.duplicates = 0
        self._prints: dict[str, int] = {}
        self._cursors: set[str] = set()
        self._items: set[Hashable] = set()

    def page(self, items: list[Any]) -> list[Any]:
        """Check one page; return its items not seen before."""
        self.pages += 1
        if self.pages > self.max_pages:
            raise ProtocolError(
                f"{self.where}: more than {self.max_pages} pages; the listing does not end",
                hint="narrow the query, or raise max_pages if the tenant is really this big",
            )
        keys = [self.key(item) for item in items]
        digest = hashlib.sha256(json.dumps([str(k) for k in keys]).encode()).hexdigest()
        if items and digest in self._prints:
            raise ProtocolError(
                f"{self.where}: page {self.pages} repeats page {self._prints[digest]}",
                hint="the vendor ignored the paging parameters; report it",
            )
        self._prints[digest] = self.pages
        fresh = []
        for k, item in zip(keys, items, strict=True):
            if k in self._items:
                self.duplicates += 1
                continue
            self._items.add(k)
            fresh.append(item)
        return fresh

    def cursor(self, value: str) -> None:
        """Refuse a cursor that was already followed."""
        if value in self._cursors:
            raise ProtocolError(f"{self.where}: cursor {value[:40]!r} came back; paging loops")
        self._cursors.add(value)

    @property
    def seen(self) -> int:
        return len(self._items)


def _items(where: str, data: Any, key: str) -> list[Any]:
    items = data.get(key) if isinstance(data, dict) else None
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ProtocolError(f"{where}: '{key}' is not a list")
    return items


def _total(data: Any, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, int) and value >= 0 else None


async def cognigy_pages(
    client: VendorClient,
    url: str,
    params: Params | None = None,
    *,
    limit: int = 100,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[Item]:
    """Cognigy ``limit``/``skip`` paging over ``items`` until ``total`` or a short page."""
    guard = PageGuard(f"cognigy GET {url}", max_pages)
    skip = 0
    while True:
        data = await client.get_json(url, params={**(params or {}), "limit": limit, "skip": skip})
        page = _items(guard.where, data, "items")
        for item in guard.page(page):
            yield item
        skip += len(page)
        total = _total(data, "total")
        if not page or len(page) < limit or (total is not None and skip >= total):
            return


async def cognigy_cursor(
    client: VendorClient,
    url: str,
    params: Params | None = None,
    *,
    limit: int = 100,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[Item]:
    """Cognigy cursor paging: follow ``nextCursor`` (sent back as ``next``) until it is empty."""
    guard = PageGuard(f"cognigy GET {url}", max_pages)
    query: dict[str, Any] = {**(params or {}), "limit": limit}
    while True:
        data = await client.get_json(url, params=query)
        for item in guard.page(_items(guard.where, data, "items")):
            yield item
        cursor = data.get("nextCursor") or data.get("next")
        if not isinstance(cursor, str) or not cursor:
            return
        guard.cursor(cursor)
        query = {**(params or {}), "limit": limit, "next": cursor}


async def cxone_pages(
    client: VendorClient,
    url: str,
    key: str,
    params: Params | None = None,
    *,
    top: int = 100,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[Item]:
    """CXone ``skip``/``top`` paging over the list named ``key``; a 204 is an empty result."""
    top = min(top, 100)  # the Admin API's cap
    guard = PageGuard(f"cxone GET {url}", max_pages)
    skip = 0
    while True:
        response = await client.request(
            "GET", url, params={**(params or {}), "skip": skip, "top": top}
        )
        if response.status_code == 204 or not response.content:
            return
        data = json_body("cxone", response, dict)
        page = _items(guard.where, data, key)
        for item in guard.page(page):
            yield item
        skip += len(page)
        total = _total(data, "totalRecords")
        if not page or len(page) < top or (total is not None and skip >= total):
            return


async def genesys_pages(
    client: VendorClient,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[Item]:
    """Genesys ``pageNumber``/``pageSize`` paging over ``entities`` up to ``pageCount``.

    ``nextUri`` is only read as "there is more" when ``pageCount`` is absent: following it
    verbatim would drop the tenant's base path on hosts that serve the API below one.
    """
    guard = PageGuard(f"genesys GET {url}", max_pages)
    number = 1
    while True:
        query = {**(params or {}), "pageNumber": number, "pageSize": page_size}
        data = await client.get_json(url, params=query)
        page = _items(guard.where, data, "entities")
        for item in guard.page(page):
            yield item
        count = _total(data, "pageCount")
        more = number < count if count is not None else bool(data.get("nextUri"))
        if not page or not more:
            return
        number += 1
