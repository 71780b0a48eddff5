"""Endpoints, conversations, audit events and playbooks (``ResourcesAPIGroup_2_0`` endpoint and
playbook operations, ``MetricsAPIGroup_2_0`` indexConversations, ``AdministrationAPIGroup_2_0``
indexAuditEvents/readAuditEvent).
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import simulate
from cxops.emulator.cognigy.api import Api, bad_request, body, not_found, ok
from cxops.emulator.cognigy.routes_resources import paged, strip
from cxops.emulator.context import new_object_id

ENDPOINT_PATCHABLE = ("entrypoint", "name", "active", "flowId", "localeId", "useConversations")


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
            strip(e, "projectId")
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
        return ok(strip(ep, "projectId"))

    async def conversations(request: Request) -> Response:
        who = api.auth(request, "conversations:read")
        if isinstance(who, Response):
            return who
        q = request.query_params
        items: list[dict[str, Any]] = []
        for ep in api.t.endpoints.values():
            if q.get("projectId") not in (None, ep["projectId"]):
                continue
            if q.get("endpointId") not in (None, ep["_id"]):
                continue
            if q.get("endpointUrlToken") not in (None, ep["URLToken"]):
                continue
            items.extend(_sessions(api, ep))
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

    async def playbooks(request: Request) -> Response:
        who = api.auth(request, "playbooks:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        items = [
            strip(p, "projectId", "flowId")
            for p in api.t.playbooks.values()
            if pid is None or p["projectId"] == pid
        ]
        return paged(items, request)

    def _playbook(request: Request) -> dict[str, Any] | Response:
        pbid = request.path_params["playbookId"]
        pb = api.t.playbooks.get(pbid)
        return pb if pb is not None else not_found("Playbook", pbid)

    async def playbook(request: Request) -> Response:
        who = api.auth(request, "playbooks:read")
        if isinstance(who, Response):
            return who
        pb = _playbook(request)
        return pb if isinstance(pb, Response) else ok(strip(pb, "projectId", "flowId"))

    async def schedule(request: Request) -> Response:
        who = api.auth(request, "playbooks:run")
        if isinstance(who, Response):
            return who
        pb = _playbook(request)
        if isinstance(pb, Response):
            return pb
        data = await body(request)
        if isinstance(data, Response):
            return data
        entry = str(data.get("entrypoint") or pb["projectId"])
        content = api.t.entrypoint_content(entry)
        if content is None:
            return bad_request(f"entrypoint {entry} is neither a project nor a snapshot")
        base = api.t.content[pb["projectId"]]["flows"].get(pb["flowId"])
        ref = str(data.get("flowId") or (base["referenceId"] if base else pb["flowId"]))
        flow = simulate.find_flow(content, ref)
        run = _playbook_run(api, pb, flow, entry, str(data.get("localeId", "")))
        api.t.runs[run["_id"]] = run
        api.effect(request, "cognigy.playbook.schedule", run["_id"], pb["projectId"], who)
        return ok({"_id": run["_id"]})

    async def runs(request: Request) -> Response:
        who = api.auth(request, "playbooks:read")
        if isinstance(who, Response):
            return who
        pb = _playbook(request)
        if isinstance(pb, Response):
            return pb
        rid = request.path_params.get("playbookRunId")
        mine = [r for r in api.t.runs.values() if r.get("playbookId") == pb["_id"]]
        if rid is None:
            keys = ("_id", "status", "createdAt", "lastChanged", "createdBy", "lastChangedBy")
            return paged([{k: r[k] for k in keys} for r in mine], request)
        run = next((r for r in mine if r["_id"] == rid), None)
        return ok(strip(run, "playbookId")) if run else not_found("PlaybookRun", rid)

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/endpoints", endpoints),
        Route(f"{v2}/endpoints/{{endpointId}}", endpoint, methods=["GET", "PATCH"]),
        Route(f"{v2}/conversations", conversations),
        Route(f"{v2}/auditevents", audit),
        Route(f"{v2}/auditevents/{{auditEventId}}", audit_one),
        Route(f"{v2}/playbooks", playbooks),
        Route(f"{v2}/playbooks/{{playbookId}}", playbook),
        Route(f"{v2}/playbooks/{{playbookId}}/schedule", schedule, methods=["POST"]),
        Route(f"{v2}/playbooks/{{playbookId}}/runs", runs),
        Route(f"{v2}/playbooks/{{playbookId}}/runs/{{playbookRunId}}", runs),
    ]


def _sessions(api: Api, ep: dict[str, Any]) -> list[dict[str, Any]]:
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


def _playbook_run(
    api: Api, pb: dict[str, Any], flow: dict[str, Any] | None, entry: str, locale: str
) -> dict[str, Any]:
    results = []
    for step in pb["steps"]:
        asserts = []
        intent = simulate.classify(flow, step["text"]) if flow else None
        said = simulate.replies(flow, intent) if flow else []
        for a in step["asserts"]:
            actual: dict[str, Any]
            if a["type"] == "assertIntent":
                good, actual = intent == a["params"].get("intentName"), {"intentName": intent}
            else:
                good, actual = a["params"].get("text") in said, {"text": said}
            asserts.append(
                {
                    "_id": a["_id"],
                    "type": a["type"],
                    "status": "successful" if good else "failed",
                    "params": a["params"],
                    "actual": actual,
                }
            )
        ok_step = all(a["status"] == "successful" for a in asserts)
        results.append(
            {
                "_id": step["_id"],
                "status": "successful" if ok_step else "failed",
                "text": step["text"],
                "data": step.get("data", {}),
                "asserts": asserts,
                "timeout": False,
            }
        )
    now = api.now_ms()
    passed = all(r["status"] == "successful" for r in results) and flow is not None
    return {
        "_id": new_object_id(),
        "status": "successful" if passed else "failed",
        "stepResults": results,
        "createdAt": now,
        "lastChanged": now,
        "createdBy": api.t.user,
        "lastChangedBy": api.t.user,
        "flowId": flow["_id"] if flow else "",
        "localeId": locale,
        "entrypoint": entry,
        "playbookId": pb["_id"],
    }
