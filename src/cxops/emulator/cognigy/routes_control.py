"""Per-tenant test controls at ``/cognigy/{tenant}/_emulator/…`` (no auth: the emulator's own).

- ``GET  /_emulator/summary``        the tenant's one-line summary
- ``GET|PUT /_emulator/conversations`` ``{endpointId: {"active": N, "drain_per_minute": M}}``:
  N sessions open now, draining by M per emulated minute (``GET /conversations`` shows them)
- ``GET|PUT /_emulator/health``      ``{"status": "healthy"|"degraded", "endpoints":
  {endpointId: {"active": bool}}}``; an endpoint set inactive reads ``active: false`` (on
  ``GET /endpoints/{id}`` only: the listing has no ``active``)
- ``GET|PUT /_emulator/simulator``   ``{"enabled": bool}``: whether ``/testing`` exists here
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator.cognigy.api import Api, bad_request, body
from cxops.emulator.cognigy.routes_runtime import active_sessions


def routes(api: Api) -> list[Route]:
    async def summary(request: Request) -> Response:
        return JSONResponse({"summary": api.t.summary()})

    async def conversations(request: Request) -> Response:
        if request.method == "PUT":
            data = await body(request)
            if isinstance(data, Response):
                return data
            for eid, spec in data.items():
                if eid not in api.t.endpoints:
                    return bad_request(f"unknown endpoint {eid}")
                if not isinstance(spec, dict):
                    return bad_request(f"{eid}: expected an object")
                try:
                    active = int(spec.get("active", 0))
                    drain = float(spec.get("drain_per_minute", 0))
                except (TypeError, ValueError):
                    return bad_request(f"{eid}: active and drain_per_minute must be numbers")
                if active < 0 or drain < 0:
                    return bad_request(f"{eid}: values must not be negative")
                api.t.conversations[eid] = {
                    "active": active,
                    "drain_per_minute": drain,
                    "since": api.ctx.clock.now(),
                }
        return JSONResponse(
            {eid: {"active": active_sessions(api, eid)} for eid in api.t.conversations}
        )

    async def health(request: Request) -> Response:
        if request.method == "PUT":
            data = await body(request)
            if isinstance(data, Response):
                return data
            if "status" in data:
                if data["status"] not in ("healthy", "degraded"):
                    return bad_request("status must be healthy or degraded")
                api.t.health["status"] = data["status"]
            for eid, spec in (data.get("endpoints") or {}).items():
                if eid not in api.t.endpoints or not isinstance(spec, dict):
                    return bad_request(f"unknown endpoint {eid}")
                api.t.endpoints[eid]["active"] = bool(spec.get("active", True))
        return JSONResponse(
            {
                **api.t.health,
                "endpoints": {eid: {"active": ep["active"]} for eid, ep in api.t.endpoints.items()},
            }
        )

    async def simulator(request: Request) -> Response:
        if request.method == "PUT":
            data = await body(request)
            if isinstance(data, Response):
                return data
            if not isinstance(data.get("enabled"), bool):
                return bad_request("enabled must be true or false")
            api.t.simulator = data["enabled"]
        return JSONResponse({"enabled": api.t.simulator})

    return [
        Route("/_emulator/simulator", simulator, methods=["GET", "PUT"]),
        Route("/_emulator/summary", summary),
        Route("/_emulator/conversations", conversations, methods=["GET", "PUT"]),
        Route("/_emulator/health", health, methods=["GET", "PUT"]),
    ]
