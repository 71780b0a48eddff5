"""A failure after the rollback point restores prod to the content it had before the promotion."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.model.bundle import Bundle
from cxops.pipelines.promote.parity import stable_hash
from cxops.store import Store
from cxops.transport import TransportOptions, open_client
from cxops.vendors import adapter_for
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger
from tests.pipelines.promote.test_promote import promote

FAULTS: dict[str, dict[str, Any]] = {
    # dev refuses to build the package: the first deploy stage fails (prod untouched but for
    # the rollback point, which is restored all the same).
    "package": {
        "vendor": "cognigy",
        "tenant": "dev",
        "method": "POST",
        "path": "/new/v2.0/packages",
        "action": "error",
        "status": 400,
    },
    # prod refuses the upload: the second stage fails.
    "upload": {
        "vendor": "cognigy",
        "tenant": "prod",
        "method": "POST",
        "path": "/new/v2.0/packages/upload",
        "action": "error",
        "status": 400,
    },
    # The merge task ends in error: the deploy step fails.
    "deploy": {
        "vendor": "cognigy",
        "tenant": "prod",
        "action": "job_fail",
        "job": "package-merge",
        "reason": "disk full",
    },
    # The merge lands, then prod refuses the re-map of the merged flows' attachedLexicons.
    "remap": {
        "vendor": "cognigy",
        "tenant": "prod",
        "method": "PATCH",
        "path": "/new/v2.0/flows/*",
        "action": "error",
        "status": 400,
    },
    # The merge lands, then prod refuses to schedule its playbook: verification fails.
    "verify": {
        "vendor": "cognigy",
        "tenant": "prod",
        "method": "POST",
        "path": "/new/v2.0/playbooks/*/schedule",
        "action": "error",
        "status": 400,
    },
}


def _prod_bundle(emu: EmulatorThread) -> Bundle:
    prod = admin_settings(emu, "prod")

    async def read() -> Bundle:
        async with open_client(prod, TransportOptions(**FAST)) as client:
            adapter = adapter_for(client, prod)
            project = next(p for p in await adapter.list_projects() if p.name == PROJECT)
            return await adapter.export_project(project)

    return asyncio.run(read())


@pytest.mark.parametrize("where", sorted(FAULTS))
def test_failure_rolls_back_to_identical_content(
    fast_emu: EmulatorThread, store_url: str, where: str
) -> None:
    """The injected failure restores the snapshot: same content hash, audited, one event each."""
    before = _prod_bundle(fast_emu)
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": [FAULTS[where]]}))
    out = promote(fast_emu, store_url)
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert out["status"] == "failed" and out["outcome"] == "rolled_back"
    assert out["rolled_back"] is True
    if where == "deploy":
        assert "disk full" in out["error"] and "verify" not in out
    elif where in ("package", "upload", "remap"):
        assert "400" in out["error"] and "verify" not in out
    else:
        smoke = out["verify"]["smoke"]
        assert out["verify"]["passed"] is False and "400" in smoke["runs"][0]["error"], smoke
    rollback = out["rollback"]
    assert rollback["point"] == out["rollback_point"]
    assert out["rollback_point"]["snapshot_id"] in rollback["restored_point"]
    assert rollback["identical"] is True
    after = _prod_bundle(fast_emu)
    assert stable_hash(after) == stable_hash(before) == rollback["target_hash_restored"]
    effects = [r["effect"] for r in ledger(fast_emu, "prod") if r["effect"]]
    assert effects.count("cognigy.snapshot.restore") == 1
    assert effects.count("cognigy.package.merge") == (0 if where in ("package", "upload") else 1)
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        assert [e.type for e in st.outbox.events()] == [
            "flow.promote.started",
            "flow.promote.rolled_back",
        ]
        restore = st.runs.get(f"{out['run']}-rollback")
        assert restore is not None and restore.kind == "rollback"
        assert restore.status == "succeeded" and restore.params["target"] == "prod"
        promote_run = st.runs.get(out["run"])
        assert promote_run is not None and promote_run.summary is not None
        assert promote_run.summary["rolled_back"] is True


def test_a_failed_restore_is_reported_as_such(fast_emu: EmulatorThread, store_url: str) -> None:
    """When the restore task fails too, the run says rollback_failed with both reasons."""
    faults = [FAULTS["deploy"], {**FAULTS["deploy"], "job": "snapshot-restore", "reason": "gone"}]
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": faults}))
    out = promote(fast_emu, store_url)
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert out["status"] == "failed" and out["outcome"] == "rollback_failed"
    assert "disk full" in out["error"] and "rollback failed" in out["error"]
    assert out["rollback"]["identical"] is False and "gone" in out["rollback"]["error"]
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        assert [e.type for e in st.outbox.events()] == ["flow.promote.started"]
