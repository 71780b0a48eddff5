"""Adapter edges: flow scope, empty projects, archives, dependency tracking, progress."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.cognigy.model import empty_content
from cxops.errors import UsageError, VendorError
from cxops.model.layout import bundle_dir
from cxops.sinks.git import GitRepo
from cxops.vendors import ADAPTERS, ProjectRef, pick_project
from tests.vendors.conftest import connected, ledger

CXONE = "/inContactAPI/services/v31.0"


def test_one_adapter_per_vendor() -> None:
    """ADAPTERS lists the three vendors, each class naming itself."""
    assert {k: v.name for k, v in ADAPTERS.items()} == {
        "cognigy": "cognigy",
        "cxone": "cxone",
        "genesys": "genesys",
    }


@pytest.mark.parametrize(
    ("vendor", "project"),
    [("cognigy", "Billing Assistant"), ("cxone", "Common"), ("genesys", "Home")],
)
async def test_flow_scope_by_id_or_name_and_unknown_names_refused(
    emu: EmulatorThread, vendor: str, project: str
) -> None:
    """``flows`` picks flows by id or name (exactly those are exported); an entry matching
    nothing is a UsageError naming it."""
    async with connected(emu, vendor) as (_, adapter):
        ref = pick_project(await adapter.list_projects(), project)
        flows = await adapter.list_flows(ref)
        assert len(flows) >= 3
        wanted = [flows[0].id, flows[2].name]
        bundle = await adapter.export_project(ref, flows=wanted)
        got = sorted(str(f.properties.get("_id", f.id)) for f in bundle.flows)
        assert got == sorted([flows[0].id, flows[2].id])
        with pytest.raises(UsageError, match="no flow 'Nope', 'Nix'"):
            await adapter.export_project(ref, flows=[flows[1].name, "Nope", "Nix"])
        with pytest.raises(UsageError, match="no project 'Nowhere'"):
            pick_project(await adapter.list_projects(), "Nowhere")


async def test_progress_reports_every_flow(emu: EmulatorThread) -> None:
    """on_progress goes from 0 to the number of flows, one call per flow."""
    seen: list[tuple[str, int, int]] = []
    async with connected(emu, "genesys") as (_, adapter):
        home = pick_project(await adapter.list_projects(), "Home")
        bundle = await adapter.export_project(home, on_progress=lambda *a: seen.append(a))
    total = len(bundle.flows)
    assert seen[0] == ("flows", 0, total)
    assert sorted(d for _, d, _ in seen) == list(range(total + 1))


@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
async def test_empty_projects_export_an_empty_bundle(
    emu: EmulatorThread, tmp_path: Path, vendor: str
) -> None:
    """A project with no flows exports an empty bundle that the git sink writes and commits."""
    empty = ProjectRef(id="empty-project", name="Empty")
    if vendor == "cognigy":
        tenant = emu.ctx.tenants["cognigy"]["dev"]
        doc = copy.deepcopy(next(iter(tenant.projects.values())))
        doc.update(_id="aaaaaaaaaaaaaaaaaaaaaaaa", name="Empty")
        tenant.projects[doc["_id"]] = doc
        tenant.content[doc["_id"]] = empty_content()
        empty = ProjectRef(id=doc["_id"], name="Empty")
    async with connected(emu, vendor) as (_, adapter):
        if vendor == "cognigy":
            assert empty in await adapter.list_projects()
        bundle = await adapter.export_project(empty)
    assert bundle.flows == [] and bundle.vendor == vendor
    repo = GitRepo.open_or_init(tmp_path)
    repo.write_bundle(bundle)
    repo.write_lock()
    assert repo.commit("empty") is not None
    assert (repo.root / bundle_dir(bundle) / "_bundle.json").is_file()


async def test_flows_deleted_upstream_leave_the_repository(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """A CXone script deleted on the vendor disappears from the next export and from git."""
    repo = GitRepo.open_or_init(tmp_path)
    async with connected(emu, "cxone") as (client, adapter):
        common = pick_project(await adapter.list_projects(), "Common")
        repo.write_bundle(await adapter.export_project(common))
        repo.commit("first")
        victim = sorted(f.id for f in await adapter.list_flows(common))[-1]
        await client.request("DELETE", f"{CXONE}/scripts", params={"scriptPath": victim})
        changes = repo.write_bundle(await adapter.export_project(common))
    assert changes.removed == [victim] and not changes.changed
    sha = repo.commit("second")
    assert sha is not None and len(repo.changed_files(sha)) == 2  # the flow and _bundle.json


async def test_genesys_export_waits_for_dependency_tracking(emu: EmulatorThread) -> None:
    """A dependency build that is not OPERATIONAL stops the export with a hint to rebuild;
    cxops never starts a build itself."""
    control = f"{emu.base('genesys', 'dev')}/_emulator/dependencytracking"
    httpx.put(control, json={"status": "NOTBUILT"}).raise_for_status()
    async with connected(emu, "genesys") as (_, adapter):
        home = pick_project(await adapter.list_projects(), "Home")
        with pytest.raises(VendorError, match="NOTBUILT, not OPERATIONAL") as info:
            await adapter.export_project(home)
    assert "dependencytracking/build" in (info.value.hint or "")
    assert [e for e in ledger(emu, "genesys") if e.get("effect")] == []


@pytest.mark.parametrize("vendor", ["cognigy", "cxone", "genesys"])
async def test_archives_hold_the_projects_flows(emu: EmulatorThread, vendor: str) -> None:
    """archive_project gives the vendor's own file: a Cognigy package zip (content.json), a
    zip of CXone script JSON, a Genesys Architect export (a zip of configurations)."""
    emu.ctx.clock.set_speed(1_000)  # Cognigy tasks and Genesys jobs run on the emulator clock
    name = {"cognigy": "Appointment Booking", "cxone": "Billing", "genesys": "Home"}[vendor]
    async with connected(emu, vendor) as (_, adapter):
        project = pick_project(await adapter.list_projects(), name)
        flows = await adapter.list_flows(project)
        file_name, data = await adapter.archive_project(project)
    assert file_name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.namelist()
        if vendor == "cognigy":
            content = json.loads(zf.read("content.json"))
            assert sorted(content["flows"]) == sorted(f.id for f in flows)
        else:
            assert len(members) == len(flows)
    if vendor == "cxone":
        async with connected(emu, vendor) as (_, adapter):
            again = await adapter.archive_project(project)
        assert again == (file_name, data)  # fixed member dates: same scripts, same bytes
