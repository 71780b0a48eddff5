"""The export repository as the pipeline uses it, over ``cxops.sinks.git.GitRepo``.

``GitRepo`` stages only the paths its instance wrote, and the commit is made by a later step
(or after a crash, by a new process), so the commit step stages the run's paths itself: each
exported project's folder (with deletions) and the run's other files (lock, report, archives),
and nothing else, so a user's unrelated changes in the repository stay out of the commit.

Committing asks the repository first whether this run already committed (the ``Cxops-Run-Id``
trailer of ``HEAD``), so a crash between ``git commit`` and the step's checkpoint never makes a
second commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cxops.model.layout import project_dir
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
    paths = [project_dir(vendor, project) for vendor, project in projects]
    paths += [rel for rel in files if (repo.root / rel).is_file()]
    for start in range(0, len(paths), 500):  # stay far below the OS argument-length limit
        repo.git("add", "-A", "--", *paths[start : start + 500])
    stat = repo.diff_summary()
    if not stat:
        return {"commit": None, "changed": False, "stat": ""}
    lines = stat.splitlines()
    shown = lines if len(lines) <= 41 else [*lines[:40], "  ...", lines[-1]]
    message = commit_message(subject, run_id=run_id, changes=_merged(changes), body=["", *shown])
    sha = repo.commit(message)
    return {"commit": sha, "changed": sha is not None, "stat": lines[-1].strip()}
