"""The lock gate: what is promoted must be what the repository's ``cxops.lock`` pins."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from cxops.analysis.evidence import gate_line
from cxops.analysis.lock import LOCK_FILE, build_lock, dumps_lock
from cxops.emulator import EmulatorThread
from cxops.model.bundle import Bundle
from cxops.pipelines.promote.gates import lock
from cxops.transport import TransportOptions, open_client
from cxops.vendors import adapter_for
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger
from tests.pipelines.promote.test_promote import promote


def _dev_bundle(emu: EmulatorThread) -> Bundle:
    dev = admin_settings(emu, "dev")

    async def read() -> Bundle:
        async with open_client(dev, TransportOptions(**FAST)) as client:
            adapter = adapter_for(client, dev)
            project = next(p for p in await adapter.list_projects() if p.name == PROJECT)
            return await adapter.export_project(project)

    return asyncio.run(read())


def _edit_a_dev_node(emu: EmulatorThread) -> tuple[str, str]:
    """Change one node's comment in dev (after the lock was written); the flow's id and name."""
    base, head = emu.base("cognigy", "dev"), {"X-API-Key": "cognigy-dev-admin-apikey"}
    projects = httpx.get(f"{base}/new/v2.0/projects", headers=head).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    flows = httpx.get(f"{base}/new/v2.0/flows", params={"projectId": pid}, headers=head)
    flow = flows.json()["items"][0]
    chart = httpx.get(f"{base}/new/v2.0/flows/{flow['_id']}/chart", headers=head).json()
    node = chart["nodes"][0]
    url = f"{base}/new/v2.0/flows/{flow['_id']}/chart/nodes/{node['_id']}"
    httpx.patch(url, json={"comment": "edited after the lock"}, headers=head).raise_for_status()
    return str(flow["referenceId"]), str(flow["name"])


def test_lock_gate_passes_on_the_locked_content_and_blocks_on_drift(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """Locked from dev's content: the gate passes; one node edited in dev afterwards: blocked,
    the drift names the flow (its evidence in words by name), nothing on prod changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / LOCK_FILE).write_text(dumps_lock(build_lock([_dev_bundle(fast_emu)])), "utf-8")
    out = promote(fast_emu, store_url, repo=repo, gates=("lock",), dry_run=True)
    [gate] = out["gates"]
    assert gate["gate"] == "lock" and gate["passed"], gate
    assert gate["locked_flows"] > 0 and gate["drift"] == []

    flow, name = _edit_a_dev_node(fast_emu)
    out = promote(fast_emu, store_url, repo=repo, gates=("lock",))
    assert out["outcome"] == "blocked" and out["blocked"] == ["lock"]
    [gate] = out["gates"]
    assert gate["drift_count"] >= 1 and any(flow in line for line in gate["drift"]), gate
    line, _ = gate_line(gate)
    assert line == f"lock: 1 flow drifted: '{name}' (re-export to update the lock)", line
    assert [r for r in ledger(fast_emu, "prod") if r.get("effect")] == []


def test_lock_gate_evidence_without_a_usable_lock(fast_emu: EmulatorThread) -> None:
    """No file, a broken file, a lock of other projects: each fails with its reason."""
    bundle = _dev_bundle(fast_emu)
    missing = lock(bundle, None, "repo/cxops.lock")
    assert not missing["passed"] and "no cxops.lock at repo/cxops.lock" in missing["error"]
    broken = lock(bundle, "lock_version = [", "repo/cxops.lock")
    assert not broken["passed"] and "not valid TOML" in broken["error"]
    other = bundle.model_copy(update={"project": "Somewhere Else"})
    foreign = lock(bundle, dumps_lock(build_lock([other])), "repo/cxops.lock")
    assert not foreign["passed"] and "locks nothing of cognigy project" in foreign["error"]
