"""Architect export, import and validate jobs: Registered → Started → Success | Failure."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx
import yaml

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import flow_id, ledger, scenario
from tests.helpers import architect


def _export(dev: httpx.Client, *flows: dict[str, Any]) -> str:
    r = dev.post("/api/v2/flows/export/jobs", json={"flows": list(flows)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "Registered" and body["totalFlows"] == len(flows)
    return str(body["id"])


def test_export_job_lifecycle_and_download(emu: EmulatorThread, dev: httpx.Client) -> None:
    """An export goes Registered → Started → Success and its downloadUrl serves the flow file."""
    fid = flow_id(dev, "Main Line IVR")
    jid = _export(dev, {"flow": {"id": fid, "version": "3.0"}, "exportType": "Architect"})
    url = f"/api/v2/flows/export/jobs/{jid}"
    assert dev.get(url).json()["status"] == "Registered"
    emu.ctx.clock.advance(1)
    started = dev.get(url).json()
    assert started["status"] == "Started" and "downloadUrl" not in started
    emu.ctx.clock.advance(3)
    done = dev.get(url).json()
    assert done["status"] == "Success" and done["command"] == "Export"
    assert "messages" not in done  # only with expand=messages
    assert dev.get(url, params={"expand": "messages"}).json()["messages"] == []
    file = httpx.get(done["downloadUrl"])
    assert file.status_code == 200
    config = json.loads(file.content)
    version3 = dev.get(f"/api/v2/flows/{fid}/versions/3.0/configuration").json()
    assert config == version3 and "id" not in config
    assert httpx.get(done["downloadUrl"].split("?")[0]).status_code == 403  # unsigned


def test_export_of_several_flows_is_a_zip_and_yaml_on_request(
    emu: EmulatorThread, dev: httpx.Client
) -> None:
    """Two flows come back as a zip; exportType Yaml gives YAML files."""
    a, b = flow_id(dev, "Authenticate Caller"), flow_id(dev, "Business Hours Check")
    jid = _export(
        dev, {"flow": {"id": a}, "exportType": "Yaml"}, {"flow": {"id": b}, "exportType": "Yaml"}
    )
    emu.ctx.clock.advance(5)
    done = dev.get(f"/api/v2/flows/export/jobs/{jid}").json()
    archive = zipfile.ZipFile(io.BytesIO(httpx.get(done["downloadUrl"]).content))
    docs = [yaml.safe_load(archive.read(n)) for n in sorted(archive.namelist())]
    assert {d["name"] for d in docs} == {"Authenticate Caller", "Business Hours Check"} and all(
        n.endswith(".yaml") for n in archive.namelist()
    )


def test_export_failure_reason_in_messages(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A job_fail fault makes the export end in Failure with the reason as an Error message."""
    scenario(
        emu, {"vendor": "genesys", "action": "job_fail", "job": "export", "reason": "disk full"}
    )
    jid = _export(dev, {"flow": {"id": flow_id(dev, "Main Line IVR")}})
    emu.ctx.clock.advance(5)
    url = f"/api/v2/flows/export/jobs/{jid}"
    body = dev.get(url, params={"expand": "messages"}).json()
    assert body["status"] == "Failure" and "downloadUrl" not in body
    assert body["messages"] == [{"type": "Error", "text": "disk full"}]
    assert "messages" not in dev.get(url).json()


def test_export_stall_never_finishes(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A job_stall fault keeps the export in Started however long one waits."""
    scenario(emu, {"vendor": "genesys", "action": "job_stall", "job": "export"})
    jid = _export(dev, {"flow": {"id": flow_id(dev, "Main Line IVR")}})
    emu.ctx.clock.advance(600)
    assert dev.get(f"/api/v2/flows/export/jobs/{jid}").json()["status"] == "Started"


def test_export_of_unknown_flow_is_404(dev: httpx.Client) -> None:
    """Registering an export of a flow that does not exist is refused up front."""
    r = dev.post("/api/v2/flows/export/jobs", json={"flows": [{"flow": {"id": "nope"}}]})
    assert r.status_code == 404 and r.json()["code"] == "not.found"


def _import(emu: EmulatorThread, c: httpx.Client, data: bytes) -> str:
    reg = c.post("/api/v2/flows/jobs", json={})
    assert reg.status_code == 200, reg.text
    body = reg.json()
    assert body["presignedUrl"].startswith(
        emu.base("genesys", "prod") if "prod" in str(c.base_url) else emu.base("genesys", "dev")
    )
    jid = str(body["id"])
    assert c.get(f"/api/v2/flows/jobs/{jid}").json()["status"] == "Registered"
    put = httpx.put(body["presignedUrl"], content=data, headers=body["headers"])
    assert put.status_code == 200, put.text
    return jid


def test_import_updates_a_flow_matched_by_name_as_a_new_unpublished_version(
    emu: EmulatorThread, dev: httpx.Client, prod: httpx.Client
) -> None:
    """A dev export imported into prod becomes a new checked-in version of the same prod flow."""
    dev_id, prod_id = flow_id(dev, "Main Line IVR"), flow_id(prod, "Main Line IVR")
    config = dev.get(f"/api/v2/flows/{dev_id}/versions/4.0/configuration").json()
    before = prod.get(f"/api/v2/flows/{prod_id}").json()
    jid = _import(emu, prod, json.dumps(config).encode())
    assert prod.get(f"/api/v2/flows/jobs/{jid}").json()["status"] == "Started"
    emu.ctx.clock.advance(5)
    state = prod.get(f"/api/v2/flows/jobs/{jid}", params={"expand": "messages"}).json()
    assert state["status"] == "Success" and state["command"] == "Update"
    assert state["messages"] == []
    assert state["flow"]["id"] == prod_id
    after = prod.get(f"/api/v2/flows/{prod_id}").json()
    assert after["publishedVersion"]["id"] == before["publishedVersion"]["id"]
    new = after["checkedInVersion"]["id"]
    assert (
        new != before["checkedInVersion"]["id"] and after["checkedInVersion"]["type"] == "CHECKIN"
    )
    imported = prod.get(f"/api/v2/flows/{prod_id}/versions/{new}/configuration").json()
    assert imported["name"] == "Main Line IVR" and "id" not in imported
    prod_queues = {
        r.id for r in emu.ctx.tenant("genesys", "prod").resources.values() if r.kind == "QUEUE"
    }
    queues = {r["id"] for _, r in architect.refs(imported) if r["kind"] == "queue"}
    assert queues and queues <= prod_queues  # bound by name, in the manifest and typed values
    assert not {r["id"] for _, r in architect.refs(config)} & set(
        json.dumps(imported).split('"')
    )  # no dev id is left anywhere
    assert [r["resource"] for r in ledger(emu, "genesys.flow.import")] == [jid]


def test_import_of_a_new_flow_creates_it(
    emu: EmulatorThread, dev: httpx.Client, prod: httpx.Client
) -> None:
    """A flow prod does not have gets a new id there."""
    config = dev.get(f"/api/v2/flows/{flow_id(dev, 'Sales Line IVR')}/latestconfiguration").json()
    jid = _import(emu, prod, yaml.safe_dump(config).encode())
    emu.ctx.clock.advance(5)
    state = prod.get(f"/api/v2/flows/jobs/{jid}").json()
    assert state["status"] == "Success" and state["command"] == "Create"
    new_id = state["flow"]["id"]
    assert new_id != flow_id(dev, "Sales Line IVR") and flow_id(prod, "Sales Line IVR") == new_id
    assert "publishedVersion" not in prod.get(f"/api/v2/flows/{new_id}").json()


def test_import_failures(emu: EmulatorThread, prod: httpx.Client) -> None:
    """A file that is not a flow fails the job with the reason; so does an injected fault."""
    jid = _import(emu, prod, b"this: [is not a flow")
    emu.ctx.clock.advance(5)
    bad = prod.get(f"/api/v2/flows/jobs/{jid}", params={"expand": "messages"}).json()
    assert bad["status"] == "Failure" and "neither JSON nor YAML" in bad["messages"][0]["text"]
    scenario(emu, {"vendor": "genesys", "action": "job_fail", "job": "import", "reason": "quota"})
    doc = {
        "name": "X",
        "type": "inboundcall",
        "initialSequence": "s",
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "s",
                "name": "S",
                "startAction": "a",
                "actionList": [{"__type": "DisconnectAction", "id": "a", "name": "A"}],
            }
        ],
    }
    jid = _import(emu, prod, json.dumps(doc).encode())
    emu.ctx.clock.advance(5)
    failed = prod.get(f"/api/v2/flows/jobs/{jid}", params={"expand": "messages"}).json()
    assert failed["status"] == "Failure" and failed["messages"] == [
        {"type": "Error", "text": "quota"}
    ]
    names = {f["name"] for f in prod.get("/api/v2/flows?pageSize=100").json()["entities"]}
    assert "X" not in names


def _validate(emu: EmulatorThread, dev: httpx.Client, name: str) -> dict[str, Any]:
    r = dev.post(
        "/api/v2/flows/validate/jobs", json={"flows": [{"flow": {"id": flow_id(dev, name)}}]}
    )
    assert r.status_code == 200 and r.json()["status"] == "Registered"
    jid = r.json()["id"]
    emu.ctx.clock.advance(1)
    assert dev.get(f"/api/v2/flows/validate/jobs/{jid}").json()["status"] == "Started"
    emu.ctx.clock.advance(5)
    url = f"/api/v2/flows/validate/jobs/{jid}"
    assert "messages" not in dev.get(url).json()  # only with expand=messages
    return dict(dev.get(url, params={"expand": "messages"}).json())


def test_validate_maps_findings_to_nodes(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Validation names the node of each problem: a deleted data action, unreachable actions."""
    clean = _validate(emu, dev, "Main Line IVR")
    assert clean["status"] == "Success" and clean["messages"] == []
    deleted = _validate(emu, dev, "Flawed - Deleted Data Action")
    assert [(m["type"], "node a-legacy-lookup:" in m["text"]) for m in deleted["messages"]] == [
        ("Error", True)
    ]
    unreachable = _validate(emu, dev, "Flawed - Unreachable Nodes")
    nodes = sorted(m["text"].split("node ")[1].split(":")[0] for m in unreachable["messages"])
    assert nodes == ["a-legacy-announcement", "a-old-promo"]
    assert {m["type"] for m in unreachable["messages"]} == {"Warning"}


def test_validate_failure_via_fault(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A job_fail fault on "validate" reports Failure with the reason."""
    scenario(emu, {"vendor": "genesys", "action": "job_fail", "job": "validate", "reason": "nope"})
    body = _validate(emu, dev, "Main Line IVR")
    assert body["status"] == "Failure" and body["messages"][0]["text"] == "nope"
