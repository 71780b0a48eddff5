"""Nothing cxops writes lands outside its target: option-shaped revisions, planted symlinks."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files
from cxops.safefile import write_file
from cxops.sinks.git.repo import GitRepo
from tests.hostile.corpus import good
from tests.hostile.test_corpus import _listing


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _repo(root: Path) -> Path:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "t@example.invalid")
    _git(root, "config", "user.name", "t")
    for rel, data in bundle_files(Bundle.model_validate(good())).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "v1")
    return root


@pytest.mark.parametrize(
    "spec",
    [
        "--output={victim}:flows",
        "--output={victim}",
        "-o{victim}:flows",
        "--remote=file:///nonexistent:flows",
        "--exec=touch {victim}:flows",
        "-:flows",
        "HEAD --output={victim}:flows",
    ],
)
def test_a_revision_shaped_like_an_option_writes_nothing(
    spec: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`cxops diff -- "--output=/any/file:x" HEAD:x` is a usage error; the file is untouched."""
    repo = _repo(tmp_path / "repo")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    monkeypatch.chdir(repo)
    before = _listing(tmp_path)
    code = main(["diff", "--", spec.format(victim=victim), "HEAD:flows"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "error:" in err
    assert victim.read_text() == "precious\n"
    assert _listing(tmp_path) == before


def test_diff_still_reads_real_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The guarded path keeps working: HEAD:flows against the work tree is no change."""
    repo = _repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    assert main(["diff", "HEAD:flows", "flows", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["bump"] == "none"
    assert main(["diff", "nosuchrev:flows", "flows"]) == 2
    assert "nosuchrev" in capsys.readouterr().err


def test_lock_never_writes_through_a_planted_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cxops.lock symlink pointing outside: exit 2, the link and its target untouched."""
    target = tmp_path / "target"
    target.mkdir()
    (target / "bundle.json").write_text(json.dumps(good()))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (target / "cxops.lock").symlink_to(victim)
    before = _listing(tmp_path)
    assert main(["lock", str(target)]) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err
    assert victim.read_text() == "precious\n"
    assert _listing(tmp_path) == before
    # --lock naming a link is refused the same way; a real file is written normally.
    assert main(["lock", str(target), "--lock", str(target / "cxops.lock")]) == 2
    (target / "cxops.lock").unlink()
    assert main(["lock", str(target)]) == 0
    assert (target / "cxops.lock").is_file() and not (target / "cxops.lock").is_symlink()


def test_reports_never_write_through_a_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate --output onto a symlink: exit 2, nothing written through it, no temp left."""
    (tmp_path / "bundle.json").write_text(json.dumps(good()))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    report = tmp_path / "report.sarif"
    report.symlink_to(victim)
    before = _listing(tmp_path)
    for flag in ("-o", "--output"):  # -o is --output (issue #16)
        code = main(
            ["validate", str(tmp_path / "bundle.json"), "--format", "sarif", flag, str(report)]
        )
        assert code == 2
    assert victim.read_text() == "precious\n"
    assert _listing(tmp_path) == before
    capsys.readouterr()


def test_write_file_replaces_atomically_and_refuses_folders(tmp_path: Path) -> None:
    """A regular file is replaced whole; a folder or a missing parent is a ConfigError."""
    from cxops.errors import ConfigError

    path = tmp_path / "out.txt"
    write_file(path, "one\n")
    write_file(path, b"two\n")
    assert path.read_text() == "two\n"
    with pytest.raises(ConfigError, match="cannot write"):
        write_file(tmp_path, "x")
    with pytest.raises(ConfigError, match="cannot write"):
        write_file(tmp_path / "missing" / "out.txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_tag_names_and_revisions_never_read_as_options(tmp_path: Path) -> None:
    """GitRepo.tag('-d', rev='--output=…') cannot delete a tag or write a file."""
    from cxops.sinks.git.repo import GitError

    repo = GitRepo.open_or_init(_repo(tmp_path / "repo"))
    victim = tmp_path / "victim.txt"
    repo.tag("v1.0.0", "first")
    with pytest.raises(GitError):
        repo.tag("v1.0.1", "x", rev=f"--output={victim}")
    with pytest.raises(GitError):
        repo.changed_files(f"--output={victim}")
    with pytest.raises(GitError):
        repo.trailers(f"--output={victim}")
    assert not victim.exists()
    # A tag literally named like an option is refused by git's ref rules or is a plain tag;
    # it never deletes v1.0.0.
    with contextlib.suppress(GitError):
        repo.tag("-d", "x")
    assert "v1.0.0" in repo.git("tag", "--list").split()
