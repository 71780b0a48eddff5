"""The export repository as the pipeline uses it, over ``cxops.sinks.git.GitRepo``.

The commit is made by a later step (or after a crash, by a new process), so the commit step
names the run's paths itself: each exported project's folder (with deletions) and the run's
other files (lock, report, archives), and ``GitRepo.commit_paths`` commits exactly those through
a temporary index, so a user's changes elsewhere in the repository, staged or not, stay out of
the commit (and stay staged). Changes of the user *in* those paths make the export refuse before
it writes anything (:func:`user_changes`, exit 2; ``--force`` overwrites them).

Committing asks the repository first whether this run already committed (the ``Cxops-Run-Id``
trailer of ``HEAD``), so a crash between ``git commit`` and the step's checkpoint never makes a
second commit.

A ``--repo`` that is a git URL (issue #17) is worked on in a clone of the run's own
(``.cxops/clones/<run>`` in the process' working folder, removed once the run has ended:
:func:`drop_clone`), and the commit is pushed; when the push is refused because another run
pushed first, the run's own paths are rebased onto the new tip (``sinks/git/remote.py``), the
files derived from the whole repository are rebuilt by the caller, and the commit is made and
pushed again (at most :data:`PUSH_ATTEMPTS` times).
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cxops.errors import CxopsError
from cxops.model.bundle import Flow
from cxops.model.errors import ModelError
from cxops.model.layout import BUNDLE_FILE, flow_file_name, project_dir
from cxops.model.parse import parse_json
from cxops.sinks.git import FlowChanges, GitRepo, commit_message
from cxops.sinks.git import remote as remotes
from cxops.sinks.git.files import TEMP_PREFIX
from cxops.sinks.git.layout import stored_folders
from cxops.sinks.git.summary import LISTED, semantic_lines
from cxops.store import Store
from cxops.store.chain import HEAD_TRAILER, head_trailer
from cxops.store.keys import signing_key_from_env

__all__ = [
    "CLONES",
    "LAYOUT_TRAILER",
    "PUSH_ATTEMPTS",
    "RUN_TRAILER",
    "changes_doc",
    "commit_run",
    "drop_clone",
    "migrate_layout",
    "open_repo",
    "project_folders",
    "repo_spec",
    "user_changes",
]

RUN_TRAILER = "Cxops-Run-Id"
#: Marks the commit that moved a repository to readable file names (layout 2, issue #16).
LAYOUT_TRAILER = "Cxops-Layout"
#: Where a run's clone of a remote repository lives, under the process' working folder.
CLONES = Path(".cxops") / "clones"
#: Pushes a commit step tries before giving up (each refusal: fetch, rebase, rebuild, commit).
PUSH_ATTEMPTS = 8


def repo_spec(repo: str | Path) -> str:
    """``--repo`` as a run keeps it: a git URL as given, a folder as an absolute path."""
    text = str(repo)
    return text if remotes.is_remote(text) else str(Path(text).resolve())


def open_repo(path: str | Path, run_id: str | None = None) -> GitRepo:
    """The export repository at ``path``, created when missing; for a git URL, the run's own
    clone of it (``run_id`` required)."""
    if remotes.is_remote(str(path)):
        if run_id is None:
            raise ValueError("a remote repository is opened for a run")
        return remotes.clone(str(path), (CLONES / run_id).resolve())
    return GitRepo.open_or_init(path)


def drop_clone(path: str | Path, run_id: str) -> bool:
    """Remove the run's clone of a remote repository (``CLONES/<run>``), once the run has ended:
    its commit is pushed, or it never will be. True when one was removed; a folder repository,
    a run without a clone or an id that is not one folder name is left alone."""
    if not remotes.is_remote(str(path)) or not run_id or Path(run_id).name != run_id:
        return False
    clone = (CLONES / run_id).resolve()
    if clone.parent != CLONES.resolve() or not clone.is_dir():
        return False
    shutil.rmtree(clone)
    return True


def changes_doc(changes: FlowChanges) -> dict[str, Any]:
    """A project's FlowChanges as JSON (kept in the step's result across a crash)."""
    return {
        "added": changes.added,
        "changed": changes.changed,
        "removed": changes.removed,
        "bundle_changed": changes.bundle_changed,
        "names": changes.names,
        "files": changes.files,
    }


def _merged(docs: Iterable[dict[str, Any]]) -> FlowChanges:
    total = FlowChanges()
    for d in docs:
        part = FlowChanges(
            list(d.get("added", [])),
            list(d.get("changed", [])),
            list(d.get("removed", [])),
            bundle_changed=bool(d.get("bundle_changed")),
            names=dict(d.get("names") or {}),
            files=dict(d.get("files") or {}),
        )
        total = total.merge(part)
    return total


def _flow(data: bytes | None) -> Flow | None:
    try:
        return Flow.model_validate(parse_json(data), strict=True) if data else None
    except (ModelError, ValueError):
        return None  # a file someone broke by hand: the message lists it by id only


def _committed(repo: GitRepo, rel: str) -> bytes | None:
    """The file as ``HEAD`` holds it (None when it does not)."""
    if repo.head() is None:
        return None
    out = repo.git("show", "--end-of-options", f"HEAD:{rel}", ok=(0, 128))
    return out.encode("utf-8") or None


def changed_lines(
    repo: GitRepo, projects: list[tuple[str, str]], docs: list[dict[str, Any]]
) -> list[str]:
    """What changed inside the flows an export rewrote, by name (``changed flow 'Main' › node
    'Greeting': comment 'a' → 'b'``): each changed flow as ``HEAD`` holds it against the work
    tree. At most :data:`LISTED` flows in all (one ``git show`` each: a fleet of changed
    projects costs no more than one), the flow lists above name the rest."""
    lines: list[str] = []
    budget = LISTED
    for (vendor, project), doc in zip(projects, docs, strict=False):
        base = project_dir(vendor, project)
        old: list[Flow] = []
        new: list[Flow] = []
        for fid in list(doc.get("changed") or [])[:budget]:
            rel = (doc.get("files") or {}).get(fid) or f"{base}/{flow_file_name(fid)}"
            path = repo.root / rel
            before = _flow(_committed(repo, rel))
            after = _flow(path.read_bytes() if path.is_file() else None)
            budget -= 1
            if before is not None and after is not None:
                old.append(before)
                new.append(after)
        lines += semantic_lines(old, new)
    if len(lines) > LISTED:
        lines = [*lines[:LISTED], f"... and {len(lines) - LISTED} more"]
    return lines


def audit_trailer(store: Store) -> str:
    """The audit log's current head as a trailer value, Ed25519-signed when
    ``CXOPS_AUDIT_SIGNING_KEY`` names a key."""
    return head_trailer(store.audit.current_head(signing_key_from_env()))


def commit_run(
    repo: GitRepo,
    run_id: str,
    subject: str,
    projects: Iterable[tuple[str, str]],
    files: Iterable[str],
    changes: Iterable[dict[str, Any]],
    audit_head: str | None = None,
    body: Iterable[str] = (),
    rebuild: Callable[[GitRepo], None] | None = None,
) -> dict[str, Any]:
    """Commit what the run wrote (``projects`` as (vendor, project), other ``files``) once.

    ``audit_head`` (see :func:`audit_trailer`) goes into the ``Cxops-Audit-Head`` trailer, so
    the repository's history pins the audit log: ``cxops audit verify --repo`` finds a cut
    tail or a rewritten chain against it (issue #15).

    The message names the flows it lists and, for changed flows, what changed inside them
    (:func:`changed_lines`); ``body`` lines (a promotion's plan: what the release changed on
    the target, by name) take the place of the latter, before the stat.

    A clone of a remote repository (:func:`open_repo` with a URL) pushes the commit; on a
    refusal it rebases the projects' folders and archives onto the new tip, calls
    ``rebuild(repo)`` to rewrite the files derived from the whole repository (the lock, the
    report), commits and pushes again.

    Returns ``{"commit": sha | None, "changed": bool, "stat": last stat line}``.
    """
    projects, files, changes = list(projects), list(files), list(changes)

    def once() -> dict[str, Any]:  # the commit from what the run's paths hold now
        if repo.head() is not None and repo.trailers().get(RUN_TRAILER) == run_id:
            return {"commit": repo.head(), "changed": True, "stat": ""}
        lines = list(body)
        inside = [] if lines else changed_lines(repo, projects, changes)
        paths = project_folders(repo, projects)
        paths += [rel for rel in files if (repo.root / rel).is_file()]
        found: dict[str, str] = {}

        def message(stat: str) -> str:
            rows = stat.splitlines()
            found["stat"] = rows[-1].strip() if rows else ""
            shown = rows if len(rows) <= 41 else [*rows[:40], "  ...", rows[-1]]
            trailers = {HEAD_TRAILER: audit_head} if audit_head else None
            text = [*([""] if inside else []), *inside, *lines, "", *shown]
            return commit_message(
                subject, run_id=run_id, changes=_merged(changes), body=text, trailers=trailers
            )

        sha = repo.commit_paths(paths, message)
        return {"commit": sha, "changed": sha is not None, "stat": found.get("stat", "")}

    if remotes.remote_url(repo) is None:
        return once()
    _check_clone(repo, run_id, projects)
    done = once()
    for attempt in range(PUSH_ATTEMPTS):
        if remotes.push(repo):
            return done
        upstream = remotes.fetch(repo)
        if upstream is not None:
            own = project_folders(repo, projects)
            own += [rel for rel in files if rel.startswith("archives/")]
            remotes.rebase_paths(repo, upstream, own)
            if rebuild is not None:
                rebuild(repo)
            done = once()
        time.sleep(random.uniform(0, 0.2 * (attempt + 1)))  # two racers: not in lockstep
    raise CxopsError(
        f"could not push the run's commit: the branch moved {PUSH_ATTEMPTS} times in a row",
        hint=f"its clone is {repo.root}; run the export again",
    )


def _check_clone(repo: GitRepo, run_id: str, projects: list[tuple[str, str]]) -> None:
    # A run's clone lives on the disk of the worker that wrote its projects: a run taken over
    # on another machine after that finds a fresh clone without them. Committing then would
    # push a partial export, so the run fails instead (run the export again).
    if repo.head() is not None and repo.trailers().get(RUN_TRAILER) == run_id:
        return
    missing = [
        f"{vendor}/{project}"
        for vendor, project in projects
        if project not in stored_folders(repo.root, vendor)
        and not (repo.root / project_dir(vendor, project) / BUNDLE_FILE).is_file()
    ]
    if missing:
        raise CxopsError(
            f"the run's clone lacks the projects it exported ({', '.join(missing)}): it was "
            "taken over on another machine after they were written",
            hint="run the export again (a new run clones and exports afresh)",
        )


def migrate_layout(repo: GitRepo) -> str | None:
    """Move a repository written with id-based names (layout 1) to readable ones, in one commit
    of renames only (``git log --follow`` crosses it); None when nothing had to move. Run by an
    export before it writes (docs/git-sink.md); a second run finds nothing to move."""
    if not (repo.root / "flows").is_dir() or user_changes(repo, ["flows"]):
        return None  # someone's changes there: the export's own commit moves its projects
    paths = repo.migrate_layout()
    if not paths:
        return None

    def message(stat: str) -> str:
        body = [
            "Flow files and project folders are named by their names now (the id only where",
            "two names clash); the contents, content hashes and cxops.lock are unchanged.",
        ]
        return commit_message(
            "cxops: readable flow and project file names", body=body, trailers={LAYOUT_TRAILER: "2"}
        )

    return repo.commit_paths(paths, message)


def project_folders(repo: GitRepo, projects: Iterable[tuple[str, str]]) -> list[str]:
    """The folders (work tree and moved-away ones of ``HEAD``) of these (vendor, project)."""
    return [p for vendor, project in projects for p in repo.project_paths(vendor, project)]


def user_changes(repo: GitRepo, paths: Iterable[str]) -> list[str]:
    """Paths under ``paths`` that differ from ``HEAD`` in the work tree or the index (modified,
    added, deleted, untracked): someone's changes an export would overwrite. cxops' own
    temporary files (left by a killed write) are not."""
    chosen = sorted({p for p in paths if p})
    if not chosen or not (repo.root / ".git").exists():
        return []
    out = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *chosen)
    found = [entry[3:] for entry in out.split("\0") if len(entry) > 3]
    return sorted(p for p in found if not p.rpartition("/")[2].startswith(TEMP_PREFIX))
