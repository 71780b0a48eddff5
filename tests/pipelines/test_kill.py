"""kill -9 of ``cxops export`` at seeded random step boundaries, then resume: nothing twice.

Each trial runs the real CLI in a new process (forked from a zygote) with
``CXOPS_PIPELINE_KILL_AT=N`` (SIGKILL at the Nth step boundary), then finishes the run either
with ``cxops runs resume ID`` or by simply starting the same ``cxops export`` again (which
finishes its own interrupted run first). Half of the trials give the credentials as flags (and
again to ``cxops runs resume``: runs never store them), the other half in the environment.
Afterwards the repo holds the project committed exactly once, the audit log verifies, and the
outbox and the emulator's receiver hold exactly one event for the run.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from cxops.emulator import EmulatorThread
from cxops.pipelines.export import EVENT
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.helpers.zygote import Result, Zygote
from tests.store.fixtures import PgServer, pg_schema_url

TRIALS = 20
SEED = 20261122
PROJECT = "Flawed - Flow Cycle"
BOUNDARIES = 15  # plan, project, check, commit, finish: before, after_call, after_record


#: Fork servers (``tests/helpers/zygote.py``): each command is a new process forked from one
#: that imported cxops once, so forty CLI runs do not pay forty start-ups.
_zygotes: queue.Queue[Zygote] = queue.Queue()


@pytest.fixture(scope="module", autouse=True)
def zygotes() -> Iterator[None]:
    started = [Zygote() for _ in range(3)]
    for z in started:
        _zygotes.put(z)
    yield
    while not _zygotes.empty():
        _zygotes.get().close()


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> Result:
    """``cxops *args`` in a new process (a zygote's fork), waited for."""
    z = _zygotes.get()
    try:
        return z.run(args, env, cwd)
    finally:
        _zygotes.put(z)


def _trial(
    n: int,
    kill_at: int,
    emu: EmulatorThread,
    root: Path,
    base: dict[str, str],
    store: str | None = None,
    hook: str | None = None,
) -> tuple[str, bool]:
    flags = n % 4 < 2  # credentials as flags, nothing in the environment
    conn: list[str] = []
    if flags:
        conn = ["--vendor", "cognigy", "--base-url", base["CXOPS_BASE_URL"]]
        conn += ["--api-key", base["CXOPS_API_KEY"]]
        base = {k: v for k, v in base.items() if not k.startswith("CXOPS_")}
    work = root / f"trial-{n}"
    work.mkdir()
    hook = hook or f"{emu.url}/_emulator/webhooks/kill-{n}"
    store = store or f"sqlite:///{work / 'state.db'}"
    args = [
        "export",
        "--project",
        PROJECT,
        "--repo",
        "repo",
        "--rate",
        "5000",
        "--concurrency",
        "32",
        "--store",
        store,
        "--webhook",
        hook,
        "--webhook-secret-env",
        "KILL_TEST_SECRET",
        "--json",
        *conn,
    ]
    killed = _cli(args, {**base, KILL_ENV: str(kill_at)}, work)
    assert killed.returncode in (-signal.SIGKILL, 1), killed.stderr
    with Store.open(store) as st:
        runs = [r for r in st.runs.list(kind="export") if r.params["repo"] == str(work / "repo")]
    if killed.returncode == -signal.SIGKILL and n % 2 == 0 and runs:
        resume = ["runs", "resume", runs[0].id, "--store", store, "--json"]
        if flags:
            if n == 0:  # without the key: refused before anything runs, saying what it needs
                bare = _cli(resume, base, work)
                assert bare.returncode == 2 and "--api-key" in bare.stderr, bare.stderr
            resume += ["--api-key", conn[-1]]
        done = _cli(resume, base, work)
    else:
        done = _cli(args, base, work)  # the next start finishes the interrupted run first
    assert done.returncode == 1, done.stderr  # the project has a deliberate cycle: exit 1
    json.loads(done.stdout)
    return store, killed.returncode == -signal.SIGKILL


def _environment(emu: EmulatorThread) -> dict[str, str]:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    return base | {
        "CXOPS_VENDOR": "cognigy",
        "CXOPS_BASE_URL": info["base_url"],
        "CXOPS_API_KEY": info["credentials"]["readonly"]["api_key"],
        "KILL_TEST_SECRET": emu.ctx.config.webhook_secret,
    }


@pytest.mark.slow
def test_kill_nine_then_resume_commits_once(emu: EmulatorThread, tmp_path: Path) -> None:
    """Twenty seeded kill points: one commit per run's change, audit sound, one event per run."""
    base = _environment(emu)
    rng = random.Random(SEED)
    points = [rng.randint(1, BOUNDARIES) for _ in range(TRIALS)]
    with ThreadPoolExecutor(3) as pool:
        trials = list(pool.map(lambda i: _trial(i, points[i], emu, tmp_path, base), range(TRIALS)))
    assert sum(killed for _, killed in trials) == TRIALS  # every point is inside the run
    for n, (store, _) in enumerate(trials):
        repo = tmp_path / f"trial-{n}" / "repo"
        log = subprocess.run(
            ["git", "log", "--format=%H %s"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert len(log) == 1, (n, points[n], log)  # the content was committed exactly once
        with Store.open(store) as st:
            assert st.audit.verify().ok, n
            runs = st.runs.list(kind="export")
            assert all(r.status == "succeeded" for r in runs), (n, runs)
            events = [e for e in st.outbox.events() if e.type == EVENT]
            assert sorted(e.run_id for e in events) == sorted(r.id for r in runs)
            assert len({e.id for e in events}) == len(events)
            # every run's audit entry once: no step was repeated after the crash
            actions = [a.subject for a in st.audit.iter() if a.action.startswith("export.")]
            assert sorted(actions) == sorted(r.id for r in runs)
        got = httpx.get(f"{emu.url}/_emulator/webhooks/kill-{n}").json()
        assert {e["id"] for e in got["events"]} == {e.id for e in events}, n


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_nine_on_postgresql(emu: EmulatorThread, tmp_path: Path, pg_admin: PgServer) -> None:
    """The same with the store and the engine on PostgreSQL; trials run one after another."""
    base = _environment(emu)
    hook = f"{emu.url}/_emulator/webhooks/kill-pg"
    rng = random.Random(SEED + 1)
    for url in pg_schema_url(pg_admin):
        try:
            for n in range(4):
                _, killed = _trial(n, rng.randint(1, BOUNDARIES), emu, tmp_path, base, url, hook)
                assert killed
            for n in range(4):
                log = subprocess.run(
                    ["git", "log", "--format=%H"],
                    cwd=tmp_path / f"trial-{n}" / "repo",
                    capture_output=True,
                    text=True,
                    check=True,
                )
                assert len(log.stdout.split()) == 1, n
            with Store.open(url) as st:
                assert st.audit.verify().ok
                runs = st.runs.list(kind="export")
                assert runs and all(r.status == "succeeded" for r in runs)
                events = [e for e in st.outbox.events() if e.type == EVENT]
                assert sorted(e.run_id for e in events) == sorted(r.id for r in runs)
            got = httpx.get(hook).json()
            assert {e["id"] for e in got["events"]} == {e.id for e in events}
        finally:
            schema = url.rsplit("search_path%3D", 1)[-1]
            assert pg_admin.engine is not None
            with pg_admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_dbos" CASCADE'))
