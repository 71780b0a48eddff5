"""The three adapters against the emulator's fixture tenants, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.cognigy.fixtures import FLAWS as COGNIGY_FLAWS
from cxops.emulator.cxone.fixtures import FLAWS as CXONE_FLAWS
from cxops.emulator.genesys.fixtures import FLAWS as GENESYS_FLAWS
from cxops.model.bundle import Bundle
from cxops.model.canonical import content_hash
from cxops.model.native import cognigy, cxone, genesys
from cxops.vendors import pick_project
from tests.analysis.native_fetch import cognigy_projects, cxone_scripts, genesys_divisions
from tests.vendors.conftest import connected, export_all, ledger

FLAWS: dict[str, list[dict[str, Any]]] = {
    "cognigy": COGNIGY_FLAWS,
    "cxone": CXONE_FLAWS,
    "genesys": GENESYS_FLAWS,
}


def _reference(emu: EmulatorThread, vendor: str, tenant: str) -> list[Bundle]:
    """The same tenant fetched by the analysis tests' independent httpx code (Cognigy: from a
    packaged snapshot, not the REST reads the adapter uses) and converted."""
    base = emu.base(vendor, tenant)
    if vendor == "cognigy":
        # Snapshot and package tasks end in a blink. Only here: at this speed an access token
        # lives a fraction of a second, which a fetch on a busy machine can outlast (a 401).
        emu.ctx.clock.set_speed(10_000)
        return [cognigy.to_bundle(p, tenant=tenant) for p in cognigy_projects(base, tenant)]
    if vendor == "cxone":
        return [cxone.to_bundle(cxone_scripts(base, tenant), tenant=tenant)]
    divisions = genesys_divisions(base, tenant)
    for division in divisions:  # dependencies are a set; the adapter sorts them
        for flow in division["flows"]:
            flow["consumed"].sort(key=lambda d: (d["type"], d["id"]))
    return [genesys.to_bundle(d, tenant=tenant) for d in divisions]


@pytest.mark.parametrize("tenant", ["dev", "prod"])
@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
async def test_every_fixture_tenant_exports_like_an_independent_fetch(
    emu: EmulatorThread, vendor: str, tenant: str
) -> None:
    """Every project of every fixture tenant exports without error, without a vendor-side
    effect, and gives the same flows as the independent fetch; FLAWS projects and flows are
    where the bundles put them."""
    async with connected(emu, vendor, tenant) as (_, adapter):
        bundles = await export_all(adapter)
    assert bundles and all(b.vendor == vendor and b.tenant == tenant for b in bundles.values())
    assert [e for e in ledger(emu, vendor) if e.get("effect")] == []
    reference = _reference(emu, vendor, tenant)
    if vendor == "cxone":  # one reference bundle; the adapter splits by top-level folder
        mine = {f.id: f.model_dump() for b in bundles.values() for f in b.flows}
        assert mine.keys() == {f.id for f in reference[0].flows}
        for flow in reference[0].flows:
            assert mine[flow.id]["nodes"] == flow.model_dump()["nodes"], flow.id
            assert mine[flow.id]["properties"] == flow.model_dump()["properties"], flow.id
    else:
        assert {b.project: content_hash(b) for b in reference} == {
            k: content_hash(b) for k, b in bundles.items()
        }
    for flaw in (f for f in FLAWS[vendor] if f["tenant"] == tenant):
        bundle = bundles[flaw["project"]]
        vendor_ids = {str(f.properties.get("_id", f.id)) for f in bundle.flows}
        assert flaw["flow"] in vendor_ids, flaw


async def test_same_export_twice_gives_the_same_hash(emu: EmulatorThread) -> None:
    """Exporting unchanged content twice (concurrent requests answer in any order) gives the
    same content hash for every project."""
    for vendor in ("cxone", "genesys", "cognigy"):
        async with connected(emu, vendor) as (_, adapter):
            projects = await adapter.list_projects()
            if vendor == "cognigy":
                projects = [p for p in projects if p.name == "Appointment Booking"]
            first = [content_hash(await adapter.export_project(p)) for p in projects]
            second = [content_hash(await adapter.export_project(p)) for p in projects]
        assert first == second and len(set(first)) == len(first), vendor


async def test_exports_under_injected_faults_give_the_same_bundles(emu: EmulatorThread) -> None:
    """With ~15% of API calls answered 429/503/502 or reset, every export still succeeds and
    gives the same content hashes as a clean one (the transport retries; reads are safe)."""
    paths = {"genesys": "/api/v2/*", "cognigy": "/new/v2.0/*", "cxone": "/inContactAPI/*"}
    names = {"cognigy": "Appointment Booking", "cxone": "Common", "genesys": "Home"}
    clean: dict[str, str] = {}
    for vendor in paths:
        async with connected(emu, vendor) as (_, adapter):
            project = pick_project(await adapter.list_projects(), names[vendor])
            clean[vendor] = content_hash(await adapter.export_project(project))
    rules: list[dict[str, object]] = []
    for vendor, path in paths.items():
        base = {"vendor": vendor, "path": path}
        rules += [
            {**base, "action": "error", "status": 429, "rate": 0.04, "retry_after": 1},
            {**base, "action": "error", "status": 503, "rate": 0.05},
            {**base, "action": "error", "status": 502, "rate": 0.03},
            {**base, "action": "reset", "rate": 0.03},
        ]
    httpx.post(
        f"{emu.url}/_emulator/scenario", json={"seed": 5, "faults": rules}
    ).raise_for_status()
    for vendor in paths:
        async with connected(emu, vendor) as (_, adapter):
            project = pick_project(await adapter.list_projects(), names[vendor])
            assert content_hash(await adapter.export_project(project)) == clean[vendor]
    faulted = httpx.get(f"{emu.url}/_emulator/requests").json()["entries"]
    assert any(e.get("fault") for e in faulted)
