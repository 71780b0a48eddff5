"""Clients for the Cognigy emulator over real HTTP (admin by API key, per tenant)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread

Client = Callable[..., httpx.Client]


@pytest.fixture
def cognigy(emu: EmulatorThread) -> Iterator[Client]:
    """``cognigy(tenant="dev", who="admin")`` → an httpx client with that API key."""
    opened: list[httpx.Client] = []

    def make(tenant: str = "dev", who: str = "admin") -> httpx.Client:
        client = httpx.Client(
            base_url=emu.base("cognigy", tenant),
            headers={"X-API-Key": f"cognigy-{tenant}-{who}-apikey"},
            timeout=10,
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def project_id(client: httpx.Client, name: str) -> str:
    items: list[dict[str, Any]] = client.get("/new/v2.0/projects").json()["items"]
    return next(p["_id"] for p in items if p["name"] == name)


def finish(emu: EmulatorThread, client: httpx.Client, task: dict[str, Any]) -> dict[str, Any]:
    """Advance the emulator clock past a task's phases and read it back."""
    emu.ctx.clock.advance(5)
    body: dict[str, Any] = client.get(f"/new/v2.0/tasks/{task['_id']}").json()
    return body


def named(client: httpx.Client, kind: str, pid: str, name: str) -> str:
    """The id of the snapshot or package ``name`` of a project: a task's ``data`` never says
    what it made (the official CLI finds it by name as well)."""
    rows = client.get(f"/new/v2.0/{kind}", params={"projectId": pid, "limit": 100}).json()
    return str(next(r["_id"] for r in rows["items"] if r["name"] == name))
