"""`cxops lock`: writes a deterministic lock, is idempotent, and --check reports drift."""

from __future__ import annotations

import json
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


def test_lock_write_check_and_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Write, write again (unchanged), check (clean), change a flow, check (drift, exit 1)."""
    _write(tmp_path, Bundle.model_validate(bundle([menu_flow()])))
    assert main(["lock", str(tmp_path)]) == 0
    lock_text = (tmp_path / "cxops.lock").read_text()
    assert "written" in capsys.readouterr().out
    assert main(["lock", str(tmp_path)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert (tmp_path / "cxops.lock").read_text() == lock_text
    assert main(["lock", str(tmp_path), "--check"]) == 0
    changed = menu_flow()
    changed["name"] = "Renamed menu"
    _write(tmp_path, Bundle.model_validate(bundle([changed])))
    capsys.readouterr()
    assert main(["lock", str(tmp_path), "--check", "--format", "json"]) == 1
    drift = json.loads(capsys.readouterr().out)["drift"]
    assert {
        "table": "flow",
        "key": "cognigy/p1/menu",
        "change": "changed",
        "field": "name",
        "locked": "Menu",
        "current": "Renamed menu",
    } in drift


def test_check_without_lock_or_with_garbage_is_input_error(tmp_path: Path) -> None:
    """--check with no lock file, or a broken one, is exit 1 with a hint (InputError)."""
    _write(tmp_path, Bundle.model_validate(bundle([menu_flow()])))
    assert main(["lock", str(tmp_path), "--check"]) == 1
    (tmp_path / "cxops.lock").write_text("lock_version = [")
    assert main(["lock", str(tmp_path), "--check"]) == 1
