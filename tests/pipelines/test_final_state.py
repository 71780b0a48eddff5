"""A run ends in a final state whatever the error (issue #14): ``failed``, with the error and the
step, never ``running`` with no process behind it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cxops.emulator import EmulatorThread
from cxops.errors import CxopsError
from cxops.pipelines.promote.runner import PromoteOptions, run_promote
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store
from tests.pipelines.conftest import FAST, emulator_settings
from tests.pipelines.promote.conftest import PROJECT, admin_settings


def test_an_unexpected_error_in_an_export_step_ends_the_run_failed(
    emu: EmulatorThread, any_store_url: str, tmp_path: Path
) -> None:
    """--repo names a file: the plan (looking for the user's changes there) fails with an
    OSError, not a cxops error; the run ends failed, naming the error and the step."""
    repo = tmp_path / "not-a-folder"
    repo.write_text("a file")
    settings = emulator_settings(emu, "cognigy", "dev")
    options = ExportOptions(repo=repo, project=PROJECT, store=any_store_url, transport=FAST)
    with pytest.raises(CxopsError, match="FileExistsError"):
        asyncio.run(run_export(settings, options))
    with Store.open(any_store_url) as st:
        [run] = st.runs.list(kind="export")
        assert run.status == "failed" and "FileExistsError" in (run.error or "")
        assert run.summary is not None and run.summary["step"] == "plan"
        assert st.audit.verify().ok
        assert [a.action for a in st.audit.iter()] == ["export.failed"]


def test_an_unexpected_error_in_a_promotion_plan_ends_the_run_failed(
    emu: EmulatorThread, any_store_url: str, tmp_path: Path
) -> None:
    """The artifact repository is a file: the plan fails unexpectedly; the promotion ends failed
    at ``plan`` (nothing was deployed, so no rollback and no deployment counted)."""
    repo = tmp_path / "releases"
    repo.write_text("a file")
    dev, prod = admin_settings(emu, "dev"), admin_settings(emu, "prod")
    options = PromoteOptions(project=PROJECT, repo=repo, store=any_store_url, transport=FAST)
    with pytest.raises(CxopsError, match="FileExistsError"):
        asyncio.run(run_promote(dev, prod, options))
    with Store.open(any_store_url) as st:
        [run] = st.runs.list(kind="promote")
        assert run.status == "failed" and "FileExistsError" in (run.error or "")
        assert run.summary is not None and run.summary["step"] == "plan"
        assert run.summary["outcome"] == "failed"
        held = st.leases.get(f"promote:cognigy:{prod.base_url}")
        assert held is not None and held.holder is None  # the target is free again
