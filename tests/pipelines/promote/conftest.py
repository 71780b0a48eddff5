"""Promotion fixtures: admin settings of the Cognigy emulator tenants, a fast emulator clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown
from cxops.transport.settings import ConnectionSettings, resolve_connection

#: Emulator tenants answer at loopback speed: no need for the real-tenant default pace.
FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32}
PROJECT = "Appointment Booking"  # the smallest clean Cognigy fixture project (6 flows)


def admin_settings(emu: EmulatorThread, tenant: str, odata: bool = True) -> ConnectionSettings:
    """Admin credentials of one Cognigy emulator tenant (a promotion writes to the target),
    with the tenant's OData analytics endpoint (the sessions gate's source) unless ``odata``
    is False."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"][tenant]
    flags = {"vendor": "cognigy", "base_url": info["base_url"]}
    flags["api_key"] = info["credentials"]["admin"]["api_key"]
    if odata:
        flags["odata_url"] = info["odata"]
        flags["odata_key"] = info["credentials"]["admin"]["api_key"]
    return resolve_connection(flags, environ={})


def ledger(emu: EmulatorThread, tenant: str) -> list[dict[str, Any]]:
    """The emulator ledger's effects on one Cognigy tenant."""
    rows = httpx.get(f"{emu.url}/_emulator/ledger").json()
    items = rows["entries"] if isinstance(rows, dict) else rows
    return [r for r in items if r.get("vendor") == "cognigy" and r.get("tenant") == tenant]


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite store; the engine is shut down after the test."""
    yield f"sqlite:///{tmp_path / 'state.db'}"
    shutdown()


@pytest.fixture
def fast_emu(emu: EmulatorThread) -> EmulatorThread:
    """The emulator with its clock at 200x (tasks of 2.5 s end in ~13 ms)."""
    emu.ctx.clock.set_speed(200)
    return emu
