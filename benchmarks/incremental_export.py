"""Incremental export against a rate-limited tenant: requests and time of a full export and of
an incremental one after one flow changed (issue #19).

Builds a CXone business unit of 50 projects (top-level script folders; the fixture's folders
plus copies of a fixture script saved through the emulator's own save path, so every script has
a real ``masterID`` and ``modifyDate``), limits it to R requests/s (the ``rate_limits``
scenario) and runs, through the durable pipeline:

1. a full export (the baseline: what every export cost before incremental);
2. one script saved in the tenant (its stamp moves), then an incremental export (measured);
3. another script changed *without* its stamp moving (``POST /_emulator/unstamped``), an
   incremental export (which cannot see it), then the verify pass of ``--verify-every 3``.

Requests are counted in the emulator's ledger (every request the tenant answered, 429s
apart). After steps 2 and 3 the repository is compared with a fresh full export of the same
tenant (unthrottled): ``missed_changes`` counts the files that differ, plus the unstamped
change if the verify pass did not name it.

    .venv/bin/python benchmarks/incremental_export.py            # ~1 minute at 10 requests/s
    .venv/bin/python benchmarks/incremental_export.py --quick    # 10 projects
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import _cxone
import httpx

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.pipelines.engine import shutdown
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.vendors.cxone import project_of

FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32}


def _grow(emu: EmulatorThread, projects: int) -> None:
    """Save copies of a fixture script into new folders until the tenant has ``projects``."""
    tenant = emu.ctx.tenant("cxone", "dev")
    have = {project_of(p) for p in tenant.paths() if tenant.is_active(p)}
    _cxone.grow(emu, max(0, projects - len(have)), "Bench")


def _limit(emu: EmulatorThread, rate: float | None) -> None:
    limits = {"cxone/dev": {"rate": rate, "burst": rate}} if rate else {}
    emu.ctx.faults.load(Scenario.parse({"rate_limits": limits}))


def _export(
    emu: EmulatorThread, repo: Path, store: str, transport: dict[str, Any], **kw: Any
) -> tuple[dict[str, Any], float, int]:
    """One export: its summary, wall seconds and the requests the tenant answered (no 429)."""
    emu.ctx.ledger.clear()
    options = ExportOptions(repo=repo, all=True, store=store, transport=transport, **kw)
    start = time.monotonic()
    out = asyncio.run(run_export(_cxone.settings(emu), options))
    elapsed = time.monotonic() - start
    seen = [s for s in emu.ctx.ledger.requests if s.vendor == "cxone" and s.status != 429]
    return out, elapsed, len(seen)


def _files(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def _missed(emu: EmulatorThread, repo: Path, tmp: Path, store: str, label: str) -> int:
    """Files in which ``repo`` differs from a fresh, unthrottled full export of the tenant."""
    _limit(emu, None)
    _export(emu, tmp / f"truth-{label}", store, FAST, mode="full")
    ours, truth = _files(repo), _files(tmp / f"truth-{label}")
    return sum(1 for k in set(ours) | set(truth) if ours.get(k) != truth.get(k))


def _save_change(emu: EmulatorThread, path: str) -> None:
    tenant = emu.ctx.tenant("cxone", "dev")
    script = tenant.document(path, tenant.current(path))
    first = sorted(script["actions"])[0]
    script["actions"][first]["caption"] = "changed by the benchmark"
    tenant.commit(script, "2026-02-02T00:00:00Z", "benchmark")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="R: the tenant's requests/s")
    parser.add_argument("--quick", action="store_true", help="10 projects (development)")
    args = parser.parse_args()
    projects = 10 if args.quick else args.projects
    paced = {"rate": args.rate * 0.97, "burst": args.rate / 2, "concurrency": 8}
    with EmulatorThread() as emu, tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        store, repo = f"sqlite:///{tmp / 'state.db'}", tmp / "repo"
        _grow(emu, projects)
        tenant = emu.ctx.tenant("cxone", "dev")
        paths = sorted(p for p in tenant.paths() if tenant.is_active(p))
        try:
            _limit(emu, args.rate)
            full, full_s, full_n = _export(emu, repo, store, paced, mode="full", verify_every=3)
            _save_change(emu, paths[len(paths) // 2])
            _limit(emu, args.rate)
            inc, inc_s, inc_n = _export(emu, repo, store, paced, verify_every=3)
            phases = [_cxone.phases(store, full["run"]), _cxone.phases(store, inc["run"])]
            missed = _missed(emu, repo, tmp, store, "stamped")

            silent = paths[-1]
            r = httpx.post(
                f"{emu.url}/_emulator/unstamped",
                json={"vendor": "cxone", "tenant": "dev", "flow": silent},
            )
            r.raise_for_status()
            _limit(emu, args.rate)
            _, _, blind_n = _export(emu, repo, store, paced, verify_every=3)
            verify, verify_s, verify_n = _export(emu, repo, store, paced, verify_every=3)
            caught = [s["flow"] for s in verify["stale"]]
            missed += _missed(emu, repo, tmp, store, "unstamped")
            missed += 0 if caught == [silent] else 1
        finally:
            shutdown()
    count = len(full["projects"])
    print(f"tenant: cxone, {count} projects, {full['flows']} scripts, R={args.rate}/s")
    print(f"full export:         {full_n:5d} requests {full_s:7.2f} s  pass={full['pass']}")
    print(f"incremental export:  {inc_n:5d} requests {inc_s:7.2f} s  pass={inc['pass']}")
    same = sum(1 for p in inc["projects"] if p.get("unchanged"))
    print(f"  (one script saved; projects unchanged by their stamps: {same})")
    print(f"  phases, full:        {phases[0]}")
    print(f"  phases, incremental: {phases[1]}")
    print(f"incremental, blind:  {blind_n:5d} requests (a change made without a stamp)")
    print(f"verify pass:         {verify_n:5d} requests {verify_s:7.2f} s  pass={verify['pass']}")
    print(f"  stale stamps reported: {caught}")
    print(
        f"RESULT requests_ratio={inc_n / full_n:.4f} seconds_ratio={inc_s / full_s:.4f} "
        f"missed_changes={missed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
