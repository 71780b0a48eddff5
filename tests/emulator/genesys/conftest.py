"""Plain-httpx access to the emulated Genesys orgs (tokens, clients, job polling)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread


def token(emu: EmulatorThread, tenant: str = "dev", who: str = "admin") -> str:
    """A bearer token from the tenant's ``/oauth/token`` (client credentials, Basic auth)."""
    r = httpx.post(
        f"{emu.base('genesys', tenant)}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(f"genesys-{tenant}-{who}", f"genesys-{tenant}-{who}-secret"),
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def client(emu: EmulatorThread, tenant: str = "dev", who: str = "admin") -> httpx.Client:
    return httpx.Client(
        base_url=emu.base("genesys", tenant),
        headers={"Authorization": f"Bearer {token(emu, tenant, who)}"},
    )


def flow_id(c: httpx.Client, name: str) -> str:
    """The id of the flow called ``name`` (exact), found through the API."""
    r = c.get("/api/v2/flows", params={"name": name, "pageSize": 100})
    assert r.status_code == 200, r.text
    matches = [f["id"] for f in r.json()["entities"] if f["name"] == name]
    assert len(matches) == 1, (name, matches)
    return str(matches[0])


def ledger(emu: EmulatorThread, effect: str | None = None) -> list[dict[str, Any]]:
    params = {"vendor": "genesys", **({"effect": effect} if effect else {})}
    r = httpx.get(f"{emu.url}/_emulator/ledger", params=params)
    assert r.status_code == 200
    return list(r.json()["entries"])


def scenario(emu: EmulatorThread, *faults: dict[str, Any]) -> None:
    r = httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": list(faults)})
    assert r.status_code == 200, r.text


def crawl(emu: EmulatorThread) -> None:
    """Slow the clock to a crawl: only ``advance()`` moves jobs, so a test can assert each
    intermediate state however loaded the machine is."""
    emu.ctx.clock.set_speed(0.001)


@pytest.fixture
def dev(emu: EmulatorThread) -> Iterator[httpx.Client]:
    """An admin client of dev, with the clock crawling (see ``crawl``)."""
    crawl(emu)
    with client(emu) as c:
        yield c


@pytest.fixture
def prod(emu: EmulatorThread) -> Iterator[httpx.Client]:
    """An admin client of prod, with the clock crawling (see ``crawl``)."""
    crawl(emu)
    with client(emu, "prod") as c:
        yield c
