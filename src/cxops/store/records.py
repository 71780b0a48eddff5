"""What the store hands back: frozen dataclasses, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "AuditEntry",
    "Delivery",
    "Endpoint",
    "Event",
    "Run",
    "RunStatus",
    "Step",
    "StepStart",
    "StepStatus",
]


class RunStatus:
    """A run's lifecycle: (queued,) running, then exactly one of the final states.

    ``queued``: on a shared queue, not yet taken by a worker (issue #17)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIAL = "partial"  # some parts succeeded (fleet mode); the summary says which
    CANCELLED = "cancelled"
    FINAL = frozenset({SUCCEEDED, FAILED, PARTIAL, CANCELLED})


class StepStatus:
    """A step's lifecycle; only ``succeeded`` makes a later ``begin`` with its key a no-op."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    FINAL = frozenset({SUCCEEDED, FAILED})


@dataclass(frozen=True)
class Run:
    id: str
    kind: str
    status: str
    started: datetime
    ended: datetime | None
    params: dict[str, Any]
    summary: dict[str, Any] | None
    error: str | None
    cancel_requested: datetime | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, or None while running."""
        return None if self.ended is None else (self.ended - self.started).total_seconds()


@dataclass(frozen=True)
class Step:
    run_id: str
    name: str
    key: str
    status: str
    started: datetime
    ended: datetime | None
    attempt: int
    result: dict[str, Any] | None
    error: str | None

    @property
    def duration(self) -> float | None:
        """Seconds from this attempt's start to its end, or None while running."""
        return None if self.ended is None else (self.ended - self.started).total_seconds()


@dataclass(frozen=True)
class StepStart:
    """What ``begin`` found: ``done`` means the key already succeeded; reuse ``step.result``.
    ``cancel_requested`` is the run's, read in the same transaction when asked for."""

    step: Step
    done: bool
    cancel_requested: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    time: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the shape ``cxops audit show --jsonl`` prints."""
        from cxops.store.chain import format_time

        return {
            "seq": self.seq,
            "time": format_time(self.time),
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Endpoint:
    id: int
    url: str
    secret_env: str
    disabled_at: datetime | None
    disabled_reason: str | None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    payload: dict[str, Any]
    created: datetime
    run_id: str | None


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one endpoint (``state``: pending, delivered, dead, disabled)."""

    event: Event
    endpoint: Endpoint
    state: str
    attempts: int
    next_attempt: datetime | None
    last_status: int | None
    last_error: str | None
