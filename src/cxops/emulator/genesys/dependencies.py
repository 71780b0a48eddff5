"""Architect dependency tracking (SDK ``ArchitectApi``).

- ``GET /api/v2/architect/dependencytracking/build`` → ``DependencyStatus`` (``status`` from
  the SDK enum: ``OPERATIONAL``, ``BUILDQUEUED``, ``BUILDINPROGRESS``, ``NOTBUILT``, …);
  ``POST`` the same path starts a rebuild (202) that takes a few clock seconds.
- ``GET .../consumedresources?id=&version=&objectType=&resourceType=`` →
  ``ConsumedResourcesEntityListing`` of ``Dependency``: what a flow version references.
- ``GET .../consumingresources?id=&objectType=&resourceType=&flowFilter=`` →
  ``ConsumingResourcesEntityListing``: the flows that reference an object.
- ``GET .../object?id=&objectType=&version=&consumedResources=&consumingResources=`` →
  ``DependencyObject``.

Consumed flows are reported at their published version (what runs); a version range written
on the reference in the configuration is not a Genesys notion and is not evaluated here.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.genesys.common import Api, effect, multi, ok
from cxops.emulator.genesys.configs import FLOW_OBJECT_TYPES, FLOW_TYPES_BY_OBJECT, Config
from cxops.emulator.genesys.document import all_refs
from cxops.emulator.genesys.state import Flow, GenesysTenant
from cxops.emulator.genesys.wire import (
    RESOURCE_URIS,
    build_status,
    flow_dependency,
    listing,
    page_params,
    resource_dependency,
)
from cxops.emulator.jobs import FAILURE, SUCCESS, Job
from cxops.emulator.shuffle import page_order
from cxops.emulator.tokens import Principal

VIEW = "architect:dependencyTracking:view"
REBUILD = "architect:dependencyTracking:rebuild"
BUILD_PHASES = [("BUILDQUEUED", 0.5), ("BUILDINPROGRESS", 4.0)]


def consumed(org: GenesysTenant, cfg: Config) -> list[dict[str, Any]]:
    """``Dependency`` for each distinct object ``cfg`` references, sorted by type and name."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for _, ref in all_refs(cfg):
        kind, rid = str(ref.get("type")), str(ref.get("id"))
        if (kind, rid) in out:
            continue
        flow = org.flows.get(rid)
        res = org.resources.get(rid)
        if kind in FLOW_TYPES_BY_OBJECT and flow is not None:
            out[kind, rid] = flow_dependency(flow, flow.published)
        elif res is not None and res.kind == kind:
            out[kind, rid] = resource_dependency(res)
        else:  # gone without a trace: what Genesys shows for a dangling reference
            uri = RESOURCE_URIS.get(kind, "/api/v2/flows/") + rid
            out[kind, rid] = {
                "id": rid,
                "name": ref.get("name"),
                "type": kind,
                "deleted": True,
                "updated": False,
                "stateUnknown": True,
                "selfUri": uri,
            }
    return sorted(out.values(), key=lambda d: (d["type"], str(d.get("name")), d["id"]))


def consuming(org: GenesysTenant, rid: str, use_latest: bool = False) -> list[dict[str, Any]]:
    """Flows whose published (or, with ``use_latest``, newest) version references ``rid``."""
    out = []
    for flow in org.flows.values():
        version = flow.latest() if use_latest else flow.published_version()
        if version is None:
            continue
        if any(str(ref.get("id")) == rid for _, ref in all_refs(version.config)):
            out.append(flow_dependency(flow, version.id))
    return sorted(out, key=lambda d: (d["type"], d["name"], d["id"]))


def routes(api: Api) -> list[Route]:
    """The dependency-tracking routes of one tenant."""

    def current_status() -> str:
        build = api.org.build
        job = api.ctx.jobs.get(build["job"]) if build.get("job") else None
        if job is None:
            return str(build["status"])
        state, _ = job.status(api.now())
        if state == SUCCESS:
            return str(build["status"])
        return "BUILDINCOMPLETE" if state == FAILURE else state

    def find(request: Request) -> tuple[Flow | None, Any, str] | Response:
        """The object named by ``id``/``objectType``: ``(flow or None, resource or None, type)``."""
        q = request.query_params
        oid, otype = q.get("id"), (q.get("objectType") or "").upper()
        if not oid or not otype:
            return api.error(400, "The id and objectType parameters are required.", "bad.request")
        flow = api.org.flows.get(oid)
        if otype in FLOW_TYPES_BY_OBJECT:
            if flow is None or FLOW_OBJECT_TYPES[flow.type] != otype:
                return api.error(404, f"No {otype} with id '{oid}'.", "not.found")
            return flow, None, otype
        res = api.org.resources.get(oid)
        if res is None or res.kind != otype:
            return api.error(404, f"No {otype} with id '{oid}'.", "not.found")
        return None, res, otype

    def flow_config(flow: Flow, version: str | None) -> tuple[str, Config] | Response:
        vid = version or flow.published or flow.latest().id
        found = flow.version(vid)
        if found is None:
            return api.error(404, f"Flow version '{vid}' not found.", "not.found")
        return vid, found.config

    def page(request: Request, items: list[dict[str, Any]], path: str) -> Response:
        q = request.query_params
        types = {t.upper() for t in multi(q, "resourceType")}
        if types:
            items = [d for d in items if d["type"] in types]
        paging = page_params(q)
        if isinstance(paging, str):
            return api.error(400, paging, "bad.request")
        keep = ("id", "version", "objectType", "resourceType", "flowFilter")
        params = {k: q.getlist(k) for k in keep}
        items = page_order(api.ctx, items, (path, str(params)))
        return ok(listing(items, *paging, path, params))

    async def build(request: Request) -> Response:
        who = api.auth(request, REBUILD if request.method == "POST" else VIEW)
        if not isinstance(who, Principal):
            return who
        org = api.org
        if request.method == "GET":
            return ok(build_status(org, current_status()))

        def done(job: Job) -> None:
            target = api.org
            target.build.update(status="OPERATIONAL", dateCompleted=api.now(), failedObjects=[])

        job = api.start_job("dependency-build", list(BUILD_PHASES), done)
        org.build.update(job=job.id, dateStarted=api.now(), client=who.client)
        effect(request, "dependencytracking.build", org.build["id"])
        return Response(status_code=202)

    async def consumed_resources(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        found = find(request)
        if isinstance(found, Response):
            return found
        flow, _, _ = found
        if flow is None:
            return page(request, [], "/api/v2/architect/dependencytracking/consumedresources")
        at = flow_config(flow, request.query_params.get("version"))
        if isinstance(at, Response):
            return at
        items = consumed(api.org, at[1])
        return page(request, items, "/api/v2/architect/dependencytracking/consumedresources")

    async def consuming_resources(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        found = find(request)
        if isinstance(found, Response):
            return found
        flow, res, _ = found
        oid = flow.id if flow is not None else res.id
        latest = request.query_params.get("flowFilter", "").lower() == "checkedin"
        items = consuming(api.org, oid, use_latest=latest)
        return page(request, items, "/api/v2/architect/dependencytracking/consumingresources")

    async def dependency_object(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        found = find(request)
        if isinstance(found, Response):
            return found
        flow, res, _ = found
        q = request.query_params
        want_consumed = q.get("consumedResources", "false").lower() == "true"
        want_consuming = q.get("consumingResources", "false").lower() == "true"
        if flow is not None:
            at = flow_config(flow, q.get("version"))
            if isinstance(at, Response):
                return at
            body = flow_dependency(flow, at[0])
            if want_consumed:
                body["consumedResources"] = consumed(api.org, at[1])
        else:
            body = resource_dependency(res)
            if want_consumed:
                body["consumedResources"] = []
        if want_consuming:
            body["consumingResources"] = consuming(api.org, body["id"])
        return ok(body)

    root = "/api/v2/architect/dependencytracking"
    return [
        Route(f"{root}/build", build, methods=["GET", "POST"]),
        Route(f"{root}/consumedresources", consumed_resources, methods=["GET"]),
        Route(f"{root}/consumingresources", consuming_resources, methods=["GET"]),
        Route(f"{root}/object", dependency_object, methods=["GET"]),
    ]
