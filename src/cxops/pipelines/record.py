"""Every pipeline step also lands in the cxops store, idempotently, and reports progress.

DBOS checkpoints a step's result after the step returns; the store records it inside the step.
A crash between the two re-runs the step on recovery, and :func:`recorded` then finds the key
already succeeded in the store and returns the stored result instead of redoing the work. So the
store's steps table is the durable log people read (``cxops runs show``) and a second guard.

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

from cxops.errors import CxopsError
from cxops.store import StepStatus, Store

__all__ = [
    "KILL_ENV",
    "Observer",
    "RunCancelled",
    "boundary",
    "failed_step",
    "notify",
    "observe",
    "recorded",
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


async def recorded(
    store: Store,
    run_id: str,
    name: str,
    key: str,
    work: Callable[[], Awaitable[dict[str, Any]]],
    *,
    cancellable: bool = True,
) -> dict[str, Any]:
    """Run ``work`` as the store step ``key`` unless that key already succeeded.

    A failure is recorded (status ``failed``, the message) and re-raised. A ``cancellable``
    step of a run that ``cxops runs cancel`` marked raises :class:`RunCancelled` before its work.
    """
    what = key.split(":", 1)[1] if key.startswith(f"{run_id}:") else key
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


def failed_step(store: Store, run_id: str) -> str | None:
    """The store key (without ``<run>:``) of the run's step that failed or never ended last
    (the ``finish`` step that asks is not one of them)."""
    for step in reversed(store.steps.for_run(run_id)):
        what = step.key.removeprefix(f"{run_id}:")
        if step.status != StepStatus.SUCCEEDED and what != "finish":
            return what
    return None
