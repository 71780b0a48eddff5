"""Who asked for a run (issue #16): export params carry the actor of the process that started
the run, out of the command's fingerprint, and the run's audit entry names them even when
another process (a worker, another user) executes it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from dbos import DBOS, SetWorkflowID

from cxops.emulator import EmulatorThread
from cxops.pipelines.connections import remember
from cxops.pipelines.engine import launch
from cxops.pipelines.export import export_workflow
from cxops.pipelines.runner import ExportOptions, export_params, wait_run
from cxops.store import Store
from tests.pipelines.conftest import FAST, emulator_settings

SMALL = "Flawed - Flow Cycle"


@pytest.mark.usefixtures("engine_down")
def test_the_run_s_audit_entry_names_who_asked_not_who_ran_it(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Params built as alice name alice and fingerprint like bob's; the workflow executed
    while the environment says bob records export.succeeded by alice."""
    for key in ("CXOPS_ACTOR", "GITHUB_ACTIONS", "GITLAB_CI", "CI"):
        monkeypatch.delenv(key, raising=False)
    store_url = f"sqlite:///{tmp_path / 'state.db'}"
    settings = emulator_settings(emu, "cognigy", "dev")
    options = ExportOptions(repo=tmp_path / "repo", project=SMALL, store=store_url, transport=FAST)
    store = launch(store_url)
    remember(settings)
    monkeypatch.setenv("LOGNAME", "alice")
    params = export_params(settings, options, store)
    assert params["actor"] == "alice"
    monkeypatch.setenv("LOGNAME", "bob")
    assert export_params(settings, options, store)["command"] == params["command"]

    async def run() -> dict[str, object]:
        run_id = uuid.uuid4().hex
        with SetWorkflowID(run_id):
            handle = await DBOS.start_workflow_async(export_workflow, run_id, params)
        return {"run": run_id, **(await wait_run(run_id, handle))}

    summary = asyncio.run(run())
    assert summary["status"] == "succeeded"
    with Store.open(store_url) as st:
        done = [e for e in st.audit.iter() if e.subject == summary["run"]]
    assert [(e.actor, e.action) for e in done] == [("alice", "export.succeeded")]
