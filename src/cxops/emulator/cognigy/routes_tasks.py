"""Tasks (``MetricsAPIGroup_2_0`` indexTasks, readTask, cancelTask)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import tasks
from cxops.emulator.cognigy.api import Api, error, not_found, ok
from cxops.emulator.cognigy.routes_resources import paged
from cxops.emulator.jobs import Job


def routes(api: Api) -> list[Route]:
    ctx = api.ctx

    async def task_index(request: Request) -> Response:
        who = api.auth(request, "tasks:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        mine = [
            j
            for j in ctx.jobs.all()
            if j.vendor == "cognigy"
            and j.tenant == api.name
            and (pid is None or j.data["parameters"].get("projectId") == pid)
        ]
        mine.sort(key=lambda j: j.created)
        return paged([tasks.task_view(ctx, j) for j in mine], request)

    def _task(request: Request) -> Job | Response:
        tid = request.path_params["taskId"]
        job = ctx.jobs.get(tid)
        if job is None or job.vendor != "cognigy" or job.tenant != api.name:
            return not_found("Task", tid)
        return job

    async def task(request: Request) -> Response:
        who = api.auth(request, "tasks:read")
        if isinstance(who, Response):
            return who
        job = _task(request)
        return job if isinstance(job, Response) else ok(tasks.task_view(ctx, job))

    async def cancel(request: Request) -> Response:
        who = api.auth(request, "tasks:write")
        if isinstance(who, Response):
            return who
        job = _task(request)
        if isinstance(job, Response):
            return job
        if job.terminal(ctx.clock.now()):
            return error(400, f"Task {job.id} has already finished")
        ctx.jobs.cancel(job.id)
        api.effect(request, "cognigy.task.cancel", job.id, None, who)
        return ok({})  # ICancelTaskRestReturnValue_2_0 is empty

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/tasks", task_index),
        Route(f"{v2}/tasks/{{taskId}}", task),
        Route(f"{v2}/tasks/{{taskId}}/cancel", cancel, methods=["POST"]),
    ]
