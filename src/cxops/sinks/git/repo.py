"""An export repository driven through the real ``git`` command (``subprocess``, no library).

Revisions and tag names (which may come from a command line) always follow
``--end-of-options``, so none can be read as an option (``--output=…`` would make git write a
file; issue #15).

Commits and tags are made as the person running cxops (issue #16): :meth:`GitIdentity.resolve`
takes ``CXOPS_GIT_NAME``/``CXOPS_GIT_EMAIL`` when set, else the user's own ``user.name`` and
``user.email`` from git's configuration, else ``cxops <cxops@localhost>`` (a CI machine with
no git identity still commits). The user's ``commit.gpgsign`` and ``tag.gpgsign`` are honoured
(``commit-tree -S``, ``tag -s``, with their ``user.signingkey`` and ``gpg.format``). Every git
call then runs with that identity (``-c user.name=… -c user.email=…`` and the matching
``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` variables, so an ambient identity cannot leak in) and with
hooks and line-ending conversion off, so it behaves the same on a laptop and on a CI machine.
Global git configuration is never edited.

Paths written are tracked and only those are committed, through a temporary index built from
``HEAD`` (``GIT_INDEX_FILE``): a user's unrelated changes in the same repository, staged ones
included, never end up in an export commit, and stay staged as they were (issue #14).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxops.analysis.lock import LOCK_FILE, build_lock, dumps_lock
from cxops.errors import ConfigError, CxopsError, InputError
from cxops.model.bundle import Bundle
from cxops.model.errors import ModelError
from cxops.model.layout import (
    BUNDLE_FILE,
    bundle_files,
    bundle_from_files,
    flow_file_names,
    project_dir,
    vendor_dir,
)
from cxops.model.parse import parse_json
from cxops.sinks.git.files import TEMP_PREFIX, atomic_write, safe_path
from cxops.sinks.git.layout import place, stored_folders, stored_id, stored_project
from cxops.sinks.git.summary import FlowChanges

__all__ = ["DEFAULT_IDENTITY", "GitError", "GitIdentity", "GitRepo"]

_NEUTRAL = (
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.hooksPath=/dev/null",
    "core.quotepath=false",
    "init.defaultBranch=main",
)


#: git's empty tree (what an unborn branch compares against) and the "must not exist" ref value.
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_NO_COMMIT = "0" * 40


class GitError(CxopsError):
    """A git command failed; the message holds its arguments and what git printed."""


@dataclass(frozen=True)
class GitIdentity:
    """Author and committer of export commits and tags, and whether to sign them."""

    name: str = "cxops"
    email: str = "cxops@localhost"
    sign_commits: bool = False
    sign_tags: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GitIdentity:
        """``CXOPS_GIT_NAME`` / ``CXOPS_GIT_EMAIL`` when set, else ``cxops <cxops@localhost>``."""
        env = os.environ if env is None else env
        return cls(env.get("CXOPS_GIT_NAME") or cls.name, env.get("CXOPS_GIT_EMAIL") or cls.email)

    @classmethod
    def resolve(cls, where: Path, env: Mapping[str, str] | None = None) -> GitIdentity:
        """Who commits in the repository at ``where`` (see the module doc): ``CXOPS_GIT_NAME``
        / ``CXOPS_GIT_EMAIL``, else the user's git ``user.name`` / ``user.email`` (the
        repository's, global and system configuration, as git reads them), else the default;
        signing as the user's ``commit.gpgsign`` / ``tag.gpgsign`` say."""
        env = os.environ if env is None else env
        config = _user_config(where)
        name = env.get("CXOPS_GIT_NAME") or config.get("user.name") or cls.name
        email = env.get("CXOPS_GIT_EMAIL") or config.get("user.email") or cls.email
        return cls(
            name,
            email,
            sign_commits=config.get("commit.gpgsign") == "true",
            sign_tags=config.get("tag.gpgsign") == "true",
        )


def _user_config(where: Path) -> dict[str, str]:
    """The user's git settings cxops follows (the last value of each, as ``git config`` reads
    them: system, global, then the repository's), booleans normalised to ``true``/``false``."""
    try:
        done = subprocess.run(
            ["git", "config", "--get-regexp", _USER_KEYS],
            cwd=where if where.is_dir() else None,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:  # no git at all: the default identity, and GitRepo says why
        return {}
    found: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        key = key.lower()
        if key.endswith("gpgsign"):  # git's booleans; a bare key (no value) means true
            value = "true" if value.strip().lower() in ("", "true", "yes", "on", "1") else "false"
        found[key] = value.strip()
    return found


#: What :meth:`GitIdentity.resolve` reads from the user's git configuration.
_USER_KEYS = r"^(user\.(name|email)|commit\.gpgsign|tag\.gpgsign)$"


DEFAULT_IDENTITY = GitIdentity()


def _flow_name(path: Path) -> str | None:
    """The ``name`` of a flow file about to be removed (for the commit message), if readable."""
    try:
        doc = parse_json(path.read_bytes())
    except (OSError, ModelError, ValueError):
        return None
    name = doc.get("name") if isinstance(doc, dict) else None
    return name if isinstance(name, str) else None


class GitRepo:
    """One export repository; see the module doc. Build it with :meth:`open_or_init`."""

    def __init__(self, root: Path, identity: GitIdentity = DEFAULT_IDENTITY) -> None:
        self.root = root.resolve()
        self.identity = identity
        self._touched: set[str] = set()

    # -- running git ------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_", "GIT_DIR", "GIT_WORK_TREE"))
            and k not in ("GIT_INDEX_FILE",)
        }
        who = {"NAME": self.identity.name, "EMAIL": self.identity.email}
        for role in ("AUTHOR", "COMMITTER"):
            for key, value in who.items():
                env[f"GIT_{role}_{key}"] = value
        env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0")
        return env

    def git(
        self,
        *args: str,
        ok: Iterable[int] = (0,),
        stdin: bytes | None = None,
        index: Path | None = None,
    ) -> str:
        """Run ``git args`` in the repository; return stdout; GitError on another exit code.
        ``index``: use this index file instead of the repository's (``GIT_INDEX_FILE``)."""
        config = [
            *_NEUTRAL,
            f"user.name={self.identity.name}",
            f"user.email={self.identity.email}",
        ]
        cmd = ["git", *(x for c in config for x in ("-c", c)), *args]
        try:
            env = self._env()
            if index is not None:
                env["GIT_INDEX_FILE"] = str(index)
            done = subprocess.run(
                cmd, cwd=self.root, env=env, input=stdin, capture_output=True, check=False
            )
        except FileNotFoundError:
            raise ConfigError("git is not installed", hint="install git and retry") from None
        if done.returncode not in tuple(ok):
            err = done.stderr.decode("utf-8", "replace").strip()
            raise GitError(
                f"git {' '.join(args[:3])} failed ({done.returncode}): {err}",
                hint="check the export repository (permissions, a stale .git/index.lock)",
            )
        return done.stdout.decode("utf-8", "replace")

    @classmethod
    def open_or_init(
        cls, path: str | Path, *, identity: GitIdentity | None = None, branch: str = "main"
    ) -> GitRepo:
        """The repository at ``path`` (its top level), created (``git init``) when there is none."""
        root = Path(path)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file, a read-only place: the user's --repo (issue #15)
            raise ConfigError(
                f"cannot use {str(path)!r} as the export repository: {exc.strerror or exc}",
                hint="give --repo a folder (it is created, with git init, when missing)",
            ) from None
        repo = cls(root, identity or GitIdentity.resolve(root))
        if not (repo.root / ".git").exists():
            repo.git("init", "-q", "-b", branch)
        return repo

    # -- writing ----------------------------------------------------------------------------

    def write_file(self, rel: str, data: bytes) -> bool:
        """Write one file (path checked, atomic); True when its bytes changed."""
        target = safe_path(self.root, rel)
        self._touched.add(rel)
        try:
            return atomic_write(target, data)
        except OSError as exc:  # a name the file system refuses, a full disk: this bundle's
            raise InputError(  # failure, not a crash of the run (issue #15)
                f"cannot write {rel!r} in the export repository: {exc.strerror or exc}",
                hint="check the repository's file system (space, permissions, name limits)",
            ) from None

    def write_bundle(
        self, bundle: Bundle, *, extra_files: Mapping[str, bytes] | None = None
    ) -> FlowChanges:
        """Write the bundle's layout files; remove files of flows no longer in it.

        ``exported_at`` is left out of the file (it changes on every run; the commit carries
        it), so exporting unchanged content writes identical bytes and makes no commit.
        ``extra_files`` (path → bytes, relative to the root) are written too, after the same
        path checks.
        """
        extra = dict(extra_files or {})
        for rel in extra:
            safe_path(self.root, rel)  # refuse before anything is written
        base, moved = place(self.root, bundle)  # layout 2, moving a former folder or file name
        files = bundle_files(bundle.model_copy(update={"exported_at": None}), folder=base)
        folder = safe_path(self.root, base)
        self._touched.update([base, *moved])
        changes = FlowChanges()
        ids = {name: fid for fid, name in flow_file_names(bundle.flows).items()}
        names = {f.id: f.name for f in bundle.flows}
        for rel, data in files.items():
            existed = safe_path(self.root, rel).exists()
            wrote = self.write_file(rel, data)
            name = rel.rpartition("/")[2]
            if name == BUNDLE_FILE:
                changes.bundle_changed = wrote
                continue
            bucket = (
                changes.unchanged if not wrote else changes.changed if existed else changes.added
            )
            fid = ids[name]
            bucket.append(fid)
            if wrote and fid in names:  # the commit message names what it lists (#16)
                changes.names[fid] = names[fid]
            if wrote and existed:  # where the commit message reads it back (layout 2)
                changes.files[fid] = rel
        keep = {rel.rpartition("/")[2] for rel in files}
        if folder.is_dir():
            for old in sorted(folder.iterdir()):
                if not old.is_file():
                    continue
                if old.name.startswith(TEMP_PREFIX):  # left by a run killed mid-write
                    old.unlink()
                elif old.name.endswith(".json") and old.name not in keep:
                    gone = stored_id(old)
                    was = _flow_name(old)
                    old.unlink()
                    changes.removed.append(gone)
                    if was:
                        changes.names[gone] = was
        for rel, data in sorted(extra.items()):
            self.write_file(rel, data)
        return changes

    def migrate_layout(self) -> list[str]:
        """Move every project of the work tree to layout 2 (readable folder and file names; see
        ``cxops.sinks.git.layout``), renames only: the bytes stay. Returns every path involved
        (former and new), for one commit of renames; empty when nothing moved."""
        paths: list[str] = []
        for meta in sorted((self.root / "flows").glob(f"*/*/{BUNDLE_FILE}")):
            project = stored_project(meta)
            vendor = meta.parent.parent.name
            if project is None or meta.parent.name != project_dir(vendor, project).split("/")[2]:
                continue  # not a layout-1 folder: nothing to read (a big repository stays fast)
            found = self._read_folder(meta.parent)
            if found is None:
                continue
            base, moved = place(self.root, found)
            if moved or base != meta.parent.relative_to(self.root).as_posix():
                paths += [base, *moved]
            elif self.git("status", "--porcelain", "--", base).strip():  # files renamed inside
                paths.append(base)
        self._touched.update(paths)
        return sorted(set(paths))

    def project_paths(self, vendor: str, project: str) -> list[str]:
        """The paths a commit of this project names: its folder in the work tree, and any folder
        of ``HEAD`` that held it and is gone from the work tree (it moved: a migration, a new
        project name), so the commit records the move."""
        out = []
        current = stored_folders(self.root, vendor).get(project)
        legacy = project_dir(vendor, project)  # layout 1's folder, whatever its files hold
        if current is None and (self.root / legacy).is_dir():
            current = legacy
        if current is not None:
            out.append(current)
        head = self.head()
        if head is None:
            return out
        listed = self.git(
            "ls-tree", "-d", "-z", "--name-only", head, "--", f"{vendor_dir(vendor)}/"
        )
        for folder in [p for p in listed.split("\0") if p]:
            if (self.root / folder).exists():
                continue
            try:
                meta = parse_json(self.git("show", f"{head}:{folder}/{BUNDLE_FILE}").encode())
            except (GitError, ModelError, ValueError):
                continue
            if isinstance(meta, dict) and meta.get("project") == project:
                out.append(folder)
        return out

    def write_lock(self, lock: Mapping[str, Any] | str | None = None) -> bool:
        """Write ``cxops.lock``: the given lock (document or TOML text), or one built from
        every bundle in the repository. True when its bytes changed."""
        if lock is None:
            lock = build_lock(self.read_bundles())
        text = lock if isinstance(lock, str) else dumps_lock(lock)
        return self.write_file(LOCK_FILE, text.encode("utf-8"))

    # -- reading ----------------------------------------------------------------------------

    def read_bundle(self, vendor: str, project: str) -> Bundle | None:
        """The bundle stored for ``vendor``/``project`` in the work tree, or None."""
        folder = stored_folders(self.root, vendor).get(project)
        return None if folder is None else self._read_folder(safe_path(self.root, folder))

    def _read_folder(self, folder: Path) -> Bundle | None:
        meta_file = folder / BUNDLE_FILE
        if not meta_file.is_file():
            return None
        try:
            meta = parse_json(meta_file.read_bytes())
            flows = [
                parse_json(f.read_bytes())
                for f in sorted(folder.glob("*.json"))
                if f.name != BUNDLE_FILE
            ]
            return bundle_from_files(meta, flows)
        except (ModelError, ValueError) as exc:
            raise InputError(
                f"{folder.relative_to(self.root)} is not a readable bundle: {exc}",
                hint="restore the folder from git or export again",
            ) from None

    def read_bundles(self) -> list[Bundle]:
        """Every bundle under ``flows/`` in the work tree, sorted by vendor and project."""
        out = []
        for meta in sorted((self.root / "flows").glob(f"*/*/{BUNDLE_FILE}")):
            found = self._read_folder(meta.parent)
            if found is not None:
                out.append(found)
        return out

    # -- committing -------------------------------------------------------------------------

    def stage(self) -> None:
        """Stage every path written (and deletions inside written project folders)."""
        if self._touched:
            self.git("add", "-A", "--", *sorted(self._touched))

    def staged(self) -> list[tuple[str, str]]:
        """``(status letter, path)`` of what the next commit holds."""
        out = self.git("diff", "--cached", "--name-status", "-z", "--no-renames")
        parts = [p for p in out.split("\0") if p]
        return list(zip(parts[0::2], parts[1::2], strict=True))

    def commit(self, message: str) -> str | None:
        """Commit what this instance wrote (and nothing else); the new commit id, or None if
        nothing changed."""
        return self.commit_paths(sorted(self._touched), lambda _stat: message)

    def commit_paths(self, paths: Iterable[str], message: Callable[[str], str]) -> str | None:
        """Commit exactly ``paths`` as they are in the work tree (deletions inside them too) on
        top of ``HEAD``, and nothing else; the new commit id, or None when they are unchanged.

        The commit is built in a temporary index read from ``HEAD``, so whatever else the
        repository's index holds (a user's staged files) is neither committed nor disturbed;
        afterwards the real index shows ``paths`` as committed. ``message(stat)`` builds the
        message from ``git diff --stat`` of the change.
        """
        chosen = sorted({p for p in paths if p})
        if not chosen:
            return None
        head = self.head()
        index = self.root / ".git" / f"cxops-index-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            self.git("read-tree", *([head] if head else ["--empty"]), index=index)
            for start in range(0, len(chosen), 500):  # far below the OS argument-length limit
                self.git("add", "-A", "--", *chosen[start : start + 500], index=index)
            tree = self.git("write-tree", index=index).strip()
        finally:
            index.unlink(missing_ok=True)
        before = self.git("rev-parse", f"{head}^{{tree}}").strip() if head else _EMPTY_TREE
        if tree == before:
            return None
        stat = self.git("diff", "--stat", "--no-renames", before, tree).strip()
        text = message(stat)
        parents = ["-p", head] if head else []
        sign = ["-S"] if self.identity.sign_commits else []
        sha = self.git("commit-tree", tree, *parents, *sign, "-F", "-", stdin=text.encode()).strip()
        subject = text.splitlines()[0] if text else "cxops"
        # Compare-and-swap: a commit made meanwhile by someone else is not overwritten.
        self.git("update-ref", "-m", f"commit: {subject}", "HEAD", sha, head or _NO_COMMIT)
        self.git("reset", "-q", "--", *chosen)  # the real index: these paths as committed
        self._touched.difference_update(chosen)
        return sha

    def tag(self, name: str, message: str, *, rev: str = "HEAD") -> str:
        """An annotated tag ``name`` on ``rev``; the tagged commit id. Re-tagging the same
        commit is a no-op; a tag that exists on another commit is a GitError."""
        self.git("check-ref-format", f"refs/tags/{name}")
        target = self.git("rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").strip()
        existing = self.git(
            "rev-parse",
            "-q",
            "--verify",
            "--end-of-options",
            f"refs/tags/{name}^{{commit}}",
            ok=(0, 1),
        )
        if existing.strip() == target:
            return target
        if existing.strip():
            raise GitError(
                f"tag {name!r} already points at {existing.strip()[:12]}",
                hint="choose the next version, or delete the tag if it was a mistake",
            )
        kind = "-s" if self.identity.sign_tags else "-a"
        self.git(
            "tag", kind, "-F", "-", "--end-of-options", name, target, stdin=message.encode("utf-8")
        )
        return target

    def head(self) -> str | None:
        """The commit id of HEAD, or None in a repository with no commit yet."""
        out = self.git("rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1)).strip()
        return out or None

    def diff_summary(self, rev: str | None = None) -> str:
        """``git diff --stat`` of ``rev`` against its parent, or of what is staged when None."""
        if rev is None:
            self.stage()
            return self.git("diff", "--cached", "--stat", "--no-renames").strip()
        return self.git(
            "show", "--stat", "--format=", "--no-renames", "--end-of-options", rev
        ).strip()

    def changed_files(self, rev: str = "HEAD") -> list[str]:
        """Paths a commit touched (its parent, or nothing for the first commit, on the left)."""
        out = self.git(
            "show", "--name-only", "--format=", "--no-renames", "-z", "--end-of-options", rev
        )
        return sorted(p for p in out.split("\0") if p.strip())

    def trailer_history(self, key: str) -> list[tuple[str, str]]:
        """``(commit, value)`` of every ``key`` trailer on every branch and tag, newest first."""
        if self.head() is None:
            return []
        out = self.git("log", "--all", f"--format=%H%x00%(trailers:key={key},valueonly,unfold)%x1e")
        found: list[tuple[str, str]] = []
        for record in out.split("\x1e"):
            sha, _, values = record.strip().partition("\0")
            found += [(sha, v.strip()) for v in values.splitlines() if v.strip()]
        return found

    def trailers(self, rev: str = "HEAD") -> dict[str, str]:
        """The ``Key: value`` trailers of a commit message (e.g. ``Cxops-Run-Id``)."""
        out = self.git("log", "-1", "--format=%(trailers:only,unfold)", "--end-of-options", rev)
        pairs = (line.partition(":") for line in out.splitlines() if ":" in line)
        return {k.strip(): v.strip() for k, _, v in pairs}
