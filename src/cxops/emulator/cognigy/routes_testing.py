"""The LLM simulator under ``/testing``: only what public code that runs against real tenants
reads (it is not in the official REST client; one source, so clients keep it optional).

Evidence: a public Cognigy simulation tool (``lib/cognigy.ts`` + ``lib/types.ts``, found with
the code search; see docs/emulator/cognigy.md) lists ``GET /testing/simulations?projectId=`` as
``{data, pagination{total}}`` (items ``_id, name, projectReference, persona, mission, maxTurns,
createdAt``), schedules ``POST /testing/simulations/{id}/schedule`` with ``{name,
projectReference, runConfig{entrypoint, flowReferenceId, localeReferenceId, ...},
numberOfExecutions}`` and reads results from ``GET /testing/simulations/batches?projectId=``
(``{data: [{_id, name, status, simulationReference, numberOfExecutions, createdAt,
completedAt, batchMetrics{successRate, averageTurns, runResults{succeeded, failed}}}]}``) and
``GET /testing/simulations/batches/{id}/runs`` (``{data: [{turns: [...]}]}``). The answer to a
schedule is not read there, so it is ``{}`` here: a client finds its batch by the name it gave.

A tenant without the simulator (``CognigyTenant.simulator`` false) answers every ``/testing``
path with 404 and code 1002. The emulator judges a simulation by scenarios of its own (never
served): each execution runs them against what ``runConfig.entrypoint`` runs, at schedule time.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import simulate
from cxops.emulator.cognigy.api import RESOURCE_NOT_FOUND, Api, bad_request, body, error, ok
from cxops.emulator.cognigy.paging import PagingError, page
from cxops.emulator.context import new_object_id

RUN_SECONDS = 3.0  # emulated time a batch takes
SIMULATION = ("_id", "name", "projectReference", "persona", "mission", "maxTurns", "createdAt")


def routes(api: Api) -> list[Route]:
    def absent(request: Request) -> Response | None:
        if api.t.simulator:
            return None
        return error(404, f"Cannot {request.method} {request.url.path}", RESOURCE_NOT_FOUND)

    def view_batch(batch: dict[str, Any]) -> dict[str, Any]:
        now = api.ctx.clock.now()
        done = now >= batch["finishesAt"]
        out = {k: v for k, v in batch.items() if k not in ("finishesAt", "outcome", "projectId")}
        out["status"] = (
            "COMPLETED" if done else ("RUNNING" if now > batch["startsAt"] else "PENDING")
        )
        out.pop("startsAt")
        if done:
            out["completedAt"] = api.ctx.clock.millis(batch["finishesAt"])
            out["batchMetrics"] = batch["outcome"]["metrics"]
        return out

    async def simulations(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        if (gone := absent(request)) is not None:
            return gone
        pid = request.query_params.get("projectId")
        items = [
            {k: s[k] for k in SIMULATION if k in s}
            for s in api.t.simulations.values()
            if pid is None or s["projectReference"] == pid
        ]
        try:
            paged = page(items, request.query_params)
        except PagingError as exc:
            return bad_request(str(exc))
        return ok({"data": paged["items"], "pagination": {"total": paged["total"]}})

    async def schedule(request: Request) -> Response:
        who = api.auth(request, "simulator:run")
        if isinstance(who, Response):
            return who
        if (gone := absent(request)) is not None:
            return gone
        sid = request.path_params["simulationId"]
        sim = api.t.simulations.get(sid)
        if sim is None:
            return error(404, f"Simulation with id {sid} not found", RESOURCE_NOT_FOUND)
        data = await body(request)
        if isinstance(data, Response):
            return data
        config = data.get("runConfig")
        name = data.get("name")
        if not isinstance(name, str) or not name or not isinstance(config, dict):
            return error(400, "name and runConfig are required", 1000)
        try:
            executions = int(data.get("numberOfExecutions", 1))
        except (TypeError, ValueError):
            return bad_request("numberOfExecutions must be a number")
        if not 1 <= executions <= 50:
            return bad_request("numberOfExecutions must be between 1 and 50")
        entry = str(config.get("entrypoint") or sim["projectReference"])
        content = api.t.entrypoint_content(entry)
        if content is None:
            return bad_request(f"entrypoint {entry} is neither a project nor a snapshot")
        ref = str(config.get("flowReferenceId") or sim["flowReferenceId"])
        batch = _batch(api, sim, simulate.find_flow(content, ref), name, executions)
        api.t.batches[batch["_id"]] = batch
        pid = sim["projectReference"]
        api.effect(request, "cognigy.simulation.schedule", batch["_id"], pid, who)
        return ok({})

    async def batches(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        if (gone := absent(request)) is not None:
            return gone
        pid = request.query_params.get("projectId")
        mine = [b for b in api.t.batches.values() if pid is None or b["projectId"] == pid]
        mine.sort(key=lambda b: b["createdAt"], reverse=True)  # newest first
        return ok({"data": [view_batch(b) for b in mine]})

    async def batch_runs(request: Request) -> Response:
        who = api.auth(request, "simulator:read")
        if isinstance(who, Response):
            return who
        if (gone := absent(request)) is not None:
            return gone
        bid = request.path_params["batchId"]
        batch = api.t.batches.get(bid)
        if batch is None:
            return error(404, f"Batch with id {bid} not found", RESOURCE_NOT_FOUND)
        done = api.ctx.clock.now() >= batch["finishesAt"]
        return ok({"data": batch["outcome"]["runs"] if done else []})

    t = "/testing"
    return [
        Route(f"{t}/simulations", simulations),
        Route(f"{t}/simulations/batches", batches),
        Route(f"{t}/simulations/batches/{{batchId}}/runs", batch_runs),
        Route(f"{t}/simulations/{{simulationId}}/schedule", schedule, methods=["POST"]),
    ]


def _batch(
    api: Api, sim: dict[str, Any], flow: dict[str, Any] | None, name: str, executions: int
) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    verdicts: list[bool] = []
    for n in range(executions):
        turns = [simulate.run_turn(flow, t) for sc in sim["scenarios"] for t in sc["turns"]]
        verdicts.append(bool(turns) and all(t["success"] for t in turns))
        runs.append(
            {
                "_id": new_object_id(),
                "index": n,
                "turns": [
                    {"index": i, "inputText": t["input"], "outputText": " ".join(t["replies"])}
                    for i, t in enumerate(turns)
                ],
            }
        )
    good = sum(verdicts)
    rate = round(100.0 * good / executions, 2)
    now = api.ctx.clock.now()
    return {
        "_id": new_object_id(),
        "name": name,
        "simulationReference": sim["_id"],
        "numberOfExecutions": executions,
        "createdAt": api.ctx.clock.millis(now),
        "projectId": sim["projectReference"],
        "startsAt": now + 0.5,
        "finishesAt": now + RUN_SECONDS,
        "outcome": {
            "metrics": {
                "successRate": rate,
                "averageTurns": len(runs[0]["turns"]) if runs else 0,
                "runResults": {"succeeded": good, "failed": executions - good},
                "averageSuccessRateForRuns": {
                    "percentage": rate,
                    "fraction": f"{good}/{executions}",
                },
            },
            "runs": runs,
        },
    }
