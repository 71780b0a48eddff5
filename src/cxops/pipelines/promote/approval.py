"""The ``approval`` gate: a promotion waits, durably, until a person approves or rejects it.

The wait lives in the store, not in a process: the first time the gate runs it records when it
started waiting and its deadline (store step ``RUN:approval:requested``, kept across restarts);
the gate step ``RUN:approval`` then looks for a decision (store step ``RUN:approval:decision``)
every ``POLL_S`` until the deadline. A killed process resumes the wait with the same deadline.
``decide`` (``cxops runs approve|reject ID --reason``, or the dashboard) writes the decision and
its audit entry (approver, reason) in one transaction; the first decision wins. No decision by
the deadline fails the gate: the promotion is blocked, nothing on the target changed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from cxops.errors import UsageError
from cxops.store import Run, RunStatus, Store
from cxops.store.scope import utcnow

__all__ = ["DEFAULT_TIMEOUT_S", "POLL_S", "decide", "pending", "wait"]

DEFAULT_TIMEOUT_S = 24 * 3600.0
POLL_S = 1.0


def _keys(run_id: str) -> tuple[str, str]:
    return f"{run_id}:approval:requested", f"{run_id}:approval:decision"


def pending(store: Store, run: Run) -> dict[str, Any] | None:
    """``{"since", "deadline"}`` when ``run`` is waiting for an approval now, else None."""
    if run.status != RunStatus.RUNNING or "approval" not in (run.params.get("gates") or []):
        return None
    requested, decision = _keys(run.id)
    asked = store.steps.get(requested)
    gate = store.steps.get(f"{run.id}:approval")  # the waiting step; ended = too late to answer
    if asked is None or asked.result is None or store.steps.get(decision) is not None:
        return None
    if gate is None or gate.status != "running":
        return None
    return dict(asked.result)


def decide(store: Store, prefix: str, *, approve: bool, approver: str, reason: str) -> Run:
    """Record a decision on the run waiting for approval; UsageError when none is waiting."""
    if not reason.strip():
        raise UsageError("a decision needs a reason", hint="--reason 'why'")
    run = store.runs.find(prefix)
    if pending(store, run) is None:
        raise UsageError(
            f"run {run.id[:12]} is not waiting for an approval",
            hint="only a running promotion with --gates ...,approval past its other gates is",
        )
    _, decision = _keys(run.id)
    verdict = "approved" if approve else "rejected"
    with store.transaction() as tx:
        started = tx.steps.begin(run.id, "promote.approval.decision", decision)
        if started.done:  # someone decided a moment earlier: theirs stands
            raise UsageError(f"run {run.id[:12]} was already {started.step.result}")
        tx.steps.finish(
            decision, result={"decision": verdict, "approver": approver, "reason": reason}
        )
        tx.audit.append(approver, f"promote.{verdict}", run.id, {"reason": reason})
    return run


async def wait(
    store: Store, run_id: str, timeout_s: float, poll_s: float = POLL_S
) -> dict[str, Any]:
    """The gate's evidence once decided or timed out (see the module doc)."""
    requested, decision = _keys(run_id)
    asked = store.steps.begin(run_id, "promote.approval.requested", requested)
    if asked.done and asked.step.result:
        deadline = datetime.fromisoformat(str(asked.step.result["deadline"]))
    else:
        now = utcnow()
        deadline = now + timedelta(seconds=timeout_s)
        store.steps.finish(
            requested, result={"since": now.isoformat(), "deadline": deadline.isoformat()}
        )
        store.audit.append("cxops", "promote.approval_requested", run_id,
                           {"deadline": deadline.isoformat()})  # fmt: skip
    while True:
        got = store.steps.get(decision)
        if got is not None and got.result is not None:
            r = got.result
            return {"gate": "approval", "passed": r["decision"] == "approved", **r}
        if utcnow() >= deadline:
            return {
                "gate": "approval",
                "passed": False,
                "decision": "timed out",
                "approver": None,
                "reason": f"no decision by {deadline:%Y-%m-%d %H:%M:%S} UTC ({timeout_s:g} s)",
            }
        await asyncio.sleep(poll_s)
