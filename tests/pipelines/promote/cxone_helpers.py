"""Helpers for the CXone promotion tests: run params for dev → prod, the plan the workflow
makes, the prod ledger, the test-call hook of the emulator."""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from cxops.pipelines.connections import public_settings, remember
from cxops.pipelines.promote.cxone import CxoneStrategy
from cxops.pipelines.promote.parity import stable_hash
from cxops.pipelines.promote.strategy import Context
from cxops.vendors import pick_project
from tests.pipelines.compile.conn import settings
from tests.pipelines.promote.conftest import FAST

PROJECT = "Billing"  # dev: Billing_Main changed, Payment_IVR new (Billing_Main calls it)


def hook(emu: EmulatorThread, tenant: str = "{environment}") -> str:
    """The emulator's test-call hook URL (``{environment}`` left for cxops to fill in)."""
    return f"{emu.url}/cxone/{tenant}/_emulator/testcall"


def calls_doc(emu: EmulatorThread, *scripts: str) -> dict[str, Any]:
    """A ``--tests`` document with one test call per script."""
    calls = [{"name": f"call {s}", "url": hook(emu), "script": s} for s in scripts]
    return {"cxone": {"timeout": 5, "test_calls": calls}}


def fail_calls(emu: EmulatorThread, tenant: str, script: str, detail: str) -> None:
    """Make the hook of ``tenant`` fail every test call of ``script``."""
    rules = {"scripts": {script: {"passed": False, "detail": detail}}}
    httpx.put(hook(emu, tenant), json=rules).raise_for_status()


def params(emu: EmulatorThread, tests: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run params of a dev → prod CXone promotion (the shape ``promote_params`` gives)."""
    src, dst = settings(emu, "cxone", "dev"), settings(emu, "cxone", "prod")
    remember(src)
    remember(dst)
    return {
        "connections": {"source": public_settings(src), "target": public_settings(dst)},
        "tenants": {"source": "dev", "target": "prod"},
        "target": "prod",
        "tests": tests or {},
        "flows": None,
        "transport": FAST,
    }


async def plan(
    ctx: Context, how: CxoneStrategy, project: str = PROJECT, flows: list[str] | None = None
) -> dict[str, Any]:
    """What the workflow's plan step gives a strategy (project, hashes, stages)."""
    found = {}
    for side in ("source", "target"):
        ref = pick_project(await (await ctx.adapter(side)).list_projects(), project)
        found[side] = {"id": ref.id, "name": ref.name}
    a = await ctx.bundle("source", found["source"])
    b = await ctx.bundle("target", found["target"])
    return {
        **found,
        "flows": flows,
        "source_hash": stable_hash(a),
        "target_hash_before": stable_hash(b),
        "stages": how.stages(a, b, flows),
    }


def effects(emu: EmulatorThread, tenant: str = "prod") -> list[tuple[str, str]]:
    """``(effect, script)`` of every vendor-side effect on a CXone tenant, in order."""
    rows = httpx.get(f"{emu.url}/_emulator/ledger", params={"vendor": "cxone"}).json()
    items = rows["entries"] if isinstance(rows, dict) else rows
    return [
        (str(r["effect"]), str(r["resource"]))
        for r in items
        if r.get("tenant") == tenant and r.get("effect")
    ]


def scenario(emu: EmulatorThread, *faults: dict[str, Any]) -> None:
    """Load a fault scenario into the emulator."""
    httpx.post(f"{emu.url}/_emulator/scenario", json={"faults": list(faults)}).raise_for_status()
