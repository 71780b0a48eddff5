"""The approval gate: a promotion waits until a person answers (the dashboard's API or
``cxops runs approve|reject``), the answer and its reason go into the audit log, and no answer
by the deadline blocks the promotion with nothing deployed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from cxops.cli.main import main as cli
from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.approval import pending
from cxops.store import Store
from tests.pipelines.promote.conftest import ledger
from tests.pipelines.promote.test_promote import promote
from tests.web.helpers import TOKEN, serving

GATES = ("validation", "approval")


def _answer_when_waiting(store_url: str, answer: Callable[[str], Any]) -> threading.Thread:
    """A thread that waits until a run asks for approval, then calls ``answer(run_id)``."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Store.open(store_url) as st:
                for run in st.runs.list(kind="promote", status="running"):
                    if pending(st, run) is not None:
                        answer(run.id)
                        return
            time.sleep(0.2)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_approved_in_the_dashboard_then_deployed(fast_emu: EmulatorThread, store_url: str) -> None:
    """The run waits at the gate; the dashboard's API (with the token) approves it; it deploys,
    and the audit log holds the approver and the reason."""
    answers: list[int] = []

    def approve(run_id: str) -> None:
        with serving(store_url, token=TOKEN) as site:
            page = httpx.get(f"{site}/api/v1/runs/{run_id}").json()
            assert page["approval"] is not None and page["approval"]["deadline"]
            body = {"decision": "approve", "reason": "x", "approver": "eve"}
            refused = httpx.post(f"{site}/api/v1/runs/{run_id}/approval", json=body)
            answers.append(refused.status_code)
            ok = httpx.post(
                f"{site}/api/v1/runs/{run_id}/approval",
                json={"decision": "approve", "reason": "CAB 12-05", "approver": "Dana"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            answers.append(ok.status_code)

    watcher = _answer_when_waiting(store_url, approve)
    out = promote(fast_emu, store_url, gates=GATES, version="1.1.0")
    watcher.join(timeout=30)
    assert answers == [401, 200]
    assert out["outcome"] == "promoted", out.get("error")
    gate = out["gates"][-1]
    assert gate == {"gate": "approval", "passed": True, "decision": "approved",
                    "approver": "Dana (dashboard)", "reason": "CAB 12-05"}  # fmt: skip
    with Store.open(store_url) as st:
        entries = [(e.actor, e.action, e.details) for e in st.audit.iter()]
        assert ("Dana (dashboard)", "promote.approved", {"reason": "CAB 12-05"}) in entries
        assert any(a == "promote.approval_requested" for _, a, _ in entries)
        assert st.audit.verify().ok


def test_rejected_with_the_cli_blocks(fast_emu: EmulatorThread, store_url: str) -> None:
    """``cxops runs reject ID --reason`` ends the run blocked; nothing reached prod."""
    codes: list[int] = []

    def reject(run_id: str) -> None:
        args = ["runs", "reject", run_id[:10], "--reason", "freeze", "--as", "sam"]
        codes.append(cli([*args, "--store", store_url]))

    watcher = _answer_when_waiting(store_url, reject)
    before = len(ledger(fast_emu, "prod"))
    out = promote(fast_emu, store_url, gates=GATES)
    watcher.join(timeout=30)
    assert codes == [0]
    assert out["outcome"] == "blocked" and out["blocked"] == ["approval"]
    assert out["gates"][-1]["decision"] == "rejected" and out["gates"][-1]["approver"] == "sam"
    assert [r for r in ledger(fast_emu, "prod")[before:] if r["effect"]] == []
    # Too late: the run no longer waits, so another answer is refused (exit 2).
    assert cli(["runs", "approve", out["run"], "--reason", "late", "--store", store_url]) == 2


def test_no_answer_times_out_and_blocks(fast_emu: EmulatorThread, store_url: str) -> None:
    """--approval-timeout passes with no decision: the gate fails, saying so; nothing deployed."""
    before = len(ledger(fast_emu, "prod"))
    out = promote(fast_emu, store_url, gates=GATES, approval_timeout=1.0)
    assert out["outcome"] == "blocked" and out["blocked"] == ["approval"]
    gate = out["gates"][-1]
    assert gate["passed"] is False and gate["decision"] == "timed out"
    assert "no decision by" in gate["reason"]
    assert [r for r in ledger(fast_emu, "prod")[before:] if r["effect"]] == []
