"""Asynchronous vendor jobs as schedules on the emulator clock.

A job is a list of phases (``(state, seconds)``) followed by a terminal state. Its state at any
moment is a pure function of the clock, so nothing runs in the background; ``JobBoard.tick()``
(called before every request) fires each finished job's completion callback exactly once, so a
job's effect (an import applied, a snapshot restored) lands when its time comes, whether or not
anyone polls. Faults can make a job fail with a reason or stall forever in its last phase.
Vendors map the generic names to their own: Cognigy ``queued/active/done/error``, Genesys
``Registered/Started/Success/Failure``.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxops.emulator.clock import Clock

SUCCESS, FAILURE, CANCELLED = "success", "failure", "cancelled"
CANCEL_SECONDS = 0.5  # how long "cancelling" lasts before "cancelled"


@dataclass
class Job:
    """One job. ``result`` is filled by ``on_done``; ``reason`` explains a failure."""

    id: str
    kind: str
    vendor: str
    tenant: str
    created: float
    phases: list[tuple[str, float]]
    outcome: str = SUCCESS  # what it ends as unless stalled or cancelled
    reason: str | None = None
    stall: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    on_done: Callable[[Job], None] | None = None
    cancel_at: float | None = None
    settled: bool = False

    @property
    def due(self) -> float:
        return self.created + sum(seconds for _, seconds in self.phases)

    def status(self, now: float) -> tuple[str, float]:
        """``(state, fraction done)`` at ``now``; the state is a phase name or terminal name."""
        if self.cancel_at is not None and now >= self.cancel_at:
            return (CANCELLED if now >= self.cancel_at + CANCEL_SECONDS else "cancelling", 1.0)
        elapsed = now - self.created
        total = sum(seconds for _, seconds in self.phases) or 1.0
        for name, seconds in self.phases:
            if elapsed < seconds or (self.stall and name == self.phases[-1][0]):
                done = min(now - self.created, total if not self.stall else total * 0.5)
                return name, max(0.0, min(done / total, 0.99))
            elapsed -= seconds
        return self.outcome, 1.0

    def terminal(self, now: float) -> bool:
        return self.status(now)[0] in (SUCCESS, FAILURE, CANCELLED)


class JobBoard:
    """All jobs of the emulator, with a heap of due times so ``tick`` is cheap."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._jobs: dict[str, Job] = {}
        self._due: list[tuple[float, str]] = []
        self._lock = threading.RLock()

    def add(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
            if not job.stall:
                heapq.heappush(self._due, (job.due, job.id))
        return job

    def get(self, job_id: str) -> Job | None:
        self.tick()
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        return list(self._jobs.values())

    def cancel(self, job_id: str) -> Job | None:
        """Ask a running job to stop; finished jobs are left as they are."""
        with self._lock:
            job = self._jobs.get(job_id)
            now = self.clock.now()
            if job is not None and not job.terminal(now) and job.cancel_at is None:
                job.cancel_at = now
        return job

    def tick(self) -> None:
        """Settle every job whose time has come: run its completion callback once."""
        now = self.clock.now()
        ready: list[Job] = []
        with self._lock:
            while self._due and self._due[0][0] <= now:
                _, job_id = heapq.heappop(self._due)
                job = self._jobs.get(job_id)
                if job is not None and not job.settled:
                    job.settled = True
                    ready.append(job)
        for job in ready:
            if job.cancel_at is not None and job.cancel_at <= job.due:
                continue
            if job.outcome == SUCCESS and job.on_done is not None:
                try:
                    job.on_done(job)
                except Exception as exc:  # an effect that cannot apply fails the job
                    job.outcome, job.reason = FAILURE, f"{type(exc).__name__}: {exc}"

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._due.clear()
