"""Fleet export against a rate-limited tenant: how close to the rate-limit bound does it run?

Builds a CXone tenant with N extra projects (top-level script folders, each a copy of a fixture
script, added to the emulator's state in-process), limits the tenant to R requests/s with the
``rate_limits`` scenario, runs ``cxops export --all`` through the durable pipeline and prints
the elapsed time beside the lower bound (requests that succeeded / R) and the 429s.

    .venv/bin/python benchmarks/fleet_export.py --projects 200 --rate 50
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import _cxone
import httpx

from cxops.emulator import EmulatorThread
from cxops.emulator.scenario import Scenario
from cxops.pipelines.engine import shutdown
from cxops.pipelines.runner import ExportOptions, run_export

STATUS: Counter[int] = Counter()
_send = httpx.AsyncClient.send


async def _counting_send(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
    response = await _send(self, request, **kw)
    if "/cxone/" in str(request.url):
        STATUS[response.status_code] += 1
    return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="R: the tenant's requests/s")
    parser.add_argument("--pace", type=float, default=0.97, help="client rate as a share of R")
    args = parser.parse_args()
    httpx.AsyncClient.send = _counting_send  # type: ignore[method-assign]
    with EmulatorThread() as emu, tempfile.TemporaryDirectory() as tmp:
        _cxone.grow(emu, args.projects, "Fleet")
        limits = {"cxone/dev": {"rate": args.rate, "burst": args.rate}}
        emu.ctx.faults.load(Scenario.parse({"rate_limits": limits}))
        settings = _cxone.settings(emu)
        options = ExportOptions(
            repo=Path(tmp) / "repo",
            all=True,
            store=f"sqlite:///{Path(tmp) / 'state.db'}",
            # Pace at the tenant's advertised rate; the transport adapts on any 429.
            transport={"rate": args.rate * args.pace, "burst": args.rate / 2, "concurrency": 16},
        )
        start = time.monotonic()
        try:
            out = asyncio.run(run_export(settings, options))
            elapsed = time.monotonic() - start  # engine launch included; its shutdown not
            print(_cxone.phases(options.store or "", out["run"]))
        finally:
            shutdown()
    ok = sum(n for s, n in STATUS.items() if s != 429)
    throttled = STATUS[429]
    bound = ok / args.rate
    failed = len(out["projects_failed"])
    print(f"projects={len(out['projects'])} flows={out['flows']} requests={ok} R={args.rate}/s")
    print(f"elapsed={elapsed:.2f}s lower_bound={bound:.2f}s 429s={throttled}")
    print(f"RESULT efficiency={bound / elapsed:.3f} failed_projects={failed} throttled={throttled}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
