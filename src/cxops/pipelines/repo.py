"""The export repository as the pipeline uses it: write a project's files, commit once per run.

Writing is idempotent (same bundle, same bytes; files of flows that are gone are removed), so a
resumed step may write again. Committing asks the repository first whether this run already
committed (the ``Cxops-Run:`` trailer of ``HEAD``), so a crash between ``git commit`` and the
step's checkpoint never makes a second commit.

Uses the ``git`` command line (a real repository, as in ``cxops.sinks``); paths come from
``cxops.model.layout``, which percent-encodes ids so no name can leave the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxops.errors import ConfigError
from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files, project_dir

__all__ = ["TRAILER", "ExportRepo"]

TRAILER = "Cxops-Run"
_IDENTITY = ("-c", "user.name=cxops", "-c", "user.email=cxops@localhost")


class ExportRepo:
    """A git working tree that holds ``flows/``, ``archives/``, ``reports/`` and ``cxops.lock``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open_or_init(cls, root: Path) -> ExportRepo:
        """Open the repository at ``root``, creating it (and the folder) when missing."""
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root.resolve())
        if not (repo.root / ".git").exists():
            repo._git("init", "-q", "-b", "main")
        return repo

    def _git(self, *args: str, check: bool = True) -> str:
        try:
            done = subprocess.run(
                ["git", *_IDENTITY, *args],
                cwd=self.root,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ConfigError("git is not installed", hint="install git to export") from exc
        if check and done.returncode != 0:
            raise ConfigError(
                f"git {args[0]} failed in {self.root}: {done.stderr.strip()}",
                hint="check that --repo is a git working tree you can write",
            )
        return done.stdout

    def _inside(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise ConfigError(f"refusing to write outside the repository: {relative!r}")
        return path

    def write_file(self, relative: str, data: bytes) -> bool:
        """Write one file (folders created); True when its bytes changed."""
        path = self._inside(relative)
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".cxops-tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return True

    def write_bundle(self, bundle: Bundle) -> list[str]:
        """Write a project's files and remove flow files the bundle no longer has."""
        files = bundle_files(bundle)
        folder = self._inside(project_dir(bundle.vendor, bundle.project))
        for old in folder.glob("*.json") if folder.is_dir() else []:
            if old.relative_to(self.root).as_posix() not in files:
                old.unlink()
        for relative, data in files.items():
            self.write_file(relative, data)
        return sorted(files)

    def committed_by(self, run_id: str) -> str | None:
        """The sha of ``HEAD`` when this run made it, else None."""
        if not self._git("rev-parse", "--verify", "-q", "HEAD", check=False).strip():
            return None
        message = self._git("log", "-1", "--format=%B")
        if f"{TRAILER}: {run_id}" in message.splitlines():
            return self._git("rev-parse", "HEAD").strip()
        return None

    def stage(self) -> list[str]:
        """Stage everything cxops manages; the ``git diff --stat`` lines of what changed."""
        self._git("add", "-A", "--", ".")
        stat = self._git("diff", "--cached", "--stat=100", "--", ".")
        return [line.strip() for line in stat.splitlines() if line.strip()]

    def commit(self, message: str) -> str:
        """Commit what is staged; the new sha."""
        self._git("commit", "-q", "--no-verify", "-m", message)
        return self._git("rev-parse", "HEAD").strip()
