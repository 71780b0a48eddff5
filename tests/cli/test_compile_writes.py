"""`cxops compile` on CXone writes only what was asked for (issue #14): nothing on a protected
profile without --save, and a save that changes no content (a new masterID) is not content: an
export after it makes no commit."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from tests.pipelines.promote.cxone_helpers import effects
from tests.pipelines.promote.profiles import write_profiles


@pytest.fixture
def profiles(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """cxops.toml with CXone profiles dev and prod, prod marked ``protected = true``."""
    for var, value in write_profiles(emu, tmp_path, "cxone").items():
        monkeypatch.setenv(var, value)
    toml = tmp_path / "cxops.toml"
    toml.write_text(
        toml.read_text().replace("[profiles.prod]", "[profiles.prod]\nprotected = true")
    )
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown()


def test_a_protected_profile_is_not_saved_without_save(
    emu: EmulatorThread, profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """compile on the protected prod: exit 2, no save on prod; with --save the scripts that
    pass are saved (the user asked)."""
    store = f"sqlite:///{profiles / 'state.db'}"
    args = ["compile", "--profile", "prod", "--repo", "compiled", "--store", store]
    assert main(args) == 2
    assert "profile prod is protected" in capsys.readouterr().err
    assert [e for e in effects(emu, "prod") if e[0] == "cxone.script.save"] == []
    assert main([*args, "--save", "--format", "json"]) in (0, 1)
    assert [e for e in effects(emu, "prod") if e[0] == "cxone.script.save"]


def test_an_export_after_compile_on_an_unchanged_tenant_makes_no_commit(
    emu: EmulatorThread, profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export, compile (every passing script saved back: new masterIDs, same content), export:
    the second export finds nothing changed and makes no commit."""
    store = f"sqlite:///{profiles / 'state.db'}"
    export = ["export", "--profile", "dev", "--all", "--repo", "flows", "--store", store]
    export += ["--rate", "5000", "--json"]
    assert main(export) in (0, 1)
    first = json.loads(capsys.readouterr().out)
    assert first["commit"]
    compile_ = ["compile", "--profile", "dev", "--repo", "compiled", "--store", store]
    assert main([*compile_, "--format", "json"]) in (0, 1)
    capsys.readouterr()
    saved = [e for e in effects(emu, "dev") if e[0] == "cxone.script.save"]
    assert len(saved) > 3  # the tenant was written: every passing script has a new masterID
    assert main(export) in (0, 1)
    second = json.loads(capsys.readouterr().out)
    assert second["commit"] is None and second["changed"] is False
    log = subprocess.run(
        ["git", "log", "--format=%H"], cwd=profiles / "flows", capture_output=True, text=True
    ).stdout.split()
    assert log == [first["commit"]]
