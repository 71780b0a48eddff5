"""Fleet export through N workers (issue #17): how close to the rate-limit bound does it run?

12 emulator Cognigy tenants, each limited to R requests/s at the emulator (burst 2R). For each
N in ``--workers`` (default 1, 2, 4): a fresh PostgreSQL database, N ``cxops worker`` processes
(``--concurrency C``, started and ready before the clock starts), then one export per tenant
(``--all``: every project) queued from this process and waited for. Printed per N: elapsed
time beside the lower bound, the larger of

- the slowest tenant's requests / R (a tenant cannot go faster than its limit), and
- all requests / the workers' capacity: N x the requests/s one worker drives when nothing is
  rate-limited, measured first in the same run (optimistic on 2 shared cores: it assumes N
  workers scale perfectly, which only makes the bound smaller and the efficiency lower);

and ``RESULT workers=<n> efficiency=<lower bound / elapsed> throttled=<429s> duplicates=<n>``,
where duplicates counts tenants exported more than once (runs or commits beyond one).

    .venv/bin/python benchmarks/fleet_workers.py --rate 4 --workers 1,2,4 --concurrency 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cxops.emulator import EmulatorConfig, EmulatorThread
from cxops.emulator.scenario import Scenario

TENANTS = tuple(f"b{i:02d}" for i in range(1, 13))
PG = os.environ.get("CXOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _profiles(emu: EmulatorThread, root: Path) -> None:
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]
    lines = []
    for t in TENANTS:
        os.environ[f"BENCH_KEY_{t.upper()}"] = info[t]["credentials"]["admin"]["api_key"]
        lines += [f"[profiles.{t}]", 'vendor = "cognigy"', f'base_url = "{info[t]["base_url"]}"']
        lines += [f'api_key = "env:BENCH_KEY_{t.upper()}"', ""]
    (root / "cxops.toml").write_text("\n".join(lines), encoding="utf-8")


class Database:
    """A PostgreSQL database of its own, dropped after."""

    def __init__(self) -> None:
        self.name = f"cxops_bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(
            PG.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
        )
        self.url = make_url(PG).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def _workers(n: int, store: str, root: Path, concurrency: int) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(n):
        args = ["worker", "--id", f"bench-{i}", "--queues", "export"]
        args += ["--concurrency", str(concurrency), "--store", store]
        with open(root / f"worker-{i}.log", "wb") as log:  # the child keeps its own descriptor
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "cxops", *args],
                    cwd=root,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # ready: each has printed its first line
        if all((root / f"worker-{i}.log").read_text(errors="replace") for i in range(n)):
            return procs
        time.sleep(0.2)
    raise SystemExit("workers did not start in 300 s")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=120)


def _fleet(store: str, root: Path, rate: float) -> tuple[float, list[dict[str, object]]]:
    """Queue one export per tenant and wait for all; elapsed seconds and the rows."""
    from cxops.pipelines.engine import launch, shutdown
    from cxops.pipelines.fleet import export_fleet
    from cxops.pipelines.runner import ExportOptions

    launch(store)  # the engine's start-up is not the fleet's time
    options = ExportOptions(
        repo=root / "repos",
        all=True,
        store=store,
        transport={"rate": rate, "burst": max(rate, 1.0) * 2, "concurrency": 8},
    )
    start = time.monotonic()
    try:
        rows = asyncio.run(export_fleet(list(TENANTS), root / "repos", options))
        elapsed = time.monotonic() - start
    finally:
        shutdown()
    return elapsed, [vars(r) for r in rows]


def _round(
    emu: EmulatorThread, n: int, rate: float, limit: float | None, concurrency: int
) -> tuple[float, Counter[str], int, int, int]:
    """One fleet through n workers; elapsed, requests per tenant, 429s, duplicates, failures."""
    emu.ctx.reset()
    if limit is not None:
        limits = {"cognigy": {"rate": limit, "burst": 2 * limit}}
        emu.ctx.load_scenario(Scenario.parse({"rate_limits": limits}))
    with tempfile.TemporaryDirectory() as tmp, Database() as store:
        root = Path(tmp)
        _profiles(emu, root)
        cwd = Path.cwd()
        os.chdir(root)
        procs = _workers(n, store, root, concurrency)
        try:
            elapsed, rows = _fleet(store, root, rate)
        finally:
            _stop(procs)
            os.chdir(cwd)
        commits = {}
        for t in TENANTS:
            out = subprocess.run(
                ["git", "rev-list", "--count", "HEAD"],
                cwd=root / "repos" / t,
                capture_output=True,
                text=True,
            )
            commits[t] = int(out.stdout.strip() or 0)
    seen = emu.ctx.ledger.query(mutating_only=False, vendor="cognigy")
    ok: Counter[str] = Counter(r.tenant for r in seen if r.status != 429)
    throttled = sum(1 for r in seen if r.status == 429)
    runs = Counter(str(r["profile"]) for r in rows if r["run"])
    duplicates = sum(1 for t in TENANTS if commits[t] > 1 or runs[t] > 1)
    failed = sum(1 for r in rows if r["status"] != "succeeded")
    return elapsed, ok, throttled, duplicates, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=4.0, help="R: each tenant's requests/s")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=3, help="runs per worker at once")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    with EmulatorThread(EmulatorConfig(tenants=TENANTS, vendors=("cognigy",))) as emu:
        # Capacity: one worker, nothing rate-limited (the client's pace and the tenant's high).
        cap_elapsed, cap_ok, *_ = _round(emu, 1, 5000.0, None, len(TENANTS))
        capacity = sum(cap_ok.values()) / cap_elapsed
        total = sum(cap_ok.values())
        print(f"capacity: one worker, no limit: {total} requests in {cap_elapsed:.1f}s")
        print(f"          = {capacity:.0f} requests/s")
        results = []
        for n in counts:
            elapsed, ok, throttled, duplicates, failed = _round(
                emu, n, args.rate, args.rate, args.concurrency
            )
            per_tenant = max(ok.values()) / args.rate
            by_capacity = sum(ok.values()) / (n * capacity)
            bound = max(per_tenant, by_capacity)
            print(
                f"workers={n} concurrency={args.concurrency} R={args.rate}/s "
                f"requests={sum(ok.values())} (max per tenant {max(ok.values())}) "
                f"elapsed={elapsed:.1f}s lower_bound={bound:.1f}s "
                f"(tenant {per_tenant:.1f}s, capacity {by_capacity:.1f}s) failed={failed}"
            )
            results.append((n, bound / elapsed, throttled, duplicates))
    for n, efficiency, throttled, duplicates in results:
        print(
            f"RESULT workers={n} efficiency={efficiency:.3f} throttled={throttled} "
            f"duplicates={duplicates}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
