"""``cxops promote`` between two Genesys profiles of a cxops.toml (in process, real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from tests.pipelines.promote.profiles import write_profiles
from tests.pipelines.promote.test_genesys_promote import BILLING, ORDER, TESTS, effects


@pytest.fixture
def profiles(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A cxops.toml with Genesys profiles dev and prod (secrets from env: references)."""
    emu.ctx.clock.set_speed(200)
    for var, value in write_profiles(emu, tmp_path, "genesys").items():
        monkeypatch.setenv(var, value)
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(TESTS), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown()


def test_cli_dry_run_then_promotion(
    emu: EmulatorThread, profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dry run exits 0 and changes nothing; the promotion exits 0 with parity 1.0."""
    store = f"sqlite:///{profiles / 'state.db'}"
    args = ["promote", "--from", "dev", "--to", "prod", "--project", "Digital Channels",
            "--tests", "tests.yaml", "--store", store, "--rate", "5000", "--concurrency", "32",
            "--json"]  # fmt: skip
    assert main([*args, "--dry-run"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "dry_run" and doc["would_block"] == []
    assert doc["plan"]["stages"][0] == f"import:{BILLING}"
    assert effects(emu, "prod") == []
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "promoted" and doc["parity"]["score"] == 1.0
    assert set(doc["id_map"]) == {BILLING, ORDER}
    assert [r["effect"] for r in effects(emu, "prod")] == [
        "genesys.flow.import",
        "genesys.flow.update",  # the created bot moved from Home to its division
        "genesys.flow.publish",
        "genesys.flow.import",
        "genesys.flow.publish",
    ]
