"""Per-tenant test controls at ``/genesys/{tenant}/_emulator/...`` (no auth; emulator only).

- ``GET  /_emulator/summary``       the org in a line, flow ids by name, and (dev) the flaws
- ``PUT  /_emulator/observations``  ``{"flows": {"<flowId>": {"active": 12,
  "drainPerMinute": 3}}}`` sets active sessions per flow (replacing what was set), draining
  linearly per emulated minute; ``GET`` shows what is active now
- ``PUT  /_emulator/health``        ``{"flowId", "versionId"?, "status"?: "Completed" |
  "InProgress" | "Error", "overallScore"?, "issueCount"?, "errorMessage"?}`` overrides a bot
  version's health (every version when ``versionId`` is absent); ``DELETE`` clears overrides
- ``PUT  /_emulator/dependencytracking``  ``{"status": "NOTBUILT" | "OPERATIONALNEEDSREBUILD" |
  …}`` sets the build status (a ``POST .../dependencytracking/build`` makes it operational)
- ``PUT  /_emulator/locks``         ``{"flowId", "client": "<client id>" | null}`` checks a flow
  out to another client (or releases it), to rehearse a locked flow
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.genesys.common import Api, ok
from cxops.emulator.genesys.fixtures import flaws
from cxops.emulator.genesys.state import Observation

BUILD_STATES = {
    "BUILDINCOMPLETE",
    "BUILDINITIALIZING",
    "BUILDINPROGRESS",
    "BUILDQUEUED",
    "NOTBUILT",
    "OPERATIONAL",
    "OPERATIONALNEEDSREBUILD",
}
HEALTH_STATES = {"Completed", "InProgress", "Error"}


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def routes(api: Api) -> list[Route]:
    """The tenant's ``/_emulator`` test-control routes."""

    def bad(message: str) -> Response:
        return ok({"error": message}, 400)

    async def summary(request: Request) -> Response:
        org = api.org
        body: dict[str, Any] = {
            "summary": org.summary(),
            "flows": {f.name: f.id for f in org.flows.values()},
            "flaws": flaws(api.ctx.config.seed) if api.tenant == "dev" else [],
        }
        return ok(body)

    async def observations(request: Request) -> Response:
        org = api.org
        if request.method == "PUT":
            body = await _body(request)
            rows = body.get("flows") if body else None
            if not isinstance(rows, dict):
                return bad('body must be {"flows": {"<flowId>": {"active": N}}}')
            fresh = {}
            for fid, row in rows.items():
                if fid not in org.flows or not isinstance(row, dict):
                    return bad(f"unknown flow {fid!r} or bad entry")
                try:
                    active, drain = int(row.get("active", 0)), float(row.get("drainPerMinute", 0))
                except (TypeError, ValueError):
                    return bad("active and drainPerMinute must be numbers")
                if active < 0 or drain < 0:
                    return bad("active and drainPerMinute must not be negative")
                fresh[fid] = Observation(active, drain, api.now())
            org.observations = fresh
        now = api.now()
        return ok(
            {
                "flows": {
                    fid: {"active": obs.now(now), "drainPerMinute": obs.drain_per_minute}
                    for fid, obs in org.observations.items()
                }
            }
        )

    async def health(request: Request) -> Response:
        org = api.org
        if request.method == "DELETE":
            org.health.clear()
            return ok({"overrides": []})
        body = await _body(request)
        if body is None or body.get("flowId") not in org.flows:
            return bad("body must name an existing flowId")
        if body.get("status", "Completed") not in HEALTH_STATES:
            return bad(f"status must be one of {sorted(HEALTH_STATES)}")
        key = (str(body["flowId"]), body.get("versionId"))
        org.health[key] = {k: v for k, v in body.items() if k not in ("flowId", "versionId")}
        rows = [{"flowId": f, "versionId": v, **o} for (f, v), o in org.health.items()]
        return ok({"overrides": rows})

    async def build(request: Request) -> Response:
        body = await _body(request)
        status = body.get("status") if body else None
        if status not in BUILD_STATES:
            return bad(f"status must be one of {sorted(BUILD_STATES)}")
        api.org.build.update(status=status, job=None)
        return ok({"status": status})

    async def locks(request: Request) -> Response:
        body = await _body(request)
        flow = api.org.flows.get(str((body or {}).get("flowId")))
        if flow is None or body is None:
            return bad("body must name an existing flowId")
        client = body.get("client")
        flow.locked_by = str(client) if client else None
        return ok({"flowId": flow.id, "lockedBy": flow.locked_by})

    return [
        Route("/_emulator/summary", summary, methods=["GET"]),
        Route("/_emulator/observations", observations, methods=["GET", "PUT"]),
        Route("/_emulator/health", health, methods=["PUT", "DELETE"]),
        Route("/_emulator/dependencytracking", build, methods=["PUT"]),
        Route("/_emulator/locks", locks, methods=["PUT"]),
    ]
