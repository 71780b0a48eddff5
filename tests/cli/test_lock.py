"""`cxops lock`: writes a deterministic lock, is idempotent, and --check reports drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxops.analysis.lock import dumps_lock, loads_lock
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


def _stamped(text: str) -> str:
    """The lock with a vendor change stamp on every bundle and flow, as an export records them."""
    doc = loads_lock(text)
    for table in ("bundle", "flow"):
        for row in doc[table]:
            row["stamp"] = f"stamp-of-{row.get('id', row['project'])}"
    return dumps_lock(doc)


def test_lock_keeps_the_change_stamps_of_unchanged_flows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rewriting the lock keeps the stamps an incremental export recorded (else the next export
    is a full one); a flow whose content moved loses its stamp, so it is fetched again."""
    other = menu_flow("other")
    other["name"] = "Other"
    _write(tmp_path, Bundle.model_validate(bundle([menu_flow(), other])))
    assert main(["lock", str(tmp_path)]) == 0
    lock = tmp_path / "cxops.lock"
    lock.write_text(_stamped(lock.read_text()))
    stamped = lock.read_text()
    capsys.readouterr()
    assert main(["lock", str(tmp_path)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert lock.read_text() == stamped
    changed = menu_flow()
    changed["name"] = "Renamed menu"
    _write(tmp_path, Bundle.model_validate(bundle([changed, other])))
    assert main(["lock", str(tmp_path)]) == 0
    stamps = {row["id"]: row.get("stamp") for row in loads_lock(lock.read_text())["flow"]}
    assert stamps == {"menu": None, "other": "stamp-of-other"}
    assert main(["lock", str(tmp_path), "--check"]) == 0
