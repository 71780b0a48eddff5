"""The CXone emulator's test-call hook (``/cxone/{tenant}/_emulator/testcall``): a call passes
when the script exists in the business unit, a rule makes it fail, every call is listed."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread


def _hook(emu: EmulatorThread, tenant: str) -> str:
    return f"{emu.url}/cxone/{tenant}/_emulator/testcall"


def test_a_call_passes_for_a_stored_script_and_fails_for_a_missing_one(
    emu: EmulatorThread,
) -> None:
    """dev has Billing\\Payment_IVR (the answer carries its masterID); prod does not."""
    body = {"run": "r1", "environment": "dev", "script": "billing/payment_ivr"}
    dev = httpx.post(_hook(emu, "dev"), json=body)
    assert dev.status_code == 200
    answer = dev.json()
    unit = emu.ctx.tenant("cxone", "dev")
    assert answer["passed"] is True and answer["script"] == "Billing\\Payment_IVR"
    assert answer["masterID"] == unit.current("Billing\\Payment_IVR").master_id
    prod = httpx.post(_hook(emu, "prod"), json={**body, "environment": "prod"}).json()
    assert prod["passed"] is False and "no script" in prod["detail"]


def test_rules_make_calls_fail_and_every_call_is_listed(emu: EmulatorThread) -> None:
    """A rule for one script fails its calls with the given detail; others still pass; GET
    lists the calls in order; a bad body is 400."""
    rules = {"scripts": {"Billing\\Billing_Main": {"passed": False, "detail": "no greeting"}}}
    assert httpx.put(_hook(emu, "prod"), json=rules).status_code == 200
    failed = httpx.post(_hook(emu, "prod"), json={"run": "r", "script": "Billing\\Billing_Main"})
    assert failed.json()["passed"] is False and failed.json()["detail"] == "no greeting"
    passed = httpx.post(_hook(emu, "prod"), json={"run": "r", "script": "Main\\IVR_Main"})
    assert passed.json()["passed"] is True and passed.json()["call"] == 2
    seen = httpx.get(_hook(emu, "prod")).json()
    assert [(c["script"], c["passed"]) for c in seen["calls"]] == [
        ("Billing\\Billing_Main", False),
        ("Main\\IVR_Main", True),
    ]
    assert httpx.post(_hook(emu, "prod"), json={"run": "r"}).status_code == 400
    assert httpx.put(_hook(emu, "prod"), json={"scripts": {"x": {}}}).status_code == 400
    # Test calls change nothing in the business unit: no ledger effect.
    rows = httpx.get(f"{emu.url}/_emulator/ledger", params={"vendor": "cxone"}).json()
    assert [r for r in rows["entries"] if r.get("effect")] == []


def test_a_call_fails_where_the_script_runs_a_missing_script(emu: EmulatorThread) -> None:
    """prod's Main\\IVR_Main runs only scripts prod has; once Common\\Check_Hours (called by
    RUNSUB) is deleted, its test call fails and names the missing callee."""
    body = {"run": "r", "environment": "prod", "script": "Main\\IVR_Main"}
    assert httpx.post(_hook(emu, "prod"), json=body).json()["passed"] is True
    emu.ctx.tenant("cxone", "prod").remove("Common\\Check_Hours")
    answer = httpx.post(_hook(emu, "prod"), json=body).json()
    assert answer["passed"] is False
    assert answer["detail"] == (
        "test call to Main\\IVR_Main: Main\\IVR_Main runs Common\\Check_Hours, which is not here"
    )
