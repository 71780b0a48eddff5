"""The per-tenant test controls: summary with flaws, and refusal of malformed settings."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread
from cxops.emulator.genesys.fixtures import flaws


def test_summary_lists_flows_and_the_dev_flaws(emu: EmulatorThread) -> None:
    """dev's summary carries its flaws (for the running seed); prod's has none."""
    dev = httpx.get(f"{emu.base('genesys', 'dev')}/_emulator/summary").json()
    org = emu.ctx.tenant("genesys", "dev")
    assert dev["summary"] == org.summary()
    assert dev["flows"] == {f.name: f.id for f in org.flows.values()}
    assert dev["flaws"] == flaws(emu.ctx.config.seed)
    prod = httpx.get(f"{emu.base('genesys', 'prod')}/_emulator/summary").json()
    assert prod["flaws"] == [] and len(prod["flows"]) < len(dev["flows"])


def test_malformed_control_bodies_are_refused(emu: EmulatorThread) -> None:
    """Unknown flows, negative counts and unknown states are 400s that change nothing."""
    base = f"{emu.base('genesys', 'dev')}/_emulator"
    assert (
        httpx.put(f"{base}/observations", json={"flows": {"nope": {"active": 1}}}).status_code
        == 400
    )
    fid = next(iter(emu.ctx.tenant("genesys", "dev").flows))
    negative = httpx.put(f"{base}/observations", json={"flows": {fid: {"active": -1}}})
    assert negative.status_code == 400
    assert httpx.get(f"{base}/observations").json() == {"flows": {}}
    assert httpx.put(f"{base}/health", json={"flowId": fid, "status": "Sad"}).status_code == 400
    assert httpx.put(f"{base}/dependencytracking", json={"status": "DONE"}).status_code == 400
    assert httpx.put(f"{base}/locks", json={"flowId": "nope"}).status_code == 400


def test_health_overrides_can_be_cleared(emu: EmulatorThread) -> None:
    """DELETE on the health control removes every override."""
    base = f"{emu.base('genesys', 'dev')}/_emulator"
    fid = next(iter(emu.ctx.tenant("genesys", "dev").flows))
    set_ = httpx.put(f"{base}/health", json={"flowId": fid, "status": "Error"}).json()
    assert set_["overrides"] == [{"flowId": fid, "versionId": None, "status": "Error"}]
    assert httpx.delete(f"{base}/health").json() == {"overrides": []}
    assert emu.ctx.tenant("genesys", "dev").health == {}
