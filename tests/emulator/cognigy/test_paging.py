"""Cognigy paging over real HTTP: limit/skip and next/previous cursors reach every item once."""

from __future__ import annotations

from typing import Any

from tests.emulator.cognigy.conftest import Client, project_id


def test_limit_skip_to_the_end(cognigy: Client) -> None:
    """Walking flows with limit/skip returns each of the project's 30 flows once."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    seen: list[str] = []
    skip = 0
    while True:
        body = c.get("/new/v2.0/flows", params={"projectId": pid, "limit": 7, "skip": skip}).json()
        seen += [f["_id"] for f in body["items"]]
        skip += 7
        if skip >= body["total"]:
            break
    assert len(seen) == len(set(seen)) == 30


def test_cursors_to_the_end_and_back(cognigy: Client) -> None:
    """Following nextCursor visits every flow once; previousCursor leads back to page one."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"projectId": pid, "limit": 8}
    while True:
        body = c.get("/new/v2.0/flows", params=params).json()
        pages.append(body)
        if body["nextCursor"] is None:
            break
        params = {"projectId": pid, "limit": 8, "next": body["nextCursor"]}
    ids = [f["_id"] for p in pages for f in p["items"]]
    assert len(pages) == 4 and len(ids) == len(set(ids)) == 30
    assert pages[0]["previousCursor"] is None
    back = pages[1]["previousCursor"]
    first = c.get("/new/v2.0/flows", params={"projectId": pid, "limit": 8, "previous": back})
    assert first.json()["items"] == pages[0]["items"]


def test_bad_cursor_is_400(cognigy: Client) -> None:
    """A cursor the server never issued is a 400 problem, not an empty page."""
    r = cognigy().get("/new/v2.0/flows", params={"next": "garbage!"})
    assert r.status_code == 400 and r.json()["status"] == 400
