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

from pathlib import Path
from typing import Any

import yaml

from cxops.analysis.checks import CheckOptions, run_checks
from cxops.analysis.index import BundleIndex
from cxops.analysis.lock import LOCK_FILE, build_lock, loads_lock, lock_drift
from cxops.errors import InputError
from cxops.model.bundle import Bundle
from cxops.model.errors import ModelError

__all__ = ["DEFAULT_THRESHOLD", "GATES", "load_tests", "lock", "validation"]

GATES = ("validation", "lock", "simulation", "health", "sessions")
DEFAULT_THRESHOLD = 100.0
#: Lock tables compared by the lock gate (the ``bundle`` row carries the tenant and the tag,
#: which differ between the environment that was locked and the one promoted from).
LOCKED_TABLES = ("flow", "dependency")


def validation(bundle: Bundle, max_nodes: int) -> dict[str, Any]:
    """Checks over the source bundle; passes with no error finding."""
    index = BundleIndex()
    index.add_bundle(bundle.document())
    findings = run_checks(index, CheckOptions(max_nodes=max_nodes))
    errors = [f for f in findings if f.severity == "error"]
    return {
        "gate": "validation",
        "passed": not errors,
        "findings": len(findings),
        "errors": [f"{f.code} {f.location.flow or ''}: {f.message}" for f in errors[:20]],
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
        "drift_count": len(drift),
    }


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
