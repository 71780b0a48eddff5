"""Drive a job's lifecycle machine by polling: adaptive interval, deadline, cancel, events.

The interval (:class:`Cadence`) starts fast (short jobs are common and a person is waiting),
then follows the best estimate of when the job will end:

1. the vendor's own remaining-time estimate, when the body carries one;
2. otherwise the window of possible end times that the progress seen so far allows
   (``eta.EndWindow``): sleep until the window opens (at most ``maximum`` at a time), then
   poll a few times across it, at least every ``fine`` seconds;
3. otherwise (no progress reported, as Genesys jobs) exponential backoff up to ``maximum``.

Past the window without the end (progress was not linear), backoff takes over. Every poll
emits a :class:`JobEvent` (a rich progress bar's update), and the loop ends in a
:class:`JobResult`, or a :class:`JobError` for a failure (with the vendor's reason), a stuck job,
the deadline, or a vendor-side cancel. Cancelling (an ``asyncio.Event`` set by the caller, or
the awaiting task being cancelled) sends the vendor's cancel call where there is one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cxops.errors import JobError
from cxops.transport.client import VendorClient
from cxops.transport.eta import EndWindow
from cxops.transport.jobs import JobSpec
from cxops.transport.lifecycle import JobMachine, Observation, Outcome

__all__ = ["Cadence", "JobEvent", "JobResult", "poll_job"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Cadence:
    """How often to poll: first interval, backoff factor, bounds, and the wait past an ETA."""

    initial: float = 0.5
    factor: float = 2.0
    minimum: float = 0.1
    maximum: float = 10.0
    approach: float = 1.0  # before the end window: sleep this share of the time left to it
    splits: int = 4  # inside the end window: poll this many times across it ...
    fine: float = 0.75  # ... but at least this often
    after_eta: float = 0.05  # after a vendor's own estimate: poll this long after it


@dataclass(frozen=True)
class JobEvent:
    """One poll's news, for progress bars: state, progress (0-1 or None), counts, timing."""

    job_id: str
    lifecycle: str
    state: str
    progress: float | None
    polls: int
    elapsed: float
    finished: bool


@dataclass(frozen=True)
class JobResult:
    """A job that reached a terminal state cxops accepts (success, or a requested cancel)."""

    job_id: str
    state: str
    outcome: Outcome
    body: Any
    polls: int
    elapsed: float
    history: tuple[str, ...]


def _next_delay(
    cadence: Cadence, seen: Observation, ends: EndWindow, now: float, backoff: float
) -> tuple[float, float]:
    """``(delay, next backoff)`` after an observation at ``now``."""

    def clamp(seconds: float) -> float:
        return max(cadence.minimum, min(cadence.maximum, seconds))

    if seen.estimate is not None and seen.estimate >= 0:
        return clamp(seen.estimate + cadence.after_eta), cadence.initial
    window = ends.window()
    if window is not None:
        lo, hi = window
        if now < lo:  # close in on the window; these polls also sharpen it
            return clamp((lo - now) * cadence.approach), cadence.initial
        if now < hi:  # inside it: evenly spaced polls bound the detection delay
            return clamp(min((hi - lo) / cadence.splits, cadence.fine)), cadence.initial
    return clamp(backoff), backoff * cadence.factor


async def _sleep_or_cancel(sleep: Sleep, delay: float, cancel: asyncio.Event | None) -> None:
    if cancel is None or cancel.is_set():
        await sleep(delay)
        return
    waiter = asyncio.ensure_future(cancel.wait())
    sleeper = asyncio.ensure_future(sleep(delay))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, sleeper):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _send_cancel(client: VendorClient, spec: JobSpec) -> None:
    if spec.cancel_url is None:
        raise JobError(
            f"{spec.lifecycle.name} {spec.job_id}: the vendor offers no cancel for this job",
            job_id=spec.job_id,
            hint="it keeps running on the vendor side; wait for it or stop it there",
        )
    await client.request("POST", spec.cancel_url, idempotent=True, deadline=30)


async def poll_job(
    client: VendorClient,
    spec: JobSpec,
    *,
    deadline: float = 900.0,
    cadence: Cadence | None = None,
    stuck_after: int = 30,
    on_event: Callable[[JobEvent], None] | None = None,
    cancel: asyncio.Event | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> JobResult:
    """Poll ``spec`` until it ends; return a :class:`JobResult` or raise :class:`JobError`.

    ``deadline`` is in seconds from now; ``cancel`` asks the vendor to stop the job (the
    result's outcome is then ``cancelled``). ``sleep`` and ``clock`` exist for simulations.

    >>> result = await poll_job(client, cognigy_task(task["_id"]))   # doctest: +SKIP
    """
    cadence = cadence or Cadence()
    machine = JobMachine(spec.lifecycle, spec.job_id, stuck_after=stuck_after)
    start = clock()
    ends = EndWindow()
    backoff = cadence.initial
    cancel_sent = False
    name = f"{spec.lifecycle.name} {spec.job_id}"
    try:
        while True:
            if cancel is not None and cancel.is_set() and not cancel_sent:
                await _send_cancel(client, spec)
                cancel_sent = True
            body = await client.get_json(spec.status_url)
            seen = spec.parse(body)
            now = clock()
            machine.observe(seen)
            ends.record(now, seen.progress)
            if on_event is not None:
                on_event(
                    JobEvent(
                        spec.job_id,
                        spec.lifecycle.name,
                        seen.state,
                        machine.progress,
                        machine.polls,
                        now - start,
                        machine.finished,
                    )
                )
            outcome = machine.outcome
            if outcome is Outcome.SUCCESS or (outcome is Outcome.CANCELLED and cancel_sent):
                return JobResult(
                    spec.job_id,
                    seen.state,
                    outcome,
                    body,
                    machine.polls,
                    now - start,
                    tuple(machine.history),
                )
            if outcome is not None:
                why = machine.reason or "the vendor gave no reason"
                verb = "failed" if outcome is Outcome.FAILURE else "was cancelled on the vendor"
                raise JobError(
                    f"{name} {verb}: {why}",
                    job_id=spec.job_id,
                    state=seen.state,
                    reason=machine.reason,
                    hint="fix the cause the vendor names, then run the command again",
                )
            delay, backoff = _next_delay(cadence, seen, ends, now, backoff)
            left = start + deadline - now
            if left <= 0:
                raise JobError(
                    f"{name}: still {seen.state} after {now - start:.1f}s (deadline {deadline:g}s)",
                    job_id=spec.job_id,
                    state=seen.state,
                    reason="deadline",
                    hint="the job keeps running on the vendor side; check it or raise the deadline",
                )
            await _sleep_or_cancel(sleep, min(delay, left), cancel)
    except asyncio.CancelledError:
        machine.fail(asyncio.CancelledError())
        if spec.cancel_url is not None and not cancel_sent:
            # Best effort: our caller is going away, so do not leave the vendor working for it.
            with contextlib.suppress(Exception):
                await asyncio.shield(_send_cancel(client, spec))
        raise
    except BaseException as exc:
        machine.fail(exc)
        raise
