"""Every pipeline step also lands in the cxops store, idempotently, and reports progress.

DBOS checkpoints a DBOS step's result after the step returns; the store records it inside the
step. A crash between the two re-runs the step on recovery, and :func:`recorded` then finds the
key already succeeded in the store and returns the stored result instead of redoing the work. So
the store's steps table is the durable log people read (``cxops runs show``) and a second guard;
for the export, whose stages are no DBOS steps (issue #19), the only one: a resumed export runs
its workflow from the top and each stage that succeeded returns its stored result.

``CXOPS_PIPELINE_KILL_AT`` (tests only) makes the process kill itself with SIGKILL at a step
boundary: ``N`` at the Nth boundary it crosses, or a label ``<what>@<where>`` at that one, where
``<what>`` is the store key without ``<run>:`` (``plan``, ``deploy:merge``...) and ``<where>`` is
``before`` (before the step's work: before any vendor call), ``after_call`` (the work returned:
the vendor effect happened, nothing is recorded) or ``after_record`` (the store has it, DBOS'
checkpoint does not). Of several comma-separated labels, the first one crossed kills. The kill -9
trials use it to stop the process at chosen points.

``cxops runs cancel`` marks the run in the store; the next step that is about to do new work
raises :class:`RunCancelled` instead (steps that end or undo a run are not cancellable), so a
run stops between steps, never inside one.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from cxops.errors import CxopsError, UsageError
from cxops.store import StepStart, StepStatus, Store, Tx

__all__ = [
    "KILL_ENV",
    "Observer",
    "RunCancelled",
    "begin_all",
    "boundary",
    "end_run",
    "failed_step",
    "notify",
    "observe",
    "recorded",
    "recorded_in",
]


class RunCancelled(CxopsError):
    """``cxops runs cancel`` asked the run to stop; raised at its next step."""

    exit_code = 1


KILL_ENV = "CXOPS_PIPELINE_KILL_AT"

#: ``observer(run_id, event, data)``: progress for the command that waits on a run.
Observer = Callable[[str, str, dict[str, Any]], None]

_observers: list[Observer] = []
_count_lock = threading.Lock()
_crossed = 0


def boundary(label: str = "") -> None:
    """Note a step boundary; SIGKILL this process at the one ``CXOPS_PIPELINE_KILL_AT`` names."""
    global _crossed
    target = os.environ.get(KILL_ENV, "").strip()
    if not target:
        return
    with _count_lock:
        _crossed += 1
        if target.isdigit():
            hit = _crossed == int(target)
        else:  # a label fires at its first crossing (a killed process never crosses it twice)
            hit = label in {t.strip() for t in target.split(",")}
    if hit:
        os.kill(os.getpid(), signal.SIGKILL)


def observe(observer: Observer) -> Callable[[], None]:
    """Register a progress observer; returns the function that removes it."""
    _observers.append(observer)
    return lambda: _observers.remove(observer)


def notify(run_id: str, event: str, **data: Any) -> None:
    """Tell every observer about progress of a run (never raises into the pipeline)."""
    for observer in list(_observers):
        try:
            observer(run_id, event, data)
        except Exception:  # pragma: no cover - a progress bar must not fail an export
            continue


def _what(run_id: str, key: str) -> str:
    return key.split(":", 1)[1] if key.startswith(f"{run_id}:") else key


def begin_all(
    store: Store, run_id: str, name: str, keys: list[str], *, cancellable: bool = True
) -> dict[str, StepStart]:
    """Begin the store steps ``keys`` of one run in ONE transaction (``Steps.begin_many``), for
    :func:`recorded` to take as ``started``: steps that start together (an export's projects)
    cost one transaction, not one each. Crosses each key's ``before`` boundary first."""
    for key in keys:
        boundary(f"{_what(run_id, key)}@before")
    return store.steps.begin_many(run_id, name, keys, with_cancel=cancellable)


async def recorded(
    store: Store,
    run_id: str,
    name: str,
    key: str,
    work: Callable[[], Awaitable[dict[str, Any]]],
    *,
    cancellable: bool = True,
    started: StepStart | None = None,
) -> dict[str, Any]:
    """Run ``work`` as the store step ``key`` unless that key already succeeded.

    A failure is recorded (status ``failed``, the message) and re-raised. A ``cancellable``
    step of a run that ``cxops runs cancel`` marked raises :class:`RunCancelled` before its work.
    ``started``: the step was begun already, by :func:`begin_all` (with ``cancellable``).
    """
    what = _what(run_id, key)
    if started is None:
        boundary(f"{what}@before")
        started = store.steps.begin(run_id, name, key, with_cancel=cancellable)
    if started.done:
        return dict(started.step.result or {})
    if started.cancel_requested is not None:
        cancelled = RunCancelled(
            f"cancelled by `cxops runs cancel` before {what}",
            hint=f"see `cxops runs show {run_id}`",
        )
        store.steps.finish(key, status="failed", error=cancelled.message)
        raise cancelled
    try:
        result = await work()
    except BaseException as exc:
        store.steps.finish(key, status="failed", error=str(exc) or type(exc).__name__)
        raise
    boundary(f"{what}@after_call")
    store.steps.finish(key, result=result)
    boundary(f"{what}@after_record")
    return result


def recorded_in(
    store: Store, run_id: str, name: str, key: str, work: Callable[[Tx], dict[str, Any]]
) -> dict[str, Any]:
    """Run ``work``, whose effects are writes to the store alone (a run's end, its audit entry,
    its outbox event), as the store step ``key`` in ONE transaction with the step's own record:
    begun, worked and ended together, or not at all. A key that already succeeded returns its
    stored result (nothing repeated). Not cancellable (the steps that end a run).

    Its ``after_call`` boundary is inside the transaction (a kill there leaves nothing behind:
    the work's writes are rolled back with the step's record). A failure is recorded in a
    transaction of its own (status ``failed``, the message) and re-raised.
    """
    what = _what(run_id, key)
    boundary(f"{what}@before")
    try:
        with store.transaction() as tx:
            started = tx.steps.begin(run_id, name, key)
            if started.done:
                return dict(started.step.result or {})
            result = work(tx)
            boundary(f"{what}@after_call")
            tx.steps.finish(key, result=result)
    except BaseException as exc:
        with store.transaction() as tx:
            tx.steps.begin(run_id, name, key)
            tx.steps.finish(key, status="failed", error=str(exc) or type(exc).__name__)
        raise
    boundary(f"{what}@after_record")
    return result


def end_run(tx: Tx, run_id: str, summary: dict[str, Any]) -> str | None:
    """End the run with its summary's status and error, if it is still running (a workflow's
    finish step, inside its transaction): None when it ended now, else the status it has (it
    ended before a crash, so nothing is to be repeated). An unknown run is a UsageError."""
    status = summary["status"]
    if tx.runs.end(run_id, status, summary=summary, error=summary.get("error")) is not None:
        return None
    run = tx.runs.get(run_id)
    if run is None:
        raise UsageError(f"no run {run_id!r}", hint="see `cxops runs list`")
    return run.status


def failed_step(store: Store | Tx, run_id: str) -> str | None:
    """The store key (without ``<run>:``) of the run's step that failed or never ended last
    (the ``finish`` step that asks is not one of them)."""
    for step in reversed(store.steps.for_run(run_id)):
        what = step.key.removeprefix(f"{run_id}:")
        if step.status != StepStatus.SUCCEEDED and what != "finish":
            return what
    return None
