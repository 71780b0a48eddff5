"""The exit-code contract of README/CLI.md holds on the failure paths issue #15 found broken.

0 success · 1 problems found · 2 usage or configuration (refused credentials included) ·
3 the vendor or the network failed after retries · 4 a bug. Usage errors print only
``error:``/``hint:`` lines (no DBOS traceback); a PostgreSQL database that does not exist is an
error, never created.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from cxops.cli.main import main
from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario

PG = os.environ.get("CXOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SMALL = "Flawed - Flow Cycle"


def _flags(emu: EmulatorThread, tmp_path: Path, key: str | None = None) -> list[str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    return [
        "--vendor", "cognigy", "--base-url", info["base_url"],
        "--api-key", key or info["credentials"]["readonly"]["api_key"],
        "--store", f"sqlite:///{tmp_path / 'state.db'}", "--rate", "5000",
        "--repo", str(tmp_path / "repo"),
    ]  # fmt: skip


def test_refused_credentials_exit_2_and_say_check_credentials(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 from the vendor is the user's configuration: exit 2, 'check credentials'."""
    code = main(["export", *_flags(emu, tmp_path, key="wrong-key-0000"), "--all"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "check credentials" in err
    assert "wrong-key-0000" not in err


@pytest.mark.parametrize("path", ["/new/v2.0/projects*", "/new/v2.0/flows*"])
def test_a_vendor_failing_after_retries_exits_3(
    path: str, emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """503 on every try, for the listing or for every project's flows: exit 3, not 1 or 4."""
    rule = {"vendor": "cognigy", "path": path, "action": "error", "status": 503}
    emu.ctx.faults.load(Scenario.parse({"faults": [rule]}))
    code = main(["export", *_flags(emu, tmp_path), "--project", SMALL, "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "unexpected error" not in err


@pytest.mark.parametrize("command", [["emulator"], ["serve", "--store", "STORE"]])
def test_a_port_in_use_is_a_usage_error(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cxops emulator|serve --port N` with N taken: exit 2 naming the problem, no crash."""
    argv = [a.replace("STORE", f"sqlite:///{tmp_path / 's.db'}") for a in command]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = main([*argv, "--port", str(taken.getsockname()[1])])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "in use" in err and "unexpected error" not in err


def test_unusable_store_and_repo_paths_exit_2(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--store under a file, --repo naming a file: exit 2, nothing created around them."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    flags = _flags(emu, tmp_path)
    store = ["--store", f"sqlite:///{afile}/state.db"]
    assert main(["export", *flags, *store, "--project", SMALL]) == 2
    assert "cannot use the store path" in capsys.readouterr().err
    code = main(["export", *flags[:-1], str(afile), "--project", SMALL])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "export repository" in err and "unexpected error" not in err
    assert afile.read_text() == "x"


def test_a_missing_postgresql_database_is_an_error_not_created(
    emu: EmulatorThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--store naming a database that does not exist: exit 2; the database still does not."""
    name = f"cxops_missing_{os.getpid()}"
    missing = PG.rsplit("/", 1)[0] + "/" + name
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:  # pragma: no cover - a machine without PostgreSQL
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no PostgreSQL at CXOPS_TEST_PG_URL")
    code = main(["export", *_flags(emu, tmp_path), "--store", missing, "--project", SMALL])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "does not exist" in err
    with admin.connect() as conn:
        found = conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name})
        assert found.first() is None
    admin.dispose()


def test_usage_errors_print_only_error_and_hint(tmp_path: Path) -> None:
    """A usage error inside a run (a project that does not exist) shows no DBOS traceback."""
    with EmulatorThread() as emu:
        info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
        argv = [
            sys.executable, "-m", "cxops", "export", "--vendor", "cognigy",
            "--base-url", info["base_url"],
            "--api-key", info["credentials"]["readonly"]["api_key"],
            "--store", f"sqlite:///{tmp_path / 'state.db'}",
            "--repo", str(tmp_path / "repo"), "--project", "No Such Project",
        ]  # fmt: skip
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=120,
        )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert lines and all(line.startswith(("error:", "hint:")) for line in lines), done.stderr
