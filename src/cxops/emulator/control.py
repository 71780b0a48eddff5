"""``/_emulator``: the emulator's own surface, for tests, demos and rehearsals.

- ``GET  /_emulator/info``                     base URL, auth URL and demo credentials per tenant
- ``GET  /_emulator/ledger``                   mutating calls (``?vendor=&tenant=&effect=&method=``)
- ``GET  /_emulator/requests``                 every request seen, with real arrival times
- ``POST /_emulator/reset``                    back to the start state
- ``GET|POST /_emulator/clock``                read; ``{"advance": s}`` or ``{"speed": n}``
- ``GET|POST /_emulator/scenario``             read or replace the fault scenario (JSON body)
- ``GET  /_emulator/jobs``                     every async job and its state now
- ``POST /_emulator/unstamped``                change a flow without bumping its vendor stamp
  (``{"vendor", "tenant", "flow", "text"?}``; see ``unstamped``)
- ``POST|GET|PUT /_emulator/webhooks/{name}``  the webhook receiver (see ``receiver``)
- ``POST|PUT|GET /_emulator/registry/{name}/{version}``  an immutable artifact registry
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import registry_sink
from cxops.emulator.context import EmulatorContext
from cxops.emulator.scenario import Scenario
from cxops.emulator.unstamped import unstamped_change
from cxops.errors import ConfigError


def info(ctx: EmulatorContext, root: str) -> dict[str, Any]:
    """Connection details for every vendor tenant, with ``root`` the emulator's base URL."""
    out: dict[str, Any] = {"url": root, "vendors": {}}
    for name, vendor in ctx.vendors.items():
        out["vendors"][name] = {
            tenant: vendor.describe(f"{root}/{name}/{tenant}", tenant)
            for tenant in ctx.tenants.get(name, {})
        }
    return out


def create_control_app(ctx: EmulatorContext) -> Starlette:
    def _root(request: Request) -> str:
        return str(request.base_url).rstrip("/").removesuffix("/_emulator")

    async def get_info(request: Request) -> Response:
        return JSONResponse(info(ctx, _root(request)))

    def _filters(request: Request) -> dict[str, str | None]:
        q = request.query_params
        return {k: q.get(k) for k in ("vendor", "tenant", "effect", "method", "client")}

    async def ledger(request: Request) -> Response:
        rows = ctx.ledger.query(mutating_only=True, **_filters(request))
        return JSONResponse({"entries": [r.to_dict() for r in rows], "total": len(rows)})

    async def requests_seen(request: Request) -> Response:
        rows = ctx.ledger.query(mutating_only=False, **_filters(request))
        return JSONResponse({"entries": [r.to_dict() for r in rows], "total": len(rows)})

    async def reset(request: Request) -> Response:
        ctx.reset()
        return JSONResponse({"reset": True})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            data = await request.json()
            try:
                if "speed" in data:
                    ctx.clock.set_speed(float(data["speed"]))
                if "advance" in data:
                    ctx.clock.advance(float(data["advance"]))
            except (TypeError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            ctx.jobs.tick()
        return JSONResponse(
            {"now": ctx.clock.now(), "iso": ctx.clock.iso(), "speed": ctx.clock.speed}
        )

    async def scenario(request: Request) -> Response:
        if request.method == "POST":
            try:
                ctx.load_scenario(Scenario.parse(await request.json(), source="request body"))
            except ConfigError as exc:
                return JSONResponse({"error": exc.message}, status_code=400)
            except ValueError:
                return JSONResponse({"error": "body is not JSON"}, status_code=400)
        return JSONResponse(ctx.faults.scenario.model_dump(mode="json"))

    async def unstamped(request: Request) -> Response:
        try:
            body = await request.json()
            vendor, tenant, flow = (str(body[k]) for k in ("vendor", "tenant", "flow"))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "body needs vendor, tenant and flow"}, status_code=400)
        state = ctx.tenants.get(vendor, {}).get(tenant)
        text = str(body.get("text") or "changed without a stamp")
        if state is None or not unstamped_change(state, vendor, flow, text):
            return JSONResponse({"error": f"no flow {flow!r} in {vendor}/{tenant}"}, 404)
        return JSONResponse({"changed": flow, "vendor": vendor, "tenant": tenant})

    async def jobs(request: Request) -> Response:
        now = ctx.clock.now()
        rows = []
        for job in ctx.jobs.all():
            state, progress = job.status(now)
            rows.append(
                {
                    "id": job.id,
                    "vendor": job.vendor,
                    "tenant": job.tenant,
                    "kind": job.kind,
                    "state": state,
                    "progress": progress,
                    "reason": job.reason,
                }
            )
        return JSONResponse({"jobs": rows})

    receiver = ctx.receiver
    return Starlette(
        routes=[
            Route("/info", get_info),
            Route("/ledger", ledger),
            Route("/requests", requests_seen),
            Route("/reset", reset, methods=["POST"]),
            Route("/clock", clock, methods=["GET", "POST"]),
            Route("/scenario", scenario, methods=["GET", "POST"]),
            Route("/jobs", jobs),
            Route("/unstamped", unstamped, methods=["POST"]),
            Route("/webhooks/{endpoint}", receiver.deliver, methods=["POST"]),
            Route("/webhooks/{endpoint}", receiver.show, methods=["GET"]),
            Route("/webhooks/{endpoint}", receiver.configure, methods=["PUT"]),
            *registry_sink.routes(ctx),
        ]
    )
