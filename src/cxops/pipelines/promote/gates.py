"""Promotion gates every vendor shares; each returns its evidence, ``{"gate", "passed", ...}``.

- ``validation``: the source bundle's checks (as ``cxops validate``) have no error finding.
- ``lock``: what is promoted is what was locked: the source bundle's flows and resolved
  dependencies match the ``cxops.lock`` of the artifact repository (``--repo``) row for row
  (content hashes, versions); every drift is listed.

The vendor gates (``simulation``, ``health``, ``sessions``) are the strategies' (``cognigy_gates``
and each vendor module). A gate never raises for a *refusal*: the workflow collects every gate's
evidence first so a blocked promotion shows all reasons at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from cxops.analysis.checks import CheckOptions, run_checks
from cxops.analysis.findings import Finding
from cxops.analysis.index import BundleIndex
from cxops.analysis.lock import LOCK_FILE, Drift, build_lock, loads_lock, lock_drift
from cxops.errors import InputError, NetworkError
from cxops.model.bundle import Bundle
from cxops.model.errors import ModelError
from cxops.vendors.deploy.waiting import until

__all__ = [
    "DEFAULT_THRESHOLD",
    "GATES",
    "drain",
    "load_tests",
    "lock",
    "validation",
    "validation_evidence",
]

GATES = ("validation", "lock", "simulation", "health", "sessions", "approval")
DEFAULT_THRESHOLD = 100.0
#: Lock tables compared by the lock gate (the ``bundle`` row carries the tenant and the tag,
#: which differ between the environment that was locked and the one promoted from).
LOCKED_TABLES = ("flow", "dependency")


def validation(bundle: Bundle, max_nodes: int) -> dict[str, Any]:
    """Checks over the source bundle; passes with no error finding."""
    index = BundleIndex()
    index.add_bundle(bundle.document())
    return validation_evidence(run_checks(index, CheckOptions(max_nodes=max_nodes)))


def validation_evidence(findings: Sequence[Finding]) -> dict[str, Any]:
    """The validation gate's evidence for these findings: passes with no error among them."""
    errors = [f for f in findings if f.severity == "error"]
    return {
        "gate": "validation",
        "passed": not errors,
        "findings": len(findings),
        "errors": [f"{f.code} {f.location.flow or ''}: {f.message}" for f in errors[:20]],
    }


async def drain(
    count: Callable[[], Awaitable[dict[str, int]]],
    *,
    timeout: float,
    override: bool,
    what: str = "active sessions",
) -> dict[str, Any]:
    """The sessions gate: poll ``count()`` (active sessions per endpoint or flow) until every
    count is 0 or ``timeout`` seconds passed; with ``override`` pass at once, showing the count."""
    started = time.monotonic()
    first = await count()
    if override:
        return {"gate": "sessions", "passed": True, "overridden": True, "active": first}
    now = dict(first)

    async def drained() -> dict[str, int] | None:
        now.update(await count())
        return dict(now) if not any(now.values()) else None

    try:
        await until(drained, timeout=timeout, what=what, max_interval=2.0)
        passed = True
    except NetworkError:
        passed = False
    return {
        "gate": "sessions",
        "passed": passed,
        "active_at_start": first,
        "active": now,
        "waited_s": round(time.monotonic() - started, 2),
        "timeout_s": timeout,
    }


def _rows(doc: dict[str, Any], vendor: str, project: str) -> dict[str, Any]:
    return {
        t: [r for r in doc.get(t, []) if r.get("vendor") == vendor and r.get("project") == project]
        for t in LOCKED_TABLES
    }


def lock(bundle: Bundle, lock_text: str | None, where: str) -> dict[str, Any]:
    """The source bundle against the locked rows of its project (``lock_text``: the file's
    text, None when there is none at ``where``)."""
    out: dict[str, Any] = {"gate": "lock", "lock": where, "project": bundle.project}
    if lock_text is None:
        return {**out, "passed": False, "error": f"no {LOCK_FILE} at {where}"}
    try:
        locked = _rows(loads_lock(lock_text), bundle.vendor, bundle.project)
    except ModelError as exc:
        return {**out, "passed": False, "error": exc.message}
    if not any(locked.values()):
        error = f"{where} locks nothing of {bundle.vendor} project {bundle.project!r}"
        return {**out, "passed": False, "error": error}
    current = _rows(build_lock([bundle]), bundle.vendor, bundle.project)
    drift = lock_drift(locked, current)
    return {
        **out,
        "passed": not drift,
        "locked_flows": len(locked["flow"]),
        "drift": [d.describe() for d in drift[:50]],
        "drifted": _named(drift[:50], locked, current),
        "drift_count": len(drift),
    }


def _named(drift: Sequence[Drift], *docs: dict[str, Any]) -> list[dict[str, Any]]:
    """Each drift with the name of its flow or dependency (from the lock, else the bundle), so
    the evidence reads "1 flow drifted: 'Cancel Contract'" rather than a row key."""
    keys = {"flow": ("vendor", "project", "id"), "dependency": ("vendor", "project", "kind", "id")}
    names = {
        (table, "/".join(str(r.get(k)) for k in keys[table])): r.get("name")
        for doc in reversed(docs)
        for table in LOCKED_TABLES
        for r in doc.get(table, [])
    }
    return [
        {**d.to_dict(), "name": names.get((d.table, d.key)) or d.key.rsplit("/", 1)[-1]}
        for d in drift
    ]


def load_tests(path: str | None) -> dict[str, Any]:
    """The ``--tests`` file (YAML or JSON): ``{"min_success_rate": N, "simulations": [{"ref":
    name-or-referenceId, "min_success_rate": N}]}`` plus each vendor's section; empty when no
    file."""
    if not path:
        return {}
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"--tests {path}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("simulations", []), list):
        raise InputError(f"--tests {path}: expected a mapping with a 'simulations' list")
    return doc
