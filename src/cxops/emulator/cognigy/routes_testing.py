"""The simulator under ``/testing`` (not in the REST client; shape per VENDORS.md): simulations
per project, ``POST /testing/simulations/{ref}/schedule`` → a run that completes on the emulator
clock with ``metrics.success``/``metrics.successRate``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import simulate
from cxops.emulator.cognigy.api import Api, bad_request, body, not_found, ok
from cxops.emulator.cognigy.routes_resources import paged, strip
from cxops.emulator.context import new_object_id

RUN_SECONDS = 3.0  # emulated time a simulation run takes


def routes(api: Api) -> list[Route]:
    def _simulation(request: Request) -> dict[str, Any] | Response:
        ref = request.path_params["ref"]
        found = next(
            (s for s in api.t.simulations.values() if ref in (s["_id"], s["referenceId"])), None
        )
        return found if found is not None else not_found("Simulation", ref)

    def view_run(run: dict[str, Any]) -> dict[str, Any]:
        done = api.ctx.clock.now() >= run["finishesAt"]
        out = strip(run, "finishesAt", "outcome")
        out["status"] = "completed" if done else "running"
        out["metrics"] = run["outcome"]["metrics"] if done else None
        out["scenarios"] = run["outcome"]["scenarios"] if done else []
        out["finishedAt"] = api.ctx.clock.iso(run["finishesAt"]) if done else None
        return out

    async def simulations(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        return paged(
            [s for s in api.t.simulations.values() if pid is None or s["projectId"] == pid], request
        )

    async def simulation(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        sim = _simulation(request)
        return sim if isinstance(sim, Response) else ok(sim)

    async def schedule(request: Request) -> Response:
        who = api.auth(request, "simulator:run")
        if isinstance(who, Response):
            return who
        sim = _simulation(request)
        if isinstance(sim, Response):
            return sim
        data = await body(request)
        if isinstance(data, Response):
            return data
        entry = str(data.get("entrypoint") or sim["projectId"])
        if data.get("endpointId"):
            ep = api.t.endpoints.get(str(data["endpointId"]))
            if ep is None:
                return not_found("Endpoint", str(data["endpointId"]))
            entry = ep["entrypoint"]
        content = api.t.entrypoint_content(entry)
        if content is None:
            return bad_request(f"entrypoint {entry} is neither a project nor a snapshot")
        # Evaluated now against the content as it is now, published when the run completes.
        flow = simulate.find_flow(content, sim["flowReferenceId"])
        scenarios, verdicts = [], []
        for sc in sim["scenarios"]:
            turns = [simulate.run_turn(flow, turn) for turn in sc["turns"]]
            good = all(t["success"] for t in turns)
            verdicts.append(good)
            scenarios.append({"name": sc["name"], "success": good, "turns": turns})
        now = api.ctx.clock.now()
        run = {
            "_id": new_object_id(),
            "simulationReference": sim["referenceId"],
            "name": str(data.get("name") or f"Run of {sim['name']}"),
            "entrypoint": entry,
            "createdAt": api.ctx.clock.millis(now),
            "createdBy": who.client,
            "finishesAt": now + RUN_SECONDS,
            "outcome": {"metrics": simulate.metrics(verdicts), "scenarios": scenarios},
        }
        api.t.runs[run["_id"]] = run
        api.effect(request, "cognigy.simulation.schedule", run["_id"], sim["projectId"], who)
        return ok(view_run(run), 202)

    async def runs(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        sim = _simulation(request)
        if isinstance(sim, Response):
            return sim
        mine = [
            view_run(r)
            for r in api.t.runs.values()
            if r.get("simulationReference") == sim["referenceId"]
        ]
        rid = request.path_params.get("runId")
        if rid is None:
            return paged(mine, request)
        run = next((r for r in mine if r["_id"] == rid), None)
        return ok(run) if run else not_found("SimulationRun", rid)

    t = "/testing"
    return [
        Route(f"{t}/simulations", simulations),
        Route(f"{t}/simulations/{{ref}}", simulation),
        Route(f"{t}/simulations/{{ref}}/schedule", schedule, methods=["POST"]),
        Route(f"{t}/simulations/{{ref}}/runs", runs),
        Route(f"{t}/simulations/{{ref}}/runs/{{runId}}", runs),
    ]
