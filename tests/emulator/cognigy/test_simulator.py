"""Simulator, playbooks, conversations and the OData analytics mount over real HTTP, in the
shapes the evidence allows; results follow the flow content."""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client, finish, project_id


def _endpoint(c: httpx.Client, pid: str) -> dict[str, Any]:
    """The project's first endpoint in full (the listing has no entrypoint)."""
    row = c.get("/new/v2.0/endpoints", params={"projectId": pid}).json()["items"][0]
    doc: dict[str, Any] = c.get(f"/new/v2.0/endpoints/{row['_id']}").json()
    return doc


def _batch(emu: EmulatorThread, c: httpx.Client, sim: dict[str, Any], name: str, **run: Any) -> Any:
    """Schedule a simulation, then read its batch by name once it completed."""
    pid = sim["projectReference"]
    body = {"name": name, "projectReference": pid, "runConfig": run, "numberOfExecutions": 2}
    r = c.post(f"/testing/simulations/{sim['_id']}/schedule", json=body)
    assert r.status_code == 200 and r.json() == {}  # nothing to read: found by name
    batches = c.get("/testing/simulations/batches", params={"projectId": pid}).json()["data"]
    assert next(b for b in batches if b["name"] == name)["status"] in ("PENDING", "RUNNING")
    emu.ctx.clock.advance(5)
    batches = c.get("/testing/simulations/batches", params={"projectId": pid}).json()["data"]
    return next(b for b in batches if b["name"] == name)


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
    assert r.status_code == 200 and r.json() == {}


def test_simulator_lists_schedules_and_reports_batches(
    emu: EmulatorThread, cognigy: Client
) -> None:
    """``{data, pagination{total}}``; a batch found by name completes with runResults; breaking
    one answer fails every execution; the batch's runs carry the turns."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    listed = c.get("/testing/simulations", params={"projectId": pid}).json()
    assert listed["pagination"]["total"] == len(listed["data"]) == 1
    sim = listed["data"][0]
    assert sim["projectReference"] == pid and "scenarios" not in sim  # judged, never served
    ep = _endpoint(c, pid)
    run = {"entrypoint": pid, "flowReferenceId": ep["flowId"], "localeReferenceId": ep["localeId"]}
    good = _batch(emu, c, sim, "good", **run)
    assert good["status"] == "COMPLETED" and good["batchMetrics"]["runResults"] == {
        "succeeded": 2,
        "failed": 0,
    }
    runs = c.get(f"/testing/simulations/batches/{good['_id']}/runs").json()["data"]
    assert len(runs) == 2 and runs[0]["turns"][0]["inputText"]
    _break_first_answer(c, pid)
    bad = _batch(emu, c, sim, "bad", **run)
    assert bad["batchMetrics"]["runResults"] == {"succeeded": 0, "failed": 2}
    assert bad["batchMetrics"]["successRate"] == 0.0


def test_a_tenant_without_the_simulator_answers_404(emu: EmulatorThread, cognigy: Client) -> None:
    """prod has no /testing: every path there is 404 with code 1002, until the control adds it."""
    c = cognigy("prod")
    for path in ("/testing/simulations", "/testing/simulations/batches"):
        r = c.get(path)
        assert r.status_code == 404 and r.json()["code"] == 1002
    control = emu.base("cognigy", "prod") + "/_emulator/simulator"
    assert httpx.put(control, json={"enabled": True}).json() == {"enabled": True}
    assert c.get("/testing/simulations").status_code == 200


def test_simulation_against_endpoint_snapshot(emu: EmulatorThread, cognigy: Client) -> None:
    """runConfig.entrypoint decides what runs: a broken project fails, its snapshot passes."""
    c = cognigy()
    pid = project_id(c, "Billing Assistant")
    snap = c.post("/new/v2.0/snapshots", json={"projectId": pid, "name": "s", "description": ""})
    finish(emu, c, snap.json())
    sid = c.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["items"][0]["_id"]
    sim = c.get("/testing/simulations", params={"projectId": pid}).json()["data"][0]
    ep = _endpoint(c, pid)
    _break_first_answer(c, pid)
    on_project = _batch(emu, c, sim, "p", entrypoint=pid, flowReferenceId=ep["flowId"])
    on_snapshot = _batch(emu, c, sim, "s", entrypoint=sid, flowReferenceId=ep["flowId"])
    assert on_project["batchMetrics"]["runResults"]["failed"] == 2
    assert on_snapshot["batchMetrics"]["runResults"]["failed"] == 0


def test_playbook_run_is_a_task_naming_its_run(emu: EmulatorThread, cognigy: Client) -> None:
    """schedule answers a task; once done, its data.playbookRunId opens the run (as the
    official CLI reads it); a broken answer fails exactly its assertText."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    pb = c.get("/new/v2.0/playbooks", params={"projectId": pid}).json()["items"][0]
    assert set(pb) == {"_id", "name", "createdAt", "lastChanged", "createdBy", "lastChangedBy"}
    assert c.get(f"/new/v2.0/playbooks/{pb['_id']}").json()["steps"][0]["asserts"]
    ep = _endpoint(c, pid)
    body = {"entrypoint": pid, "flowId": ep["flowId"], "localeId": ep["localeId"]}
    missing = c.post(f"/new/v2.0/playbooks/{pb['_id']}/schedule", json={"entrypoint": pid})
    assert missing.status_code == 400 and missing.json()["code"] == 1000

    def run() -> dict[str, Any]:
        task = finish(emu, c, c.post(f"/new/v2.0/playbooks/{pb['_id']}/schedule", json=body).json())
        assert task["status"] == "done"
        rid = task["data"]["playbookRunId"]
        out: dict[str, Any] = c.get(f"/new/v2.0/playbooks/{pb['_id']}/runs/{rid}").json()
        return out

    assert run()["status"] == "successful"
    _break_first_answer(c, pid)
    broken = run()
    assert broken["status"] == "failed" and broken["entrypoint"] == pid
    failed = [a for s in broken["stepResults"] for a in s["asserts"] if a["status"] == "failed"]
    assert [a["type"] for a in failed] == ["assertText"]
    listed = c.get(f"/new/v2.0/playbooks/{pb['_id']}/runs").json()
    assert [r["status"] for r in listed["items"]] == ["successful", "failed"]


def test_conversations_need_contact_ids(emu: EmulatorThread, cognigy: Client) -> None:
    """GET /conversations requires contactIds (code 1000 without); no endpoint filter."""
    c = cognigy("prod")
    ep = c.get("/new/v2.0/endpoints").json()["items"][0]
    control = emu.base("cognigy", "prod") + "/_emulator/conversations"
    assert httpx.put(control, json={ep["_id"]: {"active": 3}}).status_code == 200
    r = c.get("/new/v2.0/conversations", params={"endpointId": ep["_id"]})
    assert r.status_code == 400 and r.json()["code"] == 1000
    body = c.get("/new/v2.0/conversations", params={"contactIds[]": ["contact-0", "contact-2"]})
    assert body.json()["total"] == 2
    assert {i["contactId"] for i in body.json()["items"]} == {"contact-0", "contact-2"}


def test_odata_sessions_count_and_drain(emu: EmulatorThread, cognigy: Client) -> None:
    """The OData mount: apikey required, Sessions filtered by endpointReferenceId and
    startedAt, $count, draining over emulated time."""
    c = cognigy("prod")
    ep = c.get("/new/v2.0/endpoints").json()["items"][0]
    control = emu.base("cognigy", "prod") + "/_emulator/conversations"
    httpx.put(control, json={ep["_id"]: {"active": 10, "drain_per_minute": 4}})
    odata = emu.base("cognigy", "prod") + "/odata/v2.3"
    key = "cognigy-prod-readonly-apikey"
    assert httpx.get(f"{odata}/Sessions").status_code == 401
    flt = f"endpointReferenceId eq '{ep['_id']}' and startedAt ge 2020-01-01T00:00:00.000Z"

    def count() -> int:
        r = httpx.get(f"{odata}/Sessions", params={"$filter": flt, "apikey": key, "$count": "true"})
        doc = r.json()
        assert doc["@odata.count"] == len(doc["value"])
        assert all(v["endpointReferenceId"] == ep["_id"] and v["startedAt"] for v in doc["value"])
        return int(doc["@odata.count"])

    assert count() == 10
    bare = httpx.get(f"{odata}/Sessions/$count", params={"$filter": flt, "apikey": key})
    assert bare.text == "10"
    other = httpx.get(
        f"{odata}/Sessions", params={"$filter": "endpointReferenceId eq 'x'", "apikey": key}
    )
    assert other.json()["value"] == []
    chat = httpx.get(f"{odata}/Conversations", params={"apikey": key, "$top": 2})
    assert len(chat.json()["value"]) == 2 and chat.json()["value"][0]["type"] == "input"
    bad = httpx.get(f"{odata}/Sessions", params={"$filter": "x contains 'y'", "apikey": key})
    assert bad.status_code == 400
    emu.ctx.clock.advance(60)
    assert count() == 6
    emu.ctx.clock.advance(120)
    assert count() == 0


def test_health_control_deactivates_endpoint(emu: EmulatorThread, cognigy: Client) -> None:
    """The health control flips an endpoint's active flag: visible on GET /endpoints/{id}
    only, the listing has no active field."""
    c = cognigy("prod")
    ep = c.get("/new/v2.0/endpoints").json()["items"][0]
    assert "active" not in ep and "entrypoint" not in ep
    r = httpx.put(
        emu.base("cognigy", "prod") + "/_emulator/health",
        json={"status": "degraded", "endpoints": {ep["_id"]: {"active": False}}},
    )
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert c.get(f"/new/v2.0/endpoints/{ep['_id']}").json()["active"] is False


def test_errors_carry_numeric_codes(emu: EmulatorThread, cognigy: Client) -> None:
    """401, 403, 404 (1002) and unknown routes answer Cognigy problems with numeric codes."""
    c = cognigy()
    assert c.get("/new/v2.0/projects/nope").json()["code"] == 1002
    unknown = c.get("/new/v2.0/no/such/route")
    assert unknown.status_code == 404 and unknown.json()["code"] == 1002
    anon = httpx.get(emu.base("cognigy", "dev") + "/new/v2.0/projects")
    assert anon.status_code == 401 and anon.json()["code"] == 401
    ro = cognigy("dev", "readonly")
    denied = ro.post("/new/v2.0/snapshots", json={})
    assert denied.status_code == 403 and denied.json()["code"] == 403
