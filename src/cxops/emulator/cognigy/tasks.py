"""Cognigy tasks on the emulator's job board: ``queued → active → done | error``,
``cancelling → cancelled`` (``TTaskStatus_2_0``), shaped as ``ICreatedTask_2_0`` when created and
``ITask_2_0`` when read. Scenario rules (``job_fail``/``job_stall``) are asked per task kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cxops.emulator import jobs
from cxops.emulator.context import EmulatorContext, new_object_id
from cxops.emulator.jobs import Job

PHASES = [("queued", 0.5), ("active", 2.0)]
TOTAL_STEPS = 4
_STATUS = {jobs.SUCCESS: "done", jobs.FAILURE: "error"}


def start(
    ctx: EmulatorContext,
    tenant: str,
    kind: str,
    type_: str,
    parameters: dict[str, Any],
    on_done: Callable[[Job], None] | None,
    user: str,
    fail_reason: str | None = None,
) -> Job:
    """Create a task of ``kind`` (fault matching) and Cognigy ``type`` (what clients see)."""
    job = Job(
        new_object_id(),
        kind,
        "cognigy",
        tenant,
        created=ctx.clock.now(),
        phases=list(PHASES),
        on_done=on_done,
        data={"type": type_, "parameters": parameters, "user": user},
    )
    rule = ctx.faults.match_job("cognigy", tenant, kind)
    if fail_reason is not None:
        job.outcome, job.reason = jobs.FAILURE, fail_reason
    elif rule is not None and rule.action == "job_fail":
        job.outcome, job.reason = jobs.FAILURE, rule.reason
    elif rule is not None and rule.action == "job_stall":
        job.stall = True
    return ctx.jobs.add(job)


def status(job: Job, now: float) -> tuple[str, float]:
    state, progress = job.status(now)
    return _STATUS.get(state, state), progress


def created_view(ctx: EmulatorContext, job: Job) -> dict[str, Any]:
    """``ICreatedTask_2_0``: what POSTs that start a task answer."""
    state, _ = status(job, ctx.clock.now())
    return {
        "_id": job.id,
        "status": state,
        "type": job.data["type"],
        "parameters": job.data["parameters"],
        "lastChangedAt": ctx.clock.millis(),
        "createdAt": ctx.clock.millis(job.created),
    }


def task_view(ctx: EmulatorContext, job: Job) -> dict[str, Any]:
    """``ITask_2_0`` as ``GET /tasks/{id}`` answers. ``data`` is untyped in the client
    (``TAbstractTaskData_2_0``): it carries the task's parameters and never the id of what the
    task made; clients find a new snapshot or package by name, as the official CLI does.
    The one evidenced key is a playbook run's ``playbookRunId`` (Cognigy-CLI
    ``src/lib/playbooks.ts`` reads it), set when the playbook is scheduled."""
    now = ctx.clock.now()
    state, progress = status(job, now)
    started = job.created + PHASES[0][1]
    terminal = state in ("done", "error", "cancelled")
    finished = job.due if job.cancel_at is None else job.cancel_at + jobs.CANCEL_SECONDS
    return {
        "_id": job.id,
        "name": job.data["type"],
        "data": dict(job.data["parameters"]),
        "status": state,
        "currentStep": TOTAL_STEPS if state == "done" else int(progress * TOTAL_STEPS),
        "totalStep": TOTAL_STEPS,
        "failReason": (job.reason or "") if state == "error" else "",
        "lastRunAt": ctx.clock.iso(started) if now >= started else None,
        "lastFinishedAt": ctx.clock.iso(finished) if terminal else None,
        "createdAt": ctx.clock.millis(job.created),
        "lastChanged": ctx.clock.millis(min(now, finished) if terminal else now),
        "createdBy": job.data["user"],
        "lastChangedBy": job.data["user"],
    }
