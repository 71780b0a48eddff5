"""The export repository as the pipeline uses it, over ``cxops.sinks.git.GitRepo``.

``GitRepo`` stages only the paths its instance wrote, so a commit made by a later step (or
after a crash, by a new process) first re-touches what the run wrote: each exported project's
folder is read back and written again (same bytes, so nothing changes, but the folder and its
deletions are staged), and the run's other files (lock, report, archives) likewise.

Committing asks the repository first whether this run already committed (the ``Cxops-Run-Id``
trailer of ``HEAD``), so a crash between ``git commit`` and the step's checkpoint never makes a
second commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cxops.sinks.git import FlowChanges, GitRepo, commit_message

__all__ = ["RUN_TRAILER", "changes_doc", "commit_run", "open_repo"]

RUN_TRAILER = "Cxops-Run-Id"


def open_repo(path: str | Path) -> GitRepo:
    """The export repository at ``path``, created when missing."""
    return GitRepo.open_or_init(path)


def changes_doc(changes: FlowChanges) -> dict[str, Any]:
    """A project's FlowChanges as JSON (kept in the step's result across a crash)."""
    return {
        "added": changes.added,
        "changed": changes.changed,
        "removed": changes.removed,
        "bundle_changed": changes.bundle_changed,
    }


def _merged(docs: Iterable[dict[str, Any]]) -> FlowChanges:
    total = FlowChanges()
    for d in docs:
        part = FlowChanges(
            list(d.get("added", [])),
            list(d.get("changed", [])),
            list(d.get("removed", [])),
            bundle_changed=bool(d.get("bundle_changed")),
        )
        total = total.merge(part)
    return total


def commit_run(
    repo: GitRepo,
    run_id: str,
    subject: str,
    projects: Iterable[tuple[str, str]],
    files: Iterable[str],
    changes: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    """Commit what the run wrote (``projects`` as (vendor, project), other ``files``) once.

    Returns ``{"commit": sha | None, "changed": bool, "stat": last stat line}``.
    """
    if repo.head() is not None and repo.trailers().get(RUN_TRAILER) == run_id:
        return {"commit": repo.head(), "changed": True, "stat": ""}
    for vendor, project in projects:
        bundle = repo.read_bundle(vendor, project)
        if bundle is not None:
            repo.write_bundle(bundle)
    for rel in files:
        path = repo.root / rel
        if path.is_file():
            repo.write_file(rel, path.read_bytes())
    stat = repo.diff_summary()
    if not stat:
        return {"commit": None, "changed": False, "stat": ""}
    lines = stat.splitlines()
    shown = lines if len(lines) <= 41 else [*lines[:40], "  ...", lines[-1]]
    message = commit_message(subject, run_id=run_id, changes=_merged(changes), body=["", *shown])
    sha = repo.commit(message)
    return {"commit": sha, "changed": sha is not None, "stat": lines[-1].strip()}
