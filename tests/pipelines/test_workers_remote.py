"""``--repo`` as a git URL (issue #17): a run works in its own clone and pushes its commit; a push
refused because another run pushed first is rebased (the run's own paths, the derived files
rebuilt) and pushed again. Real git: a bare repository in a temporary folder, ``file://`` URLs.

- two clones racing: the second's push is refused, it rebases and lands, its lock rebuilt over
  both runs' projects;
- two worker processes exporting two tenants into one remote at once: both runs land.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from cxops.emulator import EmulatorThread
from cxops.model.layout import BUNDLE_FILE, project_dir
from cxops.pipelines.repo import RUN_TRAILER, commit_run, open_repo
from cxops.sinks.git import GitRepo
from tests.pipelines.promote.profiles import write_profiles
from tests.pipelines.test_workers import _cli, _run_workers
from tests.store.fixtures import PgServer, pg_schema_url


def _bare(root: Path) -> str:
    subprocess.run(["git", "init", "-q", "--bare", str(root / "remote.git")], check=True)
    return f"file://{root / 'remote.git'}"


def _remote_log(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(root / "remote.git"), "log", "--format=%(trailers:key="
         f"{RUN_TRAILER},valueonly)%x1e", "main"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [r.strip() for r in out.stdout.split("\x1e") if r.strip()]


def _remote_files(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(root / "remote.git"), "ls-tree", "-r", "--name-only", "main"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.split()


def _write(repo: GitRepo, project: str) -> None:
    repo.write_file(
        f"{project_dir('cognigy', project)}/{BUNDLE_FILE}", b'{"p": "%b"}\n' % project.encode()
    )


def _rebuild(repo: GitRepo) -> None:
    """The lock as the export rebuilds it: over every project in the work tree."""
    found = sorted(p.parent.name for p in (repo.root / "flows").glob(f"*/*/{BUNDLE_FILE}"))
    repo.write_file("cxops.lock", ("\n".join(found) + "\n").encode())


def test_a_refused_push_is_rebased_and_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs' clones made before either pushed: both commits land, the lock covers both."""
    url = _bare(tmp_path)
    monkeypatch.chdir(tmp_path)
    first, second = open_repo(url, "run-one"), open_repo(url, "run-two")
    assert first.root == (tmp_path / ".cxops" / "clones" / "run-one").resolve()
    for repo, project in ((first, "alpha"), (second, "beta")):
        _write(repo, project)
        _rebuild(repo)
    one = commit_run(
        first, "run-one", "one", [("cognigy", "alpha")], ["cxops.lock"], [], None, rebuild=_rebuild
    )
    assert one["commit"] and _remote_log(tmp_path) == ["run-one"]
    assert second.head() is None  # cloned before the first push: its push will be refused
    two = commit_run(
        second, "run-two", "two", [("cognigy", "beta")], ["cxops.lock"], [], None, rebuild=_rebuild
    )
    assert two["commit"] and two["commit"] != one["commit"]
    assert _remote_log(tmp_path) == ["run-two", "run-one"]  # rebased on top, nothing lost
    files = _remote_files(tmp_path)
    assert {f"{project_dir('cognigy', p)}/{BUNDLE_FILE}" for p in ("alpha", "beta")} <= set(files)
    lock = subprocess.run(
        ["git", "--git-dir", str(tmp_path / "remote.git"), "show", "main:cxops.lock"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert lock.split() == ["alpha", "beta"]  # rebuilt after the rebase, not either side's
    # The same step again (a replay after a crash) makes no second commit.
    again = commit_run(
        second, "run-two", "two", [("cognigy", "beta")], ["cxops.lock"], [], None, rebuild=_rebuild
    )
    assert again["commit"] == two["commit"] and len(_remote_log(tmp_path)) == 2


def test_a_url_with_a_password_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token in the --repo URL would be stored with the run: refused (exit 2) before cloning."""
    from cxops.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="password"):
        open_repo("https://user:s3cret@git.example/flows.git", "run")
    assert not (tmp_path / ".cxops" / "clones" / "run").exists()


@pytest.mark.slow
def test_two_workers_export_two_tenants_into_one_remote(
    emu: EmulatorThread, tmp_path: Path, pg_admin: PgServer
) -> None:
    """Two tenants exported at once by two workers into one remote: both runs land."""
    url = _bare(tmp_path)
    for store in pg_schema_url(pg_admin):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
        env |= write_profiles(emu, tmp_path, "cognigy")
        runs = []
        for profile, project in (("dev", "Appointment Booking"), ("prod", "Billing Assistant")):
            done = _cli(
                ["export", "--profile", profile, "--project", project, "--repo", url, "--store",
                 store, "--rate", "50", "--enqueue", "--json"], env, tmp_path,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-2000:]
            runs.append(json.loads(done.stdout)["run"])
        status = _run_workers(("r1", "r2"), store, env, tmp_path, runs)
        assert status == dict.fromkeys(runs, "succeeded"), status
        assert sorted(_remote_log(tmp_path)) == sorted(runs)  # one commit each, both landed
        folders = {f.split("/")[2] for f in _remote_files(tmp_path) if f.startswith("flows/")}
        assert len(folders) == 2, folders  # both tenants' projects in the remote's tip
        assert list((tmp_path / ".cxops" / "clones").iterdir()) == []  # each run removed its own


def test_an_export_into_a_remote_pushes_and_removes_its_clone(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """A plain ``cxops export --repo URL``: the commit lands in the remote and the run's clone
    is gone once the run has ended; a folder next to it under ``.cxops/clones`` is not touched."""
    url = _bare(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    env |= write_profiles(emu, tmp_path, "cognigy")
    other = tmp_path / ".cxops" / "clones" / "someone-else"
    other.mkdir(parents=True)
    done = _cli(
        ["export", "--profile", "dev", "--project", "Appointment Booking", "--repo", url,
         "--store", f"sqlite:///{tmp_path / 'state.db'}", "--rate", "50", "--json"],
        env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads(done.stdout)["run"]
    assert _remote_log(tmp_path) == [run]
    assert list((tmp_path / ".cxops" / "clones").iterdir()) == [other]
