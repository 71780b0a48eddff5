"""Shared by the benchmarks that export a CXone tenant of the emulator (not a benchmark itself).

The benchmarks run as scripts (``python benchmarks/NAME.py``), so this folder is on their path.
"""

from __future__ import annotations

import copy

import httpx

from cxops.emulator import EmulatorThread
from cxops.store import Store
from cxops.transport.settings import ConnectionSettings, resolve_connection


def grow(emu: EmulatorThread, count: int, prefix: str) -> None:
    """Save ``count`` copies of the dev tenant's first script, each in a new top-level folder
    (a CXone project): ``<prefix>0000\\Main``, ``<prefix>0001\\Main`` ..."""
    tenant = emu.ctx.tenant("cxone", "dev")
    live = sorted(p for p in tenant.paths() if tenant.is_active(p))
    template = tenant.document(live[0], tenant.current(live[0]))
    for i in range(count):
        script = copy.deepcopy(template)
        script["header"]["scriptName"] = f"{prefix}{i:04d}\\Main"
        tenant.commit(script, "2026-01-01T00:00:00Z", "benchmark")


def settings(emu: EmulatorThread, credential: str = "readonly") -> ConnectionSettings:
    """The connection to the emulator's CXone dev tenant with one of its credentials."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cxone"]["dev"]
    flags = {"vendor": "cxone", "base_url": info["base_url"], "auth_url": info["auth_url"]}
    return resolve_connection(
        {**flags, "tenant_id": "dev", **info["credentials"][credential]}, environ={}
    )


def phases(store_url: str, run_id: str) -> str:
    """Where a run's time went: each step kind's wall-clock span."""
    with Store.open(store_url) as st:
        steps = st.steps.for_run(run_id)
    spans: dict[str, list[float]] = {}
    for step in steps:
        if step.ended is not None:
            span = spans.setdefault(step.name, [step.started.timestamp(), 0.0])
            span[0] = min(span[0], step.started.timestamp())
            span[1] = max(span[1], step.ended.timestamp())
    return "  ".join(f"{name}={end - begin:.2f}s" for name, (begin, end) in spans.items())
