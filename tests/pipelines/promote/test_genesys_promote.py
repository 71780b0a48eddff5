"""Promotion of the Genesys fixture division "Digital Channels" dev → prod through the workflow
(real HTTP to the emulator, SQLite store): parity, the ledger, dry run, gates, rollback."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.model.bundle import Bundle
from cxops.pipelines.promote.genesys_portable import fingerprint
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from cxops.store import Store
from cxops.transport import TransportOptions, open_client
from cxops.transport.settings import ConnectionSettings, resolve_connection
from cxops.vendors import adapter_for
from tests.pipelines.promote.conftest import FAST

DIVISION = "Digital Channels"  # clean in dev; prod: an older Order Status Bot, no Billing bot
BILLING, ORDER = "DIGITALBOT/Billing Assistant Bot", "DIGITALBOT/Order Status Bot"

#: The --tests document: one conversation per bot (dev's wording; prod's old greeting fails).
TESTS: dict[str, Any] = {
    "genesys": {
        "conversations": [
            {
                "name": "order status",
                "flow": "Order Status Bot",
                "turns": [
                    {"expect": ["Hi, I am the order assistant."]},
                    {"say": "where is my order", "expect": ["on its way"]},
                    {"say": "talk to an agent", "next": "Exit", "reason": "AgentRequestedByUser"},
                ],
            },
            {
                "name": "pay a bill",
                "flow": "Billing Assistant Bot",
                "turns": [
                    {"say": "pay my bill", "expect": ["pay securely"]},
                    {"say": "bye", "next": "Exit", "reason": "TriggeredByUser"},
                ],
            },
        ]
    }
}


def settings(emu: EmulatorThread, tenant: str) -> ConnectionSettings:
    """Admin settings of one Genesys emulator org (a promotion writes to the target)."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["genesys"][tenant]
    flags = {"vendor": "genesys", "base_url": info["base_url"], "auth_url": info.get("auth_url")}
    flags |= info["credentials"]["admin"]
    return resolve_connection(flags, environ={})


def effects(emu: EmulatorThread, tenant: str) -> list[dict[str, Any]]:
    """The ledger's Genesys effects on one org (reads and job registrations have none)."""
    rows = httpx.get(f"{emu.url}/_emulator/ledger", params={"tenant": tenant}).json()["entries"]
    return [r for r in rows if r["vendor"] == "genesys" and r["effect"]]


def flow_ids(emu: EmulatorThread, tenant: str) -> dict[str, str]:
    """Flow name → id in one org (the tenant's test control)."""
    body = httpx.get(f"{emu.url}/genesys/{tenant}/_emulator/summary").json()
    return dict(body["flows"])


def write_tests(tmp_path: Path, doc: dict[str, Any] | None = None) -> str:
    """Write a --tests document and return its path."""
    path = tmp_path / "tests.yaml"
    path.write_text(yaml.safe_dump(doc if doc is not None else TESTS), encoding="utf-8")
    return str(path)


def promote(emu: EmulatorThread, store: str, tmp_path: Path, **kw: Any) -> dict[str, Any]:
    """One promotion dev → prod of the division; its summary."""
    kw.setdefault("project", DIVISION)
    if "tests" not in kw:
        kw["tests"] = write_tests(tmp_path)
    kw.setdefault("sessions_timeout", 5.0)
    options = PromoteOptions(store=store, transport=FAST, **kw)
    return asyncio.run(run_promote(settings(emu, "dev"), settings(emu, "prod"), options))


def prod_bundle(emu: EmulatorThread, division: str = DIVISION, tenant: str = "prod") -> Bundle:
    """One org's division (prod unless told) as the read adapter exports it."""
    conn = settings(emu, tenant)

    async def read() -> Bundle:
        async with open_client(conn, TransportOptions(**FAST)) as client:
            adapter = adapter_for(client, conn, tenant=tenant)
            project = next(p for p in await adapter.list_projects() if p.name == division)
            return await adapter.export_project(project)

    return asyncio.run(read())


def test_dev_to_prod_promotion_reaches_parity(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """Every gate passes, one import + one publish per changed flow and nothing else lands on
    prod, parity 1.0, the conversations pass on prod; a second promotion has nothing to do."""
    out = promote(fast_emu, store_url, tmp_path)
    assert out["outcome"] == "promoted", out.get("error")
    plan = out["plan"]
    assert plan["stages"] == [
        f"import:{BILLING}",
        f"publish:{BILLING}",
        f"import:{ORDER}",
        f"publish:{ORDER}",
    ]
    changes = {(c["action"], c["what"], c.get("flow") or c["id"]) for c in plan["diff"]["changes"]}
    assert ("added", "flow", BILLING) in changes and ("changed", "node", ORDER) in changes
    gates = {g["gate"]: g for g in out["gates"]}
    assert all(g["passed"] for g in gates.values()), gates
    assert gates["simulation"]["success_rate"] == 100.0 and len(gates["simulation"]["runs"]) == 2
    assert set(gates["health"]["flows"]) == {BILLING, ORDER}
    assert gates["sessions"]["active_at_start"] == {ORDER: 0}
    assert out["parity"]["score"] == 1.0 and out["parity"]["compared"] >= 20, out["parity"]
    assert out["verify"]["passed"] and out["verify"]["smoke"]["success_rate"] == 100.0
    prod = flow_ids(fast_emu, "prod")
    assert out["id_map"][BILLING]["target"] == prod["Billing Assistant Bot"]
    assert out["id_map"][ORDER]["target"] == prod["Order Status Bot"]
    assert out["id_map"][ORDER]["source"] == flow_ids(fast_emu, "dev")["Order Status Bot"]
    done = effects(fast_emu, "prod")
    assert Counter(r["effect"] for r in done) == {
        "genesys.flow.import": 2,
        "genesys.flow.update": 1,  # the created bot moved from Home to its division
        "genesys.flow.publish": 2,
    }
    published = [r["resource"] for r in done if r["effect"] == "genesys.flow.publish"]
    assert published == [prod["Billing Assistant Bot"], prod["Order Status Bot"]]
    assert effects(fast_emu, "dev") == []  # the source is only read (export jobs change nothing)
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        assert [e.type for e in st.outbox.events()] == [
            "flow.promote.started",
            "flow.promote.completed",
        ]
    again = promote(fast_emu, store_url, tmp_path)
    # Nothing left to change: nothing is deployed, no gate runs (issue #14's outcome).
    assert again["outcome"] == "nothing_to_promote" and again["plan"]["stages"] == []
    assert "gates" not in again and "deploy" not in again
    assert again["plan"]["diff"]["bump"] == "none", again["plan"]["diff"]["changes"]
    assert len(effects(fast_emu, "prod")) == 5  # nothing more


def test_dry_run_changes_nothing(fast_emu: EmulatorThread, store_url: str, tmp_path: Path) -> None:
    """--dry-run plans and runs the gates; prod's ledger shows no effect at all."""
    out = promote(fast_emu, store_url, tmp_path, dry_run=True)
    assert out["outcome"] == "dry_run" and out["would_block"] == []
    assert len(out["plan"]["stages"]) == 4
    assert "deploy" not in out and "rollback_point" not in out
    assert effects(fast_emu, "prod") == [] and effects(fast_emu, "dev") == []


def _fail_health(emu: EmulatorThread) -> str:
    body = {"flowId": flow_ids(emu, "dev")["Billing Assistant Bot"], "status": "Error"}
    httpx.put(f"{emu.url}/genesys/dev/_emulator/health", json=body).raise_for_status()
    return "Error"


def _busy_flows(emu: EmulatorThread) -> str:
    rows = {flow_ids(emu, "prod")["Order Status Bot"]: {"active": 4, "drainPerMinute": 0}}
    httpx.put(f"{emu.url}/genesys/prod/_emulator/observations", json={"flows": rows})
    return "4"


@pytest.mark.parametrize("gate", ["health", "sessions", "simulation"])
def test_each_failing_gate_blocks_with_its_evidence(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path, gate: str
) -> None:
    """A refusing gate blocks the deploy (nothing on prod changes); its evidence says why."""
    doc: dict[str, Any] = TESTS
    if gate == "health":
        _fail_health(fast_emu)
    elif gate == "sessions":
        _busy_flows(fast_emu)
    else:  # prod's old greeting expected from dev's bot
        doc = yaml.safe_load(yaml.safe_dump(TESTS))
        doc["genesys"]["conversations"][0]["turns"][0]["expect"] = ["Hello, this is the order"]
    out = promote(
        fast_emu, store_url, tmp_path, tests=write_tests(tmp_path, doc), sessions_timeout=0.3
    )
    assert out["outcome"] == "blocked" and out["blocked"] == [gate], out.get("gates")
    evidence = next(g for g in out["gates"] if g["gate"] == gate)
    if gate == "health":
        assert evidence["flows"][BILLING]["status"] == {"en-us": "Error"}
        assert evidence["flows"][ORDER]["passed"] is True
    elif gate == "sessions":
        assert evidence["active_at_start"] == {ORDER: 4} and evidence["active"] == {ORDER: 4}
        assert evidence["timeout_s"] == 0.3
    else:
        assert evidence["success_rate"] == 50.0
        failed = next(r for r in evidence["runs"] if not r["passed"])
        assert failed["conversation"] == "order status"
        assert "turn 1: reply 'Hello, this is the order'" in failed["failed"][0]
    assert effects(fast_emu, "prod") == []


def test_override_active_sessions_passes_with_the_count(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """--override-active-sessions lets the deploy go and keeps the count as evidence."""
    _busy_flows(fast_emu)
    out = promote(fast_emu, store_url, tmp_path, override_sessions=True, dry_run=True)
    sessions = next(g for g in out["gates"] if g["gate"] == "sessions")
    assert sessions == {
        "gate": "sessions",
        "passed": True,
        "overridden": True,
        "active": {ORDER: 4},
    }


FAULTS: dict[str, dict[str, Any]] = {
    # The second import (Order Status Bot, after the Billing bot was created) fails.
    "import": {"vendor": "genesys", "tenant": "prod", "action": "job_fail", "job": "import"},
    # The second publish (Order Status Bot 3.0) fails.
    "publish": {"vendor": "genesys", "tenant": "prod", "action": "job_fail", "job": "publish"},
    # Everything lands, then prod refuses the smoke conversations: verification fails.
    "verify": {
        "vendor": "genesys",
        "tenant": "prod",
        "method": "POST",
        "path": "/api/v2/textbots/botflows/sessions",
        "action": "error",
        "status": 400,
    },
}


@pytest.mark.parametrize("where", sorted(FAULTS))
def test_injected_failure_rolls_back_to_identical_content(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path, where: str
) -> None:
    """A failure at an import, a publish or verify restores prod: the Billing bot the promotion
    created is deleted, the Order Status Bot runs its old content again (after verify: as a new
    version, imported from the document kept at the rollback point and published; no revert);
    prod's content is as before."""
    before = prod_bundle(fast_emu)
    rule = {**FAULTS[where], "calls": [2]} if where != "verify" else FAULTS[where]
    fast_emu.ctx.load_scenario(Scenario.parse({"faults": [rule]}))
    out = promote(fast_emu, store_url, tmp_path)
    fast_emu.ctx.load_scenario(Scenario.parse({}))
    assert out["outcome"] == "rolled_back", out.get("error")
    if where == "verify":
        smoke = out["verify"]["smoke"]
        assert out["verify"]["passed"] is False and smoke["success_rate"] == 0.0
        assert len(smoke["runs"]) == 2 and all(r["failed"] for r in smoke["runs"])
    else:
        assert "verify" not in out and "failed" in out["error"]
    restored = out["rollback"]["restored"]
    assert restored["flows"][BILLING] == "deleted"
    assert restored["identical"] is True
    assert restored["fingerprint_restored"] == out["rollback_point"]["fingerprint"]
    after = prod_bundle(fast_emu)
    assert fingerprint(after) == fingerprint(before)
    assert "Billing Assistant Bot" not in flow_ids(fast_emu, "prod")
    order = next(f for f in after.flows if f.name == "Order Status Bot")
    # Untouched when the promoted version never ran; after verify, a new version (4.0) holds
    # what 2.0 held.
    assert order.version == {"import": "2.0", "publish": "2.0", "verify": "4.0"}[where]
    done = Counter(r["effect"] for r in effects(fast_emu, "prod"))
    assert done["genesys.flow.delete"] == 1
    assert done["genesys.flow.revert"] == 0
    assert done["genesys.flow.import"] == {"import": 2, "publish": 2, "verify": 3}[where]
    assert done["genesys.flow.publish"] == {"import": 1, "publish": 2, "verify": 3}[where]
    with Store.open(store_url) as st:
        assert st.audit.verify().ok
        assert [e.type for e in st.outbox.events()] == [
            "flow.promote.started",
            "flow.promote.rolled_back",
        ]
