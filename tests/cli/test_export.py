"""``cxops export`` from the command line: exit codes, JSON, scope, --no-commit, --archive."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.sinks.git.layout import stored_folders
from tests.helpers.layout import project_folder

SMALL = "Flawed - Flow Cycle"


def _flags(
    emu: EmulatorThread, tmp_path: Path, role: str = "readonly", tenant: str = "dev"
) -> list[str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"][tenant]
    return [
        "--vendor", "cognigy", "--base-url", info["base_url"],
        "--api-key", info["credentials"][role]["api_key"],
        "--store", f"sqlite:///{tmp_path / 'state.db'}", "--rate", "5000", "--concurrency", "32",
    ]  # fmt: skip


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["export", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else {})


def _tracked(repo: Path) -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True)
    return done.stdout.split()


def _flow_ids(emu: EmulatorThread, name: str | None, tenant: str = "dev") -> tuple[str, list[str]]:
    """A project's id (by name; the first by id when None) and its flow ids."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"][tenant]
    key = {"X-API-Key": info["credentials"]["admin"]["api_key"]}
    projects = sorted(
        httpx.get(f"{info['api']}/projects", headers=key).json()["items"], key=lambda p: p["_id"]
    )
    pid = next(p["_id"] for p in projects if name in (None, p["name"]))
    flows = httpx.get(f"{info['api']}/flows", params={"projectId": pid}, headers=key).json()
    return pid, sorted(f["_id"] for f in flows["items"])


def test_a_failing_project_is_reported_and_the_next_run_retries_it(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--all with one project refused by the vendor: partial run, reason given, exit 1; retried."""
    pid, flows = _flow_ids(emu, None, "prod")  # prod: three projects, quick to export twice
    rule = {"vendor": "cognigy", "path": f"/new/v2.0/flows/{flows[0]}/chart*",
            "action": "error", "status": 403, "message": "no access to this flow"}  # fmt: skip
    emu.ctx.faults.load(Scenario.parse({"faults": [rule]}))
    repo = tmp_path / "repo"
    flags = _flags(emu, tmp_path, tenant="prod")
    code, doc = _run([*flags, "--all", "--repo", str(repo), "--json"], capsys)
    assert code == 1
    assert doc["status"] == "partial"
    assert doc["projects_failed"] == [pid]
    failed = next(p for p in doc["projects"] if p["project"] == pid)
    assert (failed["status"] == "failed" and "403" in failed["error"]) or "access" in failed[
        "error"
    ]
    assert len(doc["projects_ok"]) == len(doc["projects"]) - 1 >= 1
    assert pid not in stored_folders(repo, "cognigy")

    emu.ctx.faults.load(Scenario.parse({}))
    code, doc = _run([*flags, "--all", "--repo", str(repo), "--json"], capsys)
    assert doc["status"] == "succeeded" and doc["projects_failed"] == []
    folder = project_folder(repo, "cognigy", pid)
    assert any(f.startswith(folder + "/") for f in _tracked(repo))


@pytest.mark.parametrize(
    "extra",
    [
        ["--flows", "a"],
        ["--project", SMALL, "--all"],
        ["--project", SMALL, "--webhook", "http://127.0.0.1:9/x"],
    ],
)
def test_usage_errors_exit_2(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    """Contradictory or incomplete options are usage errors (exit 2) and write nothing."""
    code, _ = _run([*_flags(emu, tmp_path), "--repo", str(tmp_path / "r"), *extra], capsys)
    assert code == 2
    assert not (tmp_path / "r" / "flows").exists()


def test_flow_scope_without_commit(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--flows narrows the project to those flows; --no-commit writes files but commits none."""
    pid, flows = _flow_ids(emu, SMALL)
    repo = tmp_path / "repo"
    args = ["--project", SMALL, "--flows", flows[1], "--no-commit", "--repo", str(repo), "--json"]
    code, doc = _run([*_flags(emu, tmp_path), *args], capsys)
    assert doc["projects"][0]["flows"] == 1 and doc["changed"] is None and doc["commit"] is None
    folder = repo / project_folder(repo, "cognigy", pid)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and "_bundle.json" in names
    head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=repo,
                          capture_output=True, text=True)  # fmt: skip
    assert head.returncode != 0  # no commit at all
    assert code in (0, 1)


def test_archive_is_kept_in_the_repository(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--archive also commits the vendor's own archive of the project under archives/."""
    emu.ctx.clock.set_speed(1000.0)  # the package task runs on the emulator clock
    pid, _ = _flow_ids(emu, SMALL)
    repo = tmp_path / "repo"
    args = ["--project", SMALL, "--archive", "--repo", str(repo), "--json"]
    code, doc = _run([*_flags(emu, tmp_path, "admin"), *args], capsys)
    archive = doc["projects"][0]["archive"]
    assert archive.startswith(f"archives/cognigy/{pid}/")
    assert archive in _tracked(repo) and (repo / archive).stat().st_size > 0
    assert code == 1  # the project is one of the fixtures' deliberate cycles
