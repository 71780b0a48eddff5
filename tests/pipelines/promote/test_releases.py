"""Releases that repeat: a third, fourth... release promotes and tags like the first."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.plan import latest_tag
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.sinks.git import GitRepo
from tests.pipelines.conftest import FAST, emulator_settings
from tests.pipelines.promote.conftest import PROJECT
from tests.pipelines.promote.releases import reword_dev
from tests.pipelines.promote.test_promote import promote


def test_latest_tag_is_the_highest_semver(tmp_path: Path) -> None:
    """Tags 1.2.0, 1.10.0, 1.9.0 and a non-semver one: 1.10.0 (semver order, not text order)."""
    repo = GitRepo.open_or_init(tmp_path)
    (tmp_path / "a").write_text("a")
    repo.git("add", "a")
    repo.git("commit", "-q", "-m", "a")
    for tag in ("1.2.0", "1.10.0", "1.9.0", "release-x"):
        repo.tag(tag, tag)
    assert latest_tag(str(tmp_path)) == "1.10.0"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_three_releases_in_a_row_each_promote_and_tag(
    fast_emu: EmulatorThread, store_url: str, tmp_path: Path
) -> None:
    """1.0.0, 1.1.0, 1.2.0 with a change on dev before each: all promoted, each tag on its own
    artifact commit (the third used to crash comparing two semver tags with ``>``)."""
    repo = tmp_path / "rel"
    commits = []
    for n, version in enumerate(("1.0.0", "1.1.0", "1.2.0")):
        if n:
            reword_dev(fast_emu, f"Welcome to release {version}")
        dry = promote(fast_emu, store_url, repo=repo, version=version, dry_run=True)
        assert dry["outcome"] == "dry_run" and dry["would_block"] == [], dry.get("error")
        out = promote(fast_emu, store_url, repo=repo, version=version)
        assert out["outcome"] == "promoted", (version, out.get("error"))
        assert out["plan"]["version"]["previous"] == (None, "1.0.0", "1.1.0")[n]
        assert out["artifact"]["tag"] == version
        assert _git(repo, "rev-list", "-n1", version) == out["artifact"]["commit"]
        commits.append(out["artifact"]["commit"])
    assert len(set(commits)) == 3
    assert _git(repo, "tag", "--list").split() == ["1.0.0", "1.1.0", "1.2.0"]
    for version in ("1.0.0", "1.1.0", "1.2.0"):  # each released commit passes its lock check
        tree = tmp_path / f"at-{version}"
        _git(repo, "worktree", "add", "-q", "--detach", str(tree), version)
        assert main(["lock", str(tree), "--check"]) == 0, version
        release = json.loads((tree / "releases/cognigy" / _folder(tree)).read_text())
        assert release["tag"] == version and release["target"] == "prod"
        assert "cxops.lock" in _git(repo, "show", "--name-only", "--format=", version).split()
    # An export of the released content into the same repository keeps the release record
    # and changes no flow file (issue #14: it used to rewrite _bundle.json without it).
    head = _git(repo, "rev-parse", "HEAD")
    out = asyncio.run(
        run_export(
            emulator_settings(fast_emu, "cognigy", "dev"),
            ExportOptions(repo=repo, project=PROJECT, store=store_url, transport=FAST),
        )
    )
    assert out["status"] == "succeeded", out
    touched = _git(repo, "diff", "--name-only", head, "HEAD").split()
    assert not [p for p in touched if p.startswith(("flows/", "releases/"))], touched


def _folder(tree: Path) -> str:
    [name] = [p.name for p in (tree / "releases/cognigy").iterdir()]
    return name
