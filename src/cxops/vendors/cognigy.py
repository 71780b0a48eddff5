"""Cognigy.AI read side: projects → flows → chart + node details → intents, lexicons,
connections → the native project document → ``cxops.model.native.cognigy``.

Node details come from the chart's node listing where its items carry ``config`` (one request
per 100 nodes) and from ``GET .../chart/nodes/{id}`` for any node they leave out (see
``CognigyAdapter._nodes``; docs/vendors.md says which evidence backs each).

Only GETs. Listings that are sets (flows, lexicons, connections) are sorted by ``_id`` before
conversion, so the bundle (and its content hash) does not depend on the vendor's listing order;
a chart keeps the order of its own document, intents and their sentences the vendor's order
(a package keeps that order too, so an export and a package of the same content agree).

A lexicon read has no keyphrases (``ILexicon_2_0``): they come from ``GET
/lexicons/{id}/keyphrases`` (paged, ``ILexiconKeyphraseIndexItem_2_0``: ``_id``, ``value``,
``isMainKeyphrase``, ``lexiconEntryReference``) and are kept in the lexicon's document as
``keyphrases``, in the vendor's order.

``archive_project`` creates a package of every resource of the project (a task), finds it by
its name once the task is done (a task's ``data`` is untyped; the official CLI finds what a task
made by name too) and downloads its file, opaque bytes; a project with no resource gets a
snapshot instead (a package needs one).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from cxops.errors import NotFound, ProtocolError
from cxops.model.bundle import Bundle
from cxops.model.native import cognigy as native
from cxops.transport import VendorClient, cognigy_cursor, cognigy_pages, cognigy_task, poll_job
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
from cxops.vendors.reads import Answer
from cxops.vendors.reads import cognigy as reads

__all__ = ["CognigyAdapter"]

API = "/new/v2.0"
#: Read-only fields that are the tenant's, not the resource's (``projectReference``) or the
#: download state of a lexicon (``isPackedForDownload``, IReadLexiconRestReturnValue_2_0).
DROPPED = frozenset({"projectReference", "isPackedForDownload"})


#: Resource kind → (its listing, one read), as :mod:`cxops.vendors.reads.cognigy` declares them.
_RESOURCES = {
    "lexicons": (reads.LEXICONS, reads.LEXICON),
    "connections": (reads.CONNECTIONS, reads.CONNECTION),
}


def _whole(node: Any) -> bool:
    """A chart node as ``readChartNode`` gives it: a ``config`` object and every field cxops
    reads from a node (``reads.NODE``)."""
    return (
        isinstance(node, dict)
        and isinstance(node.get("config"), dict)
        and not reads.NODE.problems(node)
    )


def _by_id(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: str(item.get("_id", "")))


async def _ready(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


class CognigyAdapter:
    """Reads Cognigy.AI projects; see the module doc."""

    name = "cognigy"

    def __init__(self, client: VendorClient, tenant: str) -> None:
        self.client = client
        self.tenant = tenant
        #: The projects listing :meth:`list_projects` made (:meth:`stamps` reuses it).
        self._projects: list[dict[str, Any]] | None = None

    async def _list(self, spec: Answer, path: str, **params: str) -> list[dict[str, Any]]:
        """A listing sorted by ``_id`` (a set: projects, flows, lexicons, connections)."""
        return _by_id(await self._ordered(spec, path, **params))

    async def _ordered(self, spec: Answer | None, path: str, **params: str) -> list[dict[str, Any]]:
        """A listing in the vendor's order (intents, sentences: the package keeps it too);
        each element checked against ``spec`` (None: a listing only searched by name)."""
        pages = cognigy_pages(self.client, f"{API}{path}", params)
        return [item if spec is None else spec.require_item(item) async for item in pages]

    async def _get(self, spec: Answer, path: str) -> dict[str, Any]:
        doc: dict[str, Any] = spec.require(await self.client.get_json(f"{API}{path}"))
        return doc

    async def list_projects(self) -> list[ProjectRef]:
        """Every project of the tenant, sorted by id."""
        rows = self._projects = await self._list(reads.PROJECTS, "/projects")
        return [ProjectRef(id=str(p["_id"]), name=str(p.get("name", p["_id"]))) for p in rows]

    async def list_flows(self, project: ProjectRef) -> list[FlowRef]:
        """Every flow of the project (id = ``_id``; the ``referenceId`` is an alias)."""
        rows = await self._list(reads.FLOWS, "/flows", projectId=project.id)
        return [
            FlowRef(
                id=str(f["_id"]),
                name=str(f.get("name", f["_id"])),
                aliases=tuple(str(f[k]) for k in ("referenceId",) if f.get(k)),
            )
            for f in rows
        ]

    async def _flow(self, flow_id: str) -> dict[str, Any]:
        doc, chart, intents = await gather_all(
            self._get(reads.FLOW, f"/flows/{seg(flow_id)}"),
            self._get(reads.CHART, f"/flows/{seg(flow_id)}/chart"),
            self._ordered(reads.INTENTS, f"/flows/{seg(flow_id)}/intents"),
        )
        nodes = chart["nodes"]
        full, sentences = await gather_all(
            self._nodes(flow_id, nodes),
            map_all(
                lambda i: self._ordered(
                    reads.SENTENCES, f"/flows/{seg(flow_id)}/intents/{seg(i['_id'])}/sentences"
                ),
                intents,
            ),
        )
        doc.pop("projectReference", None)  # the project is the bundle's; a package has none
        doc["chart"] = {**chart, "nodes": list(full)}
        doc["intents"] = [{**i, "sentences": s} for i, s in zip(intents, sentences, strict=True)]
        return dict(doc)

    async def _nodes(self, flow_id: str, chart: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every node of the chart with its ``config``, in the chart's order, in as few requests
        as the tenant allows (issue #16: a resolve was a GET per node): a node the chart
        already holds whole is kept; then the chart's node listing (``indexChartNodes``, 100 a
        page), whose items carry ``config`` on the tenants public code reads it from; only a
        node still without one is read by itself (``readChartNode``), as before."""
        have = {str(n["_id"]): n for n in chart if _whole(n)}
        if len(have) < len(chart):
            wanted = {str(n["_id"]) for n in chart}
            url = f"{API}/flows/{seg(flow_id)}/chart/nodes"
            try:
                async for item in cognigy_cursor(self.client, url):
                    if _whole(item) and str(item["_id"]) in wanted:
                        have.setdefault(str(item["_id"]), item)
            except NotFound:  # a platform without the listing: every node is read by itself
                pass
        missing = [str(n["_id"]) for n in chart if str(n["_id"]) not in have]
        read = await map_all(
            lambda nid: self._get(reads.NODE, f"/flows/{seg(flow_id)}/chart/nodes/{seg(nid)}"),
            missing,
        )
        have.update(zip(missing, read, strict=True))
        return [have[str(n["_id"])] for n in chart]

    async def _resources(self, kind: str, project: ProjectRef) -> list[dict[str, Any]]:
        listing, _ = _RESOURCES[kind]
        rows = await self._list(listing, f"/{kind}", projectId=project.id)
        docs = await map_all(lambda r: self._resource(kind, str(r["_id"])), rows)
        return [{k: v for k, v in d.items() if k not in DROPPED} for d in docs]

    async def _resource(self, kind: str, rid: str) -> dict[str, Any]:
        doc = dict(await self._get(_RESOURCES[kind][1], f"/{kind}/{seg(rid)}"))
        if kind == "lexicons":
            doc["keyphrases"] = await self._ordered(
                reads.KEYPHRASES, f"/lexicons/{seg(rid)}/keyphrases"
            )
        return doc

    async def export_project(
        self,
        project: ProjectRef,
        *,
        flows: Collection[str] | None = None,
        on_progress: Progress | None = None,
        on_skip: Skip | None = None,
    ) -> Bundle:
        """The project as a bundle (flows, lexicons, connections, derived intents)."""
        doc, chosen, lexicons, connections = await gather_all(
            self._get(reads.PROJECT, f"/projects/{seg(project.id)}"),
            self.list_flows(project),
            self._resources("lexicons", project),
            self._resources("connections", project),
        )
        picked = pick_flows(chosen, flows)
        done = 0

        async def one(ref: FlowRef) -> dict[str, Any]:
            nonlocal done
            flow = await self._flow(ref.id)
            done += 1
            if on_progress is not None:
                on_progress("flows", done, len(picked))
            return flow

        if on_progress is not None:
            on_progress("flows", 0, len(picked))
        flow_docs = await each_flow(one, picked, on_skip)
        document = {
            "project": doc,
            "flows": _by_id(list(flow_docs)),
            "lexicons": _by_id(lexicons),
            "connections": _by_id(connections),
        }
        return native.to_bundle(document, tenant=self.tenant)

    async def stamps(
        self, projects: Collection[ProjectRef], owners: Mapping[tuple[str, str], str] | None = None
    ) -> dict[str, Stamps]:
        """Per project: each flow's ``lastChanged`` (``IFlowIndexItem_2_0``), and for the rest
        the project's, its lexicons' and connections' ``lastChanged`` (index items of the same
        client types).

        The index items carry no project, but ``projectId`` is optional on the three listings
        (``Partial<IProjectScope>``): with ``owners`` (``(kind, referenceId)`` → project, from
        the lock) the tenant is listed once per kind and each row goes to its owner; a row
        nobody owns (a new flow, a project never exported) falls back to three listings per
        project, which tell for certain."""
        chosen = list(projects)
        rows = self._projects
        if rows is None:
            rows = await self._list(reads.PROJECTS, "/projects")
        by_id = {str(p["_id"]): p for p in rows}
        found = await self._owned(chosen, owners) if owners else None
        if found is None:
            found = await map_all(
                lambda p: gather_all(
                    self._list(reads.FLOWS, "/flows", projectId=p.id),
                    self._list(reads.LEXICONS, "/lexicons", projectId=p.id),
                    self._list(reads.CONNECTIONS, "/connections", projectId=p.id),
                ),
                chosen,
            )
        out: dict[str, Stamps] = {}
        for project, (flows, lexicons, connections) in zip(chosen, found, strict=True):
            row = by_id.get(project.id, {})
            out[project.id] = {
                "flows": {native.rid(f): stamp_of([f.get("lastChanged")], f) for f in flows},
                "project": stamp_of([row.get("lastChanged")], row, lexicons, connections),
            }
        return out

    async def _owned(
        self, projects: list[ProjectRef], owners: Mapping[tuple[str, str], str]
    ) -> list[tuple[list[dict[str, Any]], ...]] | None:
        """Each project's (flows, lexicons, connections) from one tenant-wide listing per kind,
        or None when a row cannot be given to a project by ``owners``."""
        listed = await gather_all(
            self._list(reads.FLOWS, "/flows"),
            self._list(reads.LEXICONS, "/lexicons"),
            self._list(reads.CONNECTIONS, "/connections"),
        )
        parts: dict[str, tuple[list[dict[str, Any]], ...]] = {p.key: ([], [], []) for p in projects}
        kinds = ("flow", "lexicon", "connection")
        for i, (kind, rows) in enumerate(zip(kinds, listed, strict=True)):
            seen: set[str] = set()
            for row in rows:
                rid = native.rid(row)
                owner = owners.get((kind, rid))
                if owner is None or rid in seen:
                    return None  # new, or two rows one id: only a project listing can tell
                seen.add(rid)
                if owner in parts:
                    parts[owner][i].append(row)
        return [parts[p.key] for p in projects]

    async def export_changes(
        self, project: ProjectRef, previous: Bundle, fetch: Collection[str]
    ) -> Bundle:
        """The project with only ``fetch`` (and new flows) read again; the project document,
        lexicons and connections come from ``previous`` (their stamps held)."""
        before = native.to_native(previous)
        kept = {native.rid(f): f for f in before.get("flows") or []}
        wanted = set(fetch)
        listed = await self._list(reads.FLOWS, "/flows", projectId=project.id)
        docs = await map_all(
            lambda f: (
                self._flow(str(f["_id"]))
                if native.rid(f) in wanted or native.rid(f) not in kept
                else _ready(kept[native.rid(f)])
            ),
            listed,
        )
        document = {
            "project": before.get("project"),
            "flows": _by_id(list(docs)),
            "lexicons": _by_id(list(before.get("lexicons") or [])),
            "connections": _by_id(list(before.get("connections") or [])),
        }
        return native.to_bundle(document, tenant=self.tenant)

    async def _task(self, created: Any) -> None:
        if not isinstance(created, dict) or "_id" not in created:
            raise ProtocolError("cognigy: a task-creating call answered without a task '_id'")
        await poll_job(self.client, cognigy_task(str(created["_id"])))

    async def _named(self, kind: str, project: ProjectRef, name: str) -> str:
        rows = await self._ordered(None, f"/{kind}", projectId=project.id)
        found = next((r for r in rows if r.get("name") == name), None)
        if found is None:
            raise ProtocolError(f"cognigy: the task ended but no {kind[:-1]} {name!r} is listed")
        return str(found["_id"])

    async def archive_project(self, project: ProjectRef) -> tuple[str, bytes]:
        """A package of every flow, lexicon and connection (a snapshot when there are none)."""
        ids: list[str] = []
        for kind in ("flows", "lexicons", "connections"):
            listing = _RESOURCES[kind][0] if kind in _RESOURCES else reads.FLOWS
            ids += [
                str(r["_id"]) for r in await self._list(listing, f"/{kind}", projectId=project.id)
            ]
        # Unique per call: the package is found by this name after its task (never a stale one).
        name = f"cxops-archive-{project.id}-{uuid.uuid4().hex[:12]}"
        if ids:
            body = {"projectId": project.id, "name": name, "resourceIds": ids}
            await self._task(await self.client.send_json("POST", f"{API}/packages", body))
            where = f"{API}/packages/{seg(await self._named('packages', project, name))}"
        else:
            body = {"projectId": project.id, "name": name, "description": "cxops archive"}
            await self._task(await self.client.send_json("POST", f"{API}/snapshots", body))
            where = f"{API}/snapshots/{seg(await self._named('snapshots', project, name))}"
            await self._task(await self.client.send_json("POST", f"{where}/package"))
        link = await self.client.send_json("POST", f"{where}/downloadlink")
        url = link.get("downloadLink") if isinstance(link, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError(f"cognigy {where}/downloadlink: no 'downloadLink'")
        response = await self.client.request("GET", url)
        return f"{project.id}.zip", response.content
