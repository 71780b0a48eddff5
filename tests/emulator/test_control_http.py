"""The /_emulator control surface: info, ledger, clock, reset, scenario validation."""

from __future__ import annotations

import httpx

from cxops.emulator import EmulatorThread


def test_info_lists_every_vendor_and_tenant(emu: EmulatorThread) -> None:
    """Info names a base URL and admin credentials for dev and prod of all three vendors."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()
    assert info["url"] == emu.url
    assert set(info["vendors"]) == {"cognigy", "cxone", "genesys"}
    for vendor, tenants in info["vendors"].items():
        assert set(tenants) == {"dev", "prod"}
        assert tenants["dev"]["base_url"] == f"{emu.url}/{vendor}/dev"
        assert tenants["dev"]["credentials"]["admin"]


def test_ledger_lists_mutations_with_idempotency_keys(emu: EmulatorThread) -> None:
    """POSTs are in the ledger with their key; GETs are in the request log only."""
    httpx.post(
        f"{emu.url}/genesys/dev/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("genesys-dev-admin", "genesys-dev-admin-secret"),
        headers={"Idempotency-Key": "k-123"},
    )
    httpx.get(f"{emu.url}/genesys/dev/api/v2/flows")
    ledger = httpx.get(f"{emu.url}/_emulator/ledger", params={"vendor": "genesys"}).json()
    assert ledger["total"] == 1
    entry = ledger["entries"][0]
    assert (entry["method"], entry["path"], entry["idempotency_key"]) == (
        "POST",
        "/oauth/token",
        "k-123",
    )
    seen = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "genesys"}).json()
    assert seen["total"] == 2


def test_clock_control_advances_and_speeds(emu: EmulatorThread) -> None:
    """POST /clock advances emulated time and sets its speed."""
    before = httpx.get(f"{emu.url}/_emulator/clock").json()["now"]
    after = httpx.post(f"{emu.url}/_emulator/clock", json={"advance": 3600, "speed": 5}).json()
    assert after["now"] - before >= 3600 and after["speed"] == 5
    bad = httpx.post(f"{emu.url}/_emulator/clock", json={"advance": -1})
    assert bad.status_code == 400


def test_reset_clears_logs_and_scenario(emu: EmulatorThread) -> None:
    """Reset empties the ledger and drops the scenario in force."""
    httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": [{"action": "reset"}]})
    httpx.post(f"{emu.url}/_emulator/reset")
    assert httpx.get(f"{emu.url}/_emulator/scenario").json()["faults"] == []
    assert httpx.get(f"{emu.url}/_emulator/ledger").json()["total"] == 0


def test_invalid_scenario_body_is_400_and_changes_nothing(emu: EmulatorThread) -> None:
    """A scenario with an unknown action is refused with the field named."""
    r = httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": [{"action": "melt"}]})
    assert r.status_code == 400 and "faults.0.action" in r.json()["error"]
    assert httpx.get(f"{emu.url}/_emulator/scenario").json()["faults"] == []
