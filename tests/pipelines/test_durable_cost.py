"""What an export costs the durable layer (issue #19), and that the batching keeps resumes right.

An export's steps are checkpointed in the cxops store only (no DBOS step checkpoints), its
projects' steps begin in one batch, each step ends with one statement, and the run's end (run,
audit entry, event) records its own step in the same transaction. Counted, not timed: a change
that adds a store write per project, or a DBOS checkpoint per step, fails here. The kill chain
proves a resumed run reuses what the batch recorded and that a kill inside the finishing
transaction leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos._sys_db import SystemDatabase
from sqlalchemy import text

from cxops.emulator import EmulatorThread
from cxops.pipelines.export import EVENT
from cxops.pipelines.record import KILL_ENV
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store
from cxops.store.runs import Steps
from tests.helpers.zygote import Zygote
from tests.pipelines.conftest import FAST, emulator_settings
from tests.store.fixtures import PgServer, pg_schema_url

SMALL = "Flawed - Flow Cycle"  # a five-flow Cognigy fixture project
#: DBOS' per-step system-database calls (a workflow's own start and end are not steps).
CHECKPOINTS = ("check_operation_execution", "record_operation_result")


def _count(monkeypatch: pytest.MonkeyPatch, owner: type, names: tuple[str, ...]) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in names:
        original = getattr(owner, name)

        def counted(*a: Any, _name: str = name, _fn: Callable[..., Any] = original,
                       **kw: Any) -> Any:  # fmt: skip
            calls[_name] += 1
            return _fn(*a, **kw)

        monkeypatch.setattr(owner, name, counted)
    return calls


def test_an_export_writes_one_step_end_per_project_and_no_dbos_checkpoint(
    emu: EmulatorThread, any_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One project, then every project of the tenant: the same five step begins (plan, the
    projects' batch, check, commit, finish), one step end more per project, no DBOS step."""
    steps = _count(monkeypatch, Steps, ("begin_many", "finish"))
    dbos = _count(monkeypatch, SystemDatabase, CHECKPOINTS)
    settings = emulator_settings(emu, "cognigy", "dev")
    counts = []
    for n, scope in enumerate(({"project": SMALL}, {"all": True})):
        steps.clear()
        options = ExportOptions(
            repo=tmp_path / f"repo{n}", store=any_store_url, transport=FAST, **scope
        )
        out = asyncio.run(run_export(settings, options))
        assert out["status"] in ("succeeded", "partial"), out.get("error")
        counts.append((len(out["projects"]), steps["begin_many"], steps["finish"]))
    (one, begins_one, ends_one), (many, begins_many, ends_many) = counts
    assert one == 1 and many > 2
    assert begins_one == begins_many == 5  # plan, the projects, check, commit, finish
    assert ends_many - ends_one == many - 1  # one step end per project, nothing else per project
    assert sum(dbos.values()) == 0, dbos  # the store is the export's checkpoint


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    with Zygote() as z:
        yield z


def _cxone_env(emu: EmulatorThread) -> dict[str, str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cxone"]["dev"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    creds = info["credentials"]["readonly"]
    return env | {
        "CXOPS_VENDOR": "cxone",
        "CXOPS_BASE_URL": info["base_url"],
        "CXOPS_AUTH_URL": info["auth_url"],
        "CXOPS_TENANT_ID": info["tenant_id"],
        **{f"CXOPS_{k.upper()}": v for k, v in creds.items()},
    }


def _chain(zygote: Zygote, root: Path, env: dict[str, str], store: str) -> str:
    """``cxops export --all`` killed before its check step, resumed and killed inside the
    finishing transaction, resumed to the end; the run id."""
    args = ["export", "--all", "--repo", "repo", "--store", store, "--rate", "5000",
            "--concurrency", "32", "--json"]  # fmt: skip
    first = zygote.run(args, {**env, KILL_ENV: "check@before"}, root)
    assert first.returncode == -9, first.stderr[-2000:]
    with Store.open(store) as st:
        [run] = st.runs.list(kind="export")
        projects = [s for s in st.steps.for_run(run.id) if s.name == "export.project"]
    assert len(projects) > 2 and all(s.status == "succeeded" for s in projects)
    resume = ["runs", "resume", run.id, "--store", store, "--json"]
    killed = zygote.run(resume, {**env, KILL_ENV: "finish@after_call"}, root)
    assert killed.returncode == -9, killed.stderr[-2000:]
    with Store.open(store) as st:
        assert st.runs.get(run.id).status == "running"  # type: ignore[union-attr]
        assert st.steps.get(f"{run.id}:finish") is None  # rolled back with the run's end
        assert list(st.audit.iter()) == [] and st.outbox.events() == []
    done = zygote.run(resume, env, root)
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: the checks found errors
    assert json.loads(done.stdout)["status"] == "succeeded"
    return run.id


def _sound(store: str, run_id: str, repo: Path) -> None:
    with Store.open(store) as st:
        assert st.runs.get(run_id).status == "succeeded"  # type: ignore[union-attr]
        steps = st.steps.for_run(run_id)
        # nothing done twice: every step ended once, the batch's projects in their first attempt
        assert all(s.status == "succeeded" and s.attempt == 1 for s in steps), steps
        assert st.audit.verify().ok
        assert [a.subject for a in st.audit.iter()] == [run_id]
        assert [e.type for e in st.outbox.events(run_id=run_id)] == [EVENT]
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(log) == 1, log


@pytest.mark.slow
def test_kill_between_the_batched_writes_then_resume(
    emu: EmulatorThread, tmp_path: Path, zygote: Zygote
) -> None:
    """SQLite: killed after the projects' batch, then inside the finishing transaction."""
    store = f"sqlite:///{tmp_path / 'state.db'}"
    run_id = _chain(zygote, tmp_path, _cxone_env(emu), store)
    _sound(store, run_id, tmp_path / "repo")


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_between_the_batched_writes_then_resume_on_postgresql(
    emu: EmulatorThread, tmp_path: Path, zygote: Zygote, pg_admin: PgServer
) -> None:
    """The same on PostgreSQL (the steps' asynchronous commits survive the killed process)."""
    for store in pg_schema_url(pg_admin):
        try:
            run_id = _chain(zygote, tmp_path, _cxone_env(emu), store)
            _sound(store, run_id, tmp_path / "repo")
        finally:
            schema = store.rsplit("search_path%3D", 1)[-1]
            assert pg_admin.engine is not None
            with pg_admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_dbos" CASCADE'))
