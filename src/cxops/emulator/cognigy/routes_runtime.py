"""Endpoints, conversations and audit events (``ResourcesAPIGroup_2_0`` endpoint operations,
``MetricsAPIGroup_2_0`` indexConversations, ``AdministrationAPIGroup_2_0``
indexAuditEvents/readAuditEvent).

- ``GET /endpoints?projectId=`` items are ``IEndpointIndexItem_2_0``: no ``entrypoint`` and no
  ``active``; those are on ``GET /endpoints/{id}`` (``IEndpoint_2_0``), which the official CLI
  reads one by one after the listing (Cognigy-CLI ``src/lib/endpoints.ts``).
- ``PATCH /endpoints/{id}`` answers ``{}`` (``IUpdateEndpointRestReturnValue_2_0``).
- ``GET /conversations`` requires ``contactIds`` (``IIndexConversationsRestRestDataQuery_2_0``)
  and has no endpoint filter.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy.api import Api, bad_request, body, error, not_found, ok
from cxops.emulator.cognigy.routes_resources import paged, strip

ENDPOINT_PATCHABLE = ("entrypoint", "name", "active", "flowId", "localeId", "useConversations")
#: ``IEndpointIndexItem_2_0``: what a listing item holds.
ENDPOINT_INDEX = (
    "_id",
    "channel",
    "URLToken",
    "flowId",
    "localeId",
    "name",
    "createdAt",
    "lastChanged",
    "createdBy",
    "lastChangedBy",
    "overrideSnapshotConnections",
)
MISSING_ARGUMENT = 1000  # the client's ErrorCode.MISSING_ARGUMENT_ERROR


def active_sessions(api: Api, endpoint_id: str) -> int:
    """Sessions still open on an endpoint: the set count drained at the set rate (emulated)."""
    state = api.t.conversations.get(endpoint_id)
    if state is None:
        return 0
    minutes = max(0.0, api.ctx.clock.now() - state["since"]) / 60.0
    return max(0, int(state["active"]) - math.floor(state["drain_per_minute"] * minutes))


def routes(api: Api) -> list[Route]:
    async def endpoints(request: Request) -> Response:
        who = api.auth(request, "endpoints:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        items = [
            {k: e[k] for k in ENDPOINT_INDEX}
            for e in api.t.endpoints.values()
            if pid is None or e["projectId"] == pid
        ]
        return paged(items, request)

    async def endpoint(request: Request) -> Response:
        write = request.method == "PATCH"
        who = api.auth(request, "endpoints:write" if write else "endpoints:read")
        if isinstance(who, Response):
            return who
        eid = request.path_params["endpointId"]
        ep = api.t.endpoints.get(eid)
        if ep is None:
            return not_found("Endpoint", eid)
        if write:
            data = await body(request)
            if isinstance(data, Response):
                return data
            unknown = sorted(set(data) - set(ENDPOINT_PATCHABLE))
            if unknown:
                return bad_request(f"cannot update endpoint fields {unknown}")
            target = data.get("entrypoint", ep["entrypoint"])
            if api.t.entrypoint_content(str(target)) is None:
                return bad_request(f"entrypoint {target} is neither a project nor a snapshot")
            repoint = target != ep["entrypoint"]
            before = ep["entrypoint"]
            ep.update(data, lastChanged=api.now_ms())
            effect = "cognigy.endpoint.repoint" if repoint else "cognigy.endpoint.update"
            api.effect(
                request,
                effect,
                eid,
                ep["projectId"],
                who,
                "patch",
                {"entrypoint": ep["entrypoint"], "previousEntrypoint": before},
            )
            return ok({})
        return ok(strip(ep, "projectId"))

    async def conversations(request: Request) -> Response:
        who = api.auth(request, "conversations:read")
        if isinstance(who, Response):
            return who
        q = request.query_params
        contacts = set(q.getlist("contactIds")) | set(q.getlist("contactIds[]"))
        contacts |= {c for v in q.getlist("contactIds") for c in v.split(",") if c}
        if not contacts:
            return error(400, "contactIds is required", MISSING_ARGUMENT)
        items: list[dict[str, Any]] = []
        for ep in api.t.endpoints.values():
            if q.get("projectId") not in (None, ep["projectId"]):
                continue
            items.extend(c for c in sessions(api, ep) if c["contactId"] in contacts)
        return ok({"items": items, "total": len(items)})

    async def audit(request: Request) -> Response:
        who = api.auth(request, "auditevents:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        items = [e for e in api.t.audit if pid is None or e["projectReference"] == pid]
        return paged(items, request)

    async def audit_one(request: Request) -> Response:
        who = api.auth(request, "auditevents:read")
        if isinstance(who, Response):
            return who
        aid = request.path_params["auditEventId"]
        found = next((e for e in api.t.audit if e["_id"] == aid), None)
        return ok(found) if found else not_found("AuditEvent", aid)

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/endpoints", endpoints),
        Route(f"{v2}/endpoints/{{endpointId}}", endpoint, methods=["GET", "PATCH"]),
        Route(f"{v2}/conversations", conversations),
        Route(f"{v2}/auditevents", audit),
        Route(f"{v2}/auditevents/{{auditEventId}}", audit_one),
    ]


def sessions(api: Api, ep: dict[str, Any]) -> list[dict[str, Any]]:
    """The open sessions of an endpoint as ``IConversationData_2_0`` records (emulated: the
    count set through ``/_emulator/conversations``, draining at its rate)."""
    project = api.t.projects.get(ep["projectId"], {})
    now = api.ctx.clock.now()
    out = []
    for n in range(active_sessions(api, ep["_id"])):
        session = f"{ep['_id'][:8]}-session-{n}"
        out.append(
            {
                "projectId": ep["projectId"],
                "projectName": project.get("name", ""),
                "inputId": f"{session}-input",
                "sessionId": session,
                "contactId": f"contact-{n}",
                "organisation": api.t.organisation,
                "inputText": "hello",
                "inputData": {},
                "type": "input",
                "source": "user",
                "flowName": "Main",
                "flowReferenceId": ep["flowId"],
                "channel": ep["channel"],
                "timestamp": api.ctx.clock.iso(now - 5 * n),
                "inHandoverRequest": False,
                "inHandoverConversation": False,
                "expiresAt": api.ctx.clock.iso(now + 86_400),
                "endpointUrlToken": ep["URLToken"],
                "endpointName": ep["name"],
                "localeReferenceId": ep["localeId"],
                "localeName": "en",
                "rating": 0,
                "ratingComment": "",
            }
        )
    return out
