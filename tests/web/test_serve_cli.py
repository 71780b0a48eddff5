"""``cxops serve`` refuses unsafe or broken settings before it listens (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxops.cli.main import main as cli


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--host", "0.0.0.0"], {}),  # off loopback without a token
        (["--host", "192.168.1.20"], {}),
        (["--token-env", "CXOPS_TEST_DASH_TOKEN"], {}),  # the variable is not set
        (["--token-env", "CXOPS_TEST_DASH_TOKEN"], {"CXOPS_TEST_DASH_TOKEN": "short"}),
        (["--repo", "."], {}),  # not an export repository
    ],
)
def test_serve_refuses(
    args: list[str],
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each case exits 2 with a message saying what to do, and never echoes a token."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = cli(["serve", "--store", f"sqlite:///{tmp_path / 's.db'}", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "short" not in err.replace("too short", "")
    assert any(word in err for word in ("token", "--token-env", "repository")), err
