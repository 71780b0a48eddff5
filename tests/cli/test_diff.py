"""`cxops diff`: folders, files and git revisions, with the semver suggestion."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.model.bundle import Bundle
from cxops.model.layout import bundle_files
from tests.analysis.bundles import bundle, menu_flow


def _write(root: Path, b: Bundle) -> None:
    for rel, data in bundle_files(b).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_diff_between_git_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1 (one flow) against the working tree (a flow added, one node changed): minor."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "t")
    _write(repo, Bundle.model_validate(bundle([menu_flow()])))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "v1")
    _git(repo, "tag", "v1")
    changed = menu_flow()
    changed["nodes"][3]["properties"] = {"text": "again?"}
    _write(repo, Bundle.model_validate(bundle([changed, menu_flow("extra")])))
    monkeypatch.chdir(repo)
    assert main(["diff", "v1:flows", "flows", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["bump"] == "minor"
    changes = result["bundles"][0]["diff"]["changes"]
    assert {"action": "added", "what": "flow", "id": "extra", "detail": "Extra", "name": "Extra",
            "text": "added flow 'Extra'"} in changes  # fmt: skip
    assert any(c["action"] == "changed" and c["id"] == "again" for c in changes)
    assert main(["diff", "v1:flows", "v1:flows"]) == 0
    assert "suggested bump: none" in capsys.readouterr().out


def test_diff_of_two_files_reports_removed_flow_as_major(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two single-file bundles: a removed flow is a major bump with its reason."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(bundle([menu_flow(), menu_flow("old")])))
    b.write_text(json.dumps(bundle([menu_flow()])))
    assert main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "suggested bump: major" in out and "'Old' was removed" in out


def test_unknown_revision_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revision git does not know is exit 2 with git's message."""
    _git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.json").write_text(json.dumps(bundle([menu_flow()])))
    assert main(["diff", "nosuchrev:flows", "b.json"]) == 2


def _env(root: Path, tenant: str, ids: dict[str, str], text: str) -> None:
    """Two Cognigy projects of one environment: ids are the tenant's, names shared."""
    for name, pid in ids.items():
        changed = menu_flow()
        changed["nodes"][3]["properties"] = {"text": text}
        doc = bundle([changed]) | {"tenant": tenant, "project": pid}
        doc["properties"] = {"project": {"_id": pid, "name": name}}
        _write(root, Bundle.model_validate(doc))


def test_two_environments_compare_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dev and prod hold the same projects under other ids: by default (different tenants)
    they pair by name and the bump is the content's (patch); --by id sees projects added and
    removed (major)."""
    _env(tmp_path / "prod", "prod", {"Billing": "p-1", "Support": "p-2"}, "Sorry?")
    _env(tmp_path / "dev", "dev", {"Billing": "d-1", "Support": "d-2"}, "Pardon?")
    prod, dev = str(tmp_path / "prod"), str(tmp_path / "dev")
    assert main(["diff", prod, dev]) == 0
    out = capsys.readouterr().out
    assert "compared by name (the two sides come from different tenants" in out
    assert "cognigy project 'Billing': patch" in out and "suggested bump: patch" in out
    assert "changed flow 'Menu' › node again: text 'Sorry?' → 'Pardon?'" in out
    assert main(["diff", prod, dev, "--by", "id", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["by"], doc["bump"]) == ("id", "major")
    assert "major: cognigy project 'Billing' was removed" in doc["reasons"]
    assert main(["diff", prod, prod]) == 0
    assert "compared by id (both sides come from the same tenants" in capsys.readouterr().out
    assert main(["diff", prod, dev, "--by", "tenant"]) == 2
