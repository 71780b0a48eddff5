"""Commits and tags as the person running cxops (issue #16): their git identity and signing
settings, read from a real global git configuration in a temporary HOME; the fixed default when
there is none; ``CXOPS_GIT_NAME``/``CXOPS_GIT_EMAIL`` over both."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cxops.sinks.git import GitIdentity, GitRepo
from tests.sinks.test_git import _bundle, _flow, _git


def _global(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *settings: tuple[str, str]) -> Path:
    """A global git configuration of its own (GIT_CONFIG_GLOBAL), with these settings."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in settings:
        subprocess.run(["git", "config", "--file", str(config), key, value], check=True)
    return config


def _commit(root: Path) -> str:
    repo = GitRepo.open_or_init(root)
    repo.write_bundle(_bundle(_flow("f1")))
    sha = repo.commit("export")
    assert sha is not None
    return sha


def test_commits_carry_the_user_s_git_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """user.name/user.email of the user's git configuration author and commit the export;
    the repository's own configuration wins over the global one, as in git."""
    _global(tmp_path, monkeypatch, ("user.name", "Ada Lovelace"), ("user.email", "ada@example.org"))
    root = tmp_path / "repo"
    _commit(root)
    assert _git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == (
        "Ada Lovelace <ada@example.org>|Ada Lovelace <ada@example.org>"
    )
    _git(root, "config", "user.email", "ada@team.example")
    repo = GitRepo.open_or_init(root)
    repo.write_bundle(_bundle(_flow("f1", "changed")))
    repo.commit("again")
    author = _git(root, "log", "-1", "--format=%an <%ae>").strip()
    assert author == "Ada Lovelace <ada@team.example>"


def test_no_identity_falls_back_to_cxops_and_env_overrides_git_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No git identity anywhere: ``cxops <cxops@localhost>``, no failure. CXOPS_GIT_NAME/EMAIL
    win over the user's configuration."""
    _global(tmp_path, monkeypatch)
    _commit(tmp_path / "a")
    assert _git(tmp_path / "a", "log", "-1", "--format=%an <%ae>").strip() == (
        "cxops <cxops@localhost>"
    )
    _global(tmp_path, monkeypatch, ("user.name", "Ada"), ("user.email", "ada@example.org"))
    monkeypatch.setenv("CXOPS_GIT_NAME", "Release Bot")
    monkeypatch.setenv("CXOPS_GIT_EMAIL", "bot@example.org")
    _commit(tmp_path / "b")
    assert _git(tmp_path / "b", "log", "-1", "--format=%an <%ae>").strip() == (
        "Release Bot <bot@example.org>"
    )


def test_signing_settings_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """commit.gpgsign and tag.gpgsign (an SSH signing key here): the export commit and the tag
    carry a signature that git verifies against the allowed signers; without them, none."""
    key = tmp_path / "signing"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", str(key)], check=True
    )
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"ada@example.org {(tmp_path / 'signing.pub').read_text()}")
    _global(
        tmp_path,
        monkeypatch,
        ("user.name", "Ada"),
        ("user.email", "ada@example.org"),
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(signers)),
        ("commit.gpgsign", "true"),
        ("tag.gpgsign", "true"),
    )
    root = tmp_path / "signed"
    assert GitIdentity.resolve(root).sign_commits
    sha = _commit(root)
    assert "gpgsig" in _git(root, "cat-file", "-p", sha)
    assert _git(root, "log", "-1", "--format=%G?").strip() == "G"  # a good signature
    GitRepo.open_or_init(root).tag("v1.0.0", "first")
    assert "BEGIN SSH SIGNATURE" in _git(root, "cat-file", "-p", "v1.0.0")
    subprocess.run(["git", "tag", "-v", "v1.0.0"], cwd=root, capture_output=True, check=True)

    _git(root, "config", "commit.gpgsign", "false")
    repo = GitRepo.open_or_init(root)
    repo.write_bundle(_bundle(_flow("f2")))
    unsigned = repo.commit("unsigned")
    assert unsigned is not None and "gpgsig" not in _git(root, "cat-file", "-p", unsigned)
