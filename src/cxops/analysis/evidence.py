"""A promotion's gate evidence and rollback cause in words, written once for every reader.

The promotion gates record their evidence as JSON (``{"gate", "passed", ...}``; the shapes are
each vendor's: Cognigy playbook runs and simulator batches, Genesys conversations and NLU
health, CXone test calls). This module turns that evidence into what a release manager reads,
for the dashboard (``gate_sentence``: "Simulation passed: 2 of 2 runs passed: ...") and the
command line (``gate_line``: "simulation: 'Smoke' 12/12 scenarios passed"), from one clause per
gate so that both say the same thing. ``rollback_cause`` names the check that made a promotion
roll back, and why. Pure: no I/O, no clock; names are quoted as given (the caller makes them
safe for its terminal or page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Said",
    "gate_line",
    "gate_sentence",
    "rollback_cause",
    "said",
    "verify_checks",
    "verify_failure",
    "version_sentence",
]

#: Phrases of a test gate shown in its one line; the rest go to the detail lines.
SHOWN = 2
#: Detail lines kept per gate (a validation of a broken project can have thousands of errors).
MAX_DETAILS = 20
#: Checks run after the deploy, in the order they are reported.
VERIFY_CHECKS = ("health", "smoke")


@dataclass(frozen=True, slots=True)
class Said:
    """A gate's evidence in words: ``clause`` says what was found (without the gate's name or
    verdict), ``details`` the lines behind it (failed steps, drifted rows), ``hint`` what to do."""

    gate: str
    passed: bool
    skipped: bool
    clause: str
    details: list[str] = field(default_factory=list)
    hint: str | None = None


def _q(name: Any) -> str:
    return f"'{name}'"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _names(names: Sequence[Any], limit: int = 3) -> str:
    shown = ", ".join(_q(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# -- test runs (simulation, smoke) ----------------------------------------------------------


def _run_phrase(r: Mapping[str, Any]) -> tuple[str, list[str]]:
    """One test run in words, and its detail lines: a Cognigy playbook run, a Cognigy simulator
    batch, a Genesys conversation, a CXone test call, or a run with a success rate."""
    if "playbook" in r:
        what = f"playbook {_q(r['playbook'])}"
        if r.get("error"):
            return f"{what}: {r['error']}", []
        steps = [str(s.get("text")) for s in r.get("failed_steps") or []]
        status = r.get("status") or "not run"
        if steps:
            return f"{what} {status} at step {_q(steps[0])}", [f"failed step: {s}" for s in steps]
        return f"{what} {status}", []
    if "batch" in r:
        good, bad = int(r.get("succeeded") or 0), int(r.get("failed") or 0)
        phrase = f"{_q(r.get('simulation'))} {good}/{good + bad} scenarios passed"
        if bad:
            phrase += f" ({bad} failed)"
        if r.get("status") not in (None, "COMPLETED"):
            phrase += f" (batch {r['status']})"
        return phrase, []
    if "conversation" in r:
        what = f"conversation {_q(r['conversation'])}"
        failed = [str(f) for f in r.get("failed") or []]
        if r.get("passed"):
            return f"{what} passed", []
        return f"{what} failed: {failed[0] if failed else 'no reason given'}", failed[1:]
    if "url" in r or "script" in r:  # a CXone test call
        what = f"test call {_q(r.get('name') or r.get('script'))}"
        if r.get("passed"):
            return f"{what} passed", []
        return f"{what} failed: {r.get('detail') or 'no reason given'}", []
    label = r.get("simulation") or r.get("name") or "run"
    phrase = f"{_q(label)} {r.get('success_rate')}% successful (threshold {r.get('threshold')}%)"
    failed = [str(s) for s in r.get("failed_scenarios") or []]
    if failed:
        phrase += f" ({len(failed)} failed: {_names(failed)})"
    return phrase, []


def _tests(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    runs = [r for r in (gate.get("runs") or gate.get("calls") or []) if isinstance(r, Mapping)]
    said = [(_run_phrase(r), bool(r.get("passed"))) for r in runs]
    ok = sum(1 for _, good in said if good)
    noun = "test call" if "calls" in gate and "runs" not in gate else "run"
    if "success_rate" in gate and "threshold" in gate:  # Genesys conversations
        head = (
            f"{gate['success_rate']}% of {_count(len(runs), 'conversation')} passed "
            f"(threshold {gate['threshold']}%)"
        )
    elif len(runs) == 1:
        head = ""
    else:
        head = f"{ok} of {_count(len(runs), noun)} passed"
    # The line names the failing runs first (they are what a reader acts on), else all.
    chosen = [p for p, good in said if not good] or [p for p, _ in said]
    phrases = [phrase for phrase, _ in chosen]
    shown = "; ".join(phrases[:SHOWN])
    if len(phrases) > SHOWN:
        shown += f"; and {len(phrases) - SHOWN} more"
    clause = f"{head}: {shown}" if head and shown else head or shown or "nothing ran"
    details = [phrase for (phrase, _), _ in said] if len(said) > 1 else []
    return clause, details + [d for (_, more), _ in said for d in more]


# -- the other gates ------------------------------------------------------------------------


def _health(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    details: list[str] = []
    parts: list[str] = []
    endpoints = gate.get("endpoints")
    if isinstance(endpoints, Mapping):  # Cognigy: every endpoint of the target project
        healthy = sum(1 for v in endpoints.values() if v)
        parts.append(f"{healthy} of {_count(len(endpoints), 'endpoint')} active")
        details += [f"inactive: endpoint {e}" for e in gate.get("inactive") or []]
        stray = list(gate.get("not_repointed") or [])
        if stray:
            parts.append(f"{_count(len(stray), 'endpoint')} not re-pointed: {_names(stray)}")
    flows = gate.get("flows")
    if isinstance(flows, Mapping):  # Genesys: NLU health of the promoted bot flows
        bad = {k: v for k, v in flows.items() if isinstance(v, Mapping) and not v.get("passed")}
        parts.append(f"{len(flows) - len(bad)} of {_count(len(flows), 'bot flow')} healthy")
        for key, v in bad.items():
            states = sorted({str(s) for s in (v.get("status") or {}).values()})
            low = v.get("low_intents") or {}
            why = [f"NLU {'/'.join(states) or 'not trained'}"] if states != ["Completed"] else []
            why += [f"intent {_q(i)} scores {s}" for i, s in low.items()]
            details.append(f"{key}: {', '.join(why)}")
    published = gate.get("published")
    if isinstance(published, Mapping):  # Genesys verify: the deployed versions are live
        wrong = [k for k, v in published.items() if isinstance(v, Mapping) and not v["passed"]]
        if wrong:
            parts.append(f"{_count(len(wrong), 'flow')} not published as deployed: {_names(wrong)}")
        details += [
            f"{k}: published {published[k].get('published')}, deployed {published[k].get('wanted')}"
            for k in wrong
        ]
    return ", ".join(parts) or "nothing to check", details


def _sessions(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    now = gate.get("active") or {}
    if gate.get("overridden"):
        active = sum(int(v) for v in now.values())
        return f"overridden (--override-active-sessions) with {active} active", []
    start = sum(int(v) for v in (gate.get("active_at_start") or {}).values())
    left = sum(int(v) for v in now.values())
    details = [f"still active: {k} ({v})" for k, v in now.items() if int(v)]
    return (
        f"{start} active at the start, {left} after waiting {gate.get('waited_s')} s "
        f"(limit {gate.get('timeout_s')} s)",
        details,
    )


def _lock(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    drift = [str(d) for d in gate.get("drift") or []]
    if gate.get("passed"):
        return f"{_count(int(gate.get('locked_flows') or 0), 'locked flow')} match", []
    rows = [d for d in gate.get("drifted") or [] if isinstance(d, Mapping)]
    if not rows:  # evidence recorded before the names were: the drift lines say it all
        count = int(gate.get("drift_count") or len(drift))
        return f"{_count(count, 'difference')} from cxops.lock", drift
    parts = []
    for table, word, plural in (("flow", "flow", "flows"), ("dependency", "dependency", None)):
        names = list(dict.fromkeys(str(d.get("name") or d.get("key")) for d in rows
                                   if d.get("table") == table))  # fmt: skip
        if names:
            parts.append(f"{_count(len(names), word, plural or 'dependencies')} drifted: "
                         f"{_names(names)}")  # fmt: skip
    return "; ".join(parts) + " (re-export to update the lock)", drift


def _validation(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    errors = [str(e) for e in gate.get("errors") or []]
    found = int(gate.get("findings") or 0)
    if gate.get("passed"):
        return f"the source has no error finding ({_count(found, 'finding')} in all)", errors
    clause = f"{_count(len(errors), 'error finding')} in the source"
    return (f"{clause}: {errors[0]}" if errors else clause), errors


def _approval(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    who, why = gate.get("approver"), gate.get("reason")
    if gate.get("passed"):
        return f"approved by {who}: {why}", []
    return f"{gate.get('decision') or 'no answer'}" + (
        f" by {who}" if who else ""
    ) + f" ({why})", []


_CLAUSES = {
    "validation": _validation,
    "simulation": _tests,
    "smoke": _tests,
    "health": _health,
    "sessions": _sessions,
    "lock": _lock,
    "approval": _approval,
}


def said(gate: Mapping[str, Any]) -> Said:
    """What one gate's evidence says (see :class:`Said`)."""
    name, passed = str(gate.get("gate")), bool(gate.get("passed"))
    hint = str(gate["hint"]) if gate.get("hint") else None
    if gate.get("skipped"):
        return Said(name, passed, True, f"not checked: {gate['skipped']}", hint=hint)
    if gate.get("error") and not gate.get("overridden"):
        return Said(name, passed, False, str(gate["error"]), hint=hint)
    clause, details = _CLAUSES.get(name, lambda g: ("", []))(gate)
    return Said(name, passed, False, clause, details[:MAX_DETAILS], hint)


_TITLES = {
    "validation": "Validation",
    "simulation": "Simulation",
    "smoke": "The smoke test",
    "health": "Health",
    "sessions": "Sessions",
    "lock": "Lock",
    "approval": "Approval",
}


def _verdict(passed: bool) -> str:
    return "passed" if passed else "FAILED"


def gate_sentence(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The dashboard's sentence for one gate, and its detail lines.

    >>> gate_sentence({"gate": "lock", "passed": True, "locked_flows": 3})[0]
    'Lock passed: 3 locked flows match.'
    """
    s = said(gate)
    if s.skipped:
        return f"The {s.gate} gate was not checked: {s.clause.removeprefix('not checked: ')}.", []
    if s.gate == "approval" and s.passed:
        return f"{s.clause[0].upper()}{s.clause[1:]}.", s.details
    title = _TITLES.get(s.gate, f"The {s.gate} gate")
    details = s.details + ([f"hint: {s.hint}"] if s.hint else [])
    clause = f": {s.clause.rstrip('.')}." if s.clause else "."
    return f"{title} {_verdict(s.passed)}{clause}", details


def gate_line(gate: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The command line's one line for one gate (``lock: 1 flow drifted: 'Cancel Contract'
    (re-export to update the lock)``), and what to show under it: the hint of a failed gate.

    >>> gate_line({"gate": "simulation", "passed": True, "runs": [
    ...     {"simulation": "Smoke", "batch": "b", "succeeded": 12, "failed": 0, "passed": True}]})
    ("simulation: 'Smoke' 12/12 scenarios passed", [])
    """
    s = said(gate)
    under = [f"hint: {s.hint}"] if s.hint and not s.passed else []
    return f"{s.gate}: {s.clause or _verdict(s.passed)}", under


def version_sentence(version: Mapping[str, Any]) -> tuple[bool, str] | None:
    """The plan's version check as the dashboard's sentence (None when no version was given)."""
    if not version.get("given"):
        return None
    if version.get("ok"):
        previous = version.get("previous") or "none"
        return True, (
            f"Version {version['given']} is accepted: previous {previous}, the changes call "
            f"for a {version.get('suggested_bump')} bump."
        )
    return False, f"Version {version['given']} REFUSED: {version.get('reason')}."


def verify_checks(verify: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The checks after the deploy (``summary["verify"]``) as gate evidence, in order."""
    return [
        {**verify[part], "gate": part}
        for part in VERIFY_CHECKS
        if isinstance(verify.get(part), Mapping)
    ]


def verify_failure(verify: Mapping[str, Any]) -> str:
    """Which check after the deploy failed, and why: ``check 'smoke' after the deploy failed:
    playbook 'Regression': the task failed``; every failed check, joined by ``;``."""
    failed = [said(g) for g in verify_checks(verify) if not g.get("passed")]
    if not failed:
        return "the checks after the deploy did not pass"
    return "; ".join(f"check {_q(s.gate)} after the deploy failed: {s.clause}" for s in failed)


def rollback_cause(summary: Mapping[str, Any]) -> str | None:
    """Why a promotion rolled back, naming the check or step that failed (None if it did not).

    Read from the run's summary: the failed checks of ``verify`` when verification failed, else
    the step that failed (``deploy stage 'merge' failed: ...``) and its error.
    """
    rb = summary.get("rollback")
    if not isinstance(rb, Mapping):
        return None
    why = str(rb.get("failed") or summary.get("error") or "unknown")
    verify = summary.get("verify")
    if why.startswith("verify") and isinstance(verify, Mapping) and not verify.get("passed"):
        return verify_failure(verify)
    step = str(summary.get("step") or "")
    if step.startswith("deploy:"):
        return f"deploy stage {_q(step.removeprefix('deploy:'))} failed: {why}"
    return why
