"""kill -9 of ``cxops export`` at seeded random step boundaries, then resume: nothing twice.

Each trial runs the real CLI in a subprocess with ``CXOPS_PIPELINE_KILL_AT=N`` (SIGKILL at the
Nth step boundary), then finishes the run either with ``cxops runs resume ID`` or by simply
starting the next ``cxops export`` (which recovers interrupted runs first). Afterwards the repo
holds the project committed exactly once, the audit log verifies, and the outbox and the
emulator's receiver hold exactly one event for the run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.export import EVENT
from cxops.pipelines.record import KILL_ENV
from cxops.store import Store

TRIALS = 20
SEED = 20261122
PROJECT = "Flawed - Flow Cycle"
BOUNDARIES = 10  # plan, project, check, commit, finish: two each


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxops", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _trial(
    n: int, kill_at: int, emu: EmulatorThread, root: Path, base: dict[str, str]
) -> tuple[str, bool]:
    work = root / f"trial-{n}"
    work.mkdir()
    hook = f"{emu.url}/_emulator/webhooks/kill-{n}"
    store = f"sqlite:///{work / 'state.db'}"
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
    ]
    killed = _cli(args, {**base, KILL_ENV: str(kill_at)}, work)
    assert killed.returncode in (-signal.SIGKILL, 1), killed.stderr
    with Store.open(store) as st:
        runs = st.runs.list(kind="export")
    if killed.returncode == -signal.SIGKILL and n % 2 == 0 and runs:
        done = _cli(["runs", "resume", runs[0].id, "--store", store, "--json"], base, work)
    else:
        done = _cli(args, base, work)  # the next start finishes the interrupted run first
    assert done.returncode == 1, done.stderr  # the project has a deliberate cycle: exit 1
    json.loads(done.stdout)
    return store, killed.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_kill_nine_then_resume_commits_once(emu: EmulatorThread, tmp_path: Path) -> None:
    """Twenty seeded kill points: one commit per run's change, audit sound, one event per run."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    base |= {
        "CXOPS_VENDOR": "cognigy",
        "CXOPS_BASE_URL": info["base_url"],
        "CXOPS_API_KEY": info["credentials"]["readonly"]["api_key"],
        "KILL_TEST_SECRET": emu.ctx.config.webhook_secret,
    }
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
