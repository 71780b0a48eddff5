"""Flows, versions, configurations and flow actions (SDK ``ArchitectApi``).

- ``GET /api/v2/flows`` (``get_flows`` → ``FlowEntityListing``), ``GET /flows/{id}``
  (``get_flow`` → ``Flow``), ``GET /flows/{id}/versions`` (``FlowVersionEntityListing``),
  ``GET /flows/{id}/versions/{vid}`` (``FlowVersion``), ``.../configuration`` and
  ``GET /flows/{id}/latestconfiguration`` (``object``: the configuration document).
- ``POST /flows/actions/checkout`` → ``Flow`` (locks it to the caller), ``checkin`` →
  ``Operation`` (unlocks), ``publish`` → ``Operation`` whose ``actionStatus`` moves
  ``STARTED → PENDING_GENERATION → PENDING_BACKEND_NOTIFICATION → SUCCESS | FAILURE`` on the
  clock (read it back as the flow's ``currentOperation``), ``revert`` → ``Flow`` (the previously
  published version is published again).
- ``DELETE /flows/{id}`` (``delete_flow`` → no body): the flow, its versions, its observations
  and health overrides go; refused (409) while another client holds its lock or while a
  publish of it runs.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys.common import Api, effect, multi, ok
from cxops.emulator.genesys.state import Flow
from cxops.emulator.genesys.wire import client_ref, listing, page_params, version_json
from cxops.emulator.jobs import Job
from cxops.emulator.shuffle import page_order
from cxops.emulator.tokens import Principal

VIEW, EDIT, PUBLISH = "architect:flow:view", "architect:flow:edit", "architect:flow:publish"
DELETE = "architect:flow:delete"
PUBLISH_PHASES = [
    ("STARTED", 1.0),
    ("PENDING_GENERATION", 1.5),
    ("PENDING_BACKEND_NOTIFICATION", 0.5),
]
SORT_KEYS = {"name", "id", "type", "description"}
#: Architect's fixed ``/api/v2/flows/<word>`` sub-paths (SDK ``ArchitectApi``) that the
#: ``/flows/{flowId}`` routes must not take for flow ids.
FIXED = (
    "actions",
    "datatables",
    "executions",
    "export",
    "instances",
    "jobs",
    "lookup",
    "milestones",
    "outcomes",
    "validate",
)


def _matches(pattern: str, value: str) -> bool:
    """Genesys name filters are case-insensitive with ``*`` wildcards; plain text is a prefix."""
    pat = pattern.lower() if "*" in pattern else pattern.lower() + "*"
    return fnmatch.fnmatchcase(value.lower(), pat)


def routes(api: Api) -> list[Route]:
    """The flow, version and flow-action routes of one tenant."""

    async def list_flows(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        q = request.query_params
        paging = page_params(q)
        if isinstance(paging, str):
            return api.error(400, paging, "bad.request")
        types = {t.upper() for t in multi(q, "type")}
        ids = set(multi(q, "id"))
        divisions = set(multi(q, "divisionId"))
        name, desc, either = q.get("name"), q.get("description"), q.get("nameOrDescription")
        flows = [
            f
            for f in api.org.flows.values()
            if (not types or f.type in types)
            and (not ids or f.id in ids)
            and (not divisions or f.division["id"] in divisions)
            and (not name or _matches(name, f.name))
            and (not desc or _matches(desc, f.description))
            and (not either or _matches(either, f.name) or _matches(either, f.description))
        ]
        sort_by = q.get("sortBy", "id")
        if sort_by not in SORT_KEYS:
            return api.error(400, f"sortBy must be one of {sorted(SORT_KEYS)}", "bad.request")
        flows.sort(key=lambda f: (str(getattr(f, sort_by)).lower(), f.id))
        if q.get("sortOrder", "asc").lower() == "desc":
            flows.reverse()
        params: dict[str, Any] = {
            "type": q.getlist("type"),
            "id": q.getlist("id"),
            "divisionId": q.getlist("divisionId"),
            "name": name,
            "description": desc,
            "nameOrDescription": either,
            "sortBy": q.get("sortBy"),
            "sortOrder": q.get("sortOrder"),
        }
        number, size = paging
        items = page_order(api.ctx, [api.flow_body(f) for f in flows], ("flows", str(params)))
        return ok(listing(items, number, size, "/api/v2/flows", params))

    async def get_flow(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        return flow if not isinstance(flow, Flow) else ok(api.flow_body(flow))

    async def versions(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        if not isinstance(flow, Flow):
            return flow
        paging = page_params(request.query_params)
        if isinstance(paging, str):
            return api.error(400, paging, "bad.request")
        items = [version_json(flow, v) for v in reversed(flow.versions)]  # newest first
        path = f"/api/v2/flows/{flow.id}/versions"
        items = page_order(api.ctx, items, path)
        return ok(listing(items, *paging, path, {}))

    def _version(request: Request) -> tuple[Flow, Any] | Response:
        flow = api.flow(request.path_params["flow_id"])
        if not isinstance(flow, Flow):
            return flow
        vid = request.path_params["version_id"]
        version = flow.version(vid)
        if version is None:
            return api.error(404, f"Flow version '{vid}' not found.", "not.found")
        return flow, version

    async def get_version(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        found = _version(request)
        return found if isinstance(found, Response) else ok(version_json(*found))

    async def configuration(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        found = _version(request)
        return found if isinstance(found, Response) else ok(found[1].config)

    async def latest(request: Request) -> Response:
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        return flow if not isinstance(flow, Flow) else ok(flow.latest().config)

    def _action_target(request: Request, who: Principal) -> Flow | Response:
        flow = api.flow(request.query_params.get("flow"))
        if isinstance(flow, Flow) and flow.locked_by not in (None, who.client):
            return api.error(
                409, f"Flow '{flow.name}' is locked by client {flow.locked_by}.", "flow.locked"
            )
        return flow

    async def checkout(request: Request) -> Response:
        who = api.auth(request, EDIT)
        if not isinstance(who, Principal):
            return who
        flow = _action_target(request, who)
        if not isinstance(flow, Flow):
            return flow
        flow.locked_by = who.client
        effect(request, "flow.checkout", flow.id)
        return ok(api.flow_body(flow))

    async def checkin(request: Request) -> Response:
        who = api.auth(request, EDIT)
        if not isinstance(who, Principal):
            return who
        flow = _action_target(request, who)
        if not isinstance(flow, Flow):
            return flow
        if flow.locked_by is None:
            return api.error(409, f"Flow '{flow.name}' is not checked out.", "flow.not.locked")
        flow.locked_by = None
        effect(request, "flow.checkin", flow.id)
        return ok(_operation(who, "CHECKIN", "SUCCESS", complete=True))

    async def publish(request: Request) -> Response:
        who = api.auth(request, PUBLISH)
        if not isinstance(who, Principal):
            return who
        flow = _action_target(request, who)
        if not isinstance(flow, Flow):
            return flow
        if flow.operation is not None and not api.operation(flow.operation)["complete"]:
            return api.error(409, f"Flow '{flow.name}' is already being published.", "conflict")
        vid = request.query_params.get("version") or flow.latest().id
        if flow.version(vid) is None:
            return api.error(404, f"Flow version '{vid}' not found.", "not.found")

        def done(job: Job) -> None:
            org = api.org
            target = org.flows.get(flow.id)
            if target is not None:
                org.publish(target, vid, api.now())

        job = api.start_job(
            "publish", list(PUBLISH_PHASES), done, {"flow": flow.id, "version": vid}
        )
        op = _operation(who, "PUBLISH", "STARTED", complete=False)
        op["id"] = job.id
        flow.operation = {**op, "job": job.id}
        effect(request, "flow.publish", flow.id)
        return ok(op)

    async def revert(request: Request) -> Response:
        who = api.auth(request, PUBLISH)
        if not isinstance(who, Principal):
            return who
        flow = _action_target(request, who)
        if not isinstance(flow, Flow):
            return flow
        if len(flow.history) < 2:
            return api.error(
                400, f"Flow '{flow.name}' has no previously published version.", "bad.request"
            )
        flow.history.pop()
        previous = flow.history.pop()
        api.org.publish(flow, previous, api.now())
        flow.operation = _operation(who, "REVERT", "SUCCESS", complete=True)
        effect(request, "flow.revert", flow.id)
        return ok(api.flow_body(flow))

    async def update_flow(request: Request) -> Response:
        """``PUT /flows/{id}`` (``put_flow``, body ``Flow``): name, description and division."""
        who = api.auth(request, EDIT)
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        if not isinstance(flow, Flow):
            return flow
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("name") or body.get("type") != flow.type:
            return api.error(400, "The body must be a Flow with its name and type.", "bad.request")
        wanted = (body.get("division") or {}).get("id") or flow.division["id"]
        division = next((d for d in api.org.divisions.values() if d["id"] == wanted), None)
        if division is None:
            return api.error(400, f"Division '{wanted}' not found.", "bad.request")
        flow.name, flow.division = str(body["name"]), dict(division)
        flow.description = str(body.get("description") or "")
        effect(request, "flow.update", flow.id)
        return ok(api.flow_body(flow))

    async def divisions(request: Request) -> Response:
        """``GET /authorization/divisions`` (``AuthorizationApi.get_authorization_divisions``
        → ``AuthzDivisionEntityListing``), filtered by ``name``."""
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        paging = page_params(request.query_params)
        if isinstance(paging, str):
            return api.error(400, paging, "bad.request")
        name = request.query_params.get("name")
        rows = [
            {**d, "description": "", "homeDivision": d["name"] == "Home"}
            for d in sorted(api.org.divisions.values(), key=lambda d: d["name"])
            if not name or d["name"].lower() == name.lower()
        ]
        path = "/api/v2/authorization/divisions"
        return ok(listing(rows, *paging, path, {"name": name}))

    async def division_views(request: Request) -> Response:
        """``GET /flows/divisionviews`` (``get_flows_divisionviews`` →
        ``FlowDivisionViewEntityListing``): every flow, slim, filtered like ``/flows``."""
        who = api.auth(request, VIEW)
        if not isinstance(who, Principal):
            return who
        q = request.query_params
        paging = page_params(q)
        if isinstance(paging, str):
            return api.error(400, paging, "bad.request")
        types = {t.upper() for t in multi(q, "type")}
        ids, divisions, name = set(multi(q, "id")), set(multi(q, "divisionId")), q.get("name")
        rows = []
        for f in sorted(api.org.flows.values(), key=lambda f: (f.name.lower(), f.id)):
            if (types and f.type not in types) or (ids and f.id not in ids):
                continue
            if (divisions and f.division["id"] not in divisions) or (
                name and not _matches(name, f.name)
            ):
                continue
            row: dict[str, Any] = {
                "id": f.id,
                "name": f.name,
                "division": dict(f.division),
                "type": f.type,
                "description": f.description,
                "selfUri": f"/api/v2/flows/divisionviews/{f.id}",
            }
            published = f.published_version()
            if published is not None:
                row["publishedVersion"] = version_json(f, published)
            rows.append(row)
        path = "/api/v2/flows/divisionviews"
        params = {"type": q.getlist("type"), "name": name}
        return ok(listing(rows, *paging, path, params))

    async def not_served(request: Request) -> Response:
        """A fixed ``/flows/<word>`` route of Architect that the emulator does not serve: its own
        route (not a flow id), answered with Genesys' ErrorBody."""
        return api.error(
            404,
            f"The Genesys emulator does not serve {request.method} {request.url.path}.",
            "not.found",
        )

    async def delete_flow(request: Request) -> Response:
        who = api.auth(request, DELETE)
        if not isinstance(who, Principal):
            return who
        flow = api.flow(request.path_params["flow_id"])
        if not isinstance(flow, Flow):
            return flow
        if flow.locked_by not in (None, who.client):
            return api.error(
                409, f"Flow '{flow.name}' is locked by client {flow.locked_by}.", "flow.locked"
            )
        if flow.operation is not None and not api.operation(flow.operation)["complete"]:
            return api.error(409, f"Flow '{flow.name}' is being published.", "conflict")
        org = api.org
        del org.flows[flow.id]
        org.observations.pop(flow.id, None)
        for key in [k for k in org.health if k[0] == flow.id]:
            del org.health[key]
        effect(request, "flow.delete", flow.id)
        return Response(status_code=200)

    return [
        Route("/api/v2/flows", list_flows, methods=["GET"]),
        Route("/api/v2/flows/actions/checkout", checkout, methods=["POST"]),
        Route("/api/v2/flows/actions/checkin", checkin, methods=["POST"]),
        Route("/api/v2/flows/actions/publish", publish, methods=["POST"]),
        Route("/api/v2/flows/actions/revert", revert, methods=["POST"]),
        Route("/api/v2/flows/divisionviews", division_views, methods=["GET"]),
        *[
            Route(f"/api/v2/flows/{word}", not_served, methods=["GET", "PUT", "DELETE"])
            for word in FIXED
        ],
        Route("/api/v2/flows/{flow_id}", get_flow, methods=["GET"]),
        Route("/api/v2/flows/{flow_id}", delete_flow, methods=["DELETE"]),
        Route("/api/v2/flows/{flow_id}", update_flow, methods=["PUT"]),
        Route("/api/v2/authorization/divisions", divisions, methods=["GET"]),
        Route("/api/v2/flows/{flow_id}/versions", versions, methods=["GET"]),
        Route("/api/v2/flows/{flow_id}/versions/{version_id}", get_version, methods=["GET"]),
        Route(
            "/api/v2/flows/{flow_id}/versions/{version_id}/configuration",
            configuration,
            methods=["GET"],
        ),
        Route("/api/v2/flows/{flow_id}/latestconfiguration", latest, methods=["GET"]),
    ]


def _operation(who: Principal, name: str, status: str, *, complete: bool) -> dict[str, Any]:
    """``Operation`` JSON for a flow action taken by ``who``."""
    return {
        "id": new_uuid(),
        "complete": complete,
        "client": client_ref(who.client),
        "actionName": name,
        "actionStatus": status,
    }
