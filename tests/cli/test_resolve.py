"""`cxops resolve`: exit codes, the lock `cxops lock --check` verifies, tampering, registry."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cxops.analysis.lock import dumps_lock, loads_lock
from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from tests.pipelines.compile.conn import cli_args


def test_resolve_writes_a_lock_that_lock_check_verifies_and_tampering_fails(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Genesys dev: exit 1 (cycle, conflicts), JSON summary; `cxops lock --check` passes on the
    repository, and fails (exit 1) once one hash in the lock is changed."""
    repo = tmp_path / "repo"
    store = ["--store", f"sqlite:///{tmp_path}/state.db"]
    args = ["resolve", *cli_args(emu, "genesys"), "--repo", str(repo), "--format", "json", *store]
    assert main(args) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"]["error"] == 4 and doc["flows"] == 21
    assert {f["code"] for f in doc["report"]["findings"]} == {"CX101", "CX105", "CX106"}
    lock = repo / "cxops.lock"
    assert main(["lock", "--check", str(repo)]) == 0
    capsys.readouterr()
    text = lock.read_text(encoding="utf-8")
    start = text.index('hash = "sha256:') + len('hash = "sha256:')
    flipped = "0" if text[start] != "0" else "1"
    lock.write_text(text[:start] + flipped + text[start + 1 :], encoding="utf-8")
    assert main(["lock", "--check", str(repo)]) == 1
    assert "difference" in capsys.readouterr().out
    # A second resolve puts the true lock back, byte for byte.
    assert main(args) == 1
    assert lock.read_text(encoding="utf-8") == text
    capsys.readouterr()
    # ... and keeps the change stamps an incremental export recorded for unchanged flows.
    doc = loads_lock(text)
    for row in doc["flow"]:
        row["stamp"] = f"v-{row['id']}"
    lock.write_text(dumps_lock(doc), encoding="utf-8")
    assert main(args) == 1
    kept = loads_lock(lock.read_text(encoding="utf-8"))["flow"]
    assert [r.get("stamp") for r in kept] == [f"v-{r['id']}" for r in kept] and len(kept) == 21
    capsys.readouterr()


def test_resolve_pushes_to_the_registry_and_refuses_to_replace(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--registry pushes the lock (X-Checksum checked by the registry); another project's lock
    under the same --artifact-version is refused with exit 3 and the stored one stays."""
    registry = f"{emu.url}/_emulator/registry"
    common = [*cli_args(emu, "genesys"), "--store", f"sqlite:///{tmp_path}/state.db"]
    push = ["--registry", registry, "--artifact-name", "dev-lock", "--artifact-version", "1.0.0"]
    first = ["resolve", *common, "--repo", str(tmp_path / "a"), "--project", "Digital Channels"]
    assert main([*first, *push]) == 0
    stored = httpx.get(f"{registry}/dev-lock/1.0.0").content
    assert stored == (tmp_path / "a" / "cxops.lock").read_bytes()
    second = ["resolve", *common, "--repo", str(tmp_path / "b"), "--project", "Home"]
    assert main([*second, *push]) == 3
    assert "refusing to replace" in capsys.readouterr().err
    assert httpx.get(f"{registry}/dev-lock/1.0.0").content == stored
