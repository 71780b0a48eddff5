"""Promotion and rollback over real HTTP: packages move content dev → prod, merge and restore
really change the project, endpoints re-point, and each effect is in the ledger and audit log.
"""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client, finish, named, project_id


def _flows(c: httpx.Client, pid: str) -> dict[str, dict[str, Any]]:
    items = c.get("/new/v2.0/flows", params={"projectId": pid, "limit": 100}).json()["items"]
    return {f["referenceId"]: f for f in items}


def _greeting(c: httpx.Client, flow_id: str) -> str:
    chart = c.get(f"/new/v2.0/flows/{flow_id}/chart").json()
    say = next(n for n in chart["nodes"] if n["label"] == "Greeting")
    node = c.get(f"/new/v2.0/flows/{flow_id}/chart/nodes/{say['_id']}").json()
    text: str = node["config"]["say"]["text"][0]
    return text


def _promote(emu: EmulatorThread, dev: httpx.Client, prod: httpx.Client, strategy: str) -> Any:
    dpid, ppid = project_id(dev, "Billing Assistant"), project_id(prod, "Billing Assistant")
    ids = [f["_id"] for f in _flows(dev, dpid).values()]
    made = finish(
        emu,
        dev,
        dev.post(
            "/new/v2.0/packages", json={"projectId": dpid, "name": "release-2", "resourceIds": ids}
        ).json(),
    )
    assert made["status"] == "done"
    assert "packageId" not in made["data"]  # untyped data: found by name
    link = dev.post(f"/new/v2.0/packages/{named(dev, 'packages', dpid, 'release-2')}/downloadlink")
    link = link.json()
    blob = httpx.get(link["downloadLink"])
    assert blob.status_code == 200 and blob.content[:2] == b"PK"
    up = prod.post(
        "/new/v2.0/packages/upload",
        data={"projectId": ppid},
        files={"file": ("release-2.zip", blob.content, "application/zip")},
    )
    assert up.status_code == 202
    assert finish(emu, prod, up.json())["status"] == "done"
    pkg = named(prod, "packages", ppid, "release-2")  # the name the file carries
    strategies = [{"_id": i, "identityConflictStrategy": strategy} for i in ids]
    merged = finish(
        emu,
        prod,
        prod.post(
            f"/new/v2.0/packages/{pkg}/merge",
            json={"resourceIds": [], "strategies": strategies, "localeMapping": []},
        ).json(),
    )
    return ppid, merged


def test_merge_with_replace_brings_dev_content_to_prod(
    emu: EmulatorThread, cognigy: Client
) -> None:
    """After merge(replace), prod serves dev's flows: the new flow and the new wording."""
    dev, prod = cognigy("dev"), cognigy("prod")
    dpid, ppid = project_id(dev, "Billing Assistant"), project_id(prod, "Billing Assistant")
    dev_flows, before = _flows(dev, dpid), _flows(prod, ppid)
    assert len(before) == len(dev_flows) - 1
    main = next(r for r, f in dev_flows.items() if f["name"] == "Main")
    assert _greeting(prod, before[main]["_id"]) != _greeting(dev, dev_flows[main]["_id"])
    ppid, merged = _promote(emu, dev, prod, "replace")
    assert merged["status"] == "done", merged
    after = _flows(prod, ppid)
    assert set(after) == set(dev_flows)
    assert after[main]["_id"] == before[main]["_id"]  # replaced in place
    assert _greeting(prod, after[main]["_id"]) == _greeting(dev, dev_flows[main]["_id"])
    ledger = httpx.get(emu.url + "/_emulator/ledger", params={"vendor": "cognigy"}).json()
    effects = [e["effect"] for e in ledger["entries"] if e["effect"]]
    assert effects == ["cognigy.package.create", "cognigy.package.upload", "cognigy.package.merge"]
    audit = prod.get("/new/v2.0/auditevents").json()["items"]
    assert [a["payload"]["effect"] for a in audit] == effects[1:]


def test_merge_abort_fails_on_conflict_and_changes_nothing(
    emu: EmulatorThread, cognigy: Client
) -> None:
    """The default abort strategy fails the merge task on the first identity conflict."""
    dev, prod = cognigy("dev"), cognigy("prod")
    before = _flows(prod, project_id(prod, "Billing Assistant"))
    ppid, merged = _promote(emu, dev, prod, "abort")
    assert merged["status"] == "error" and "Identity conflict" in merged["failReason"]
    assert _flows(prod, ppid) == before


def test_merge_reidentify_keeps_both(emu: EmulatorThread, cognigy: Client) -> None:
    """re-identify imports conflicting flows next to the originals under new names."""
    dev, prod = cognigy("dev"), cognigy("prod")
    before = _flows(prod, project_id(prod, "Billing Assistant"))
    ppid, merged = _promote(emu, dev, prod, "re-identify")
    assert merged["status"] == "done"
    after = _flows(prod, ppid)
    assert len(after) == 2 * len(before) + 1
    assert "Main (1)" in {f["name"] for f in after.values()}


def test_restore_snapshot_rolls_content_back(emu: EmulatorThread, cognigy: Client) -> None:
    """Restoring the pre-promotion snapshot puts the old flows back."""
    dev, prod = cognigy("dev"), cognigy("prod")
    ppid = project_id(prod, "Billing Assistant")
    before = _flows(prod, ppid)
    snap = prod.get("/new/v2.0/snapshots", params={"projectId": ppid}).json()["items"][0]
    _promote(emu, dev, prod, "replace")
    assert _flows(prod, ppid) != before
    task = finish(emu, prod, prod.post(f"/new/v2.0/snapshots/{snap['_id']}/restore").json())
    assert task["status"] == "done"
    assert _flows(prod, ppid) == before


def test_endpoint_repoint_to_snapshot_is_an_effect(emu: EmulatorThread, cognigy: Client) -> None:
    """PATCHing an endpoint's entrypoint to a snapshot re-points it and is recorded."""
    prod = cognigy("prod")
    ep = prod.get("/new/v2.0/endpoints").json()["items"][0]
    snap = prod.get("/new/v2.0/snapshots").json()["items"][0]
    assert (
        prod.patch(f"/new/v2.0/endpoints/{ep['_id']}", json={"entrypoint": "nope"}).status_code
        == 400
    )
    r = prod.patch(f"/new/v2.0/endpoints/{ep['_id']}", json={"entrypoint": snap["_id"]})
    assert r.status_code == 200 and r.json() == {}  # IUpdateEndpointRestReturnValue_2_0
    assert "entrypoint" not in ep  # the listing has no entrypoint: read the endpoint
    assert prod.get(f"/new/v2.0/endpoints/{ep['_id']}").json()["entrypoint"] == snap["_id"]
    ledger = httpx.get(
        emu.url + "/_emulator/ledger", params={"effect": "cognigy.endpoint.repoint"}
    ).json()
    assert ledger["total"] == 1 and ledger["entries"][0]["resource"] == ep["_id"]


def test_snapshot_package_download_upload_round_trip(emu: EmulatorThread, cognigy: Client) -> None:
    """A packaged snapshot downloads as a zip that uploads as a new snapshot with equal hash."""
    prod = cognigy("prod")
    snap = prod.get("/new/v2.0/snapshots").json()["items"][0]
    assert prod.post(f"/new/v2.0/snapshots/{snap['_id']}/downloadlink").status_code == 400
    assert (
        finish(emu, prod, prod.post(f"/new/v2.0/snapshots/{snap['_id']}/package").json())["status"]
        == "done"
    )
    link = prod.post(f"/new/v2.0/snapshots/{snap['_id']}/downloadlink").json()["downloadLink"]
    assert httpx.get(link.split("?")[0]).status_code == 401
    blob = httpx.get(link).content
    pid = project_id(prod, "Appointment Booking")
    had = {r["_id"] for r in prod.get("/new/v2.0/snapshots").json()["items"]}
    task = finish(
        emu,
        prod,
        prod.post(
            "/new/v2.0/snapshots/upload", data={"projectId": pid}, files={"file": ("s.zip", blob)}
        ).json(),
    )
    assert task["status"] == "done"
    rows = prod.get("/new/v2.0/snapshots", params={"projectId": pid}).json()["items"]
    new = next(r for r in rows if r["_id"] not in had)  # found by name: data names nothing
    assert new["hash"] == snap["hash"] and new["name"] == snap["name"]
    bad = prod.post(
        "/new/v2.0/snapshots/upload",
        data={"projectId": pid},
        files={"file": ("x.zip", b"not a zip")},
    )
    assert bad.status_code == 400


def test_merge_strategy_replace_content_vs_structure(emu: EmulatorThread, cognigy: Client) -> None:
    """merge/replaceContent updates shared nodes only; replaceStructure takes the whole chart."""
    dev, prod = cognigy("dev"), cognigy("prod")
    dpid, ppid = project_id(dev, "Billing Assistant"), project_id(prod, "Billing Assistant")
    dmain = next(f for f in _flows(dev, dpid).values() if f["name"] == "Main")
    pmain = _flows(prod, ppid)[dmain["referenceId"]]
    pkg_task = finish(
        emu,
        dev,
        dev.post(
            "/new/v2.0/packages",
            json={"projectId": dpid, "name": "main-only", "resourceIds": [dmain["_id"]]},
        ).json(),
    )
    assert pkg_task["status"] == "done"
    made = named(dev, "packages", dpid, "main-only")
    blob = httpx.get(dev.post(f"/new/v2.0/packages/{made}/downloadlink").json()["downloadLink"])
    up = prod.post(
        "/new/v2.0/packages/upload", data={"projectId": ppid}, files={"file": ("p", blob.content)}
    )
    assert finish(emu, prod, up.json())["status"] == "done"
    pkg = named(prod, "packages", ppid, "main-only")

    def merge(strategy: dict[str, bool]) -> None:
        task = finish(
            emu,
            prod,
            prod.post(
                f"/new/v2.0/packages/{pkg}/merge",
                json={
                    "resourceIds": [dmain["_id"]],
                    "localeMapping": [],
                    "strategies": [
                        {
                            "_id": dmain["_id"],
                            "identityConflictStrategy": "merge",
                            "mergeStrategy": {**strategy},
                        }
                    ],
                },
            ).json(),
        )
        assert task["status"] == "done"

    def chart(c: httpx.Client, fid: str) -> dict[str, Any]:
        body: dict[str, Any] = c.get(f"/new/v2.0/flows/{fid}/chart").json()
        return body

    before = chart(prod, pmain["_id"])
    merge({"replaceContent": True, "replaceStructure": False})
    assert chart(prod, pmain["_id"])["relations"] == before["relations"]
    assert _greeting(prod, pmain["_id"]) == _greeting(dev, dmain["_id"])
    merge({"replaceContent": False, "replaceStructure": True})
    assert chart(prod, pmain["_id"]) == chart(dev, dmain["_id"])
