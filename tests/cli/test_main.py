"""The CLI's one error handler: every way a command ends maps to the exit codes of CLI.md."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import cxops.cli.emulator as emulator_cmd
from cxops import __version__
from cxops.cli.main import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version and exits 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cxops {__version__}"


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--help works on the app and on each registered command."""
    from cxops.cli.app import app

    assert main(["--help"]) == 0
    names = [c.name for c in app.registered_commands]
    assert "emulator" in names
    for name in names:
        assert main([str(name), "--help"]) == 0
        assert "Usage" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command or a bad option value is a usage error: exit 2."""
    assert main(["no-such-command"]) == 2
    assert main(["emulator", "--port", "not-a-number"]) == 2


def test_config_error_exits_2_with_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario file that is wrong is a configuration error: message, hint, exit 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("faults:\n  - {action: melt}\n")
    assert main(["emulator", "--scenario", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "faults.0.action" in err
    assert "hint:" in err


def test_unexpected_error_exits_4_and_writes_a_crash_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug is exit 4 with one line and the path of a file holding the traceback."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(emulator_cmd, "create_app", broken)
    assert main(["emulator", "--port", "0"]) == 4
    err = capsys.readouterr().err
    assert "simulated bug" in err
    assert "Traceback" not in err
    match = re.search(r"traceback is in (\S+)", err)
    assert match is not None
    log = Path(match.group(1))
    assert "RuntimeError: simulated bug" in log.read_text()
    log.unlink()


def test_emulator_command_prints_json_first_line_and_serves(tmp_path: Path) -> None:
    """`cxops emulator --port 0 --json` prints its details on line 1, then answers requests."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxops", "emulator", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        details = json.loads(proc.stdout.readline())
        assert details["url"].startswith("http://127.0.0.1:")
        genesys = details["vendors"]["genesys"]["dev"]
        creds = genesys["credentials"]["admin"]
        for _ in range(100):
            try:
                r = httpx.post(
                    genesys["token_url"],
                    data={"grant_type": "client_credentials"},
                    auth=(creds["client_id"], creds["client_secret"]),
                )
                break
            except httpx.ConnectError:
                import time

                time.sleep(0.05)
        assert r.status_code == 200
        assert "access_token" in r.json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()


def test_version_imports_no_command_module() -> None:
    """`cxops --version` imports no command (DBOS, SQLAlchemy, httpx, the model stay unloaded)."""
    code = (
        "import sys; from cxops.cli.main import main; rc = main(['--version']); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dbos', 'sqlalchemy', 'httpx', 'pydantic', 'numpy') "
        "or m.startswith(('cxops.pipelines', 'cxops.vendors', 'cxops.model.bundle')) "
        "or m in ('cxops.cli.export', 'cxops.cli.promote')); "
        "print(rc, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "0 []", out.stdout


def test_a_command_imports_only_itself() -> None:
    """Running one command registers that command alone; --help registers them all, in order."""
    from cxops.cli.app import COMMANDS, app

    code = (
        "import sys; from cxops.cli.main import main; main(['diff', '--help']); "
        "print('cxops.cli.promote' in sys.modules, 'cxops.cli.diff' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False True"
    assert main(["--help"]) == 0
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert sorted(names) == sorted(COMMANDS)
