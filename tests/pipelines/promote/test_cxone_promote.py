"""Promotion of the CXone fixture folder "Billing" dev → prod through the workflow (real HTTP
to the emulator, SQLite store): parity, the ledger (one save per changed script, callees
first), dry run, a failing test call blocking, injected failures rolled back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cxops.emulator import EmulatorThread
from cxops.model.bundle import Bundle
from cxops.pipelines.promote.cxone import CxoneStrategy, stage_name
from cxops.pipelines.promote.parity import stable_hash
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from cxops.pipelines.promote.strategy import Context
from cxops.transport import TransportOptions, open_client
from cxops.vendors import adapter_for, pick_project
from tests.pipelines.compile.conn import settings
from tests.pipelines.promote.conftest import FAST
from tests.pipelines.promote.cxone_helpers import (
    PROJECT,
    calls_doc,
    effects,
    fail_calls,
    hook,
    scenario,
)

MAIN, PAY = "Billing\\Billing_Main", "Billing\\Payment_IVR"
SAVE = "cxone.script.save"
VENDOR_GATES = ("simulation", "health", "sessions")


def promote(emu: EmulatorThread, store: str, tmp_path: Path, **kw: Any) -> dict[str, Any]:
    """One promotion dev → prod (Billing unless told), with a test call per Billing script."""
    kw.setdefault("project", PROJECT)
    # Default gates: validation is CxoneStrategy.validation (the folder checked together with
    # the target's other folders, as it will run there; see test_cxone_gates.py).
    if "tests" not in kw:
        path = tmp_path / "tests.yaml"
        path.write_text(yaml.safe_dump(calls_doc(emu, MAIN, PAY)), encoding="utf-8")
        kw["tests"] = str(path)
    options = PromoteOptions(store=store, transport=FAST, **kw)
    dev, prod = settings(emu, "cxone", "dev"), settings(emu, "cxone", "prod")
    return asyncio.run(run_promote(dev, prod, options))


def prod_bundle(emu: EmulatorThread, folder: str = PROJECT) -> Bundle:
    """prod's folder as the read adapter exports it."""
    conn = settings(emu, "cxone", "prod")

    async def read() -> Bundle:
        async with open_client(conn, TransportOptions(**FAST)) as client:
            adapter = adapter_for(client, conn, tenant="prod")
            return await adapter.export_project(pick_project(await adapter.list_projects(), folder))

    return asyncio.run(read())


def fingerprint(bundle: Bundle) -> str:
    return CxoneStrategy(Context("x", {})).fingerprint(bundle)


def hook_calls(emu: EmulatorThread, tenant: str) -> list[str]:
    return [c["script"] for c in httpx.get(hook(emu, tenant)).json()["calls"]]


def test_dev_to_prod_promotion_saves_callee_then_caller_and_reaches_parity(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """Gates pass (test calls on dev; health and sessions skipped with a reason), prod gets
    exactly one save per changed script, the new callee first; parity 1.0; the smoke calls go
    to prod. A second promotion has nothing to save."""
    out = promote(fast_emu, store_url, tmp_path)
    assert out["outcome"] == "promoted", out.get("error")
    gates = {g["gate"]: g for g in out["gates"]}
    assert gates["simulation"]["passed"] and len(gates["simulation"]["calls"]) == 2
    assert "no script health API" in gates["health"]["skipped"]
    assert "active contacts" in gates["sessions"]["skipped"]
    assert effects(fast_emu) == [(SAVE, PAY), (SAVE, MAIN)]
    assert effects(fast_emu, "dev") == []
    assert out["parity"]["score"] == 1.0 and out["parity"]["differences"] == []
    assert list(out["deploy"]) == [stage_name(PAY), stage_name(MAIN)]
    assert out["verify"]["smoke"]["passed"] is True
    assert sorted(hook_calls(fast_emu, "dev")) == [MAIN, PAY]  # the calls run concurrently
    assert sorted(hook_calls(fast_emu, "prod")) == [MAIN, PAY]
    assert out["id_map"][PAY]["target"] is not None

    again = promote(fast_emu, store_url, tmp_path)
    # Since #14 a promotion with no change stops after the plan (not a deployment).
    assert again["outcome"] == "nothing_to_promote" and again["status"] == "succeeded"
    assert again["plan"]["stages"] == [] and len(effects(fast_emu)) == 2


def test_dry_run_changes_nothing(fast_emu: EmulatorThread, store_url: str, tmp_path: Path) -> None:
    """Gates run (test calls on dev only); no effect on any CXone unit."""
    out = promote(fast_emu, store_url, tmp_path, dry_run=True)
    assert out["outcome"] == "dry_run" and not out.get("would_block")
    assert effects(fast_emu) == [] and effects(fast_emu, "dev") == []
    assert hook_calls(fast_emu, "prod") == []


def test_a_failing_test_call_blocks_with_its_evidence(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    fail_calls(fast_emu, "dev", PAY, "card prompt never played")
    out = promote(fast_emu, store_url, tmp_path)
    assert out["outcome"] == "blocked" and out["blocked"] == ["simulation"]
    sim = next(g for g in out["gates"] if g["gate"] == "simulation")
    bad = next(c for c in sim["calls"] if not c["passed"])
    assert (bad["script"], bad["detail"]) == (PAY, "card prompt never played")
    assert effects(fast_emu) == []


FAILURES: dict[str, dict[str, Any]] = {
    # The second save (Billing_Main, after Payment_IVR was created) answers 503.
    "save": {"vendor": "cxone", "tenant": "prod", "method": "POST",
             "path": "/inContactAPI/*/scripts", "action": "error", "status": 503, "calls": [2]},
    "verify": {},  # the smoke test call of Payment_IVR fails on prod
}  # fmt: skip


@pytest.mark.parametrize("where", sorted(FAILURES))
def test_injected_failures_roll_back_to_the_same_content(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path, where: str
) -> None:
    """A failed save or a failed smoke call restores prod: Payment_IVR (created) is deleted,
    Billing_Main is saved again at its recorded version; every script's content is as before."""
    before = prod_bundle(fast_emu)
    if where == "save":
        scenario(fast_emu, FAILURES[where])
    else:
        fail_calls(fast_emu, "prod", PAY, "payment prompt missing")
    out = promote(fast_emu, store_url, tmp_path)
    scenario(fast_emu)
    assert out["outcome"] == "rolled_back", out.get("error")
    restored = out["rollback"]["restored"]
    assert restored["deleted"] == [PAY] and restored["identical"] is True
    assert restored["fingerprint_restored"] == out["rollback_point"]["fingerprint"]
    # The workflow's own check compares the strategy's fingerprint (masterIDs left out).
    assert out["rollback"]["identical"] is True
    assert out["rollback"]["target_hash_restored"] == out["plan"]["target_hash_before"]
    after = prod_bundle(fast_emu)
    assert fingerprint(after) == fingerprint(before) and [f.id for f in after.flows] == [MAIN]
    if where == "save":
        assert "503" in out["error"] and "verify" not in out
        assert effects(fast_emu) == [(SAVE, PAY), ("cxone.script.delete", PAY)]
        assert stable_hash(after) == stable_hash(before)  # Billing_Main was never saved: exact
    else:
        assert out["verify"]["passed"] is False
        # A restore save mints a masterID, which is the vendor's bookkeeping, not content.
        assert stable_hash(after) == stable_hash(before)
        assert effects(fast_emu) == [
            (SAVE, PAY),
            (SAVE, MAIN),
            (SAVE, MAIN),  # the recorded version saved again (a new masterID)
            ("cxone.script.delete", PAY),
        ]


def test_a_rejected_save_fails_the_stage_naming_the_script_and_rolls_back(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """Main's IVR_Main calls scripts of folders prod lacks: 409, the run says which script and
    which errors; nothing was saved, prod is exactly as before. (Without the validation gate,
    which would have refused it first: see the next test.)"""
    before = prod_bundle(fast_emu, "Main")
    out = promote(fast_emu, store_url, tmp_path, project="Main", tests=None, gates=VENDOR_GATES)
    assert out["outcome"] == "rolled_back"
    assert "Main\\IVR_Main" in out["error"] and "SCRIPT_NOT_FOUND" in out["error"]
    assert effects(fast_emu) == []
    assert out["rollback"]["identical"] is True
    assert fingerprint(prod_bundle(fast_emu, "Main")) == fingerprint(before)


def test_the_validation_gate_refuses_calls_the_target_cannot_satisfy(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """Default gates: Main is checked with prod's other folders; its calls to scripts prod
    lacks are CX105 evidence and block the promotion before any save."""
    out = promote(fast_emu, store_url, tmp_path, project="Main", tests=None)
    assert out["outcome"] == "blocked" and out["blocked"] == ["validation"]
    [validation] = [g for g in out["gates"] if g["gate"] == "validation"]
    assert any(e.startswith("CX105") for e in validation["errors"]), validation
    assert effects(fast_emu) == []


def test_a_scoped_promotion_brings_the_new_callee_and_compares_the_named_script(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """--flows Billing_Main (a short name): Payment_IVR, which it calls and prod lacks, is
    saved first; parity covers the named script (not nothing)."""
    out = promote(fast_emu, store_url, tmp_path, flows=["Billing_Main"])
    assert out["outcome"] == "promoted", out.get("error")
    assert list(out["deploy"]) == [stage_name(PAY), stage_name(MAIN)]
    assert effects(fast_emu) == [(SAVE, PAY), (SAVE, MAIN)]
    assert out["parity"]["score"] == 1.0 and out["parity"]["compared"] > 0
