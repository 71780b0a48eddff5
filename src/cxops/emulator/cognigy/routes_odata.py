"""Cognigy's OData analytics endpoint, mounted at ``/odata`` of the tenant (on a real platform it
is a host of its own per environment, ``https://odata-<env>.cognigy.ai``).

Evidence: Cognigy's documentation (repository Cognigy/Documentation, ``docs/ai/analyze/odata.md``,
"OData Analytics Endpoint"): ``GET https://<odata-domain>/v2.3/<collection>?apikey=<key>``,
OData v4, ``GET`` only, system query options ``$filter``, ``$skip``, ``$top``, ``$orderby``,
``$select``, ``$count``. Collections served here (v2.3 names and fields):

- ``Sessions``: one record per session: ``_id, goals, stepPath, stepsCount,
  handoverEscalations, startedAt, userId, sessionId, localeReferenceId, localeName,
  endpointReferenceId, endpointName, projectName, projectId, organisationId, snapshotId,
  snapshotName``.
- ``Conversations``: one record per message: ``_id, projectId, projectName, inputId,
  sessionId, contactId, organisation, inputText, inputData, type, source, timestamp, flowName,
  flowParentId, channel, inHandoverRequest, inHandoverConversation, outputId``.

A body is ``{"@odata.context", "value": [...]}`` (Cognigy's own Extensions repository reads
``response.data.value``, ``extensions/cognigy/src/nodes/getConversation.ts``), plus
``@odata.count`` with ``$count=true``; ``/<collection>/$count`` is the bare number.

The emulator keeps no history: the records are the sessions open now on each endpoint (the
count ``PUT /_emulator/conversations`` sets, draining at its rate), each started a few seconds
ago on the emulator clock. ``$filter`` understands ``<field> eq|ne|gt|ge|lt|le <literal>``
joined by ``and`` (literals: ``'text'``, numbers, ISO 8601 date-times), which is all a
sessions count needs; anything else is a 400.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from cxops.emulator.cognigy.api import Api
from cxops.emulator.cognigy.routes_runtime import sessions

VERSION = "v2.3"
MAX_TOP = 1000
_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+(.+?)\s*$", re.IGNORECASE)


class ODataError(ValueError):
    """A query the emulator cannot answer (400)."""


def routes(api: Api) -> list[Route]:
    def records(collection: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ep in api.t.endpoints.values():
            open_now = sessions(api, ep)
            if collection == "Sessions":
                out.extend(_session(api, ep, c) for c in open_now)
            else:
                out.extend(_message(c) for c in open_now)
        return out

    async def collection(request: Request) -> Response:
        key = request.query_params.get("apikey", "")
        if not key or api.ctx.tokens.find("cognigy", api.name, api_key=key) is None:
            return _error(401, "a valid apikey query parameter is required")
        name = request.path_params["collection"]
        if name not in ("Sessions", "Conversations"):
            return _error(404, f"no collection {name!r}")
        q = request.query_params
        try:
            rows = [r for r in records(name) if _matches(r, q.get("$filter", ""))]
            if q.get("$orderby"):
                field, _, way = q["$orderby"].partition(" ")
                rows.sort(key=lambda r: str(r.get(field, "")), reverse=way.lower() == "desc")
            total = len(rows)
            skip, top = int(q.get("$skip", 0)), min(int(q.get("$top", MAX_TOP)), MAX_TOP)
        except (ODataError, ValueError) as exc:
            return _error(400, str(exc))
        if request.path_params.get("count"):
            return PlainTextResponse(str(total))
        rows = rows[skip : skip + top]
        if q.get("$select"):
            keep = [f.strip() for f in q["$select"].split(",") if f.strip()]
            rows = [{k: r[k] for k in keep if k in r} for r in rows]
        base = str(request.url.replace(query="")).rsplit("/", 1)[0]
        doc: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{name}"}
        if q.get("$count", "").lower() == "true":
            doc["@odata.count"] = total
        doc["value"] = rows
        return JSONResponse(doc)

    prefix = f"/odata/{VERSION}"
    return [
        Route(f"{prefix}/{{collection}}", collection),
        Route(f"{prefix}/{{collection}}/{{count:path}}", _count_route(collection)),
    ]


def _count_route(handler: Any) -> Any:
    async def count(request: Request) -> Response:
        if request.path_params["count"] != "$count":
            return _error(404, "unknown path")
        response: Response = await handler(request)
        return response

    return count


def _error(status: int, message: str) -> Response:
    # OData v4 JSON error format (OASIS OData JSON Format §21); Cognigy documents no other.
    return JSONResponse({"error": {"code": str(status), "message": message}}, status_code=status)


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ODataError(f"cannot read the literal {text!r}") from None


def _value(record: dict[str, Any], field: str, like: Any) -> Any:
    value = record.get(field)
    if isinstance(like, datetime) and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _matches(record: dict[str, Any], expression: str) -> bool:
    if not expression.strip():
        return True
    for clause in re.split(r"\s+and\s+", expression.strip(), flags=re.IGNORECASE):
        found = _CLAUSE.match(clause)
        if found is None:
            raise ODataError(f"unsupported $filter clause {clause!r}")
        field, op, raw = found.group(1), found.group(2).lower(), found.group(3)
        want = _literal(raw)
        have = _value(record, field, want)
        if have is None:
            return False
        try:
            ok = {
                "eq": have == want,
                "ne": have != want,
                "gt": have > want,
                "ge": have >= want,
                "lt": have < want,
                "le": have <= want,
            }[op]
        except TypeError:
            raise ODataError(f"cannot compare {field} with {raw}") from None
        if not ok:
            return False
    return True


def _session(api: Api, ep: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    project = api.t.projects.get(ep["projectId"], {})
    snap = api.t.snapshots.get(ep["entrypoint"])
    return {
        "_id": f"{c['sessionId']}-record",
        "goals": "",
        "stepPath": "",
        "stepsCount": 0,
        "handoverEscalations": 0,
        "startedAt": c["timestamp"],
        "userId": c["contactId"],
        "sessionId": c["sessionId"],
        "localeReferenceId": ep["localeId"],
        "localeName": c["localeName"],
        "endpointReferenceId": ep["_id"],
        "endpointName": ep["name"],
        "projectName": project.get("name", ""),
        "projectId": ep["projectId"],
        "organisationId": api.t.organisation,
        "snapshotId": snap["_id"] if snap else "",
        "snapshotName": snap["name"] if snap else "",
    }


def _message(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": c["inputId"],
        "projectId": c["projectId"],
        "projectName": c["projectName"],
        "inputId": c["inputId"],
        "sessionId": c["sessionId"],
        "contactId": c["contactId"],
        "organisation": c["organisation"],
        "inputText": c["inputText"],
        "inputData": "{}",
        "type": c["type"],
        "source": c["source"],
        "timestamp": c["timestamp"],
        "flowName": c["flowName"],
        "flowParentId": c["flowReferenceId"],
        "channel": c["channel"],
        "inHandoverRequest": False,
        "inHandoverConversation": False,
        "outputId": "",
    }
