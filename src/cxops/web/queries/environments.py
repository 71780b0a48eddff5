"""The environments matrix: for each project, what is live in each environment and whether the
last export of that environment still matches what cxops promoted there.

*Live* is the newest promotion to the environment that ended ``promoted``. *Drift* compares the
promotion's ``target_hash_after`` with the same fingerprint of the project as the environment's
newest export left it in a repository this server reads (the strategy's ``fingerprint``: the
content hash without what differs between any two reads, e.g. Cognigy's audit stamps). An
export older than the promotion says nothing about drift, and the cell says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cxops.store import Run, RunStatus, Store
from cxops.web.queries.repos import Repos
from cxops.web.queries.runs import environment_of, project_of
from cxops.web.queries.schemas import Cell, Environments, ProjectRow
from cxops.web.queries.words import when

__all__ = ["environments", "fingerprint"]

_HISTORY = 5000  # promotions and exports looked at (newest first)


def fingerprint(vendor: str, params: dict[str, Any], repos: Repos, found: Any) -> str | None:
    """The promotion strategy's fingerprint of an exported project (None when unreadable)."""
    from cxops.pipelines.promote.strategy import Context, strategy_for

    try:
        bundle = repos.bundle(found)
        ctx = Context(
            run_id="web", params={**params, "connections": {"target": {"vendor": vendor}}}
        )
        return strategy_for(ctx).fingerprint(bundle)
    except Exception:
        return None


@dataclass
class _Export:
    ended: datetime
    repo: Path


def _exports(store: Store, repos: Repos) -> dict[tuple[str, str], _Export]:
    """Per (vendor, environment): the newest finished export into a repository we read."""
    out: dict[tuple[str, str], _Export] = {}
    for run in store.runs.list(kind="export", limit=_HISTORY):
        vendor = str((run.params.get("connection") or {}).get("vendor") or "")
        env = environment_of(run)
        repo = repos.holds(run.params.get("repo"))
        if run.status == RunStatus.SUCCEEDED and env and repo and run.ended:
            out.setdefault((vendor, env), _Export(run.ended, repo))
    return out


def environments(store: Store, repos: Repos) -> Environments:
    """Projects by environments."""
    promotions = store.runs.list(kind="promote", limit=_HISTORY)
    exports = _exports(store, repos)
    envs: set[str] = {env for _, env in exports}
    by_cell: dict[tuple[str, str, str], list[Run]] = {}
    for run in promotions:  # newest first
        vendor, project, env = (
            str(run.params.get("vendor") or ""),
            project_of(run),
            environment_of(run),
        )
        if not project or not env:
            continue
        envs.add(env)
        source = ((run.params.get("connections") or {}).get("source") or {}).get("profile")
        if source:
            envs.add(str(source))
        by_cell.setdefault((vendor, project, env), []).append(run)
    projects: set[tuple[str, str]] = {(v, p) for v, p, _ in by_cell}
    for (vendor, _env), export in exports.items():
        projects.update((vendor, p.name) for p in repos.projects(export.repo) if p.vendor == vendor)
    ordered_envs = sorted(envs, key=_env_order)
    rows = []
    for vendor, project in sorted(projects, key=lambda k: (k[0], k[1].lower())):
        cells = [
            _cell(repos, vendor, project, env, by_cell.get((vendor, project, env), []),
                  exports.get((vendor, env)))
            for env in ordered_envs
        ]  # fmt: skip
        rows.append(ProjectRow(vendor=vendor, project=project, cells=cells))
    return Environments(environments=ordered_envs, projects=rows)


def _env_order(env: str) -> tuple[int, str]:
    """dev, test, staging, prod first in that order, then the rest by name."""
    known = [
        "dev",
        "development",
        "test",
        "qa",
        "staging",
        "stage",
        "preprod",
        "prod",
        "production",
    ]
    return (known.index(env) if env in known else len(known), env)


def _cell(
    repos: Repos, vendor: str, project: str, env: str, runs: list[Run], export: _Export | None
) -> Cell:
    cell = Cell(environment=env)
    running = next((r for r in runs if r.status == RunStatus.RUNNING), None)
    if running:
        cell.running = running.id
    live = next((r for r in runs if (r.summary or {}).get("outcome") == "promoted"), None)
    newer = [
        r
        for r in runs
        if r.status != RunStatus.RUNNING and (live is None or r.started > live.started)
    ]
    if newer:
        last = newer[0]
        outcome = (last.summary or {}).get("outcome") or last.status
        version = last.params.get("version")
        cell.last_failed = (
            f"{version or 'a promotion'} {outcome.replace('_', ' ')} {when(last.ended)}"
        )
    found = repos.find(vendor, project, export.repo) if export else None
    if found is not None:
        cell.exported_hash = found.content_hash
    if live is None:
        if found is not None:
            cell.drift = "exported, never promoted by cxops"
        return cell
    summary = live.summary or {}
    cell.version = live.params.get("version") or (summary.get("artifact") or {}).get("tag")
    cell.content_hash = summary.get("target_hash_after")
    cell.promoted, cell.promoted_text, cell.run_id = live.ended, when(live.ended), live.id
    if export is None or found is None:
        cell.drift = "no export of this environment to compare"
    elif live.ended and export.ended < live.ended:
        cell.drift = "not exported since the promotion"
    else:
        now = fingerprint(vendor, live.params, repos, found)
        if now is None:
            cell.drift = "the last export cannot be read"
        elif now == cell.content_hash:
            cell.drift = "in sync with the last export"
        else:
            cell.drifted = True
            cell.drift = f"DRIFT: the export of {when(export.ended)} differs from what was promoted"
    return cell
