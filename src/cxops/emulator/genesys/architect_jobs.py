"""Architect export, import and validate jobs (SDK ``ArchitectApi``).

- ``POST /api/v2/flows/export/jobs`` (``post_flows_export_jobs``, body
  ``RegisterArchitectExportJob{flows:[ExportDetails{flow:{id,version},exportType,fileName}]}``)
  → ``RegisterArchitectExportJobResponse``; ``GET /flows/export/jobs/{id}`` →
  ``ArchitectExportJobStateResponse`` with ``downloadUrl`` once ``Success``.
- ``POST /api/v2/flows/jobs`` (``post_flows_jobs``) → ``RegisterArchitectJobResponse``
  ``{id, presignedUrl, headers}``; the file is PUT to ``presignedUrl`` (served here), then
  ``GET /flows/jobs/{id}`` → ``ArchitectJobStateResponse`` (``flow`` and ``command`` once done).
- ``POST /api/v2/flows/validate/jobs`` (body ``RegisterArchitectValidateJob{flows:[{flow:
  {id,version}}]}``) → ``GET /flows/validate/jobs/{id}`` (``ArchitectValidateJobStateResponse``).

Lifecycle: ``Registered → Started → Success | Failure`` on the emulator clock, with job faults
``export``, ``import`` and ``validate``; a failure's reason is an ``Error`` message. Job reads
carry ``messages`` only when asked with ``expand=messages`` (SDK ``get_flows_*jobs_job_id``
``expand`` parameter; a real org answers the same way).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys import importer, validate
from cxops.emulator.genesys.common import (
    Api,
    effect,
    job_messages,
    job_status,
    mount_url,
    multi,
    ok,
    signature,
)
from cxops.emulator.genesys.state import Flow, Version
from cxops.emulator.jobs import FAILURE, SUCCESS, Job
from cxops.emulator.tokens import Principal

EXPORT_PHASES = [("Registered", 0.5), ("Started", 2.0)]
IMPORT_PHASES = [("Started", 3.0)]  # "Registered" lasts until the file is uploaded
VALIDATE_PHASES = [("Registered", 0.5), ("Started", 1.5)]
EXPORT_TYPES = {"Architect": "json", "Yaml": "yaml"}


def _flow_refs(api: Api, body: Any) -> list[tuple[dict[str, Any], Flow, Version]] | Response:
    """``(details, flow, version)`` for each ``flows[]`` entry, or a 400/404 response."""
    rows = body.get("flows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows:
        return api.error(400, "The request must name at least one flow in 'flows'.", "bad.request")
    out = []
    for row in rows:
        ref = row.get("flow") if isinstance(row, dict) else None
        if not isinstance(ref, dict) or not ref.get("id"):
            return api.error(400, "Each entry of 'flows' needs flow.id.", "bad.request")
        flow = api.org.flows.get(str(ref["id"]))
        if flow is None:
            return api.error(404, f"Flow '{ref['id']}' not found.", "not.found")
        vid = ref.get("version") or flow.published or flow.latest().id
        version = flow.version(str(vid))
        if version is None:
            return api.error(404, f"Flow version '{vid}' not found.", "not.found")
        out.append((row, flow, version))
    return out


def _expand(request: Request) -> bool:
    """Whether the read asked for ``expand=messages`` (job reads leave messages out unless)."""
    return "messages" in multi(request.query_params, "expand")


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def routes(api: Api) -> list[Route]:
    """The job routes of one tenant (registration, state, signed download and upload)."""

    async def export_register(request: Request) -> Response:
        who = api.auth(request, "architect:flow:view")
        if not isinstance(who, Principal):
            return who
        found = _flow_refs(api, await _json(request))
        if isinstance(found, Response):
            return found
        files = []
        for row, _, version in found:
            kind = row.get("exportType") or "Architect"
            if kind not in EXPORT_TYPES:
                return api.error(400, f"exportType must be one of {sorted(EXPORT_TYPES)}.")
            cfg = version.config
            name = row.get("fileName") or f"{cfg['name']}_v{version.id}.{EXPORT_TYPES[kind]}"
            files.append((name, importer.export_file(cfg, kind)))
        name, data = importer.bundle(files)
        job = api.start_job("export", list(EXPORT_PHASES))
        api.org.exports[job.id] = {"name": name, "data": data, "sig": signature()}
        return ok(
            {
                "id": job.id,
                "status": "Registered",
                "totalFlows": len(files),
                "selfUri": f"/api/v2/flows/export/jobs/{job.id}",
            }
        )

    async def export_state(request: Request) -> Response:
        who = api.auth(request, "architect:job:view")
        if not isinstance(who, Principal):
            return who
        job = api.ctx.jobs.get(request.path_params["job_id"])
        if job is None or job.kind != "export" or job.tenant != api.tenant:
            return api.error(404, "Export job not found.", "not.found")
        state, _ = job.status(api.now())
        body: dict[str, Any] = {
            "id": job.id,
            "status": job_status(state),
            "command": "Export",
            "selfUri": f"/api/v2/flows/export/jobs/{job.id}",
        }
        if _expand(request):
            body["messages"] = job_messages(job, state)
        file = api.org.exports.get(job.id)
        if state == SUCCESS and file is not None:
            body["downloadUrl"] = (
                f"{mount_url(request)}/downloads/architect/exports/{job.id}/{quote(file['name'])}"
                f"?signature={file['sig']}"
            )
        return ok(body)

    async def export_download(request: Request) -> Response:
        file = api.org.exports.get(request.path_params["job_id"])
        job = api.ctx.jobs.get(request.path_params["job_id"])
        if file is None or job is None or request.query_params.get("signature") != file["sig"]:
            return api.error(403, "The download URL is invalid or has expired.", "forbidden")
        if job.status(api.now())[0] != SUCCESS:
            return api.error(404, "The export is not ready.", "not.found")
        kind = "application/zip" if file["name"].endswith(".zip") else "application/octet-stream"
        disposition = f'attachment; filename="{file["name"]}"'
        return Response(file["data"], media_type=kind, headers={"Content-Disposition": disposition})

    async def import_register(request: Request) -> Response:
        who = api.auth(request, "architect:flow:edit")
        if not isinstance(who, Principal):
            return who
        jid, sig = new_uuid(), signature()
        api.org.uploads[jid] = {"sig": sig, "client": who.client, "job": None}
        upload = f"{mount_url(request)}/uploads/architect/jobs/{jid}"
        return ok(
            {
                "id": jid,
                "presignedUrl": f"{upload}?signature={sig}",
                "headers": {"Content-Type": "application/octet-stream"},
                "selfUri": f"/api/v2/flows/jobs/{jid}",
            }
        )

    async def import_upload(request: Request) -> Response:
        jid = request.path_params["job_id"]
        reg = api.org.uploads.get(jid)
        if reg is None or request.query_params.get("signature") != reg["sig"]:
            return api.error(403, "The upload URL is invalid or has expired.", "forbidden")
        if reg["job"] is not None:
            return api.error(409, "A file was already uploaded for this job.", "conflict")
        data = await request.body()
        try:
            cfg: dict[str, Any] | None = importer.parse(data)
            problem = None
        except ValueError as exc:
            cfg, problem = None, str(exc)
        org = api.org
        client = reg["client"]

        def done(job: Job) -> None:
            result = importer.apply(org, job.data["config"], api.now(), client)
            job.result.update(flow=result.flow.id, version=result.version, created=result.created)

        job = api.start_job("import", list(IMPORT_PHASES), done, {"config": cfg}, job_id=jid)
        if problem is not None and job.outcome == SUCCESS:
            job.outcome, job.reason = FAILURE, problem
        reg["job"] = job.id
        existing = org.flow_named(cfg["name"], importer.flow_type(cfg)) if cfg else None
        reg["command"] = "Update" if existing else "Create"
        effect(request, "flow.import", jid)
        return Response(status_code=200)

    async def import_state(request: Request) -> Response:
        who = api.auth(request, "architect:job:view")
        if not isinstance(who, Principal):
            return who
        jid = request.path_params["job_id"]
        reg = api.org.uploads.get(jid)
        if reg is None:
            return api.error(404, "Architect job not found.", "not.found")
        body: dict[str, Any] = {"id": jid, "selfUri": f"/api/v2/flows/jobs/{jid}"}
        job = api.ctx.jobs.get(reg["job"]) if reg["job"] else None
        if job is None:
            return ok(
                {**body, "status": "Registered", **({"messages": []} if _expand(request) else {})}
            )
        state, _ = job.status(api.now())
        body.update(status=job_status(state), command=reg["command"])
        if _expand(request):
            body["messages"] = job_messages(job, state)
        if state == SUCCESS and job.result.get("flow"):
            fid = job.result["flow"]
            body["flow"] = {"id": fid, "selfUri": f"/api/v2/flows/{fid}"}
        return ok(body)

    async def validate_register(request: Request) -> Response:
        who = api.auth(request, "architect:flow:view")
        if not isinstance(who, Principal):
            return who
        found = _flow_refs(api, await _json(request))
        if isinstance(found, Response):
            return found
        msgs = [m for _, flow, ver in found for m in validate.messages(api.org, flow, ver)]
        job = api.start_job("validate", list(VALIDATE_PHASES), data={"messages": msgs})
        return ok(
            {
                "id": job.id,
                "status": "Registered",
                "totalFlows": len(found),
                "selfUri": f"/api/v2/flows/validate/jobs/{job.id}",
            }
        )

    async def validate_state(request: Request) -> Response:
        who = api.auth(request, "architect:job:view")
        if not isinstance(who, Principal):
            return who
        job = api.ctx.jobs.get(request.path_params["job_id"])
        if job is None or job.kind != "validate" or job.tenant != api.tenant:
            return api.error(404, "Validate job not found.", "not.found")
        state, _ = job.status(api.now())
        msgs = job.data["messages"] if state == SUCCESS else job_messages(job, state)
        body: dict[str, Any] = {
            "id": job.id,
            "status": job_status(state),
            "command": "Validate",
            "selfUri": f"/api/v2/flows/validate/jobs/{job.id}",
        }
        if _expand(request):
            body["messages"] = msgs
        return ok(body)

    return [
        Route("/api/v2/flows/export/jobs", export_register, methods=["POST"]),
        Route("/api/v2/flows/export/jobs/{job_id}", export_state, methods=["GET"]),
        Route("/downloads/architect/exports/{job_id}/{name}", export_download, methods=["GET"]),
        Route("/api/v2/flows/jobs", import_register, methods=["POST"]),
        Route("/api/v2/flows/jobs/{job_id}", import_state, methods=["GET"]),
        Route("/uploads/architect/jobs/{job_id}", import_upload, methods=["PUT"]),
        Route("/api/v2/flows/validate/jobs", validate_register, methods=["POST"]),
        Route("/api/v2/flows/validate/jobs/{job_id}", validate_state, methods=["GET"]),
    ]
