"""Each promotion gate, failing, blocks the deploy with its evidence; dry runs touch nothing."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings, ledger
from tests.pipelines.promote.test_promote import promote


def _prod_endpoint(emu: EmulatorThread) -> str:
    base = emu.base("cognigy", "prod")
    head = {"X-API-Key": "cognigy-prod-admin-apikey"}
    projects = httpx.get(f"{base}/new/v2.0/projects", headers=head).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    eps = httpx.get(f"{base}/new/v2.0/endpoints", params={"projectId": pid}, headers=head)
    return str(eps.json()["items"][0]["_id"])


def _break_dev_replies(emu: EmulatorThread) -> None:
    """Change every say node of the flow dev's endpoint runs: the playbook's replies no longer
    fit (its assertText asserts fail)."""
    base, head = emu.base("cognigy", "dev"), {"X-API-Key": "cognigy-dev-admin-apikey"}
    projects = httpx.get(f"{base}/new/v2.0/projects", headers=head).json()["items"]
    pid = next(p["_id"] for p in projects if p["name"] == PROJECT)
    eps = httpx.get(f"{base}/new/v2.0/endpoints", params={"projectId": pid}, headers=head)
    ep = httpx.get(f"{base}/new/v2.0/endpoints/{eps.json()['items'][0]['_id']}", headers=head)
    flow_ref = ep.json()["flowId"]
    flows = httpx.get(
        f"{base}/new/v2.0/flows", params={"projectId": pid, "limit": 100}, headers=head
    ).json()["items"]
    fid = next(f["_id"] for f in flows if f["referenceId"] == flow_ref)
    chart = httpx.get(f"{base}/new/v2.0/flows/{fid}/chart", headers=head).json()
    for node in chart["nodes"]:
        if node["type"] == "say":
            url = f"{base}/new/v2.0/flows/{fid}/chart/nodes/{node['_id']}"
            config = {"say": {"type": "text", "text": ["Something else"], "data": {}}}
            r = httpx.patch(url, json={"config": config}, headers=head)
            assert r.status_code == 200 and r.json() == {}  # node updates answer {}


def _mutations(emu: EmulatorThread) -> list[str]:
    """Mutating calls on prod, test controls (``/_emulator/...``) left out."""
    rows = ledger(emu, "prod")
    return [f"{r['method']} {r['path']}" for r in rows if not r["path"].startswith("/_emulator")]


@pytest.mark.parametrize("gate", ["health", "sessions", "simulation", "validation"])
def test_a_failing_gate_blocks_the_deploy(
    fast_emu: EmulatorThread, store_url: str, gate: str
) -> None:
    """The failing gate is named, its evidence recorded, and prod receives no mutating call."""
    emu, kw = fast_emu, {}
    if gate == "health":
        eid = _prod_endpoint(emu)
        url = f"{emu.base('cognigy', 'prod')}/_emulator/health"
        httpx.put(url, json={"endpoints": {eid: {"active": False}}}).raise_for_status()
    elif gate == "sessions":
        eid = _prod_endpoint(emu)
        url = f"{emu.base('cognigy', 'prod')}/_emulator/conversations"
        httpx.put(url, json={eid: {"active": 3, "drain_per_minute": 0}}).raise_for_status()
        kw["sessions_timeout"] = 0.5
    elif gate == "simulation":
        _break_dev_replies(emu)
    else:
        kw = {"project": "Flawed - Flow Cycle", "target_project": PROJECT}
    out = promote(emu, store_url, **kw)
    assert out["status"] == "failed" and out["outcome"] == "blocked"
    assert out["blocked"] == [gate]
    evidence = next(g for g in out["gates"] if g["gate"] == gate)
    assert evidence["passed"] is False
    if gate == "health":
        # Inactive shows only on GET /endpoints/{id}: the listing has no "active" at all.
        assert evidence["inactive"] == [eid]
        listing = httpx.get(
            f"{emu.base('cognigy', 'prod')}/new/v2.0/endpoints",
            headers={"X-API-Key": "cognigy-prod-admin-apikey"},
        ).json()["items"]
        assert all("active" not in e and "entrypoint" not in e for e in listing)
    elif gate == "sessions":
        assert evidence["active"] == {eid: 3} and evidence["waited_s"] >= 0.5
        assert evidence["measured"] is True and evidence["source"] == "odata"
    elif gate == "simulation":
        # The failing playbook's evidence: the run, its status, each failed step and assert.
        book = next(r for r in evidence["runs"] if "playbook" in r)
        assert book["status"] == "failed" and book["run"]
        asserts = [a for st in book["failed_steps"] for a in st["failed_asserts"]]
        assert asserts and all(a["type"] == "assertText" for a in asserts)
        # dev has the /testing simulator: its batch failed as well, counted per execution.
        batch = next(r for r in evidence["runs"] if "simulation" in r)
        assert batch["status"] == "COMPLETED" and batch["failed"] == 1 and not batch["passed"]
    else:
        assert any(e.startswith("CX101") for e in evidence["errors"])
    assert _mutations(emu) == []


def test_sessions_gate_waits_for_the_drain_or_is_overridden(
    fast_emu: EmulatorThread, store_url: str
) -> None:
    """Draining sessions (counted from OData) are waited for; --override-active-sessions
    proceeds and says so."""
    eid = _prod_endpoint(fast_emu)
    url = f"{fast_emu.base('cognigy', 'prod')}/_emulator/conversations"
    # 100 sessions, one fewer per emulated minute: ~30 s at the test clock's 200x (the plan
    # before the gate may take a while on a busy machine; some must be left when it starts).
    httpx.put(url, json={eid: {"active": 100, "drain_per_minute": 1}}).raise_for_status()
    out = promote(fast_emu, store_url, gates=("sessions",), dry_run=True, sessions_timeout=120)
    sessions = out["gates"][0]
    assert sessions["passed"] and 0 < sessions["active_at_start"][eid] < 100
    assert sessions["active"] == {eid: 0} and sessions["waited_s"] > 0
    httpx.put(url, json={eid: {"active": 4, "drain_per_minute": 0}}).raise_for_status()
    out = promote(fast_emu, store_url, gates=("sessions",), dry_run=True, override_sessions=True)
    assert out["gates"][0] == {
        "gate": "sessions",
        "passed": True,
        "overridden": True,
        "active": {eid: 4},
        "measured": True,
        "window_minutes": 15.0,
        "source": "odata",
    }


def test_sessions_gate_blocks_without_an_analytics_source(
    fast_emu: EmulatorThread, store_url: str
) -> None:
    """Without odata_url the gate cannot measure sessions: it blocks (no pass for lack of data)
    unless --override-active-sessions, and says which."""
    dev, prod = admin_settings(fast_emu, "dev"), admin_settings(fast_emu, "prod", odata=False)
    options = PromoteOptions(store=store_url, transport=FAST, project=PROJECT, gates=("sessions",))
    out = asyncio.run(run_promote(dev, prod, options))
    assert out["outcome"] == "blocked" and out["blocked"] == ["sessions"]
    gate = out["gates"][0]
    assert gate["passed"] is False and gate["measured"] is False
    assert gate["error"].startswith("cannot measure sessions") and "odata_url" in gate["hint"]
    assert _mutations(fast_emu) == []
    options = PromoteOptions(
        store=store_url,
        transport=FAST,
        project=PROJECT,
        gates=("sessions",),
        dry_run=True,
        override_sessions=True,
    )
    out = asyncio.run(run_promote(dev, prod, options))
    gate = out["gates"][0]
    assert gate["passed"] is True and gate["overridden"] is True and gate["measured"] is False


def test_dry_run_touches_nothing_and_checks_the_version(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """--dry-run plans and gates with zero mutating calls on prod; a too-small version shows."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "x"], ["tag", "v1.0.0"]):
        subprocess.run(
            ["git", *args],
            cwd=repo,
            check=True,
            capture_output=True,
            env={
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@x",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@x",
                "PATH": "/usr/bin:/bin",
            },
        )
    out = promote(fast_emu, store_url, dry_run=True, version="1.0.1", repo=repo)
    assert out["outcome"] == "dry_run" and out["status"] == "succeeded"
    assert _mutations(fast_emu) == []
    plan = out["plan"]
    assert plan["diff"]["bump"] == "minor"  # dev adds the "What's New" flow
    assert {"what": "flow", "action": "added"}.items() <= plan["diff"]["changes"][0].items() or any(
        c["what"] == "flow" and c["action"] == "added" for c in plan["diff"]["changes"]
    )
    assert plan["version"]["ok"] is False and plan["version"]["expected"] == "1.1.0"
    assert out["would_block"] == ["version"]
    assert [g["gate"] for g in out["gates"]] == ["validation", "simulation", "health", "sessions"]


def test_tests_file_chooses_what_runs(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """A --tests file names the playbooks to run; naming none that exists is a refusal, not a
    pass (nothing ran)."""
    tests = tmp_path / "tests.yaml"
    tests.write_text("playbooks: ['Regression - Appointment Booking']\n", encoding="utf-8")
    out = promote(fast_emu, store_url, gates=("simulation",), dry_run=True, tests=str(tests))
    gate = out["gates"][0]
    assert gate["passed"] and [r.get("playbook") for r in gate["runs"]] == [
        "Regression - Appointment Booking"
    ]
    tests.write_text("playbooks: ['No such playbook']\n", encoding="utf-8")
    out = promote(fast_emu, store_url, gates=("simulation",), dry_run=True, tests=str(tests))
    gate = out["gates"][0]
    assert gate["passed"] is False and gate["runs"] == [] and gate["error"].startswith("nothing")
