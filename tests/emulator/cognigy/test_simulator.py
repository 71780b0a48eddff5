"""Simulator, playbooks and conversations over real HTTP: results follow the flow content."""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client, project_id


def _run(emu: EmulatorThread, c: httpx.Client, ref: str, **body: Any) -> dict[str, Any]:
    run = c.post(f"/testing/simulations/{ref}/schedule", json=body)
    assert run.status_code == 202 and run.json()["status"] == "running"
    assert run.json()["metrics"] is None
    emu.ctx.clock.advance(5)
    out: dict[str, Any] = c.get(f"/testing/simulations/{ref}/runs/{run.json()['_id']}").json()
    assert out["status"] == "completed"
    return out


def _break_first_answer(c: httpx.Client, pid: str) -> None:
    main = next(
        f
        for f in c.get("/new/v2.0/flows", params={"projectId": pid}).json()["items"]
        if f["name"] == "Main"
    )
    chart = c.get(f"/new/v2.0/flows/{main['_id']}/chart").json()
    answer = next(n for n in chart["nodes"] if n["label"].startswith("Answer "))
    r = c.patch(
        f"/new/v2.0/flows/{main['_id']}/chart/nodes/{answer['_id']}",
        json={"config": {"say": {"type": "text", "text": ["Oops."], "data": {}}}},
    )
    assert r.status_code == 200


def test_simulation_rate_drops_when_a_flow_breaks(emu: EmulatorThread, cognigy: Client) -> None:
    """A clean project scores 100%; breaking one answer lowers successRate by one scenario."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    sim = c.get("/testing/simulations", params={"projectId": pid}).json()["items"][0]
    good = _run(emu, c, sim["referenceId"])
    total = good["metrics"]["total"]
    assert total >= 2 and good["metrics"]["successRate"] == 100.0
    _break_first_answer(c, pid)
    bad = _run(emu, c, sim["referenceId"])
    assert bad["metrics"]["success"] == total - 1
    assert bad["metrics"]["successRate"] == round(100.0 * (total - 1) / total, 2)
    runs = c.get(f"/testing/simulations/{sim['referenceId']}/runs").json()
    assert runs["total"] == 2


def test_simulation_against_endpoint_snapshot(emu: EmulatorThread, cognigy: Client) -> None:
    """Run through an endpoint: it tests what the endpoint's entrypoint (a snapshot) holds."""
    c = cognigy("prod")
    pid = project_id(c, "Billing Assistant")
    ep = c.get("/new/v2.0/endpoints", params={"projectId": pid}).json()["items"][0]
    snap = c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["items"][0]
    sim = c.get("/testing/simulations", params={"projectId": pid}).json()["items"][0]
    _break_first_answer(c, pid)
    assert _run(emu, c, sim["_id"], endpointId=ep["_id"])["metrics"]["successRate"] < 100
    c.patch(f"/new/v2.0/endpoints/{ep['_id']}", json={"entrypoint": snap["_id"]})
    assert _run(emu, c, sim["_id"], endpointId=ep["_id"])["metrics"]["successRate"] == 100


def test_playbook_run_reports_failed_asserts(emu: EmulatorThread, cognigy: Client) -> None:
    """A playbook run passes on clean content and names the failing assert once broken."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    pb = c.get("/new/v2.0/playbooks", params={"projectId": pid}).json()["items"][0]

    def run() -> dict[str, Any]:
        rid = c.post(f"/new/v2.0/playbooks/{pb['_id']}/schedule", json={}).json()["_id"]
        out: dict[str, Any] = c.get(f"/new/v2.0/playbooks/{pb['_id']}/runs/{rid}").json()
        return out

    assert run()["status"] == "successful"
    _break_first_answer(c, pid)
    broken = run()
    assert broken["status"] == "failed"
    failed = [a for s in broken["stepResults"] for a in s["asserts"] if a["status"] == "failed"]
    assert [a["type"] for a in failed] == ["assertText"]


def test_conversations_drain_over_emulated_time(emu: EmulatorThread, cognigy: Client) -> None:
    """Sessions set by the test control drain at the given rate per emulated minute."""
    c = cognigy("prod")
    ep = c.get("/new/v2.0/endpoints").json()["items"][0]
    control = emu.base("cognigy", "prod") + "/_emulator/conversations"
    assert (
        httpx.put(control, json={ep["_id"]: {"active": 10, "drain_per_minute": 4}}).status_code
        == 200
    )

    def count() -> int:
        body = c.get("/new/v2.0/conversations", params={"endpointId": ep["_id"]}).json()
        assert body["total"] == len(body["items"])
        return int(body["total"])

    assert count() == 10
    emu.ctx.clock.advance(60)
    assert count() == 6
    emu.ctx.clock.advance(120)
    assert count() == 0
    assert httpx.put(control, json={"nope": {"active": 1}}).status_code == 400


def test_health_control_deactivates_endpoint(emu: EmulatorThread, cognigy: Client) -> None:
    """The health control flips an endpoint's active flag as the API reports it."""
    c = cognigy("prod")
    ep = c.get("/new/v2.0/endpoints").json()["items"][0]
    r = httpx.put(
        emu.base("cognigy", "prod") + "/_emulator/health",
        json={"status": "degraded", "endpoints": {ep["_id"]: {"active": False}}},
    )
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert c.get(f"/new/v2.0/endpoints/{ep['_id']}").json()["active"] is False
