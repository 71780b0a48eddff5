"""Dependency tracking: build status and rebuilds, consumed/consuming resources, objects."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import flow_id

ROOT = "/api/v2/architect/dependencytracking"


def test_build_status_and_rebuild_on_the_clock(emu: EmulatorThread, dev: httpx.Client) -> None:
    """The build is OPERATIONAL; a rebuild passes BUILDQUEUED and BUILDINPROGRESS first."""
    assert dev.get(f"{ROOT}/build").json()["status"] == "OPERATIONAL"
    httpx.put(
        f"{emu.base('genesys', 'dev')}/_emulator/dependencytracking", json={"status": "NOTBUILT"}
    )
    assert dev.get(f"{ROOT}/build").json()["status"] == "NOTBUILT"
    assert dev.post(f"{ROOT}/build").status_code == 202
    assert dev.get(f"{ROOT}/build").json()["status"] == "BUILDQUEUED"
    emu.ctx.clock.advance(1)
    assert dev.get(f"{ROOT}/build").json()["status"] == "BUILDINPROGRESS"
    emu.ctx.clock.advance(5)
    status = dev.get(f"{ROOT}/build").json()
    assert status["status"] == "OPERATIONAL" and status["dateCompleted"]


def test_consumed_resources_of_an_ivr(dev: httpx.Client) -> None:
    """An IVR consumes its modules (at their published version), data actions, prompts, queues."""
    fid = flow_id(dev, "Main Line IVR")
    params = {"id": fid, "version": "4.0", "objectType": "INBOUNDCALLFLOW", "pageSize": 100}
    body = dev.get(f"{ROOT}/consumedresources", params=params).json()
    by_name = {d["name"]: d for d in body["entities"]}
    assert by_name["Authenticate Caller"]["type"] == "COMMONMODULEFLOW"
    assert by_name["Authenticate Caller"]["version"] == "2.0"
    assert by_name["Lookup Account by ANI"]["type"] == "DATAACTION"
    assert {"Billing", "Technical Support", "Sales"} <= set(by_name)
    assert by_name["Support Line IVR"]["type"] == "INBOUNDCALLFLOW"
    queues = dev.get(f"{ROOT}/consumedresources", params={**params, "resourceType": "QUEUE"}).json()
    assert {d["type"] for d in queues["entities"]} == {"QUEUE"} and queues["total"] == 3
    old = dev.get(f"{ROOT}/consumedresources", params={**params, "version": "1.0"}).json()
    assert "Sales" not in {d["name"] for d in old["entities"]}


def test_deleted_data_action_is_reported_deleted(dev: httpx.Client) -> None:
    """The flawed flow's data action comes back with deleted=true."""
    fid = flow_id(dev, "Flawed - Deleted Data Action")
    params = {
        "id": fid,
        "version": "1.0",
        "objectType": "INBOUNDCALLFLOW",
        "resourceType": "DATAACTION",
    }
    (dep,) = dev.get(f"{ROOT}/consumedresources", params=params).json()["entities"]
    assert dep["name"] == "Legacy CRM Lookup" and dep["deleted"] is True


def test_consumed_resources_page_to_the_end(dev: httpx.Client) -> None:
    """Consumed resources page like every Genesys listing."""
    fid = flow_id(dev, "Main Line IVR")
    url: str | None = f"{ROOT}/consumedresources"
    params: dict[str, str | int] | None = {
        "id": fid,
        "version": "4.0",
        "objectType": "INBOUNDCALLFLOW",
        "pageSize": 3,
    }
    names: list[str] = []
    while url:
        body = dev.get(url, params=params).json()
        names.extend(d["name"] for d in body["entities"])
        url, params = body.get("nextUri"), None
    assert len(names) == body["total"] > 3 and len(set(names)) == len(names)


def test_consuming_resources_and_object(dev: httpx.Client) -> None:
    """A module's consumers are the flows that call it; /object can return both directions."""
    module = flow_id(dev, "Flawed - Module Cycle B")
    consumers = dev.get(
        f"{ROOT}/consumingresources", params={"id": module, "objectType": "COMMONMODULEFLOW"}
    ).json()
    assert [d["name"] for d in consumers["entities"]] == ["Flawed - Module Cycle A"]
    obj = dev.get(
        f"{ROOT}/object",
        params={
            "id": module,
            "objectType": "COMMONMODULEFLOW",
            "consumedResources": "true",
            "consumingResources": "true",
        },
    ).json()
    assert obj["name"] == "Flawed - Module Cycle B" and obj["version"] == "1.0"
    assert [d["name"] for d in obj["consumedResources"]] == ["Flawed - Module Cycle C"]
    assert [d["name"] for d in obj["consumingResources"]] == ["Flawed - Module Cycle A"]
    wrong = dev.get(f"{ROOT}/object", params={"id": module, "objectType": "INBOUNDCALLFLOW"})
    assert wrong.status_code == 404


def test_failed_rebuild_is_incomplete(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A job_fail fault on the rebuild leaves the build BUILDINCOMPLETE."""
    r = httpx.post(
        f"{emu.url}/_emulator/scenario",
        json={"faults": [{"vendor": "genesys", "action": "job_fail", "job": "dependency-build"}]},
    )
    assert r.status_code == 200
    dev.post(f"{ROOT}/build")
    emu.ctx.clock.advance(10)
    status = dev.get(f"{ROOT}/build").json()
    assert status["status"] == "BUILDINCOMPLETE" and "dateCompleted" not in status
