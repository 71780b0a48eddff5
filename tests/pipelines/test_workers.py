"""Workers on the shared queues (issue #17), on the machine's PostgreSQL: real worker processes
(``python -m cxops worker``), a real emulator, real git.

- two workers, three export requests of one tenant (one of them enqueued twice): the duplicate
  makes no second run, each request is exported and committed once, and the tenant's runs never
  overlap (the queue is partitioned by tenant);
- a worker SIGKILLed in the middle of an export: the living worker returns the run to its queue
  and finishes it from its last completed step, one commit, the audit chain verifying;
- a worker drains on SIGTERM.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store
from tests.pipelines.test_kill import PROJECT, _environment
from tests.store.fixtures import PgServer, pg_schema_url

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 180.0  # two busy cores, eight helpers: generous (invariants, not speed)


@pytest.fixture
def pg_store(pg_admin: PgServer) -> Iterator[str]:
    yield from pg_schema_url(pg_admin)


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxops", *args], env=env, cwd=cwd, capture_output=True,
        text=True, timeout=DEADLINE_S,
    )  # fmt: skip


def _worker(
    wid: str, store: str, env: dict[str, str], cwd: Path, queues: str = "export"
) -> subprocess.Popen[str]:
    with open(cwd / f"worker-{wid}.log", "w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "cxops", "worker", "--id", wid, "--queues", queues,
             "--concurrency", "2", "--store", store],
            env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


def _enqueue(store: str, repo: str, env: dict[str, str], cwd: Path, rate: str = "50") -> str:
    args = ["export", "--project", PROJECT, "--repo", repo, "--store", store, "--rate", rate,
            "--enqueue", "--json"]  # fmt: skip
    done = _cli(args, env, cwd)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["run"])


def _wait_final(store: str, runs: set[str]) -> dict[str, str]:
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end:
        with Store.open(store) as st:
            found = {r: st.runs.get(r) for r in runs}
        status = {r: (run.status if run else "queued") for r, run in found.items()}
        if all(s not in ("running", "queued") for s in status.values()):
            return status
        time.sleep(0.2)
    raise AssertionError(f"runs not final in {DEADLINE_S}s: {status}")


def _run_workers(
    ids: tuple[str, ...], store: str, env: dict[str, str], cwd: Path, runs: list[str]
) -> dict[str, str]:
    """Start workers ``ids``, wait until ``runs`` are final, stop them; each run's status."""
    workers = [_worker(w, store, env, cwd) for w in ids]
    try:
        status = _wait_final(store, set(runs))
    finally:
        _stop(workers)
    assert all(p.returncode == 0 for p in workers)
    return status


def _commits(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    )
    return out.stdout.splitlines()


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.mark.slow
def test_two_workers_one_run_per_request_one_tenant_at_a_time(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    env = _environment(emu)
    runs = [_enqueue(pg_store, repo, env, tmp_path) for repo in ("repo-a", "repo-b", "repo-c")]
    again = _enqueue(pg_store, "repo-a", env, tmp_path)  # the same request, still queued
    assert again == runs[0]
    workers = [_worker(w, pg_store, env, tmp_path) for w in ("w1", "w2")]
    try:
        status = _wait_final(pg_store, set(runs))
    finally:
        _stop(workers)
    assert status == dict.fromkeys(runs, "succeeded"), status
    for repo in ("repo-a", "repo-b", "repo-c"):
        assert len(_commits(tmp_path / repo)) == 1, repo  # exported and committed once
    with Store.open(pg_store) as st:
        spans = sorted((st.runs.get(r).started, st.runs.get(r).ended) for r in runs)  # type: ignore[union-attr]
        assert st.audit.verify().ok
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end is not None and end <= start, spans  # one run of the tenant at a time
    logs = "".join((tmp_path / f"worker-{w}.log").read_text() for w in ("w1", "w2"))
    assert logs.count("took run") == 3, logs
    assert all(p.returncode == 0 for p in workers), logs


def test_a_killed_workers_export_is_finished_by_a_living_worker(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    env = _environment(emu)
    run = _enqueue(pg_store, "repo", env, tmp_path)
    doomed = _worker("doomed", pg_store, {**env, KILL_ENV: "check@before"}, tmp_path)
    try:
        assert doomed.wait(timeout=DEADLINE_S) == -signal.SIGKILL
    finally:
        _stop([doomed])
    with Store.open(pg_store) as st:
        held = st.runs.get(run)
        assert held is not None and held.status == "running"
        done_before = {s.name for s in st.steps.for_run(run) if s.status == "succeeded"}
    assert {"export.plan", "export.project"} <= done_before  # killed at the check
    survivor = _worker("survivor", pg_store, env, tmp_path)
    try:
        status = _wait_final(pg_store, {run})
    finally:
        _stop([survivor])
    assert status == {run: "succeeded"}
    assert len(_commits(tmp_path / "repo")) == 1
    with Store.open(pg_store) as st:
        assert st.audit.verify().ok
        plans = [s for s in st.steps.for_run(run) if s.name == "export.plan"]
        assert len(plans) == 1 and plans[0].attempt == 1  # resumed after its last step
    log = (tmp_path / "worker-survivor.log").read_text()
    assert "executor cxops-worker-doomed is gone" in log and f"took run {run}" in log, log
    assert survivor.returncode == 0, log


def test_a_worker_refuses_an_sqlite_store(emu: EmulatorThread, tmp_path: Path) -> None:
    env = _environment(emu)
    done = _cli(["worker", "--store", f"sqlite:///{tmp_path / 'state.db'}"], env, tmp_path)
    assert done.returncode == 2 and "PostgreSQL store" in done.stderr, done.stderr
    assert os.listdir(tmp_path) == [] or not (tmp_path / "dbos.sqlite").exists()


def test_a_stopped_worker_drains_the_run_it_holds(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    env = _environment(emu)
    run = _enqueue(pg_store, "repo", env, tmp_path, rate="4")
    worker = _worker("drain", pg_store, env, tmp_path)
    log = tmp_path / "worker-drain.log"
    try:
        end = time.monotonic() + DEADLINE_S
        while f"took run {run}" not in log.read_text() and time.monotonic() < end:
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)  # in the middle of the run (4 requests/s)
        assert worker.wait(timeout=DEADLINE_S) == 0, log.read_text()
    finally:
        _stop([worker])
    text = log.read_text()
    assert "draining: waiting for 1 run(s)" in text, text
    assert f"finished run {run}: success" in text, text
    with Store.open(pg_store) as st:
        done = st.runs.get(run)
        assert done is not None and done.status == "succeeded"


def test_runs_resume_requeues_a_dead_workers_run(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    from sqlalchemy import create_engine, text

    from cxops.pipelines.engine import engine_url

    env = _environment(emu)
    run = _enqueue(pg_store, "repo", env, tmp_path)
    doomed = _worker("gone", pg_store, {**env, KILL_ENV: "check@before"}, tmp_path)
    try:
        assert doomed.wait(timeout=DEADLINE_S) == -signal.SIGKILL
    finally:
        _stop([doomed])
    url, schema = engine_url(pg_store)
    sysdb = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def status() -> tuple[str, str]:
        with sysdb.connect() as conn:
            row = conn.execute(
                text(f'SELECT status, executor_id FROM "{schema}".workflow_status '
                     "WHERE workflow_uuid = :r"), {"r": run},
            ).one()  # fmt: skip
        return str(row[0]), str(row[1])

    try:
        assert status() == ("PENDING", "cxops-worker-gone")
        resume = subprocess.Popen(
            [sys.executable, "-m", "cxops", "runs", "resume", run[:12], "--store", pg_store,
             "--json"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        end = time.monotonic() + DEADLINE_S
        while status()[0] != "ENQUEUED" and time.monotonic() < end:  # no worker is alive yet
            time.sleep(0.2)
        assert status()[0] == "ENQUEUED"
        worker = _worker("next", pg_store, env, tmp_path)
        try:
            out, err = resume.communicate(timeout=DEADLINE_S)
        finally:
            _stop([worker])
    finally:
        sysdb.dispose()
    # Exit 1: the fixture project is flawed on purpose (its checks find errors), as for export.
    assert resume.returncode == 1, err[-2000:]
    assert json.loads(out)["status"] == "succeeded"
    assert "back on its queue" in err, err
    assert len(_commits(tmp_path / "repo")) == 1


def test_a_queued_run_is_listed_before_a_worker_takes_it(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    """A queued run has a store row (``queued``) that turns ``running`` when a worker takes it."""
    env = _environment(emu)
    run = _enqueue(pg_store, "repo", env, tmp_path, rate="4")
    listed = _cli(["runs", "list", "--store", pg_store, "--json"], env, tmp_path)
    rows = {r["id"]: r for r in json.loads(listed.stdout)["runs"]}
    assert rows[run]["status"] == "queued", rows
    with Store.open(pg_store) as st:
        was = st.runs.get(run)
    assert was is not None and was.status == "queued" and was.kind == "export"
    worker = _worker("taker", pg_store, env, tmp_path)
    seen: list[str] = []
    try:
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end and (not seen or seen[-1] in ("queued", "running")):
            with Store.open(pg_store) as st:
                now = st.runs.get(run)
            assert now is not None
            if not seen or seen[-1] != now.status:
                seen.append(now.status)
            time.sleep(0.05)
    finally:
        _stop([worker])
    assert seen == ["queued", "running", "succeeded"], seen  # 4 requests/s: seen running
    with Store.open(pg_store) as st:
        done = st.runs.get(run)
    assert done is not None and done.started > was.started  # started when taken


def test_a_queued_run_cancelled_never_starts(
    emu: EmulatorThread, tmp_path: Path, pg_store: str
) -> None:
    """``cxops runs cancel`` of a run still on the queue ends it ``cancelled`` at once (audited);
    the command waiting for it (``--enqueue --wait``) stops with exit 1 and says so; a worker
    started after takes nothing (no vendor request, no commit); the same request enqueued again
    is a new run."""
    env = _environment(emu)
    args = ["export", "--project", PROJECT, "--repo", "repo", "--store", pg_store,
            "--enqueue", "--wait", "--json"]  # fmt: skip
    waiting = subprocess.Popen(
        [sys.executable, "-m", "cxops", *args], env=env, cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        run = ""
        end = time.monotonic() + DEADLINE_S
        while not run and time.monotonic() < end:
            with Store.open(pg_store) as st:
                queued = st.runs.list(status="queued")
            run = queued[0].id if queued else ""
            time.sleep(0.1)
        assert run, "the run was never queued"
        done = _cli(["runs", "cancel", run[:10], "--store", pg_store, "--json"], env, tmp_path)
        assert done.returncode == 1, done.stderr
        doc = json.loads(done.stdout)
        assert (doc["run"], doc["status"], doc["cancelled"], doc["queued"]) == (
            run,
            "cancelled",
            True,
            True,
        )
        out, err = waiting.communicate(timeout=DEADLINE_S)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 1, (out, err)
    assert f"run {run} was cancelled before it started" in err
    with Store.open(pg_store) as st:
        row = st.runs.get(run)
        actions = [(e.action, e.subject) for e in st.audit.iter()]
    assert row is not None and row.status == "cancelled"
    assert row.ended is not None and row.cancel_requested is not None
    assert row.error is not None and "before a worker took it" in row.error
    assert ("run.cancelled", run) in actions
    seen = httpx.get(f"{emu.url}/_emulator/requests").json()["total"]
    worker = _worker("late", pg_store, env, tmp_path)
    try:
        time.sleep(3)  # fifteen polls of the queue
    finally:
        _stop([worker])
    with Store.open(pg_store) as st:
        assert st.runs.get(run) == row  # not taken, not restarted
        assert st.steps.for_run(run) == []
    assert httpx.get(f"{emu.url}/_emulator/requests").json()["total"] == seen
    assert not (tmp_path / "repo" / ".git").exists()
    again = _enqueue(pg_store, "repo", env, tmp_path)
    assert again != run  # the cancelled run is over: the same request makes a new one
