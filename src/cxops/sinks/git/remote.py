"""Export repositories that live on a git server (issue #17): clone, push, and rebase on refusal.

A run whose ``--repo`` is a git URL works in a clone of its own (one per run, so two runs in
one worker never share a work tree) and pushes its commit. When the push is refused because the
branch moved (another worker pushed first: not a fast-forward), :func:`rebase_paths` puts the
clone on the new tip keeping only the run's own paths as the run wrote them; the caller then
rebuilds the files derived from the whole repository (``cxops.lock``, the findings report),
commits again and pushes again, a bounded number of times.

URLs with a password (``https://user:token@host/...``) are refused: the URL is part of the run's
params (the store, the queue); give git its credentials by a credential helper or SSH keys.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from cxops.errors import ConfigError
from cxops.sinks.git.files import safe_path
from cxops.sinks.git.repo import GitIdentity, GitRepo

__all__ = ["clone", "fetch", "is_remote", "push", "rebase_paths", "remote_url"]

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")  # git@host:org/repo.git
_REFUSED = ("[rejected]", "(non-fast-forward)", "(fetch first)", "[remote rejected]")


def is_remote(spec: str) -> bool:
    """True when ``--repo`` names a git URL (``file://``, ``https://``, ``ssh://``, scp-like
    ``user@host:path``) rather than a folder."""
    return bool(_URL.match(spec) or _SCP.match(spec))


def _check(url: str) -> None:
    if _URL.match(url) and urlsplit(url).password:
        raise ConfigError(
            "the --repo URL carries a password, which would be stored with the run",
            hint="give git its credentials with a credential helper or an SSH key instead",
        )


def clone(url: str, path: Path) -> GitRepo:
    """The clone of ``url`` at ``path``: cloned when missing, else the one already there."""
    _check(url)
    if (path / ".git").exists():
        return GitRepo(path, GitIdentity.resolve(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    GitRepo(path.parent, GitIdentity.resolve(path.parent)).git(
        "clone", "-q", "--end-of-options", url, str(path)
    )
    repo = GitRepo(path, GitIdentity.resolve(path))
    if repo.head() is None:  # an empty remote: start its default branch
        repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    return repo


def remote_url(repo: GitRepo) -> str | None:
    """The URL of the repository's ``origin``, or None (a plain local repository)."""
    out = repo.git("config", "--get", "remote.origin.url", ok=(0, 1)).strip()
    return out or None


def _branch(repo: GitRepo) -> str:
    return repo.git("symbolic-ref", "--short", "HEAD").strip()


def push(repo: GitRepo) -> bool:
    """Push ``HEAD`` to ``origin``'s branch of the same name; False when the server refused it
    because the branch moved (fetch, rebase, retry), GitError for any other failure."""
    if repo.head() is None:
        return True
    out = repo.git("push", "--porcelain", "origin", f"HEAD:refs/heads/{_branch(repo)}", ok=(0, 1))
    return not any(word in out for word in _REFUSED)


def fetch(repo: GitRepo) -> str | None:
    """Fetch ``origin``; the tip of its branch of the same name (None when it has none)."""
    branch = _branch(repo)
    repo.git("fetch", "-q", "origin")
    tip = repo.git(
        "rev-parse", "-q", "--verify", f"refs/remotes/origin/{branch}^{{commit}}", ok=(0, 1)
    ).strip()
    return tip or None


def rebase_paths(repo: GitRepo, upstream: str, paths: list[str]) -> None:
    """Put the clone (HEAD, index, work tree) on ``upstream`` with ``paths`` as they are in the
    current ``HEAD``: files of those paths that ``HEAD`` lacks are removed. The clone is the run's
    own, so nothing of anyone else's is lost."""
    ours = repo.head()
    repo.git("reset", "-q", "--hard", upstream)
    for rel in paths:
        target = safe_path(repo.root, rel)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        repo.git("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", rel)
        if ours is not None:
            kept = repo.git("ls-tree", "--name-only", ours, "--", rel).strip()
            if kept:
                repo.git("checkout", ours, "--", rel)
