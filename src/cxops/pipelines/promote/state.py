"""What the steps of one promotion share in this process: two clients, cached bundles.

A run's params name two connections (``connections.source`` / ``connections.target``, public
halves only); the clients are opened lazily inside steps, so a recovered run (on DBOS' own loop)
opens its own. Bundles exported by one step are cached for the next; after a crash they are
simply exported again (reads are free to repeat).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from cxops.errors import UsageError
from cxops.model.bundle import Bundle
from cxops.pipelines.connections import settings_for
from cxops.transport import TransportOptions, VendorClient, connect
from cxops.vendors import ProjectRef, VendorAdapter, adapter_for
from cxops.vendors.deploy.cognigy import CognigyDeployer

__all__ = ["SIDES", "adapter", "bundle", "deployer", "run_state"]

SIDES = ("source", "target")


@dataclass
class _RunState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    clients: dict[str, VendorClient] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)


_runs: dict[str, _RunState] = {}


@asynccontextmanager
async def run_state(run_id: str) -> AsyncIterator[None]:
    """Keep the run's clients for the duration of the workflow; close them after."""
    _runs[run_id] = _RunState()
    try:
        yield
    finally:
        state = _runs.pop(run_id)
        for client in state.clients.values():
            await client.aclose()


async def _client(run_id: str, params: dict[str, Any], side: str) -> VendorClient:
    state = _runs.setdefault(run_id, _RunState())
    async with state.lock:
        if side not in state.clients:
            settings = settings_for(params["connections"][side])
            options = TransportOptions(**params.get("transport", {}))
            state.clients[side] = await connect(settings, options)
        return state.clients[side]


async def adapter(run_id: str, params: dict[str, Any], side: str) -> VendorAdapter:
    """The read-side adapter of one side of the promotion."""
    settings = settings_for(params["connections"][side])
    client = await _client(run_id, params, side)
    return adapter_for(client, settings, tenant=params["tenants"][side])


async def deployer(run_id: str, params: dict[str, Any], side: str) -> CognigyDeployer:
    """The write-side operations of one side (Cognigy only in this slice)."""
    vendor = params["connections"][side]["vendor"]
    if vendor != "cognigy":
        raise UsageError(
            f"promote supports cognigy only so far, not {vendor}",
            hint="Genesys and CXone deploy steps are not built yet (docs/promote.md)",
        )
    return CognigyDeployer(await _client(run_id, params, side))


async def bundle(
    run_id: str, params: dict[str, Any], side: str, project: dict[str, Any], *, fresh: bool = False
) -> Bundle:
    """The project's bundle on one side (cached per run unless ``fresh``)."""
    state = _runs.setdefault(run_id, _RunState())
    if fresh or side not in state.bundles:
        ref = ProjectRef(id=project["id"], name=project["name"])
        found = await (await adapter(run_id, params, side)).export_project(ref)
        state.bundles[side] = found
    return state.bundles[side]
