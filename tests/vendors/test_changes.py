"""A change made in the emulator reaches git as exactly that flow's file (real git repos)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from cxops.emulator import EmulatorThread
from cxops.model.layout import bundle_dir, flow_file_names, slug
from cxops.sinks.git import GitRepo, commit_message
from cxops.transport import VendorClient, genesys_import_job, poll_job
from cxops.vendors import ProjectRef, VendorAdapter, pick_project
from tests.vendors.conftest import connected

CXONE = "/inContactAPI/services/v31.0"
Mutate = Callable[
    [EmulatorThread, VendorClient, VendorAdapter, ProjectRef], Awaitable[tuple[str, str]]
]


async def _cognigy_patch_node(
    emu: EmulatorThread, client: VendorClient, adapter: VendorAdapter, project: ProjectRef
) -> tuple[str, str]:
    """PATCH the label of a say node of the project's first flow; its referenceId."""
    flow = (await adapter.list_flows(project))[0]
    chart = await client.get_json(f"/new/v2.0/flows/{flow.id}/chart")
    node = next(n for n in chart["nodes"] if n["type"] == "say")
    url = f"/new/v2.0/flows/{flow.id}/chart/nodes/{node['_id']}"
    await client.request("PATCH", url, json={"label": "Changed by the test"})
    return flow.aliases[0], "Changed by the test"


async def _cxone_save_script(
    emu: EmulatorThread, client: VendorClient, adapter: VendorAdapter, project: ProjectRef
) -> tuple[str, str]:
    """Save the folder's first script with one action label changed; its path."""
    flow = (await adapter.list_flows(project))[0]
    script = await client.get_json(f"{CXONE}/scripts", params={"scriptPath": flow.id})
    key = sorted(script["actions"])[-1]
    script["actions"][key]["label"] = "Changed by the test"
    await client.request("POST", f"{CXONE}/scripts", json={"scriptContent": script}, accept=(206,))
    return flow.id, "Changed by the test"


async def _genesys_import(
    emu: EmulatorThread, client: VendorClient, adapter: VendorAdapter, project: ProjectRef
) -> tuple[str, str]:
    """Import a changed configuration of the division's first flow (a new checked-in
    version, not published); its id and the new version id, which the flow file lists while
    its configuration stays the published one."""
    flow = (await adapter.list_flows(project))[0]
    config = await client.get_json(f"/api/v2/flows/{flow.id}/latestconfiguration")
    config["description"] = "Changed by the test"
    job = await client.send_json("POST", "/api/v2/flows/jobs", {})
    data = json.dumps(config).encode()
    await client.request("PUT", job["presignedUrl"], content=data, headers=job["headers"])
    emu.ctx.clock.set_speed(1_000)
    await poll_job(client, genesys_import_job(job["id"]))
    entity = await client.get_json(f"/api/v2/flows/{flow.id}")
    return flow.id, f'"id": "{entity["checkedInVersion"]["id"]}"'  # the bundle keeps published


CASES: dict[str, tuple[str, Mutate]] = {
    "cognigy": ("Appointment Booking", _cognigy_patch_node),
    "cxone": ("Billing", _cxone_save_script),
    "genesys": ("Digital Channels", _genesys_import),
}


@pytest.mark.parametrize("vendor", sorted(CASES))
async def test_a_vendor_change_commits_exactly_that_flow(
    emu: EmulatorThread, tmp_path: Path, vendor: str
) -> None:
    """Export → commit; export again → no commit; change one flow on the vendor → the next
    commit holds that flow's file, the bundle file (its hash) and the lock, nothing else."""
    name, mutate = CASES[vendor]
    repo = GitRepo.open_or_init(tmp_path / "exports")
    async with connected(emu, vendor) as (client, adapter):
        project = pick_project(await adapter.list_projects(), name)

        async def export_and_commit(run: str) -> tuple[str | None, Any]:
            bundle = await adapter.export_project(project)
            changes = repo.write_bundle(bundle)
            repo.write_lock()
            message = commit_message(
                f"export {vendor}/{bundle.project}", run_id=run, changes=changes
            )
            return repo.commit(message), changes

        first, added = await export_and_commit("run-1")
        assert first is not None and added.added and not added.changed
        again, same = await export_and_commit("run-2")
        assert again is None and not same.any
        changed_id, marker = await mutate(emu, client, adapter, project)
        sha, changes = await export_and_commit("run-3")
    assert sha is not None
    assert (changes.added, changes.changed, changes.removed) == ([], [changed_id], [])
    stored = repo.read_bundle(vendor, project.key)
    assert stored is not None
    base, name = bundle_dir(stored), flow_file_names(stored.flows)[changed_id]
    assert base.endswith(f"/{slug(project.name)}")  # readable: the project's name (issue #16)
    assert repo.changed_files(sha) == sorted(
        [f"{base}/{name}", f"{base}/_bundle.json", "cxops.lock"]
    )
    assert marker in repo.git("show", sha, "--", f"{base}/{name}")
    assert repo.trailers(sha)["Cxops-Run-Id"] == "run-3"
