"""Genesys Cloud Architect read side: flows (paged, every type) → versions → the configuration
of the published version (the newest when none is published, or always the newest with
``version="latest"``) → consumed resources from dependency tracking →
``cxops.model.native.genesys``.

A project is a division: ``ProjectRef.id`` is the division id, ``key`` (the bundle's
``project``) its name, as the converter and the fixtures name it. Dependency tracking must be
``OPERATIONAL``: while a build runs the export waits for it (bounded); any other state is an
error telling to rebuild (cxops does not start a build itself: an export only reads).
``archive_project`` runs an Architect export job for the division's flows and downloads its file.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Collection, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from cxops.errors import ProtocolError, VendorError
from cxops.model.bundle import Bundle
from cxops.model.native import genesys as native
from cxops.transport import VendorClient, genesys_export_job, genesys_pages, poll_job
from cxops.transport.urls import seg
from cxops.vendors.base import (
    FlowRef,
    Progress,
    ProjectRef,
    Skip,
    Stamps,
    each_flow,
    pick_flows,
    stamp_of,
)
from cxops.vendors.concurrently import gather_all, map_all
from cxops.vendors.reads import genesys as reads

__all__ = ["DEFAULT_DIVISION", "GenesysAdapter", "object_type"]

API = "/api/v2"
DEFAULT_DIVISION = {"id": "default", "name": "default"}
_BUILDING = frozenset({"BUILDQUEUED", "BUILDINPROGRESS"})


#: ``Flow.type`` values with no ``Dependency.type`` counterpart in the SDK's enum (``SPEECH``
#: has no ``SPEECHFLOW``; ``WORKFLOW`` is its own object type).
_NO_OBJECT_TYPE = frozenset({"SPEECH"})
_OWN_OBJECT_TYPE = frozenset({"WORKFLOW"})


def object_type(flow_type: str) -> str | None:
    """Dependency-tracking ``objectType`` of a flow type (``INBOUNDCALL`` → ``INBOUNDCALLFLOW``),
    only where the SDK's ``Dependency.type`` enum has one (None: dependency tracking cannot be
    asked about such a flow)."""
    upper = flow_type.upper()
    if upper in _NO_OBJECT_TYPE:
        return None
    return upper if upper in _OWN_OBJECT_TYPE or upper.endswith("FLOW") else f"{upper}FLOW"


def _version_key(version: dict[str, Any]) -> tuple[int, ...]:
    """Newest first ordering of ``"2.0"``-style ids; non-numeric parts sort as 0."""
    parts = re.split(r"[.\-]", str(version.get("id", "")))
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def _division(flow: dict[str, Any]) -> dict[str, Any]:
    division = flow.get("division")
    if isinstance(division, dict) and division.get("id"):
        return division
    return dict(DEFAULT_DIVISION)


def _stamp(row: dict[str, Any]) -> str:
    ids = [
        (row.get(k) or {}).get("id") if isinstance(row.get(k), dict) else None
        for k in ("publishedVersion", "savedVersion", "checkedInVersion")
    ]
    return stamp_of(ids, row)


async def _ready(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


class GenesysAdapter:
    """Reads Architect flows grouped by division; see the module doc."""

    name = "genesys"

    def __init__(
        self,
        client: VendorClient,
        tenant: str,
        *,
        version: Literal["published", "latest"] = "published",
        build_wait: float = 120.0,
    ) -> None:
        self.client = client
        self.tenant = tenant
        self.version = version
        self.build_wait = build_wait
        #: The rows of the last listing (:meth:`stamps` reuses them: one listing per plan).
        self._rows: list[dict[str, Any]] | None = None

    async def _flows(self) -> list[dict[str, Any]]:
        pages = genesys_pages(self.client, f"{API}/flows")
        rows = [reads.FLOWS.require_item(f) async for f in pages]
        self._rows = sorted(rows, key=lambda f: str(f.get("id", "")))
        return self._rows

    async def list_projects(self) -> list[ProjectRef]:
        """Every division that holds a flow, sorted by id."""
        divisions = {str(d["id"]): d for d in map(_division, await self._flows())}
        return [
            ProjectRef(id=i, name=str(d.get("name") or i), key=str(d.get("name") or i))
            for i, d in sorted(divisions.items())
        ]

    async def list_flows(self, project: ProjectRef) -> list[FlowRef]:
        """Every flow of the division (id = the flow id)."""
        return [
            FlowRef(id=str(f["id"]), name=str(f.get("name", f["id"])))
            for f in await self._flows()
            if str(_division(f)["id"]) == project.id
        ]

    async def _await_build(self) -> None:
        url = f"{API}/architect/dependencytracking/build"
        until = time.monotonic() + self.build_wait
        delay = 0.25
        while True:
            status = str(reads.BUILD.require(await self.client.get_json(url))["status"])
            if status == "OPERATIONAL":
                return
            if status not in _BUILDING or time.monotonic() + delay > until:
                raise VendorError(
                    f"genesys dependency tracking is {status or 'in an unknown state'}, "
                    "not OPERATIONAL: consumed resources would be incomplete",
                    hint="rebuild it (POST /api/v2/architect/dependencytracking/build, "
                    "permission architect:dependencyTracking:rebuild), then export again",
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _flow(self, flow: dict[str, Any]) -> dict[str, Any]:
        fid = str(flow["id"])
        versions = [
            reads.VERSIONS.require_item(v)
            async for v in genesys_pages(self.client, f"{API}/flows/{seg(fid)}/versions")
        ]
        versions.sort(key=_version_key, reverse=True)
        published = (flow.get("publishedVersion") or {}).get("id")
        if self.version == "published" and published:
            vid = str(published)
        elif versions:
            vid = str(versions[0]["id"])
        else:
            raise ProtocolError(f"genesys flow {fid} lists no versions")
        config, consumed = await gather_all(
            self.client.get_json(f"{API}/flows/{seg(fid)}/versions/{seg(vid)}/configuration"),
            self._consumed(fid, vid, str(flow.get("type", ""))),
        )
        return {
            "flow": flow,
            "version": vid,
            "configuration": reads.CONFIGURATION.require(config),
            "versions": versions,
            "consumed": consumed,
        }

    async def _consumed(self, fid: str, vid: str, flow_type: str) -> list[dict[str, Any]]:
        otype = object_type(flow_type)
        if otype is None:  # no Dependency.type for this flow type: nothing to ask
            return []
        params = {"id": fid, "version": vid, "objectType": otype}
        url = f"{API}/architect/dependencytracking/consumedresources"
        rows = [
            reads.CONSUMED.require_item(d) async for d in genesys_pages(self.client, url, params)
        ]
        return sorted(rows, key=lambda d: (str(d.get("type", "")), str(d.get("id", ""))))

    async def export_project(
        self,
        project: ProjectRef,
        *,
        flows: Collection[str] | None = None,
        on_progress: Progress | None = None,
        on_skip: Skip | None = None,
    ) -> Bundle:
        """The division's flows as a bundle (project = the division name)."""
        await self._await_build()
        listed = [f for f in await self._flows() if str(_division(f)["id"]) == project.id]
        refs = [FlowRef(id=str(f["id"]), name=str(f.get("name", f["id"]))) for f in listed]
        wanted = {r.id for r in pick_flows(refs, flows)}
        chosen = {str(f["id"]): f for f in listed if str(f["id"]) in wanted}
        done = 0

        async def one(ref: FlowRef) -> dict[str, Any]:
            nonlocal done
            doc = await self._flow(chosen[ref.id])
            done += 1
            if on_progress is not None:
                on_progress("flows", done, len(chosen))
            return doc

        if on_progress is not None:
            on_progress("flows", 0, len(chosen))
        docs = await each_flow(one, [r for r in refs if r.id in chosen], on_skip)
        division = _division(listed[0]) if listed else {"id": project.id, "name": project.key}
        document = {"division": division, "flows": list(docs)}
        return native.to_bundle(document, tenant=self.tenant)

    async def stamps(
        self, projects: Collection[ProjectRef], owners: Mapping[tuple[str, str], str] | None = None
    ) -> dict[str, Stamps]:
        """Per division: each flow's published, saved and checked-in version ids (``Flow`` in
        the SDK), from the listing :meth:`list_projects` just made (or one listing of the
        tenant's flows); no stamp for the rest (a division holds nothing but its flows).
        The rows name their division: ``owners`` is not needed."""
        wanted = {p.id for p in projects}
        out: dict[str, Stamps] = {p: {"flows": {}, "project": None} for p in wanted}
        for row in self._rows if self._rows is not None else await self._flows():
            division = str(_division(row)["id"])
            if division in out:
                out[division]["flows"][str(row["id"])] = _stamp(row)
        return out

    async def export_changes(
        self, project: ProjectRef, previous: Bundle, fetch: Collection[str]
    ) -> Bundle:
        """The division with only ``fetch`` (and new flows) read again."""
        kept = {str(f["flow"]["id"]): f for f in native.to_native(previous).get("flows") or []}
        wanted = set(fetch)
        listed = [f for f in await self._flows() if str(_division(f)["id"]) == project.id]
        if any(str(f["id"]) in wanted or str(f["id"]) not in kept for f in listed):
            await self._await_build()
        docs = await map_all(
            lambda f: (
                self._flow(f)
                if str(f["id"]) in wanted or str(f["id"]) not in kept
                else _ready(kept[str(f["id"])])
            ),
            listed,
        )
        division = _division(listed[0]) if listed else {"id": project.id, "name": project.key}
        return native.to_bundle({"division": division, "flows": list(docs)}, tenant=self.tenant)

    async def archive_project(self, project: ProjectRef) -> tuple[str, bytes]:
        """The Architect export file of every flow of the division (a zip for several)."""
        refs = await self.list_flows(project)
        if not refs:
            raise VendorError(
                f"genesys division {project.name!r} has no flows to archive",
                hint="archive a division that holds flows",
            )
        body = {"flows": [{"flow": {"id": r.id}} for r in refs]}
        job = await self.client.send_json("POST", f"{API}/flows/export/jobs", body)
        if not isinstance(job, dict) or "id" not in job:
            raise ProtocolError("genesys POST /flows/export/jobs answered without a job 'id'")
        result = await poll_job(self.client, genesys_export_job(str(job["id"])))
        url = result.body.get("downloadUrl") if isinstance(result.body, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError(f"genesys export job {job['id']}: no 'downloadUrl'")
        response = await self.client.request("GET", url)
        name = urlsplit(url).path.rstrip("/").rpartition("/")[2] or f"{project.key}.zip"
        return name, response.content
