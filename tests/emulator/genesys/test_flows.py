"""Flows, versions and configurations: paging to the end, filters, and the flow actions."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import client, flow_id, ledger, scenario
from tests.helpers import architect


def test_paging_to_the_end_via_next_uri(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Following nextUri visits every flow once; the last page has no nextUri."""
    seen: list[str] = []
    url: str | None = "/api/v2/flows?pageSize=4&pageNumber=1"
    pages = 0
    while url:
        body = dev.get(url).json()
        assert body["pageSize"] == 4 and body["pageNumber"] == pages + 1
        assert body["firstUri"].startswith("/api/v2/flows?") and body["selfUri"]
        seen.extend(f["id"] for f in body["entities"])
        url = body.get("nextUri")
        pages += 1
        if pages > 1:
            assert body["previousUri"].startswith("/api/v2/flows?")
    total = len(emu.ctx.tenant("genesys", "dev").flows)
    assert len(seen) == len(set(seen)) == total == body["total"]
    assert pages == body["pageCount"] == -(-total // 4)
    assert body["lastUri"] == body["selfUri"]


def test_type_and_name_filters(dev: httpx.Client) -> None:
    """type= keeps one flow type (repeatable); name= is a case-insensitive prefix or glob."""
    bots = dev.get("/api/v2/flows", params={"type": "DIGITALBOT"}).json()
    assert bots["total"] >= 2 and {f["type"] for f in bots["entities"]} == {"DIGITALBOT"}
    both = dev.get("/api/v2/flows", params=[("type", "DIGITALBOT"), ("type", "INQUEUECALL")])
    assert {f["type"] for f in both.json()["entities"]} == {"DIGITALBOT", "INQUEUECALL"}
    flawed = dev.get("/api/v2/flows", params={"name": "flawed - module*", "pageSize": 100})
    assert sorted(f["name"] for f in flawed.json()["entities"]) == [
        "Flawed - Module Cycle A",
        "Flawed - Module Cycle B",
        "Flawed - Module Cycle C",
    ]
    assert "type=DIGITALBOT" in bots["firstUri"]


def test_versions_and_configurations(dev: httpx.Client) -> None:
    """Versions page newest first; each version's configuration and latestconfiguration match."""
    fid = flow_id(dev, "Main Line IVR")
    versions = dev.get(f"/api/v2/flows/{fid}/versions", params={"pageSize": 2}).json()
    assert [v["id"] for v in versions["entities"]] == ["4.0", "3.0"]
    assert versions["nextUri"] == f"/api/v2/flows/{fid}/versions?pageNumber=2&pageSize=2"
    one = dev.get(f"/api/v2/flows/{fid}/versions/3.0").json()
    assert one["type"] == "PUBLISH" and one["configurationUri"].endswith("/3.0/configuration")
    config = dev.get(one["configurationUri"]).json()
    # Architect's document names the flow but carries no id or version: v3 has the Sales
    # choice, only v4 (the latest) the transfer to the Support Line.
    assert "id" not in config and "version" not in config and config["name"] == "Main Line IVR"
    acts = {a["id"] for a in architect.actions(config)}
    assert "a-xfer-sales" in acts and "a-to-support-line" not in acts
    latest = dev.get(f"/api/v2/flows/{fid}/latestconfiguration").json()
    assert "a-to-support-line" in {a["id"] for a in architect.actions(latest)}
    assert dev.get(f"/api/v2/flows/{fid}/versions/9.0").status_code == 404


def _publish_status(dev: httpx.Client, fid: str) -> dict[str, object]:
    op = dev.get(f"/api/v2/flows/{fid}").json()["currentOperation"]
    assert op["actionName"] == "PUBLISH"
    return dict(op)


def test_publish_completes_on_the_clock_and_is_in_the_ledger(
    emu: EmulatorThread, dev: httpx.Client
) -> None:
    """Publishing the pending version moves actionStatus to SUCCESS and records an effect."""
    fid = flow_id(dev, "Order Status Bot")
    before = dev.get(f"/api/v2/flows/{fid}").json()
    assert before["publishedVersion"]["id"] == "2.0" and before["checkedInVersion"]["id"] == "3.0"
    op = dev.post("/api/v2/flows/actions/publish", params={"flow": fid}).json()
    assert op["actionName"] == "PUBLISH" and op["actionStatus"] == "STARTED" and not op["complete"]
    assert _publish_status(dev, fid)["actionStatus"] == "STARTED"
    emu.ctx.clock.advance(1.2)
    assert _publish_status(dev, fid)["actionStatus"] == "PENDING_GENERATION"
    emu.ctx.clock.advance(5)
    done = _publish_status(dev, fid)
    assert done["actionStatus"] == "SUCCESS" and done["complete"] is True
    after = dev.get(f"/api/v2/flows/{fid}").json()
    assert after["publishedVersion"]["id"] == "3.0"
    rows = ledger(emu, "genesys.flow.publish")
    assert [r["resource"] for r in rows] == [fid]


def test_publish_failure_names_the_reason(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A job_fail fault on "publish" ends the operation in FAILURE with the reason."""
    scenario(emu, {"vendor": "genesys", "action": "job_fail", "job": "publish", "reason": "boom"})
    fid = flow_id(dev, "Order Status Bot")
    dev.post("/api/v2/flows/actions/publish", params={"flow": fid})
    emu.ctx.clock.advance(10)
    op = _publish_status(dev, fid)
    assert op["actionStatus"] == "FAILURE" and op["errorMessage"] == "boom"
    assert dev.get(f"/api/v2/flows/{fid}").json()["publishedVersion"]["id"] == "2.0"


def test_checkout_locks_against_other_clients(emu: EmulatorThread, dev: httpx.Client) -> None:
    """A checked-out flow refuses another client's checkout and publish until checked in."""
    fid = flow_id(dev, "Main Line IVR")
    out = dev.post("/api/v2/flows/actions/checkout", params={"flow": fid})
    assert out.status_code == 200 and out.json()["lockedClient"]["id"] == "genesys-dev-admin"
    httpx.put(
        f"{emu.base('genesys', 'dev')}/_emulator/locks",
        json={"flowId": fid, "client": "someone-else"},
    )
    assert dev.post("/api/v2/flows/actions/publish", params={"flow": fid}).status_code == 409
    httpx.put(f"{emu.base('genesys', 'dev')}/_emulator/locks", json={"flowId": fid, "client": None})
    dev.post("/api/v2/flows/actions/checkout", params={"flow": fid})
    checkin = dev.post("/api/v2/flows/actions/checkin", params={"flow": fid}).json()
    assert checkin["actionName"] == "CHECKIN" and checkin["actionStatus"] == "SUCCESS"
    assert "lockedClient" not in dev.get(f"/api/v2/flows/{fid}").json()
    effects = [r["effect"] for r in ledger(emu) if r["effect"]]
    assert effects == ["genesys.flow.checkout", "genesys.flow.checkout", "genesys.flow.checkin"]


def test_revert_goes_back_to_the_previous_published_version(
    emu: EmulatorThread, dev: httpx.Client
) -> None:
    """revert publishes the version published before the current one; a lone version cannot."""
    fid = flow_id(dev, "Main Line IVR")
    flow = dev.post("/api/v2/flows/actions/revert", params={"flow": fid}).json()
    assert flow["publishedVersion"]["id"] == "3.0"
    again = dev.post("/api/v2/flows/actions/revert", params={"flow": fid}).json()
    assert again["publishedVersion"]["id"] == "2.0"
    dev.post("/api/v2/flows/actions/publish", params={"flow": fid, "version": "2.0"})
    emu.ctx.clock.advance(5)  # publishing what already runs leaves the history alone
    third = dev.post("/api/v2/flows/actions/revert", params={"flow": fid}).json()
    assert third["publishedVersion"]["id"] == "1.0"
    single = flow_id(dev, "Default In-Queue")
    assert dev.post("/api/v2/flows/actions/revert", params={"flow": single}).status_code == 400
    assert len(ledger(emu, "genesys.flow.revert")) == 3


def test_prod_holds_older_versions_of_dev_flows(emu: EmulatorThread) -> None:
    """prod has the same flow names with fewer versions and its own ids."""
    with client(emu, "dev") as dev, client(emu, "prod") as prod:
        dev_id, prod_id = flow_id(dev, "Main Line IVR"), flow_id(prod, "Main Line IVR")
        assert dev_id != prod_id
        dev_v = dev.get(f"/api/v2/flows/{dev_id}").json()["publishedVersion"]["id"]
        prod_v = prod.get(f"/api/v2/flows/{prod_id}").json()["publishedVersion"]["id"]
        assert float(prod_v) < float(dev_v)
        names = {f["name"] for f in prod.get("/api/v2/flows?pageSize=100").json()["entities"]}
        assert not any(n.startswith("Flawed") for n in names) and "Sales Line IVR" not in names
