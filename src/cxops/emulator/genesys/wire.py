"""Tenant state to JSON in the SDK's field names (``attribute_map`` values of its models).

``Flow`` and ``FlowVersion`` follow ``models/flow.py`` and ``models/flow_version.py``:
``dateCreated``/``dateCheckedIn``/``dateSaved`` are epoch milliseconds (``int`` in the SDK),
``datePublished`` an ISO 8601 string (``datetime``). Listings follow ``FlowEntityListing``:
``nextUri`` and friends are relative to the API host (``/api/v2/...``), as Genesys sends them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from cxops.emulator.genesys.configs import FLOW_OBJECT_TYPES
from cxops.emulator.genesys.state import Flow, GenesysTenant, Resource, Version

MAX_PAGE_SIZE = 100
RESOURCE_URIS = {
    "DATAACTION": "/api/v2/integrations/actions/",
    "USERPROMPT": "/api/v2/architect/prompts/",
    "QUEUE": "/api/v2/routing/queues/",
}


def iso(at: float) -> str:
    """ISO 8601 with milliseconds and ``Z`` (what Genesys sends for ``datetime`` fields)."""
    moment = datetime.fromtimestamp(at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def millis(at: float) -> int:
    """Epoch milliseconds (the SDK's ``int`` date fields)."""
    return int(at * 1000)


def client_ref(client: str | None) -> dict[str, Any] | None:
    """``DomainEntityRef`` of an OAuth client."""
    if client is None:
        return None
    return {"id": client, "name": client, "selfUri": f"/api/v2/oauth/clients/{client}"}


def version_json(flow: Flow, v: Version) -> dict[str, Any]:
    """``FlowVersion`` JSON."""
    base = f"/api/v2/flows/{flow.id}/versions/{v.id}"
    out: dict[str, Any] = {
        "id": v.id,
        "name": flow.name,
        "commitVersion": v.id,
        "configurationVersion": v.id,
        "type": v.type,
        "secure": False,
        "debug": False,
        "configurationUri": f"{base}/configuration",
        "dateCreated": millis(v.created),
        "dateCheckedIn": millis(v.created),
        "dateSaved": millis(v.created),
        "generationId": f"{flow.id[:8]}-{v.id}",
        "supportedLanguages": [{"language": "en-us", "isDefault": True}],
        "compatibleFlowTypes": [flow.type],
        "selfUri": base,
    }
    if v.client is not None:
        out["createdByClient"] = client_ref(v.client)
    if v.published is not None:
        out["datePublished"] = iso(v.published)
        out["publishResultUri"] = f"{base}/publishresult"
    return out


def flow_json(flow: Flow) -> dict[str, Any]:
    """``Flow``: the published, checked-in and saved versions, lock and current operation."""
    latest = flow.latest()
    published = flow.published_version()
    out: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "division": dict(flow.division),
        "description": flow.description,
        "type": flow.type,
        "active": published is not None,
        "system": False,
        "deleted": False,
        "checkedInVersion": version_json(flow, latest),
        "savedVersion": version_json(flow, latest),
        "supportedLanguages": [{"language": "en-us", "isDefault": True}],
        "compatibleFlowTypes": [flow.type],
        "selfUri": f"/api/v2/flows/{flow.id}",
    }
    if published is not None:
        out["publishedVersion"] = version_json(flow, published)
    if flow.locked_by is not None:
        out["lockedClient"] = client_ref(flow.locked_by)
    if flow.operation is not None:
        out["currentOperation"] = dict(flow.operation)
    return out


def page_params(query: Any, default_size: int = 25) -> tuple[int, int] | str:
    """``(pageNumber, pageSize)`` from the query, or the reason they are invalid."""
    try:
        number = int(query.get("pageNumber", 1))
        size = int(query.get("pageSize", default_size))
    except ValueError:
        return "pageNumber and pageSize must be integers"
    if number < 1 or size < 1:
        return "pageNumber and pageSize must be at least 1"
    if size > MAX_PAGE_SIZE:
        return f"pageSize must be at most {MAX_PAGE_SIZE}"
    return number, size


def listing(
    items: list[dict[str, Any]], number: int, size: int, path: str, params: dict[str, Any]
) -> dict[str, Any]:
    """An ``*EntityListing`` page with first/self/next/previous/last URIs (relative)."""
    total = len(items)
    count = math.ceil(total / size) if total else 0

    def uri(n: int) -> str:
        rest = {k: v for k, v in params.items() if v not in (None, "", [])}
        return f"{path}?{urlencode({'pageNumber': n, 'pageSize': size, **rest}, doseq=True)}"

    out: dict[str, Any] = {
        "entities": items[(number - 1) * size : number * size],
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": count,
        "firstUri": uri(1),
        "selfUri": uri(number),
        "lastUri": uri(max(count, 1)),
    }
    if number < count:
        out["nextUri"] = uri(number + 1)
    if number > 1:
        out["previousUri"] = uri(number - 1)
    return out


def resource_dependency(r: Resource) -> dict[str, Any]:
    """``Dependency`` for a data action, prompt or queue."""
    return {
        "id": r.id,
        "name": r.name,
        "type": r.kind,
        "deleted": r.deleted,
        "updated": False,
        "stateUnknown": False,
        "selfUri": RESOURCE_URIS[r.kind] + r.id,
    }


def flow_dependency(flow: Flow, version: str | None) -> dict[str, Any]:
    """``Dependency`` for a flow at ``version`` (``None`` when it has no such version)."""
    out: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "type": FLOW_OBJECT_TYPES[flow.type],
        "deleted": False,
        "updated": False,
        "stateUnknown": False,
        "selfUri": f"/api/v2/flows/{flow.id}",
    }
    if version is not None:
        out["version"] = version
    return out


def build_status(org: GenesysTenant, status: str) -> dict[str, Any]:
    """``DependencyStatus`` of the org's dependency-tracking build."""
    b = org.build
    out: dict[str, Any] = {
        "id": b["id"],
        "name": "Dependency Tracking Build",
        "buildId": b["buildId"],
        "status": status,
        "dateStarted": iso(b["dateStarted"]),
        "failedObjects": list(b.get("failedObjects") or []),
        "selfUri": "/api/v2/architect/dependencytracking/build",
    }
    if b.get("dateCompleted") is not None and status.startswith("OPERATIONAL"):
        out["dateCompleted"] = iso(b["dateCompleted"])
    if b.get("client"):
        out["client"] = client_ref(b["client"])
    return out
