"""The export pipeline end to end: emulator over HTTP, real git, real store, real relay."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.model.layout import slug
from cxops.pipelines.engine import launch
from cxops.pipelines.export import EVENT
from cxops.pipelines.runner import ExportOptions, resume_run, run_export
from cxops.sinks.webhooks import Relay
from cxops.store import Store
from cxops.vendors import ADAPTERS
from tests.helpers.layout import project_folder
from tests.pipelines.conftest import FAST, emulator_settings

SMALL = "Flawed - Flow Cycle"  # a five-flow Cognigy fixture project


def _export(
    emu: EmulatorThread, vendor: str, tenant: str, repo: Path, store: str, **kw: Any
) -> dict[str, Any]:
    settings = emulator_settings(emu, vendor, tenant)
    options = ExportOptions(repo=repo, store=store, transport=FAST, **kw)
    return asyncio.run(run_export(settings, options))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
def test_every_fixture_tenant_lands_in_git(
    emu: EmulatorThread, any_store_url: str, tmp_path: Path
) -> None:
    """Every project of every fixture tenant of every vendor is committed, with lock and report."""
    assert sorted(ADAPTERS) == ["cognigy", "cxone", "genesys"]
    for vendor in sorted(ADAPTERS):
        for tenant in ("dev", "prod"):
            repo = tmp_path / tenant  # one repository per environment (same project names)
            out = _export(emu, vendor, tenant, repo, any_store_url, all=True)
            assert out["status"] == "succeeded", out
            assert out["projects_failed"] == []
            assert out["commit"] == _git(repo, "rev-parse", "HEAD").strip()
            assert f"Cxops-Run-Id: {out['run']}" in _git(repo, "log", "-1", "--format=%B")
            tracked = set(_git(repo, "ls-files").split())
            for p in out["projects"]:
                folder = project_folder(repo, vendor, p["project"])
                assert folder == f"flows/{vendor}/{slug(p['name'])}"  # by name (issue #16)
                files = [f for f in tracked if f.startswith(folder + "/")]
                assert len(files) == p["flows"] + 1, (vendor, tenant, p)
    for tenant in ("dev", "prod"):
        tracked = set(_git(tmp_path / tenant, "ls-files").split())
        assert {"cxops.lock", "reports/findings.json"} <= tracked
        assert _git(tmp_path / tenant, "rev-list", "--count", "HEAD").strip() == "3"
    # The clean prod fixtures give no error finding: sub-scripts in other CXone folders and
    # modules in other Genesys divisions resolve (the tenant's projects are checked together).
    prod = json.loads((tmp_path / "prod" / "reports" / "findings.json").read_text())
    assert [f for f in prod["findings"] if f["severity"] == "error"] == []
    dev = json.loads((tmp_path / "dev" / "reports" / "findings.json").read_text())
    assert not [
        f
        for f in dev["findings"]
        if "Common\\" in f["message"] and f["code"] == "CX105" and "Retired" not in f["message"]
    ]
    with Store.open(any_store_url) as st:
        assert st.audit.verify().ok
        runs = st.runs.list(kind="export")
        assert {r.status for r in runs} == {"succeeded"}
        assert len(st.outbox.events()) == len(runs) == 2 * len(ADAPTERS)


def test_no_change_no_commit_and_a_change_is_exactly_one_diff(
    emu: EmulatorThread, tmp_path: Path, any_store_url: str
) -> None:
    """Re-exporting unchanged content commits nothing; an edit in the tenant is the only diff."""
    repo, store = tmp_path / "repo", any_store_url
    first = _export(emu, "cognigy", "dev", repo, store, project=SMALL)
    assert first["changed"] is True
    second = _export(emu, "cognigy", "dev", repo, store, project=SMALL)
    assert second["changed"] is False and second["commit"] is None
    assert _git(repo, "rev-list", "--count", "HEAD").strip() == "1"

    # Change one node's label in the tenant, as a user in the vendor's UI would.
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    admin = {"X-API-Key": info["credentials"]["admin"]["api_key"]}
    api = info["api"]
    project = first["projects"][0]["id"]
    flows = httpx.get(f"{api}/flows", params={"projectId": project}, headers=admin).json()
    flow = sorted(flows["items"], key=lambda f: f["_id"])[0]["_id"]
    chart = httpx.get(f"{api}/flows/{flow}/chart", headers=admin).json()
    node = chart["nodes"][0]["_id"]
    label = "Renamed by the change test"
    r = httpx.patch(f"{api}/flows/{flow}/chart/nodes/{node}", json={"label": label}, headers=admin)
    assert r.status_code < 300, r.text

    third = _export(emu, "cognigy", "dev", repo, store, project=SMALL)
    assert third["changed"] is True
    changed = _git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
    folder = project_folder(repo, "cognigy", project)
    flow_files = [f for f in changed if f.startswith(folder) and not f.endswith("_bundle.json")]
    assert len(flow_files) == 1
    # Besides the flow itself, only the content hashes derived from it may change (and the
    # lock's record of the flow's vendor change stamp, issue #19).
    assert set(changed) - set(flow_files) <= {f"{folder}/_bundle.json", "cxops.lock"}
    for derived in set(changed) - set(flow_files):
        lines = _git(repo, "diff", "-U0", "HEAD~1", "HEAD", "--", derived).splitlines()
        edits = [x for x in lines if x[:1] in "+-" and x[:3] not in ("+++", "---")]
        assert edits and all("hash" in x or x[1:].startswith("stamp = ") for x in edits), edits
    added = [
        line
        for line in _git(repo, "diff", "-U0", "HEAD~1", "HEAD", "--", flow_files[0]).splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert any(label in line for line in added)


def test_webhooks_arrive_despite_a_failing_receiver(
    emu: EmulatorThread, tmp_path: Path, engine_down: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 30% of deliveries failing, every export event arrives, signed, at least once."""
    secret = emu.ctx.config.webhook_secret
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", secret)
    hook = f"{emu.url}/_emulator/webhooks/export-test"
    httpx.put(hook, json={"fail_rate": 0.3})
    store_url = f"sqlite:///{tmp_path / 'state.db'}"
    store = launch(store_url)
    store.outbox.register(hook, "TEST_WEBHOOK_SECRET")
    runs = [
        _export(emu, "cognigy", tenant, tmp_path / f"repo-{i}", store_url, project=SMALL)["run"]
        for i, tenant in enumerate(["dev"] * 6)
    ]
    asyncio.run(Relay(store, scale=1e-5).drain(deadline=30))
    got = httpx.get(hook).json()
    ids = {e["id"] for e in got["events"]}
    sent = {e.id for e in store.outbox.events() if e.type == EVENT}
    assert sent == {f"msg_{r}_export_completed" for r in runs}
    assert sent <= ids
    assert {e["payload"]["data"]["run"] for e in got["events"]} == set(runs)
    # The receiver verifies every signature with the reference standardwebhooks package.
    assert got["rejected"] == 0 and got["failed"] > 0


def test_resuming_a_finished_run_changes_nothing(
    emu: EmulatorThread, tmp_path: Path, engine_down: None
) -> None:
    """`runs resume` of a finished run returns its summary: no new step, commit or event."""
    repo, store_url = tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}"
    first = _export(emu, "cognigy", "dev", repo, store_url, project=SMALL)
    store = launch(store_url)
    steps = len(store.steps.for_run(first["run"]))
    again = asyncio.run(resume_run(first["run"][:8], store_url))
    assert again["resumed"] is False and again["commit"] == first["commit"]
    assert len(store.steps.for_run(first["run"])) == steps
    assert len(store.outbox.events()) == 1
    assert _git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_no_secret_is_written_anywhere(
    emu: EmulatorThread, tmp_path: Path, engine_down: None
) -> None:
    """The credentials reach neither the store, the engine's database, nor the repository."""
    settings = emulator_settings(emu, "cognigy", "dev")
    assert settings.api_key is not None
    secret = settings.api_key.get_secret_value().encode()
    _export(emu, "cognigy", "dev", tmp_path / "repo", f"sqlite:///{tmp_path / 'state.db'}",
            project=SMALL)  # fmt: skip
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "dbos.sqlite" for p in files)
    assert len(files) > 10
    assert not [p for p in files if secret in p.read_bytes()]
