"""Consumed resources of every version of every Genesys flow (``resolve --all-versions``).

The lock pins what runs (the version each flow exports, normally the published one). Seed 004
also asks what every *other* version depends on: a rollback to an older version, or a publish
of a checked-in one, brings its dependencies back. This walks
``/architect/dependencytracking/consumedresources`` for each ``(flow, version)``, paged, all
at once within the transport's per-tenant rate and concurrency caps, and returns a sorted map.
"""

from __future__ import annotations

import asyncio
from typing import Any

from cxops.model.bundle import Bundle
from cxops.transport import VendorClient, genesys_pages
from cxops.vendors.genesys import object_type

__all__ = ["VersionDeps", "walk_versions"]

URL = "/api/v2/architect/dependencytracking/consumedresources"
#: flow id → version id → sorted ``"<TYPE>:<id>"`` (``!`` suffix: deleted)
VersionDeps = dict[str, dict[str, list[str]]]


async def walk_versions(client: VendorClient, bundles: list[Bundle]) -> VersionDeps:
    """Every listed version of every flow in the bundles, with what it consumes."""
    jobs: list[tuple[str, str, str]] = []
    for bundle in bundles:
        for flow in bundle.flows:
            native: Any = flow.properties.get("flow")
            kind = str(native.get("type", "")) if isinstance(native, dict) else ""
            kind = kind or flow.kind.rpartition(".")[2]
            listed: Any = flow.properties.get("versions")
            ids = {str(v["id"]) for v in listed or [] if isinstance(v, dict) and "id" in v}
            ids |= {*flow.versions, *([flow.version] if flow.version else [])}
            otype = object_type(kind)
            if otype is not None:  # a flow type with no Dependency.type has no answers
                jobs += [(flow.id, version, otype) for version in sorted(ids)]

    async def one(fid: str, vid: str, otype: str) -> list[str]:
        params = {"id": fid, "version": vid, "objectType": otype}
        rows = [d async for d in genesys_pages(client, URL, params) if isinstance(d, dict)]
        return sorted(
            f"{d.get('type')}:{d.get('id')}{'!' if d.get('deleted') else ''}" for d in rows
        )

    found = await asyncio.gather(*(one(*job) for job in jobs))
    out: VersionDeps = {}
    for (fid, vid, _), deps in zip(jobs, found, strict=True):
        out.setdefault(fid, {})[vid] = deps
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}
