"""Vendor job lifecycles as data, and the sans-I/O machine that checks what a poll observed.

Everything that decides a job's state lives here, as in h11's ``_state.py``; nothing here does
I/O, sleeps, reads a clock, or knows a URL. The poller (``poller.py``) feeds observations in and
acts on what comes out. A lifecycle is a transition table: for each non-terminal state, the
states that may be observed next. Polls sample a job, so a table allows skipping states that a
poll may miss (``queued → done``), never going back (``done → active``).

- An observed state outside the table, or a move the table does not allow, raises
  :class:`ProtocolError` naming the job and both states.
- The same state with the same progress for ``stuck_after`` polls raises :class:`JobError`.
- Any exception while driving the machine puts it in :data:`ERROR`, which accepts nothing more.

:func:`diagram` draws a table as a Mermaid state diagram; ``docs/transport.md`` embeds the
output and a test keeps them equal, so the docs cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cxops.errors import JobError, ProtocolError

__all__ = [
    "COGNIGY_TASK",
    "ERROR",
    "GENESYS_JOB",
    "GENESYS_OPERATION",
    "LIFECYCLES",
    "JobMachine",
    "Lifecycle",
    "Observation",
    "Outcome",
    "diagram",
]

ERROR = "<error>"  # where a machine goes when driving it raised; terminal, local to cxops


class Outcome(StrEnum):
    """How a terminal state ends the job."""

    SUCCESS = "success"
    FAILURE = "failure"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Lifecycle:
    """One vendor job type: its non-terminal moves and what each terminal state means."""

    name: str
    moves: Mapping[str, frozenset[str]]
    outcomes: Mapping[str, Outcome]

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.moves) | frozenset(self.outcomes)

    def allows(self, before: str, after: str) -> bool:
        """``True`` when ``after`` may be observed after ``before`` (same state always may)."""
        return before == after or after in self.moves.get(before, frozenset())


def _table(rows: Mapping[str, str]) -> dict[str, frozenset[str]]:
    return {state: frozenset(targets.split()) for state, targets in rows.items()}


# Cognigy tasks: {_id,status,currentStep,totalStep,failReason}, GET /tasks/{id}.
COGNIGY_TASK = Lifecycle(
    "cognigy.task",
    _table(
        {
            "queued": "active done error cancelling cancelled",
            "active": "done error cancelling cancelled",
            "cancelling": "cancelled done error",
        }
    ),
    {"done": Outcome.SUCCESS, "error": Outcome.FAILURE, "cancelled": Outcome.CANCELLED},
)

# Genesys Architect jobs (import, export, validate): status plus messages[{type,text}].
GENESYS_JOB = Lifecycle(
    "genesys.job",
    _table({"Registered": "Started Success Failure", "Started": "Success Failure"}),
    {"Success": Outcome.SUCCESS, "Failure": Outcome.FAILURE},
)

# Genesys flow Operation (checkin, publish, revert): actionStatus, moving forward only.
GENESYS_OPERATION = Lifecycle(
    "genesys.operation",
    _table(
        {
            "LOCKED": "UNLOCKED STARTED PENDING_GENERATION PENDING_BACKEND_NOTIFICATION "
            "SUCCESS FAILURE",
            "UNLOCKED": "STARTED PENDING_GENERATION PENDING_BACKEND_NOTIFICATION SUCCESS FAILURE",
            "STARTED": "PENDING_GENERATION PENDING_BACKEND_NOTIFICATION SUCCESS FAILURE",
            "PENDING_GENERATION": "PENDING_BACKEND_NOTIFICATION SUCCESS FAILURE",
            "PENDING_BACKEND_NOTIFICATION": "SUCCESS FAILURE",
        }
    ),
    {"SUCCESS": Outcome.SUCCESS, "FAILURE": Outcome.FAILURE},
)

LIFECYCLES = {lc.name: lc for lc in (COGNIGY_TASK, GENESYS_JOB, GENESYS_OPERATION)}


@dataclass(frozen=True)
class Observation:
    """What one poll saw: the vendor's state name, progress in [0, 1], failure reason, ETA."""

    state: str
    progress: float | None = None
    reason: str | None = None
    estimate: float | None = None  # the vendor's own remaining-seconds estimate, if it gives one


@dataclass
class JobMachine:
    """The state of one job as far as cxops knows, advanced only by :meth:`observe`."""

    lifecycle: Lifecycle
    job_id: str
    stuck_after: int = 30
    state: str | None = None
    progress: float | None = None
    reason: str | None = None
    polls: int = 0
    unchanged: int = 0
    history: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome | None:
        """The terminal outcome once reached, else ``None``."""
        return self.lifecycle.outcomes.get(self.state or "")

    @property
    def finished(self) -> bool:
        return self.state == ERROR or self.outcome is not None

    def observe(self, seen: Observation) -> bool:
        """Apply one observation; ``True`` when state or progress changed.

        Raises :class:`ProtocolError` for an unknown state or an illegal move, and
        :class:`JobError` when the job is stuck; either leaves the machine in :data:`ERROR`.
        """
        try:
            return self._observe(seen)
        except BaseException as exc:
            self.fail(exc)
            raise

    def fail(self, exc: BaseException) -> None:
        """Send the machine to :data:`ERROR` (the driver calls this on its own exceptions)."""
        if self.state != ERROR:
            self.history.append(ERROR)
        self.state = ERROR
        self.reason = self.reason or f"{type(exc).__name__}: {exc}"

    def _observe(self, seen: Observation) -> bool:
        name = f"{self.lifecycle.name} {self.job_id}"
        if self.state == ERROR:
            raise ProtocolError(f"{name}: already in error; it accepts no more observations")
        if seen.state not in self.lifecycle.states:
            raise ProtocolError(
                f"{name}: unknown state {seen.state!r} after {self.state!r}",
                hint=f"known states: {', '.join(sorted(self.lifecycle.states))}",
            )
        if self.state is not None and not self.lifecycle.allows(self.state, seen.state):
            raise ProtocolError(
                f"{name}: illegal transition {self.state} -> {seen.state}",
                hint="the vendor reported a job going backwards; report it with the job id",
            )
        if self.outcome is not None and seen.state == self.state:
            return False  # re-reading a finished job changes nothing
        self.polls += 1
        changed = seen.state != self.state or (
            seen.progress is not None and seen.progress != self.progress
        )
        if changed:
            if seen.state != self.state:
                self.history.append(seen.state)
            self.state = seen.state
            self.progress = seen.progress if seen.progress is not None else self.progress
            self.unchanged = 0
        else:
            self.unchanged += 1
        if seen.reason:
            self.reason = seen.reason
        if self.outcome is None and self.unchanged >= self.stuck_after:
            raise JobError(
                f"{name}: stuck in {self.state} "
                f"(no state or progress change for {self.unchanged} polls)",
                job_id=self.job_id,
                state=self.state,
                reason="stuck",
                hint="check the job on the vendor side; cxops left it as it is",
            )
        return changed


def diagram(lifecycle: Lifecycle) -> str:
    """A Mermaid ``stateDiagram-v2`` of ``lifecycle``, sorted so the output is stable."""
    lines = ["stateDiagram-v2"]
    sources = sorted(lifecycle.moves)
    targets = {t for ts in lifecycle.moves.values() for t in ts}
    for state in sources:
        if state not in targets:
            lines.append(f"    [*] --> {state}")
    for state in sources:
        for target in sorted(lifecycle.moves[state]):
            lines.append(f"    {state} --> {target}")
    for state in sorted(lifecycle.outcomes):
        lines.append(f"    {state} --> [*]: {lifecycle.outcomes[state].value}")
    return "\n".join(lines)


def markdown() -> str:
    """Every lifecycle's diagram as the Markdown section ``docs/transport.md`` embeds."""
    out = ["<!-- generated by: python -m cxops.transport.lifecycle (do not edit by hand) -->", ""]
    for name, lifecycle in sorted(LIFECYCLES.items()):
        out += [f"### `{name}`", "", "```mermaid", diagram(lifecycle), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
