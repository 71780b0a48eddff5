"""The scale-out must-show (issue #17): three ``cxops worker`` processes and six emulator
tenants on the machine's PostgreSQL, in a database made for the test and dropped after.

Two fleet exports of the six tenants into two sets of repositories (the first one requested by
two racing ``cxops fleet export`` commands: one run per request) and two promotions of two
projects onto one target, all queued at once. Afterwards:

- every request was exported once: one run per tenant per fleet, one commit per repository;
- the two runs of one tenant never overlapped (the store's spans), nor did two promotions of one
  target (the target's writes in the emulator's ledger, attributed to their runs by the
  idempotency key ``<run>:<effect>``, form disjoint spans);
- no tenant earned a 429 beyond what one export alone earns at the same pace;
- the workers held at most their bounded pools' connections (``pg_stat_activity``).

Robust under load: generous deadlines, invariants rather than speed.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cxops.emulator import EmulatorConfig, EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.pipelines.engine import SYS_POOL_SIZE
from cxops.store import Store
from cxops.store.engine import PG_POOL_SIZE, PG_PROGRESS_POOL_SIZE
from tests.pipelines.promote.conftest import PROJECT
from tests.pipelines.test_workers import _commits, _stop, _worker
from tests.store.fixtures import PgServer

#: The emulator's ``prod`` tenant holds older versions of the clean projects the others hold.
TENANTS = ("dev", "prod", "t3", "t4", "t5", "t6")
#: Two promotions onto one target, of two projects (each deploys something).
PROMOTIONS = (("dev", "prod", PROJECT), ("t3", "prod", "Billing Assistant"))
LIMIT = {"rate": 20.0, "burst": 40.0}  # each tenant's limit at the emulator
RATE = "10"  # what each command asks for: half the limit (its burst: 20)
DEADLINE_S = 600.0  # two busy cores: generous
#: A worker's connections at most: the store's pools (runs, steps) and DBOS' pool and listener.
PER_WORKER = PG_POOL_SIZE + PG_PROGRESS_POOL_SIZE + SYS_POOL_SIZE + 1
assert PER_WORKER == 8  # issue #17's bound (the progress connection came out of DBOS' pool)


@pytest.fixture
def pg_database(pg_admin: PgServer) -> Iterator[str]:
    """A PostgreSQL database of its own (created, then dropped with whatever still uses it)."""
    if pg_admin.engine is None:
        pytest.skip(f"SKIPPING THE POSTGRESQL CASE: {pg_admin.reason}")
    name = f"cxops_fleet_{uuid.uuid4().hex[:12]}"
    admin = pg_admin.engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(str(pg_admin.engine.url))
            .set(drivername="postgresql", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def six() -> Iterator[EmulatorThread]:
    """An emulator with six Cognigy tenants, each limited to :data:`LIMIT`, clock at 200x."""
    scenario = Scenario.parse({"rate_limits": {"cognigy": LIMIT}})
    config = EmulatorConfig(tenants=TENANTS, vendors=("cognigy",), scenario=scenario)
    with EmulatorThread(config) as emu:
        emu.ctx.clock.set_speed(200)
        yield emu


def _profiles(emu: EmulatorThread, root: Path) -> dict[str, str]:
    """``root/cxops.toml`` with one profile per tenant (secrets as ``env:`` references)."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]
    env: dict[str, str] = {}
    lines: list[str] = []
    for tenant in TENANTS:
        key = info[tenant]["credentials"]["admin"]["api_key"]
        env[f"TEST_KEY_{tenant.upper()}"] = key
        lines += [
            f"[profiles.{tenant}]",
            'vendor = "cognigy"',
            f'base_url = "{info[tenant]["base_url"]}"',
            f'api_key = "env:TEST_KEY_{tenant.upper()}"',
            f'odata_url = "{info[tenant]["odata"]}"',
            f'odata_key = "env:TEST_KEY_{tenant.upper()}"',
            "",
        ]
    (root / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")
    return env


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cxops", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=DEADLINE_S)
    return proc.returncode, out, err


def _connections(url: str) -> int:
    """Connections to the test's database now (the workers' only, once the commands ended)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            n = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        return int(n)
    finally:
        engine.dispose()


def _throttled(emu: EmulatorThread, tenant: str) -> int:
    rows = emu.ctx.ledger.query(mutating_only=False, vendor="cognigy", tenant=tenant)
    return sum(1 for r in rows if r.status == 429)


def _disjoint(spans: list[tuple[float, float]]) -> bool:
    ordered = sorted(spans)
    return all(end <= start for (_, end), (start, _) in itertools.pairwise(ordered))


@pytest.mark.slow
def test_three_workers_six_tenants(six: EmulatorThread, tmp_path: Path, pg_database: str) -> None:
    """Every request exported once, no tenant or target run twice at once, no extra 429."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXOPS_")}
    env |= _profiles(six, tmp_path) | {"CXOPS_STORE_URL": pg_database}
    pace = ["--rate", RATE, "--project", PROJECT]

    # What one export alone earns at this pace (the baseline for 429s).
    alone = _finish(_start(["export", "--profile", "dev", "--repo", "alone", *pace], env, tmp_path))
    assert alone[0] == 0, alone[2][-2000:]
    baseline = _throttled(six, "dev")
    six.ctx.ledger.clear()
    six.ctx.limiter.clear()

    fleet = ["fleet", "export", "--profiles", ",".join(TENANTS), *pace, "--json"]
    commands = [
        _start([*fleet, "--repos", "fleet-a"], env, tmp_path),
        _start([*fleet, "--repos", "fleet-a"], env, tmp_path),  # the same requests, racing
        _start([*fleet, "--repos", "fleet-b"], env, tmp_path),
    ]
    promotions = [
        _start(
            [
                "promote",
                "--from",
                src,
                "--to",
                dst,
                "--project",
                project,
                "--rate",
                RATE,
                "--enqueue",
                "--json",
            ],
            env,
            tmp_path,
        )
        for src, dst, project in PROMOTIONS
    ]
    queued = [_finish(p) for p in promotions]
    assert all(rc == 0 for rc, _, _ in queued), [err[-1000:] for _, _, err in queued]
    promoted = [json.loads(out)["run"] for _, out, _ in queued]
    workers = [
        _worker(w, pg_database, env, tmp_path, queues="export,promote") for w in ("a", "b", "c")
    ]
    try:
        done = [_finish(p) for p in commands]
        held = _connections(pg_database)  # the commands have exited: the workers' pools
        deadline = time.monotonic() + DEADLINE_S
        with Store.open(pg_database) as st:
            for run in promoted:
                while (r := st.runs.get(run)) is None or r.status in ("queued", "running"):
                    assert time.monotonic() < deadline, f"promotion {run} not final"
                    time.sleep(0.5)
    finally:
        _stop(workers)
    logs = "".join((tmp_path / f"worker-{w}.log").read_text() for w in ("a", "b", "c"))
    assert all(p.returncode == 0 for p in workers), logs[-3000:]

    # Every request exported once: the racing fleets share runs; one commit per repository.
    docs = []
    for rc, out, err in done:
        assert rc == 0, err[-2000:]
        docs.append({r["profile"]: r for r in json.loads(out)["tenants"]})
    assert {t: r["run"] for t, r in docs[0].items()} == {t: r["run"] for t, r in docs[1].items()}
    assert not {r["run"] for r in docs[0].values()} & {r["run"] for r in docs[2].values()}
    for repos in ("fleet-a", "fleet-b"):
        for tenant in TENANTS:
            assert len(_commits(tmp_path / repos / tenant)) == 1, (repos, tenant)

    with Store.open(pg_database) as st:
        assert st.audit.verify().ok
        exports = {t: [st.runs.get(d[t]["run"]) for d in (docs[0], docs[2])] for t in TENANTS}
        runs = {r: st.runs.get(r) for r in promoted}
    # One run of a tenant at a time (the export queue's partition).
    for tenant, pair in exports.items():
        spans = []
        for run in pair:
            assert run is not None and run.status == "succeeded" and run.ended is not None
            spans.append((run.started.timestamp(), run.ended.timestamp()))
        assert _disjoint(spans), (tenant, spans)
    # One promotion of a target at a time: its writes in the ledger, attributed by key.
    assert all(r is not None and r.status == "succeeded" for r in runs.values()), runs
    for target in {dst for _, dst, _ in PROMOTIONS}:
        writes = six.ctx.ledger.query(mutating_only=True, vendor="cognigy", tenant=target)
        by_run: dict[str, list[float]] = {}
        for w in writes:
            if w.idempotency_key and w.idempotency_key.split(":")[0] in runs:
                by_run.setdefault(w.idempotency_key.split(":")[0], []).append(w.wall)
        assert len(by_run) == 2, f"both promotions wrote to {target}: {by_run}"
        spans = [(min(ts), max(ts)) for ts in by_run.values()]
        assert _disjoint(spans), (target, spans)
        # ...and the store agrees: the two promotions' runs did not overlap either.
        onto = [
            runs[r] for r, (_, dst, _) in zip(promoted, PROMOTIONS, strict=True) if dst == target
        ]
        assert _disjoint(
            [(r.started.timestamp(), r.ended.timestamp()) for r in onto if r and r.ended]
        )
    # No 429 beyond what one export alone earned.
    for tenant in TENANTS:
        assert _throttled(six, tenant) <= baseline, (tenant, _throttled(six, tenant), baseline)
    # Bounded pools: three workers hold at most three workers' worth of connections.
    assert 3 <= held <= 3 * PER_WORKER, held
