"""``cxops promote`` for CXone from the command line: profiles with ``env:`` secrets, a
``--tests`` file with test calls, a dry run that changes nothing, then the promotion."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from tests.pipelines.promote.cxone_helpers import calls_doc, effects
from tests.pipelines.promote.profiles import write_profiles

MAIN, PAY = "Billing\\Billing_Main", "Billing\\Payment_IVR"


@pytest.fixture
def root(emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """cxops.toml with CXone profiles dev and prod (secrets from env: references), and a
    tests.yaml with a test call per Billing script, in the cwd."""
    emu.ctx.clock.set_speed(200)
    for var, value in write_profiles(emu, tmp_path, "cxone").items():
        monkeypatch.setenv(var, value)
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(calls_doc(emu, MAIN, PAY)), "utf-8")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown()


def test_dry_run_then_promotion_from_the_command_line(
    emu: EmulatorThread, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["promote", "--from", "dev", "--to", "prod", "--project", "Billing",
            "--tests", "tests.yaml",
            "--store", f"sqlite:///{root / 'state.db'}", "--rate", "5000",
            "--concurrency", "32", "--json"]  # fmt: skip
    assert main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["outcome"] == "dry_run" and dry["plan"]["stages"] == [f"save:{PAY}", f"save:{MAIN}"]
    assert effects(emu) == []
    assert main(args) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["outcome"] == "promoted" and done["parity"]["score"] == 1.0
    assert effects(emu) == [("cxone.script.save", PAY), ("cxone.script.save", MAIN)]
