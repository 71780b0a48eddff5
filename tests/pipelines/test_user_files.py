"""An export commits only what it wrote, never a person's work (issue #14): a staged file of
theirs stays staged and out of the commit; their changes in the paths the export writes make it
refuse (exit 2) before it writes anything, unless ``--force``."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import UsageError
from cxops.model.layout import project_dir
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store
from tests.pipelines.conftest import FAST, emulator_settings

PROJECT = "Flawed - Flow Cycle"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def _export(emu: EmulatorThread, repo: Path, store: str, **kw: bool) -> dict[str, object]:
    settings = emulator_settings(emu, "cognigy", "dev")
    options = ExportOptions(repo=repo, project=PROJECT, store=store, transport=FAST, **kw)
    return asyncio.run(run_export(settings, options))


def test_a_staged_user_file_is_never_committed(
    emu: EmulatorThread, tmp_path: Path, any_store_url: str
) -> None:
    """notes.md staged by the user before the first and before a later export: neither export
    commit holds it, and it is still staged afterwards, as the user left it."""
    repo = tmp_path / "flows"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "notes.md").write_text("my notes\n")
    _git(repo, "add", "notes.md")
    first = _export(emu, repo, any_store_url)
    assert first["commit"]
    assert "notes.md" not in _git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert _git(repo, "diff", "--cached", "--name-only").split() == ["notes.md"]
    # A user edit of a flow file is put back by a forced export: the commit holds the flow file
    # and still not the staged notes.
    folder = repo / project_dir("cognigy", _key(repo))
    flow_file = next(p for p in sorted(folder.glob("*.json")) if p.name != "_bundle.json")
    flow_file.write_text(flow_file.read_text().replace('"name"', '"name" ', 1))
    second = _export(emu, repo, any_store_url, force=True)
    assert second["commit"] is None or "notes.md" not in _git(
        repo, "show", "--name-only", "--format=", "HEAD"
    )
    assert _git(repo, "status", "--porcelain").splitlines() == ["A  notes.md"]


def _key(repo: Path) -> str:
    [folder] = [p for p in (repo / "flows" / "cognigy").iterdir() if p.is_dir()]
    return folder.name


def test_user_changes_in_the_export_paths_refuse_with_exit_2(
    emu: EmulatorThread, tmp_path: Path, any_store_url: str
) -> None:
    """A hand edit in a flow file the export writes: refused (UsageError, exit 2) naming the
    file, nothing written; --force overwrites it and commits cxops' version."""
    repo = tmp_path / "flows"
    assert _export(emu, repo, any_store_url)["commit"]
    folder = repo / project_dir("cognigy", _key(repo))
    flow_file = next(p for p in sorted(folder.glob("*.json")) if p.name != "_bundle.json")
    original = flow_file.read_text()
    flow_file.write_text(original.replace("{", '{"edited": true, ', 1))
    head = _git(repo, "rev-parse", "HEAD")
    with pytest.raises(UsageError, match="uncommitted changes in paths this export writes") as err:
        _export(emu, repo, any_store_url)
    assert err.value.exit_code == 2 and flow_file.name in err.value.message
    assert '"edited": true' in flow_file.read_text() and _git(repo, "rev-parse", "HEAD") == head
    with Store.open(any_store_url) as st:
        assert [r.status for r in st.runs.list(kind="export")] == ["failed", "succeeded"]
    forced = _export(emu, repo, any_store_url, force=True)
    assert forced["status"] == "succeeded"
    assert flow_file.read_text() == original and _git(repo, "status", "--porcelain") == ""
