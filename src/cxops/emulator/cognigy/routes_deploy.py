"""Snapshots and packages (``ResourcesAPIGroup_2_0`` snapshot/package operations). Every
change runs as a task (see ``tasks`` and ``routes_tasks``); a task's ``data`` never names what it
made (the client types it ``{[key: string]: any}``): the new snapshot or package appears in
``GET /snapshots?projectId=`` / ``GET /packages?projectId=`` under its name when the task is done.
The files behind the download links are opaque to clients (``archive``).
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.cognigy import archive, merge, tasks
from cxops.emulator.cognigy.api import Api, bad_request, body, error, not_found, ok
from cxops.emulator.cognigy.fixture_projects import content_hash
from cxops.emulator.cognigy.model import MAX_SNAPSHOTS_PER_PROJECT, empty_content
from cxops.emulator.cognigy.routes_resources import paged, strip
from cxops.emulator.context import new_object_id
from cxops.emulator.jobs import Job
from cxops.emulator.tokens import Principal

PACKAGE_TTL_MS = 7 * 86_400_000


def routes(api: Api) -> list[Route]:
    ctx = api.ctx
    links: dict[str, tuple[str, str]] = {}  # download token -> (kind, id)

    def start(
        request: Request,
        who: Principal,
        kind: str,
        type_: str,
        params: dict[str, Any],
        effect: str,
        resource: str,
        project: str,
        on_done: Any,
        fail: str | None = None,
    ) -> Response:
        job = tasks.start(ctx, api.name, kind, type_, params, on_done, who.client, fail)
        api.effect(request, effect, resource, project, who, "action", {"taskId": job.id})
        return ok(tasks.created_view(ctx, job), 202)

    def snapshot_record(sid: str, pid: str, name: str, desc: str, content: Any) -> dict[str, Any]:
        return {
            "_id": sid,
            "name": name,
            "description": desc,
            "hash": content_hash(content),
            "createdAt": api.now_ms(),
            "createdBy": api.t.user,
            "isPackaged": False,
            "packageExpiresAt": 0,
            "projectId": pid,
            "content": content,
        }

    def limit_error(pid: str) -> Response | None:
        # Snapshots still being made count too, or parallel requests could pass the limit.
        now = ctx.clock.now()
        pending = sum(
            1
            for j in ctx.jobs.all()
            if j.vendor == "cognigy"
            and j.tenant == api.name
            and j.kind in ("snapshot", "snapshot-upload")
            and j.data["parameters"].get("projectId") == pid
            and not j.terminal(now)
        )
        if len(api.t.snapshots_of(pid)) + pending >= MAX_SNAPSHOTS_PER_PROJECT:
            return error(
                400,
                f"The maximum number of {MAX_SNAPSHOTS_PER_PROJECT} Snapshots per "
                "Project has been reached. Delete a Snapshot before creating a new one.",
            )
        return None

    async def snapshots(request: Request) -> Response:
        if request.method == "GET":
            who = api.auth(request, "snapshots:read")
            if isinstance(who, Response):
                return who
            pid = request.query_params.get("projectId")
            items = [
                strip(s, "content", "projectId")
                for s in api.t.snapshots.values()
                if pid is None or s["projectId"] == pid
            ]
            return paged(items, request)
        who = api.auth(request, "snapshots:write")
        if isinstance(who, Response):
            return who
        data = await body(request)
        if isinstance(data, Response):
            return data
        pid, name = data.get("projectId"), data.get("name")
        if pid not in api.t.projects:
            return not_found("Project", str(pid))
        if not isinstance(name, str) or not name:
            return bad_request("name is required")
        full = limit_error(pid)
        if full is not None:
            return full
        sid, desc = new_object_id(), str(data.get("description", ""))

        def done(job: Job) -> None:
            content = api.t.copy_content(pid)
            api.t.snapshots[sid] = snapshot_record(sid, pid, name, desc, content)

        return start(
            request,
            who,
            "snapshot",
            "createSnapshot",
            {"projectId": pid, "name": name, "description": desc},
            "cognigy.snapshot.create",
            sid,
            pid,
            done,
        )

    def _snapshot(request: Request) -> dict[str, Any] | Response:
        sid = request.path_params["snapshotId"]
        snap = api.t.snapshots.get(sid)
        return snap if snap is not None else not_found("Snapshot", sid)

    async def snapshot(request: Request) -> Response:
        write = request.method == "DELETE"
        who = api.auth(request, "snapshots:write" if write else "snapshots:read")
        if isinstance(who, Response):
            return who
        snap = _snapshot(request)
        if isinstance(snap, Response):
            return snap
        if not write:
            return ok(strip(snap, "content", "projectId", "packageExpiresAt"))
        sid = snap["_id"]
        return start(
            request,
            who,
            "snapshot-delete",
            "deleteSnapshot",
            {"snapshotId": sid, "projectId": snap["projectId"]},
            "cognigy.snapshot.delete",
            sid,
            snap["projectId"],
            lambda job: api.t.snapshots.pop(sid, None),
        )

    async def package_snapshot(request: Request) -> Response:
        who = api.auth(request, "snapshots:write")
        if isinstance(who, Response):
            return who
        snap = _snapshot(request)
        if isinstance(snap, Response):
            return snap

        def done(job: Job) -> None:
            snap.update(isPackaged=True, packageExpiresAt=api.now_ms() + PACKAGE_TTL_MS)

        return start(
            request,
            who,
            "snapshot-package",
            "packageSnapshot",
            {"snapshotId": snap["_id"], "projectId": snap["projectId"]},
            "cognigy.snapshot.package",
            snap["_id"],
            snap["projectId"],
            done,
        )

    async def restore(request: Request) -> Response:
        who = api.auth(request, "snapshots:write")
        if isinstance(who, Response):
            return who
        snap = _snapshot(request)
        if isinstance(snap, Response):
            return snap
        pid = snap["projectId"]

        def done(job: Job) -> None:
            if pid not in api.t.projects:
                raise LookupError("the snapshot's project no longer exists")
            api.t.content[pid] = copy.deepcopy(snap["content"])
            api.t.projects[pid]["lastChanged"] = api.now_ms()

        return start(
            request,
            who,
            "snapshot-restore",
            "restoreSnapshot",
            {"snapshotId": snap["_id"], "projectId": pid},
            "cognigy.snapshot.restore",
            snap["_id"],
            pid,
            done,
        )

    async def download_link(request: Request) -> Response:
        kind = "snapshot" if "snapshotId" in request.path_params else "package"
        who = api.auth(request, f"{kind}s:read")
        if isinstance(who, Response):
            return who
        if kind == "snapshot":
            rec = _snapshot(request)
            if isinstance(rec, Response):
                return rec
            if not rec["isPackaged"]:
                return error(400, "Snapshot is not packaged yet: package it first")
        else:
            found = api.t.packages.get(request.path_params["packageId"])
            if found is None:
                return not_found("Package", request.path_params["packageId"])
            rec = found
        token = secrets.token_urlsafe(24)
        links[token] = (kind, rec["_id"])
        # The link is this route's own URL (mount included) with /download in place.
        here = str(request.url.replace(query="")).removesuffix("/downloadlink")
        return ok({"downloadLink": f"{here}/download?token={token}"})

    async def download(request: Request) -> Response:
        kind = "snapshot" if "snapshotId" in request.path_params else "package"
        rid = request.path_params[f"{kind}Id"]
        if links.get(request.query_params.get("token", "")) != (kind, rid):
            return error(401, "invalid or expired download token")
        rec = (api.t.snapshots if kind == "snapshot" else api.t.packages).get(rid)
        if rec is None:
            return not_found(kind.title(), rid)
        project = api.t.projects.get(rec["projectId"], {})
        manifest = {
            "kind": kind,
            "name": rec["name"],
            "description": rec["description"],
            "hash": rec["hash"],
            "sourceProject": {"_id": rec["projectId"], "name": project.get("name", "")},
        }
        return Response(
            archive.pack(manifest, rec["content"]),
            media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="{rid}.zip"'},
        )

    async def upload(request: Request) -> Response:
        kind = "snapshot" if "/snapshots/" in request.url.path else "package"
        who = api.auth(request, f"{kind}s:write")
        if isinstance(who, Response):
            return who
        async with request.form() as form:  # closes the spooled upload files
            pid, file = form.get("projectId"), form.get("file")
            data = await file.read() if isinstance(file, UploadFile) else None
        if not isinstance(pid, str) or pid not in api.t.projects:
            return not_found("Project", str(pid))
        if data is None:
            return bad_request("multipart field 'file' is required")
        try:
            manifest, content = archive.unpack(data)
        except archive.ArchiveError as exc:
            return bad_request(str(exc))
        if kind == "snapshot":
            full = limit_error(pid)
            if full is not None:
                return full
        rid = new_object_id()
        name, desc = str(manifest.get("name", "")), str(manifest.get("description", ""))

        def done(job: Job) -> None:
            if kind == "snapshot":
                api.t.snapshots[rid] = snapshot_record(rid, pid, name, desc, content)
            else:
                api.t.packages[rid] = package_record(rid, pid, name, desc, content)

        return start(
            request,
            who,
            f"{kind}-upload",
            "uploadSnapshotPackage" if kind == "snapshot" else "uploadPackage",
            {"projectId": pid},
            f"cognigy.{kind}.upload",
            rid,
            pid,
            done,
        )

    def package_record(rid: str, pid: str, name: str, desc: str, content: Any) -> dict[str, Any]:
        return {
            "_id": rid,
            "name": name,
            "description": desc,
            "hash": content_hash(content),
            "createdAt": api.now_ms(),
            "createdBy": api.t.user,
            "projectId": pid,
            "content": content,
        }

    async def packages(request: Request) -> Response:
        if request.method == "GET":
            who = api.auth(request, "packages:read")
            if isinstance(who, Response):
                return who
            pid = request.query_params.get("projectId")
            items = [
                strip(p, "content", "projectId")
                for p in api.t.packages.values()
                if pid is None or p["projectId"] == pid
            ]
            return paged(items, request)
        who = api.auth(request, "packages:write")
        if isinstance(who, Response):
            return who
        data = await body(request)
        if isinstance(data, Response):
            return data
        pid, name, ids = data.get("projectId"), data.get("name"), data.get("resourceIds")
        if pid not in api.t.projects:
            return not_found("Project", str(pid))
        if not isinstance(name, str) or not name:
            return bad_request("name is required")
        if not isinstance(ids, list) or not ids:
            return bad_request("resourceIds must be a non-empty list")
        known = api.t.all_resources(pid)
        missing = [r for r in ids if r not in known]
        if missing:
            return bad_request(f"resources not in project {pid}: {missing}")
        rid, desc = new_object_id(), str(data.get("description", ""))

        def done(job: Job) -> None:
            content = empty_content()
            for res_id in ids:
                kind, res = api.t.all_resources(pid).get(res_id, (None, None))
                if kind is None or res is None:
                    raise LookupError(f"resource {res_id} was deleted")
                content[kind][res_id] = copy.deepcopy(res)
            api.t.packages[rid] = package_record(rid, pid, name, desc, content)

        return start(
            request,
            who,
            "package",
            "createPackage",
            {"projectId": pid, "name": name, "resourceIds": ids},
            "cognigy.package.create",
            rid,
            pid,
            done,
        )

    async def package(request: Request) -> Response:
        who = api.auth(request, "packages:read")
        if isinstance(who, Response):
            return who
        rid = request.path_params["packageId"]
        rec = api.t.packages.get(rid)
        return ok(strip(rec, "content", "projectId")) if rec else not_found("Package", rid)

    async def merge_package(request: Request) -> Response:
        who = api.auth(request, "packages:write")
        if isinstance(who, Response):
            return who
        rid = request.path_params["packageId"]
        rec = api.t.packages.get(rid)
        if rec is None:
            return not_found("Package", rid)
        data = await body(request)
        if isinstance(data, Response):
            return data
        ids, strategies = data.get("resourceIds") or [], data.get("strategies") or []
        if not isinstance(ids, list) or not isinstance(strategies, list):
            return bad_request("resourceIds and strategies must be lists")
        by_id = {s["_id"]: s for s in strategies if isinstance(s, dict) and "_id" in s}
        pid = rec["projectId"]
        items = merge.selected(rec["content"], ids)
        clash = merge.conflicts(api.t.content[pid], items, by_id)
        fail = (
            (
                f"Identity conflict: {', '.join(clash)} already exist in the project and the "
                "identityConflictStrategy is 'abort'"
            )
            if clash
            else None
        )

        def done(job: Job) -> None:
            merge.merge(api.t.content[pid], items, by_id, api.now_ms())
            api.t.projects[pid]["lastChanged"] = api.now_ms()

        return start(
            request,
            who,
            "package-merge",
            "mergePackage",
            {"packageId": rid, "projectId": pid, "resourceIds": ids},
            "cognigy.package.merge",
            rid,
            pid,
            done,
            fail,
        )

    v2 = "/new/v2.0"
    return [
        Route(f"{v2}/snapshots", snapshots, methods=["GET", "POST"]),
        Route(f"{v2}/snapshots/upload", upload, methods=["POST"]),
        Route(f"{v2}/snapshots/{{snapshotId}}", snapshot, methods=["GET", "DELETE"]),
        Route(f"{v2}/snapshots/{{snapshotId}}/package", package_snapshot, methods=["POST"]),
        Route(f"{v2}/snapshots/{{snapshotId}}/restore", restore, methods=["POST"]),
        Route(f"{v2}/snapshots/{{snapshotId}}/downloadlink", download_link, methods=["POST"]),
        Route(f"{v2}/snapshots/{{snapshotId}}/download", download),
        Route(f"{v2}/packages", packages, methods=["GET", "POST"]),
        Route(f"{v2}/packages/upload", upload, methods=["POST"]),
        Route(f"{v2}/packages/{{packageId}}", package),
        Route(f"{v2}/packages/{{packageId}}/merge", merge_package, methods=["POST"]),
        Route(f"{v2}/packages/{{packageId}}/downloadlink", download_link, methods=["POST"]),
        Route(f"{v2}/packages/{{packageId}}/download", download),
    ]
