"""Which pass an export makes (incremental, full, verify) and what each project fetches (#19).

- ``--full`` (mode ``full``): every project is read in full.
- Otherwise (mode ``auto``, the default, or ``incremental``) the pass is incremental once the
  repository's ``cxops.lock`` records vendor change stamps; a lock without stamps (or none)
  makes this run full, and it records them for the next.
- Every ``verify_every``-th run (the runs of this repository recorded in the store since the
  last full or verify pass) is a *verify* pass: full, and any flow whose content changed while
  its stamp did not is reported (``cxops.analysis.incremental.stamp_drift``).

Every pass lists the stamps (listings only), so the lock always records them. With ``--flows``
the export is narrowed by hand: it is a full pass of those flows.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from cxops.analysis.incremental import ProjectPlan, locked_flows, owners, plan_project, widen
from cxops.analysis.lock import LOCK_FILE, loads_lock
from cxops.errors import CxopsError
from cxops.model.errors import ModelError
from cxops.sinks.git import GitRepo
from cxops.store import Store
from cxops.vendors import ProjectRef, VendorAdapter

__all__ = [
    "DEFAULT_VERIFY_EVERY",
    "MODES",
    "choose_pass",
    "plan_projects",
    "read_lock",
    "unchanged",
]

MODES = ("auto", "incremental", "full")
#: Vendors whose flow document embeds the state of the flows it uses (Genesys dependency
#: tracking marks a consumed flow ``deleted``): a kept flow that references a moved one is read
#: again (``analysis.incremental.widen``). Elsewhere a flow's document is its own.
_DEPENDENT = frozenset({"genesys"})
DEFAULT_VERIFY_EVERY = 7
#: How far back the store is read to count incremental runs (far more than any sane N).
_HISTORY = 1000


def read_lock(repo: str | Path) -> dict[str, Any] | None:
    """The repository's ``cxops.lock`` as a document; None when missing or unreadable (a lock
    cxops cannot read is rewritten by this run's full pass)."""
    path = Path(repo) / LOCK_FILE
    try:
        return loads_lock(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ModelError):
        return None


def _has_stamps(lock: dict[str, Any] | None) -> bool:
    return bool(lock) and any(r.get("stamp") for r in (lock or {}).get("flow", []))


def _incremental_runs(store: Store, repo: str) -> int:
    """Finished runs of this repository since its last full or verify pass (newest first)."""
    count = 0
    for run in store.runs.list(kind="export", limit=_HISTORY):
        if run.params.get("repo") != repo or run.status not in ("succeeded", "partial"):
            continue
        if (run.summary or {}).get("pass") != "incremental":
            break
        count += 1
    return count


def choose_pass(
    params: dict[str, Any], store: Store, lock: dict[str, Any] | None
) -> dict[str, str]:
    """``{"pass": incremental | full | verify, "reason": ...}`` for this run."""
    mode = params.get("mode") or "auto"
    every = int(params.get("verify_every", DEFAULT_VERIFY_EVERY))
    if mode == "full":
        return {"pass": "full", "reason": "--full"}
    if params.get("flows"):
        return {"pass": "full", "reason": "--flows names the flows to read"}
    if not _has_stamps(lock):
        return {"pass": "full", "reason": "no change stamps recorded in cxops.lock yet"}
    if every > 0:
        done = _incremental_runs(store, params["repo"])
        if done + 1 >= every:
            why = f"{done} incremental run(s) since the last full pass"
            return {"pass": "verify", "reason": why}
    return {"pass": "incremental", "reason": "change stamps recorded in cxops.lock"}


async def plan_projects(
    adapter: VendorAdapter,
    projects: Collection[ProjectRef],
    lock: dict[str, Any] | None,
    chosen: str,
    *,
    narrowed: bool = False,
    repo: str | Path | None = None,
    full: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The plan step's project documents: id, name, key, this run's ``stamps`` and (on an
    incremental pass) the ``plan`` (``ProjectPlan`` as a dict). Projects in ``full`` (keys:
    local changes ``--force`` overwrites) are read in full."""
    known = owners(lock, adapter.name) if lock else None
    stamps = {} if narrowed else await adapter.stamps(projects, known)
    plans: dict[str, ProjectPlan] = {}
    if chosen == "incremental" and lock is not None:
        plans = {
            # Local edits (--force): the repository's copy is not the vendor's.
            p.key: ProjectPlan(full=True)
            if p.key in full
            else plan_project(lock, adapter.name, p.key, stamps[p.id])
            for p in projects
            if p.id in stamps
        }
        if adapter.name in _DEPENDENT and repo is not None:
            plans = widen(
                plans, locked_flows(lock, adapter.name), _references(repo, adapter.name, plans)
            )
    out = []
    for p in projects:
        doc: dict[str, Any] = {"id": p.id, "name": p.name, "key": p.key}
        if p.id in stamps:
            doc["stamps"] = stamps[p.id]
        plan = plans.get(p.key)
        if plan is not None:
            doc["plan"] = {
                "full": plan.full,
                "fetch": list(plan.fetch),
                "removed": list(plan.removed),
                "kept": list(plan.kept),
            }
        out.append(doc)
    return out


def _references(
    repo: str | Path, vendor: str, plans: dict[str, ProjectPlan]
) -> dict[str, dict[str, set[str]]]:
    """Per project not read in full, each flow's referenced flow ids (from the repository)."""
    if not any(p.fetch or p.removed or p.full for p in plans.values()):
        return {}
    git = GitRepo(Path(repo))
    out: dict[str, dict[str, set[str]]] = {}
    for key, plan in plans.items():
        try:
            bundle = None if plan.full else git.read_bundle(vendor, key)
        except CxopsError:  # unreadable: export_project reads that project in full
            bundle = None
        if bundle is None:
            continue
        out[key] = {
            f.id: {
                r.id for r in [*f.refs, *(r for n in f.nodes for r in n.refs)] if r.kind == "flow"
            }
            for f in bundle.flows
        }
    return out


def unchanged(project: dict[str, Any]) -> bool:
    """True when the project's plan needs no request at all."""
    plan: dict[str, Any] = project.get("plan") or {}
    return bool(plan) and not (plan["full"] or plan["fetch"] or plan["removed"])
