"""The Standard Webhooks retry schedule, as data.

Attempts go out immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the previous
failure (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md,
"Retry schedule"); a delivery still failing after the last is a dead letter. ``scale`` shrinks
every delay (tests use 1e-5 so the whole schedule takes about a second).
"""

from __future__ import annotations

from datetime import timedelta

__all__ = ["SCHEDULE", "next_delay"]

SCHEDULE: tuple[float, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)


def next_delay(attempts_done: int, scale: float = 1.0) -> timedelta | None:
    """How long to wait after ``attempts_done`` failed attempts; None when the schedule is spent.

    >>> next_delay(1), next_delay(8)
    (datetime.timedelta(seconds=5), None)
    """
    if attempts_done >= len(SCHEDULE):
        return None
    return timedelta(seconds=SCHEDULE[attempts_done] * scale)
