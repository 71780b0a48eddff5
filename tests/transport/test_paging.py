"""Paging over the emulator's real lists, and the guards against broken paging."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import EmulatorThread
from cxops.errors import ProtocolError
from cxops.transport import ConnectionSettings, connect, open_client
from cxops.transport.paging import cognigy_cursor, cognigy_pages, cxone_pages, genesys_pages
from tests.transport.conftest import fast, scenario, seen, settings_for

SEARCH = "/inContactAPI/services/v31.0/scripts/search"


async def test_every_style_visits_each_item_once(emu: EmulatorThread) -> None:
    """Small pages on all four styles list exactly what one big page lists."""
    async with open_client(settings_for(emu, "genesys"), fast()) as g:
        small = [f["id"] async for f in genesys_pages(g, "/api/v2/flows", page_size=3)]
        big = (await g.get_json("/api/v2/flows", params={"pageSize": 100}))["entities"]
    assert small == [f["id"] for f in big] and len(small) > 3
    async with open_client(settings_for(emu, "cognigy"), fast()) as c:
        offset = [f["_id"] async for f in cognigy_pages(c, "/new/v2.0/flows", limit=7)]
        cursor = [f["_id"] async for f in cognigy_cursor(c, "/new/v2.0/flows", limit=7)]
        total = (await c.get_json("/new/v2.0/flows", params={"limit": 1}))["total"]
    assert offset == cursor and len(set(offset)) == total > 7
    async with open_client(settings_for(emu, "cxone"), fast()) as x:
        scripts = [s async for s in cxone_pages(x, SEARCH, "scriptSearchDetails", top=4)]
        one = (await x.get_json(SEARCH, params={"top": 100}))["scriptSearchDetails"]
    assert scripts == one and len(scripts) > 4


async def test_pages_survive_faults_in_the_middle(emu: EmulatorThread) -> None:
    """A 503 and a reset on page 2 and 3 are retried; no item is lost or doubled."""
    scenario(
        emu,
        faults=[
            {"path": "/api/v2/flows", "action": "error", "status": 503, "calls": [2]},
            {"path": "/api/v2/flows", "action": "reset", "calls": [4]},
        ],
    )
    async with open_client(settings_for(emu, "genesys"), fast()) as g:
        total = (await g.get_json("/api/v2/flows", params={"pageSize": 1}))["total"]
        ids = [f["id"] async for f in genesys_pages(g, "/api/v2/flows", page_size=4)]
    assert len(ids) == len(set(ids)) == total > 8
    assert sum(1 for r in seen(emu, "genesys") if r["fault"]) == 2


async def test_cxone_empty_search_is_a_204(emu: EmulatorThread) -> None:
    """CXone answers an empty search with 204; the pager yields nothing."""
    async with open_client(settings_for(emu, "cxone"), fast()) as x:
        found = [
            s
            async for s in cxone_pages(
                x, SEARCH, "scriptSearchDetails", {"scriptName": "no-such-script-zz"}
            )
        ]
    assert found == []


def broken_vendor(mode: str) -> Starlette:
    """A vendor whose paging is broken in one way: ignores skip, never ends, or loops."""
    calls = [0]

    async def items(request: Request) -> Response:
        calls[0] += 1
        n = calls[0]
        body: dict[str, Any]
        if mode == "ignores-skip":
            body = {"items": [{"_id": "a"}, {"_id": "b"}], "total": 10}
        elif mode == "endless":
            body = {"entities": [{"id": f"e{n}"}], "pageCount": 10**9}
        elif mode == "cursor-loop":
            body = {"items": [{"_id": f"c{n}"}], "nextCursor": "same-cursor" if n > 1 else "x"}
        else:  # shifting: an item inserted at the front pushes one item onto the next page
            page = int(request.query_params.get("skip", 0)) // 2
            rows = ["new", "a", "b", "c"] if page else ["a", "b", "c"]
            body = {"items": [{"_id": r} for r in rows[page * 2 : page * 2 + 2]], "total": 4}
        return JSONResponse(body)

    return Starlette(routes=[Route("/new/v2.0/items", items)])


async def _client(mode: str) -> Any:
    settings = ConnectionSettings(vendor="cognigy", base_url="http://v.test", api_key="k-1234")
    return await connect(settings, fast(), transport=httpx.ASGITransport(app=broken_vendor(mode)))


async def test_a_page_that_repeats_is_a_protocol_error() -> None:
    """A vendor ignoring skip serves the same page again: refused, naming the pages."""
    async with await _client("ignores-skip") as client:
        with pytest.raises(ProtocolError, match="page 2 repeats page 1"):
            [i async for i in cognigy_pages(client, "/new/v2.0/items", limit=2)]


async def test_a_listing_that_never_ends_is_cut_off() -> None:
    """More than max_pages pages raises instead of looping forever."""
    async with await _client("endless") as client:
        with pytest.raises(ProtocolError, match="more than 5 pages"):
            [i async for i in genesys_pages(client, "/new/v2.0/items", page_size=1, max_pages=5)]


async def test_a_cursor_that_comes_back_is_a_protocol_error() -> None:
    """A cursor already followed means a loop."""
    async with await _client("cursor-loop") as client:
        with pytest.raises(ProtocolError, match="came back"):
            [i async for i in cognigy_cursor(client, "/new/v2.0/items", limit=1)]


async def test_items_shifting_between_pages_are_yielded_once() -> None:
    """An item pushed onto the next page by an insert is not yielded twice."""
    async with await _client("shifting") as client:
        ids = [i["_id"] async for i in cognigy_pages(client, "/new/v2.0/items", limit=2)]
    assert ids == ["a", "b", "c"]  # "b" came again on page 2 and was dropped
