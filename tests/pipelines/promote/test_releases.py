"""Releases that repeat: a third, fourth... release promotes and tags like the first."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxops.emulator import EmulatorThread
from cxops.pipelines.promote.plan import latest_tag
from cxops.sinks.git import GitRepo
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
