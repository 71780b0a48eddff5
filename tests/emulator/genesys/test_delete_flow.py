"""``DELETE /api/v2/flows/{id}``: a promotion's restore removes a flow it created."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import client, flow_id, ledger


def test_delete_removes_the_flow_and_is_in_the_ledger(
    emu: EmulatorThread, prod: httpx.Client
) -> None:
    """The flow and its observations go; a second delete is 404; a readonly client may not."""
    fid = flow_id(prod, "Order Status Bot")
    body = {"flows": {fid: {"active": 2}}}
    httpx.put(f"{emu.base('genesys', 'prod')}/_emulator/observations", json=body)
    with client(emu, "prod", "readonly") as ro:
        assert ro.delete(f"/api/v2/flows/{fid}").status_code == 403
    assert prod.delete(f"/api/v2/flows/{fid}").status_code == 200
    assert prod.get(f"/api/v2/flows/{fid}").status_code == 404
    gone = prod.delete(f"/api/v2/flows/{fid}")
    assert gone.status_code == 404 and gone.json()["code"] == "not.found"
    names = [
        f["name"] for f in prod.get("/api/v2/flows", params={"pageSize": 100}).json()["entities"]
    ]
    assert "Order Status Bot" not in names
    left = httpx.get(f"{emu.base('genesys', 'prod')}/_emulator/observations").json()
    assert left == {"flows": {}}
    assert [r["resource"] for r in ledger(emu, "genesys.flow.delete")] == [fid]


def test_delete_is_refused_while_locked_or_publishing(
    emu: EmulatorThread, prod: httpx.Client
) -> None:
    """Another client's lock, or a publish still running, make a delete 409."""
    fid = flow_id(prod, "Order Status Bot")
    lock = {"flowId": fid, "client": "someone-else"}
    httpx.put(f"{emu.base('genesys', 'prod')}/_emulator/locks", json=lock).raise_for_status()
    refused = prod.delete(f"/api/v2/flows/{fid}")
    assert refused.status_code == 409 and refused.json()["code"] == "flow.locked"
    lock["client"] = None
    httpx.put(f"{emu.base('genesys', 'prod')}/_emulator/locks", json=lock).raise_for_status()
    prod.post("/api/v2/flows/actions/publish", params={"flow": fid, "version": "1.0"})
    assert prod.delete(f"/api/v2/flows/{fid}").status_code == 409  # the clock crawls
    emu.ctx.clock.advance(10)
    assert prod.delete(f"/api/v2/flows/{fid}").status_code == 200
    assert ledger(emu, "genesys.flow.delete")[-1]["resource"] == fid
