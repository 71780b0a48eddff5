"""Cognigy.AI write side for promotion: snapshot, package, upload, merge, re-map, restore,
re-point, and the reads the gates need.

Two mechanisms (VENDORS.md "deploy / promote" and "rollback" rows):

- **merge**: a package of the chosen source resources (``POST /packages`` → task) is downloaded
  and uploaded to the target project (``POST /packages/upload`` → task) and merged
  (``POST /packages/{id}/merge`` → task) with ``replace`` for every resource: identity is the
  ``referenceId``. The flows' tenant-local id lists (``attachedLexicons``, ``attachedFlows``)
  are then re-pointed through the API (:meth:`CognigyDeployer.remap`). Rollback restores the
  snapshot taken before (``POST /snapshots/{id}/restore`` → task).
- **repoint**: a snapshot of the source project is packaged, downloaded and uploaded into the
  target project (``POST /snapshots/upload`` → task); each target endpoint's ``entrypoint`` is
  then ``PATCH`` ed to it. Rollback ``PATCH`` es each endpoint back.

Only documented fields are read (the official client's ``types/index.d.ts``; the field check in
``tests/contract/cognigy`` holds this module to it):

- A task's ``data`` is untyped, so what a task made is found **by name** once the task is done
  (``GET /snapshots?projectId=``, ``GET /packages?projectId=``), as the official CLI does
  (Cognigy-CLI ``src/lib/snapshots.ts``); every name is unique to the promotion run, so a
  resumed run finds its own object and never makes a second. Merges and restores are found in
  the project's task list (``GET /tasks?projectId=``) by task ``name`` and ``createdAt`` after
  the object they act on was made (one promotion per target at a time).
- Endpoint listings have no ``entrypoint`` or ``active``: each endpoint is read on its own
  (``GET /endpoints/{id}``), as the official CLI does (``src/lib/endpoints.ts``).
- ``PATCH`` answers ``{}``: every update is read back and compared.
- Package and snapshot files are Cognigy's own format: bytes cxops moves and never opens.

Snapshots count against the platform's limit of :data:`SNAPSHOT_LIMIT` per project. At the limit
the oldest snapshot cxops made itself (``cxops-*-before`` rollback points, ``cxops-*-release``
transfers) that no endpoint of the tenant runs is deleted first; no other snapshot is touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from cxops.errors import ProtocolError, VendorError
from cxops.transport import VendorClient, cognigy_pages, cognigy_task, poll_job
from cxops.transport.urls import seg

__all__ = ["API", "KINDS", "OURS", "SNAPSHOT_LIMIT", "CognigyDeployer"]

API = "/new/v2.0"
KINDS = ("flows", "lexicons", "connections")
#: Snapshots Cognigy keeps per project (an eleventh is refused).
SNAPSHOT_LIMIT = 10
#: Name suffixes of the snapshots cxops makes (``cxops-<run12>-<suffix>``): the only ones pruned.
OURS = ("-before", "-release")
#: Task states after which a task will not change any more (``TTaskStatus_2_0``).
ENDED = ("done", "error", "cancelled")
#: The flow fields holding tenant-local ``_id`` s (``IFlow_2_0``), re-pointed after a merge.
ID_LISTS = ("attachedLexicons", "attachedFlows")


def _ours(row: Mapping[str, Any]) -> bool:
    name = str(row.get("name", ""))
    return name.startswith("cxops-") and name.endswith(OURS)


class CognigyDeployer:
    """Promotion operations on one Cognigy tenant through ``client``; see the module doc."""

    def __init__(self, client: VendorClient) -> None:
        self.client = client

    # -- reads ------------------------------------------------------------------------------

    async def listing(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a paged listing below ``/new/v2.0``."""
        return [item async for item in cognigy_pages(self.client, f"{API}{path}", params)]

    async def resources(self, project_id: str) -> dict[str, dict[str, str]]:
        """``referenceId`` → ``{"_id", "kind", "name"}`` of the project's flows, lexicons and
        connections (the per-environment id map is built from two of these)."""
        out: dict[str, dict[str, str]] = {}
        for kind in KINDS:
            for item in await self.listing(f"/{kind}", projectId=project_id):
                ref = str(item.get("referenceId") or item["_id"])
                out[ref] = {"_id": str(item["_id"]), "kind": kind, "name": str(item.get("name"))}
        return out

    async def endpoint(self, endpoint_id: str) -> dict[str, Any]:
        """One endpoint in full (``IEndpoint_2_0``: ``entrypoint``, ``active``...)."""
        doc = await self.client.get_json(f"{API}/endpoints/{seg(endpoint_id)}")
        if not isinstance(doc, dict) or "entrypoint" not in doc:
            raise ProtocolError(f"cognigy GET /endpoints/{endpoint_id}: no 'entrypoint'")
        return dict(doc)

    async def endpoints(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """The project's endpoints (every endpoint of the tenant with None), each read on its
        own: the listing has neither ``entrypoint`` nor ``active``."""
        params = {"projectId": project_id} if project_id else {}
        rows = await self.listing("/endpoints", **params)
        return [await self.endpoint(str(r["_id"])) for r in rows]

    async def find_named(self, kind: str, project_id: str, name: str) -> dict[str, Any] | None:
        """The snapshot or package (``kind`` = ``snapshots``/``packages``) called ``name``."""
        rows = await self.listing(f"/{kind}", projectId=project_id)
        return next((r for r in rows if r.get("name") == name), None)

    async def find_task(self, name: str, project_id: str, since: int) -> dict[str, Any] | None:
        """The newest task called ``name`` in the project created at or after ``since``
        (epoch ms, the vendor's clock): ``name``, ``status`` and ``createdAt`` are typed on
        ``ITaskIndexItem_2_0``; ``data`` is not, so it is never read."""
        found = [
            t
            for t in await self.listing("/tasks", projectId=project_id)
            if t.get("name") == name and int(t.get("createdAt") or 0) >= since
        ]
        return max(found, key=lambda t: int(t.get("createdAt") or 0)) if found else None

    # -- effects ----------------------------------------------------------------------------

    async def wait_task(self, task_id: str) -> dict[str, Any]:
        """Poll a task to its end; the task (raises :class:`JobError` on ``error``)."""
        result = await poll_job(self.client, cognigy_task(task_id))
        return dict(result.body) if isinstance(result.body, dict) else {}

    async def _start(self, path: str, body: Any, key: str) -> str:
        created = await self.client.send_json("POST", f"{API}{path}", body, idempotency_key=key)
        return self._task_id(created, path)

    @staticmethod
    def _task_id(created: Any, path: str) -> str:
        if not isinstance(created, dict) or "_id" not in created:
            raise ProtocolError(f"cognigy POST {path}: answered without a task '_id'")
        return str(created["_id"])

    async def _made(self, kind: str, project_id: str, name: str) -> str:
        """The id of the snapshot or package ``name`` that a finished task made."""
        found = await self.find_named(kind, project_id, name)
        if found is None:  # the official CLI: "Snapshot can't be found remotely"
            raise VendorError(f"cognigy: the task ended but no {kind[:-1]} {name!r} is listed")
        return str(found["_id"])

    async def snapshot(self, project_id: str, name: str, key: str) -> str:
        """A snapshot of the project called ``name`` (reused when it exists); its id.

        At the platform's limit (:data:`SNAPSHOT_LIMIT` per project) the oldest snapshot cxops
        made that no endpoint runs is deleted first (see :meth:`make_room`).
        """
        rows = await self.listing("/snapshots", projectId=project_id)
        found = next((r for r in rows if r.get("name") == name), None)
        if found is not None:
            return str(found["_id"])
        await self.make_room(rows, key)
        body = {"projectId": project_id, "name": name, "description": "cxops rollback point"}
        if name.endswith("-release"):
            body["description"] = "cxops release (promotion by endpoint re-point)"
        await self.wait_task(await self._start("/snapshots", body, key))
        return await self._made("snapshots", project_id, name)

    async def make_room(self, rows: list[dict[str, Any]], key: str) -> str | None:
        """With ``rows`` (a project's snapshots) at the limit, delete the oldest snapshot cxops
        made (``cxops-*-before`` / ``cxops-*-release``) that no endpoint of the tenant has as its
        ``entrypoint``; its id (None when there was room, or nothing cxops may delete: then
        the vendor's refusal is the error)."""
        if len(rows) < SNAPSHOT_LIMIT:
            return None
        used = {str(e.get("entrypoint")) for e in await self.endpoints()}
        ours = sorted(
            (r for r in rows if _ours(r) and str(r["_id"]) not in used),
            key=lambda r: int(r.get("createdAt") or 0),
        )
        if not ours:
            return None
        oldest = str(ours[0]["_id"])
        created = await self.client.send_json(
            "DELETE", f"{API}/snapshots/{seg(oldest)}", idempotency_key=f"{key}:prune"
        )
        if isinstance(created, dict) and "_id" in created:
            await self.wait_task(str(created["_id"]))
        return oldest

    async def package(self, project_id: str, resource_ids: list[str], name: str, key: str) -> str:
        """A package of ``resource_ids`` called ``name`` (reused when it exists); its id."""
        found = await self.find_named("packages", project_id, name)
        if found is not None:
            return str(found["_id"])
        body = {"projectId": project_id, "name": name, "resourceIds": resource_ids}
        await self.wait_task(await self._start("/packages", body, key))
        return await self._made("packages", project_id, name)

    async def download_package(self, package_id: str) -> bytes:
        """The package's file (opaque bytes) through its download link."""
        return await self._download(f"{API}/packages/{seg(package_id)}", f"link-{package_id}")

    async def download_snapshot(self, snapshot_id: str) -> bytes:
        """The snapshot's file (opaque bytes) through its download link (package it first)."""
        return await self._download(f"{API}/snapshots/{seg(snapshot_id)}", f"link-{snapshot_id}")

    async def _download(self, where: str, key: str) -> bytes:
        link = await self.client.send_json("POST", f"{where}/downloadlink", idempotency_key=key)
        url = link.get("downloadLink") if isinstance(link, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError(f"cognigy {where}/downloadlink: no 'downloadLink'")
        return (await self.client.request("GET", url)).content

    async def package_snapshot(self, snapshot_id: str, key: str) -> None:
        """Make the snapshot downloadable (``isPackaged``); one already packaged is left alone."""
        snap = await self.client.get_json(f"{API}/snapshots/{seg(snapshot_id)}")
        if snap.get("isPackaged"):
            return
        await self.wait_task(await self._start(f"/snapshots/{seg(snapshot_id)}/package", {}, key))

    async def upload_snapshot(self, project_id: str, data: bytes, name: str, key: str) -> str:
        """Upload a snapshot file into ``project_id``; its id there (found by ``name``, the name
        the file carries: it is the source snapshot's).

        Reused when a snapshot called ``name`` is there already; an upload into the project
        still running is followed first (it may be this one, started before a crash). At the
        limit the oldest prunable snapshot goes first (:meth:`make_room`).
        """
        found = await self.find_named("snapshots", project_id, name)
        if found is not None:
            return str(found["_id"])
        running = await self.find_task("uploadSnapshotPackage", project_id, 0)
        if running is not None and running.get("status") not in ENDED:
            await self.wait_task(str(running["_id"]))
            found = await self.find_named("snapshots", project_id, name)
            if found is not None:
                return str(found["_id"])
        await self.make_room(await self.listing("/snapshots", projectId=project_id), key)
        await self.wait_task(await self._multipart("/snapshots/upload", project_id, data, key))
        return await self._made("snapshots", project_id, name)

    async def upload_package(self, project_id: str, data: bytes, name: str, key: str) -> str:
        """Upload a package file into the target project (reused when ``name`` is there)."""
        found = await self.find_named("packages", project_id, name)
        if found is not None:
            return str(found["_id"])
        await self.wait_task(await self._multipart("/packages/upload", project_id, data, key))
        return await self._made("packages", project_id, name)

    async def _multipart(self, path: str, project_id: str, data: bytes, key: str) -> str:
        # The transport sends bytes; httpx builds the multipart body and its boundary.
        form = httpx.Request(
            "POST",
            "http://multipart.invalid/",
            data={"projectId": project_id},
            files={"file": ("cxops-upload", data, "application/octet-stream")},
        )
        created = await self.client.send_json(
            "POST",
            f"{API}{path}",
            content=form.read(),
            headers={"Content-Type": form.headers["Content-Type"]},
            idempotency_key=key,
        )
        return self._task_id(created, path)

    async def point_endpoint(self, endpoint_id: str, entrypoint: str, key: str) -> bool:
        """Make the endpoint run ``entrypoint`` (a project or snapshot id); False when it did
        already. ``PATCH`` answers ``{}``, so the endpoint is read back to verify."""
        current = await self.endpoint(endpoint_id)
        if str(current.get("entrypoint")) == entrypoint:
            return False
        where = f"{API}/endpoints/{seg(endpoint_id)}"
        await self.client.send_json("PATCH", where, {"entrypoint": entrypoint}, idempotency_key=key)
        after = await self.endpoint(endpoint_id)
        if str(after.get("entrypoint")) != entrypoint:
            raise VendorError(
                f"cognigy PATCH {where}: read back, the entrypoint is {after.get('entrypoint')!r}"
                f" not {entrypoint!r}"
            )
        return True

    async def merge(
        self, project_id: str, package_id: str, resource_ids: list[str], since: int, key: str
    ) -> None:
        """Merge the package with ``replace`` for every resource (identity = referenceId).

        A ``mergePackage`` task of the project created since ``since`` (the uploaded package's
        ``createdAt``) is this merge, started before a crash: followed, not repeated.
        """
        task = await self.find_task("mergePackage", project_id, since)
        if task is not None and task.get("status") not in ("error", "cancelled"):
            if task.get("status") != "done":
                await self.wait_task(str(task["_id"]))
            return
        strategies = [{"_id": rid, "identityConflictStrategy": "replace"} for rid in resource_ids]
        body = {"resourceIds": resource_ids, "strategies": strategies, "localeMapping": []}
        await self.wait_task(await self._start(f"/packages/{seg(package_id)}/merge", body, key))

    async def remap(self, project_id: str, pairs: Mapping[str, str], key: str) -> list[str]:
        """Re-point the project's flows' ``attachedLexicons`` / ``attachedFlows`` from source
        ``_id`` s to the target's (``pairs``: same ``referenceId``), through ``PATCH
        /flows/{id}`` (answers ``{}``: each flow is read back). The names of the flows patched;
        a second call patches nothing."""
        patched: list[str] = []
        for row in await self.listing("/flows", projectId=project_id):
            where = f"{API}/flows/{seg(row['_id'])}"
            doc = await self.client.get_json(where)
            change = {}
            for field in ID_LISTS:
                ids = doc.get(field)
                if isinstance(ids, list):
                    new = [pairs.get(str(i), str(i)) for i in ids]
                    if new != [str(i) for i in ids]:
                        change[field] = new
            if not change:
                continue
            await self.client.send_json(
                "PATCH", where, change, idempotency_key=f"{key}:{row['_id']}"
            )
            back = await self.client.get_json(where)
            wrong = [f for f, ids in change.items() if back.get(f) != ids]
            if wrong:
                raise VendorError(f"cognigy PATCH {where}: read back, {', '.join(wrong)} unchanged")
            patched.append(str(doc.get("name", row["_id"])))
        return patched

    async def restore(self, project_id: str, snapshot_id: str, since: int, key: str) -> None:
        """Restore the snapshot into its project; a ``restoreSnapshot`` task of the project
        created since ``since`` (the snapshot's ``createdAt``) is followed, not repeated."""
        task = await self.find_task("restoreSnapshot", project_id, since)
        if task is not None and task.get("status") not in ("error", "cancelled"):
            if task.get("status") != "done":
                await self.wait_task(str(task["_id"]))
            return
        await self.wait_task(await self._start(f"/snapshots/{seg(snapshot_id)}/restore", {}, key))
