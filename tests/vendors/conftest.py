"""Helpers for adapter tests: connect to an emulator fixture tenant and export through cxops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from cxops.model.bundle import Bundle
from cxops.transport import ConnectionSettings, TransportOptions, VendorClient, open_client
from cxops.vendors import VendorAdapter, adapter_for


def settings_for(emu: EmulatorThread, vendor: str, tenant: str = "dev") -> ConnectionSettings:
    """Admin connection settings of one of the emulator's fixture tenants."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"][vendor][tenant]
    cred = info["credentials"]["admin"]
    fields: dict[str, Any] = {"vendor": vendor, "base_url": info["base_url"]}
    fields.update(client_id=cred["client_id"], client_secret=cred["client_secret"])
    if vendor == "cxone":
        fields.update(
            auth_url=info["auth_url"],
            tenant_id=tenant,
            access_key_id=cred["access_key_id"],
            access_key_secret=cred["access_key_secret"],
        )
    return ConnectionSettings(**fields)


# Few connections: httpcore's pool bookkeeping grows with the pool, and the emulator shares
# this process' GIL, so 8 in flight is as fast as 256 here.
OPTIONS = TransportOptions(
    rate=10_000, burst=10_000, concurrency=8, max_connections=8, backoff_initial=0.01,
    backoff_max=0.05, retry_after_scale=0.01, deadline=30,
)  # fmt: skip


@asynccontextmanager
async def connected(
    emu: EmulatorThread, vendor: str, tenant: str = "dev"
) -> AsyncIterator[tuple[VendorClient, VendorAdapter]]:
    """A client and the adapter for one fixture tenant."""
    settings = settings_for(emu, vendor, tenant)
    async with open_client(settings, OPTIONS) as client:
        yield client, adapter_for(client, settings)


async def export_all(adapter: VendorAdapter) -> dict[str, Bundle]:
    """Every project of the tenant, by bundle project key."""
    out = {}
    for project in await adapter.list_projects():
        bundle = await adapter.export_project(project)
        out[bundle.project] = bundle
    return out


def ledger(emu: EmulatorThread, vendor: str) -> list[dict[str, Any]]:
    """Vendor-side effects the emulator recorded."""
    rows: list[dict[str, Any]] = httpx.get(
        f"{emu.url}/_emulator/ledger", params={"vendor": vendor}
    ).json()["entries"]
    return rows
