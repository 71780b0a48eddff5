"""Numbers turned into what a release manager reads: times, durations, step names.

Gate evidence in sentences is ``cxops.analysis.evidence`` (shared with the command line)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["duration", "pct", "step_label", "when"]

_STEP_LABELS = {
    "promote.plan": "plan",
    "promote.gates": "gates",
    "promote.rollback_point": "rollback point",
    "promote.verify": "verify",
    "promote.rollback": "rollback",
    "promote.artifact": "artifact",
    "promote.finish": "finish",
    "export.plan": "plan",
    "export.check": "checks",
}


def when(value: datetime | None, now: datetime | None = None) -> str:
    """``2026-12-05 19:23 UTC (4 min ago)``; empty for None."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    ago = (now - value).total_seconds()
    if ago < 0:
        rel = "just now"
    elif ago < 90:
        rel = f"{int(ago)} s ago"
    elif ago < 5400:
        rel = f"{round(ago / 60)} min ago"
    elif ago < 172800:
        rel = f"{round(ago / 3600)} h ago"
    else:
        rel = f"{round(ago / 86400)} days ago"
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({rel})"


def duration(seconds: float | None) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``2 h 04 min``; ``running`` for None."""
    if seconds is None:
        return "running"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def pct(value: float | None) -> str:
    """``50%``, or ``n/a``."""
    return "n/a" if value is None else f"{value:.0%}"


def step_label(name: str, key: str) -> str:
    """A step's name for the timeline: ``deploy merge`` rather than ``promote.deploy``."""
    if name == "promote.deploy":
        return "deploy " + key.split(":deploy:", 1)[-1]
    if name == "export.project":
        return "export project"
    return _STEP_LABELS.get(name, name.split(".", 1)[-1].replace("_", " "))
