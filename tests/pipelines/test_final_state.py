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
    """The repository holds a folder where ``cxops.lock`` goes: the check step fails (after the
    plan: such a run used to stay ``running``); the run ends failed, naming the error and the
    step."""
    repo = tmp_path / "flows"
    (repo / "cxops.lock").mkdir(parents=True)  # an empty folder: git does not see it
    settings = emulator_settings(emu, "cognigy", "dev")
    options = ExportOptions(repo=repo, project=PROJECT, store=any_store_url, transport=FAST)
    with pytest.raises(CxopsError, match=r"cannot write 'cxops\.lock'"):
        asyncio.run(run_export(settings, options))
    with Store.open(any_store_url) as st:
        [run] = st.runs.list(kind="export")
        assert run.status == "failed" and "cxops.lock" in (run.error or "")
        assert run.summary is not None and run.summary["step"] == "check"
        assert st.audit.verify().ok
        assert [a.action for a in st.audit.iter()] == ["export.failed"]


def test_an_unexpected_error_in_a_promotion_plan_ends_the_run_failed(
    emu: EmulatorThread, any_store_url: str, tmp_path: Path
) -> None:
    """The artifact repository is a file: the plan fails; the promotion ends failed at
    ``plan`` (nothing was deployed, so no rollback and no deployment counted) and frees prod."""
    repo = tmp_path / "releases"
    repo.write_text("a file")
    dev, prod = admin_settings(emu, "dev"), admin_settings(emu, "prod")
    options = PromoteOptions(project=PROJECT, repo=repo, store=any_store_url, transport=FAST)
    out = asyncio.run(run_promote(dev, prod, options))
    assert out["outcome"] == "plan_failed" and "export repository" in out["error"]
    with Store.open(any_store_url) as st:
        [run] = st.runs.list(kind="promote")
        assert run.status == "failed" and "export repository" in (run.error or "")
        assert run.summary is not None and run.summary["step"] == "plan"
        held = st.leases.get(f"promote:cognigy:{prod.base_url}")
        assert held is not None and held.holder is None  # the target is free again
