"""Playbooks, Cognigy's conversation tests (``ResourcesAPIGroup_2_0`` indexPlaybooks,
readPlaybook, schedulePlaybook, indexPlaybookRuns, readPlaybookRun).

- ``GET /playbooks?projectId=`` items are ``IPlaybookIndexItem_2_0`` (``_id``, ``name``, audit
  stamps); ``GET /playbooks/{id}`` is ``IPlaybook_2_0`` with its ``steps`` and their ``asserts``.
- ``POST /playbooks/{id}/schedule`` takes ``ISchedulePlaybookRunRestDataBody_2_0``
  (``entrypoint``, ``flowId``, ``localeId``: all three required) and answers ``{_id}``, a
  **task**: the official CLI waits for that task, reads it, and opens the run named by the
  task's ``data.playbookRunId`` (Cognigy-CLI ``src/lib/playbooks.ts``). The run is judged now,
  against what ``entrypoint`` (a project or snapshot id) runs, and published when the task is
  done.
- Runs are ``IPlaybookRunIndexItem_2_0`` in the listing and ``IPlaybookRun_2_0`` when read:
  ``status`` ``successful`` | ``failed``, ``stepResults`` with each assert's ``status``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import simulate, tasks
from cxops.emulator.cognigy.api import Api, bad_request, body, error, not_found, ok
from cxops.emulator.cognigy.routes_resources import paged
from cxops.emulator.context import new_object_id
from cxops.emulator.jobs import Job

META = ("createdAt", "lastChanged", "createdBy", "lastChangedBy")
PLAYBOOK = ("_id", "name", "abortOnError", "timeout", "steps", *META)
RUN = ("_id", "status", "stepResults", "createdAt", "lastChanged", "createdBy", "flowId")
RUN_MORE = ("localeId", "entrypoint")
MISSING_ARGUMENT = 1000  # the client's ErrorCode.MISSING_ARGUMENT_ERROR


def routes(api: Api) -> list[Route]:
    async def playbooks(request: Request) -> Response:
        who = api.auth(request, "playbooks:read")
        if isinstance(who, Response):
            return who
        pid = request.query_params.get("projectId")
        items = [
            {k: p[k] for k in ("_id", "name", *META)}
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
        return pb if isinstance(pb, Response) else ok({k: pb[k] for k in PLAYBOOK})

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
        missing = [k for k in ("entrypoint", "flowId", "localeId") if not data.get(k)]
        if missing:
            return error(400, f"{', '.join(missing)} required", MISSING_ARGUMENT)
        entry = str(data["entrypoint"])
        content = api.t.entrypoint_content(entry)
        if content is None:
            return bad_request(f"entrypoint {entry} is neither a project nor a snapshot")
        flow = simulate.find_flow(content, str(data["flowId"]))
        run = _run(api, pb, flow, entry, str(data["localeId"]))

        def done(job: Job) -> None:
            api.t.runs[run["_id"]] = run

        params = {
            "playbookId": pb["_id"],
            "playbookRunId": run["_id"],
            "projectId": pb["projectId"],
        }
        job = tasks.start(
            api.ctx, api.name, "playbook-run", "runPlaybook", params, done, who.client
        )
        api.effect(request, "cognigy.playbook.schedule", run["_id"], pb["projectId"], who)
        return ok(tasks.created_view(api.ctx, job))

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
            keys = ("_id", "status", *META)
            return paged([{k: r[k] for k in keys} for r in mine], request)
        run = next((r for r in mine if r["_id"] == rid), None)
        if run is None:
            return not_found("PlaybookRun", rid)
        return ok({k: run[k] for k in (*RUN, *RUN_MORE)})

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/playbooks", playbooks),
        Route(f"{v2}/playbooks/{{playbookId}}", playbook),
        Route(f"{v2}/playbooks/{{playbookId}}/schedule", schedule, methods=["POST"]),
        Route(f"{v2}/playbooks/{{playbookId}}/runs", runs),
        Route(f"{v2}/playbooks/{{playbookId}}/runs/{{playbookRunId}}", runs),
    ]


def _run(
    api: Api, pb: dict[str, Any], flow: dict[str, Any] | None, entry: str, locale: str
) -> dict[str, Any]:
    """The playbook's run against ``flow`` (None: the entrypoint has no such flow, all fail)."""
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
