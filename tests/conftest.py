"""Shared fixtures: every test runs outside the home folder and the caller's environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from cxops import logs
from tests.helpers.emulator import emu, emulator_server  # noqa: F401  (fixtures)

# Property tests assert behaviour, not speed: Hypothesis' default 200 ms deadline per example
# failed them on a loaded CI machine (the suite shares two cores). Explicit settings still win.
settings.register_profile("cxops", deadline=None)
settings.load_profile("cxops")

_PREFIXES = ("CXOPS_", "COGNIGY_", "GENESYS_", "CXONE_", "NICE_")


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep tests out of the home folder, the working folder and the caller's CXOPS_* settings."""
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    monkeypatch.setenv("HOME", str(home))
    for key in list(os.environ):
        if key.startswith(_PREFIXES) and key != "CXOPS_TEST_PG_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(work)
    # Secrets a test registers (a refused password such as "wrong") are redacted from every
    # later message in the process: each test gets back the set it started with.
    monkeypatch.setattr(logs, "_SECRETS", set(logs._SECRETS))
    return work
