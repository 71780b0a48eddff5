"""Numbers and evidence turned into what a release manager reads: times, durations, sentences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["duration", "gate_sentence", "pct", "step_label", "when"]

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


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _run_lines(r: dict[str, Any]) -> list[str]:
    """Detail lines of one test run: a Cognigy playbook run (status, failed steps), a Cognigy
    simulator batch (executions succeeded/failed), or a run with a success rate."""
    if "playbook" in r:
        lines = [f"playbook {r['playbook']}: {r.get('status') or r.get('error') or 'not run'}"]
        return lines + [f"  failed: {st.get('text')}" for st in r.get("failed_steps") or []]
    if "batch" in r:
        return [f"{r.get('simulation')}: {r.get('succeeded')} succeeded, {r.get('failed')} failed"]
    label = r.get("simulation") or r.get("name") or "run"
    lines = [f"{label}: {r.get('success_rate')}% successful (threshold {r.get('threshold')}%)"]
    return lines + [f"  failed: {s}" for s in r.get("failed_scenarios") or []]


def gate_sentence(gate: dict[str, Any]) -> tuple[str, list[str]]:
    """One sentence saying why a gate passed or failed, and detail lines (reasons, failures)."""
    name, passed = str(gate.get("gate")), bool(gate.get("passed"))
    verdict = "passed" if passed else "FAILED"
    details: list[str] = []
    if gate.get("skipped"):
        return f"The {name} gate was not checked: {gate['skipped']}.", details
    if gate.get("error"):
        what = "The smoke test" if name == "smoke" else f"The {name} gate"
        return f"{what} {verdict}: {gate['error']}.", details
    if name == "validation":
        errors = [str(e) for e in gate.get("errors") or []]
        details += errors[:20]
        found = int(gate.get("findings") or 0)
        if passed:
            return (
                f"Validation passed: the source has no error finding "
                f"({_count(found, 'finding')} in all).",
                details,
            )
        return f"Validation FAILED: {_count(len(errors), 'error finding')} in the source.", details
    if name in ("simulation", "smoke"):
        runs = gate.get("runs") or []
        for r in runs:
            details += _run_lines(r)
        ok = sum(1 for r in runs if r.get("passed"))
        if name == "smoke":
            return f"The smoke test {verdict}: {ok} of {_count(len(runs), 'run')} passed.", details
        return (
            f"Simulation {verdict}: {ok} of {_count(len(runs), 'simulation run')} reached "
            "its threshold.",
            details,
        )
    if name == "health":
        endpoints = gate.get("endpoints") or {}
        inactive = gate.get("inactive") or []
        details += [f"inactive: {e}" for e in inactive]
        healthy = sum(1 for v in endpoints.values() if v)
        return (
            f"Health {verdict}: {healthy} of {_count(len(endpoints), 'endpoint')} active.",
            details,
        )
    if name == "sessions":
        if gate.get("overridden"):
            return "Sessions gate overridden (--override-active-sessions).", details
        start = sum(int(v) for v in (gate.get("active_at_start") or {}).values())
        now = sum(int(v) for v in (gate.get("active") or {}).values())
        waited, timeout = gate.get("waited_s"), gate.get("timeout_s")
        return (
            f"Sessions {verdict}: {start} active at the start, {now} after waiting "
            f"{waited} s (limit {timeout} s).",
            details,
        )
    if name == "lock":
        drift = gate.get("drift") or []
        details += [str(d) for d in drift[:20]]
        if passed:
            return f"Lock passed: {gate.get('locked_flows', 0)} locked flows match.", details
        return f"Lock FAILED: {_count(len(drift), 'difference')} from cxops.lock.", details
    if name == "approval":
        who, why = gate.get("approver"), gate.get("reason")
        if passed:
            return f"Approved by {who}: {why}.", details
        return f"Approval FAILED: {gate.get('decision') or 'no answer'} ({why}).", details
    return f"The {name} gate {verdict}.", details
