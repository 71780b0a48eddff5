"""Cognigy.AI write side for promotion: snapshot, package, upload, merge, restore, re-point,
gate reads.

Two mechanisms (VENDORS.md "deploy / promote" and "rollback" rows):

- **merge**: a package of the chosen source resources (``POST /packages`` → task → download
  link → zip) is uploaded to the target project (``POST /packages/upload`` → task) and merged
  (``POST /packages/{id}/merge`` → task) with the ``replace`` strategy for every resource:
  identity is the ``referenceId``, so the target keeps its own ``_id`` s and nothing is matched
  by name. Rollback restores the snapshot taken before (``POST /snapshots/{id}/restore`` → task).
- **repoint**: a snapshot of the source project is packaged (``POST /snapshots/{id}/package``),
  downloaded and uploaded into the target project (``POST /snapshots/upload`` → task); each
  target endpoint's ``entrypoint`` is then ``PATCH`` ed to that snapshot. Rollback ``PATCH`` es
  each endpoint back to the entrypoint it had.

Each effect is named after the run (``cxops-<run>-...``) and has a lookup (``find_*``) that a
resumed promotion calls first: the snapshot and package listings by name, the task list by
``type`` and parameters for merges, restores, snapshot packaging and uploads, an endpoint's
current ``entrypoint`` before it is patched.

Snapshots count against the platform's limit of :data:`SNAPSHOT_LIMIT` per project. At the limit
the oldest snapshot cxops made itself (``cxops-*-before`` rollback points, ``cxops-*-release``
transfers) that no endpoint of the tenant runs is deleted first; no other snapshot is touched.
"""

from __future__ import annotations

from typing import Any

import httpx

from cxops.errors import ProtocolError, VendorError
from cxops.transport import VendorClient, cognigy_pages, cognigy_task, poll_job
from cxops.vendors.deploy.waiting import until

__all__ = ["API", "OURS", "SNAPSHOT_LIMIT", "TESTING", "CognigyDeployer"]

API = "/new/v2.0"
TESTING = "/testing"
KINDS = ("flows", "lexicons", "connections")
#: Snapshots Cognigy keeps per project (an eleventh is refused).
SNAPSHOT_LIMIT = 10
#: Name suffixes of the snapshots cxops makes (``cxops-<run12>-<suffix>``): the only ones pruned.
OURS = ("-before", "-release")
#: Task states after which a task will not change any more.
ENDED = ("done", "error", "cancelled")


def _ours(row: dict[str, Any]) -> bool:
    name = str(row.get("name", ""))
    return name.startswith("cxops-") and name.endswith(OURS)


class CognigyDeployer:
    """Promotion operations on one Cognigy tenant through ``client``; see the module doc."""

    def __init__(self, client: VendorClient) -> None:
        self.client = client

    # -- reads ------------------------------------------------------------------------------

    async def listing(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a paged listing below ``/new/v2.0`` (or a full ``/testing`` path)."""
        url = path if path.startswith(TESTING) else f"{API}{path}"
        return [item async for item in cognigy_pages(self.client, url, params)]

    async def resources(self, project_id: str) -> dict[str, dict[str, str]]:
        """``referenceId`` → ``{"_id", "kind", "name"}`` of the project's flows, lexicons and
        connections (the per-environment id map is built from two of these)."""
        out: dict[str, dict[str, str]] = {}
        for kind in KINDS:
            for item in await self.listing(f"/{kind}", projectId=project_id):
                ref = str(item.get("referenceId") or item["_id"])
                out[ref] = {"_id": str(item["_id"]), "kind": kind, "name": str(item.get("name"))}
        return out

    async def endpoints(self, project_id: str) -> list[dict[str, Any]]:
        """The project's endpoints (health: ``active``; sessions are counted per endpoint)."""
        return await self.listing("/endpoints", projectId=project_id)

    async def active_sessions(self, endpoint_id: str) -> int:
        """Conversations the platform lists as recent on the endpoint (``total``)."""
        data = await self.client.get_json(
            f"{API}/conversations", params={"endpointId": endpoint_id}
        )
        return int(data.get("total", len(data.get("items") or [])))

    async def simulations(self, project_id: str) -> list[dict[str, Any]]:
        """The project's simulator definitions."""
        return await self.listing(f"{TESTING}/simulations", projectId=project_id)

    async def find_task(self, task_type: str, **parameters: str) -> dict[str, Any] | None:
        """The newest task of ``task_type`` whose parameters include ``parameters``."""
        found = [
            t
            for t in await self.listing("/tasks")
            if t.get("type", t.get("name")) == task_type
            and all(
                str((t.get("data") or t.get("parameters") or {}).get(k)) == v
                for k, v in parameters.items()
            )
        ]
        return max(found, key=lambda t: str(t.get("createdAt", ""))) if found else None

    async def find_named(self, kind: str, project_id: str, name: str) -> dict[str, Any] | None:
        """The snapshot or package (``kind`` = ``snapshots``/``packages``) called ``name``."""
        rows = await self.listing(f"/{kind}", projectId=project_id)
        return next((r for r in rows if r.get("name") == name), None)

    # -- effects ----------------------------------------------------------------------------

    async def wait_task(self, task_id: str) -> dict[str, Any]:
        """Poll a task to its end; its ``data`` (raises :class:`JobError` on ``error``)."""
        result = await poll_job(self.client, cognigy_task(task_id))
        data = result.body.get("data") if isinstance(result.body, dict) else None
        return data if isinstance(data, dict) else {}

    async def _start(self, path: str, body: Any, key: str) -> str:
        created = await self.client.send_json("POST", f"{API}{path}", body, idempotency_key=key)
        if not isinstance(created, dict) or "_id" not in created:
            raise ProtocolError(f"cognigy POST {path}: answered without a task '_id'")
        return str(created["_id"])

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
        data = await self.wait_task(await self._start("/snapshots", body, key))
        return str(data["snapshotId"])

    async def make_room(self, rows: list[dict[str, Any]], key: str) -> str | None:
        """With ``rows`` (a project's snapshots) at the limit, delete the oldest snapshot cxops
        made (``cxops-*-before`` / ``cxops-*-release``) that no endpoint of the tenant has as its
        ``entrypoint``; its id (None when there was room, or nothing cxops may delete: then
        the vendor's refusal is the error)."""
        if len(rows) < SNAPSHOT_LIMIT:
            return None
        used = {str(e.get("entrypoint")) for e in await self.listing("/endpoints")}
        ours = sorted(
            (r for r in rows if _ours(r) and str(r["_id"]) not in used),
            key=lambda r: str(r.get("createdAt", "")),
        )
        if not ours:
            return None
        oldest = str(ours[0]["_id"])
        created = await self.client.send_json(
            "DELETE", f"{API}/snapshots/{oldest}", idempotency_key=f"{key}:prune"
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
        data = await self.wait_task(await self._start("/packages", body, key))
        return str(data["packageId"])

    async def download_package(self, package_id: str) -> bytes:
        """The package's zip through its signed download link."""
        return await self._download(f"{API}/packages/{package_id}", f"link-{package_id}")

    async def download_snapshot(self, snapshot_id: str) -> bytes:
        """The snapshot's zip through its signed download link (package it first)."""
        return await self._download(f"{API}/snapshots/{snapshot_id}", f"link-{snapshot_id}")

    async def _download(self, where: str, key: str) -> bytes:
        link = await self.client.send_json("POST", f"{where}/downloadlink", idempotency_key=key)
        url = link.get("downloadLink") if isinstance(link, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError(f"cognigy {where}/downloadlink: no 'downloadLink'")
        return (await self.client.request("GET", url)).content

    async def _follow(self, task: dict[str, Any] | None) -> dict[str, Any] | None:
        """A task found in the task list, waited for; None when there is none or it failed."""
        if task is None or task.get("status") in ("error", "cancelled"):
            return None
        if task.get("status") == "done":
            return dict(task.get("data") or {})
        return await self.wait_task(str(task["_id"]))

    async def package_snapshot(self, snapshot_id: str, key: str) -> None:
        """Make the snapshot downloadable (``isPackaged``); a packaging task already started
        for it is followed, an already packaged snapshot is left alone."""
        snap = await self.client.get_json(f"{API}/snapshots/{snapshot_id}")
        if snap.get("isPackaged"):
            return
        task = await self.find_task("packageSnapshot", snapshotId=snapshot_id)
        if await self._follow(task) is not None:
            return
        await self.wait_task(await self._start(f"/snapshots/{snapshot_id}/package", {}, key))

    async def upload_snapshot(self, project_id: str, data: bytes, name: str, key: str) -> str:
        """Upload a snapshot zip into ``project_id``; its id there.

        Reused when a snapshot called ``name`` is there already; an upload task into the project
        still running is followed first (it may be this one, started before a crash). At the
        limit the oldest prunable snapshot goes first (:meth:`make_room`).
        """
        found = await self.find_named("snapshots", project_id, name)
        if found is not None:
            return str(found["_id"])
        task = await self.find_task("uploadSnapshotPackage", projectId=project_id)
        if task is not None and task.get("status") not in ENDED:
            await self._follow(task)
            found = await self.find_named("snapshots", project_id, name)
            if found is not None:
                return str(found["_id"])
        await self.make_room(await self.listing("/snapshots", projectId=project_id), key)
        created = await self._multipart("/snapshots/upload", project_id, data, name, key)
        return str((await self.wait_task(created))["snapshotId"])

    async def _multipart(self, path: str, project_id: str, data: bytes, name: str, key: str) -> str:
        # The transport sends bytes; httpx builds the multipart body and its boundary.
        form = httpx.Request(
            "POST",
            "http://multipart.invalid/",
            data={"projectId": project_id},
            files={"file": (f"{name}.zip", data, "application/zip")},
        )
        created = await self.client.send_json(
            "POST",
            f"{API}{path}",
            content=form.read(),
            headers={"Content-Type": form.headers["Content-Type"]},
            idempotency_key=key,
        )
        if not isinstance(created, dict) or "_id" not in created:
            raise ProtocolError(f"cognigy POST {path}: answered without a task '_id'")
        return str(created["_id"])

    async def point_endpoint(self, endpoint_id: str, entrypoint: str, key: str) -> bool:
        """Make the endpoint run ``entrypoint`` (a project or snapshot id); False when it did
        already (read first, so a repeated call patches nothing)."""
        where = f"{API}/endpoints/{endpoint_id}"
        current = await self.client.get_json(where)
        if str(current.get("entrypoint")) == entrypoint:
            return False
        done = await self.client.send_json(
            "PATCH", where, {"entrypoint": entrypoint}, idempotency_key=key
        )
        if not isinstance(done, dict) or str(done.get("entrypoint")) != entrypoint:
            raise ProtocolError(f"cognigy PATCH {where}: the entrypoint did not change")
        return True

    async def upload_package(self, project_id: str, data: bytes, name: str, key: str) -> str:
        """Upload a package zip into the target project (reused when ``name`` is there)."""
        found = await self.find_named("packages", project_id, name)
        if found is not None:
            return str(found["_id"])
        created = await self._multipart("/packages/upload", project_id, data, name, key)
        return str((await self.wait_task(created))["packageId"])

    async def merge(self, package_id: str, resource_ids: list[str], key: str) -> dict[str, Any]:
        """Merge the package with ``replace`` for every resource (identity = referenceId).

        A merge task already started for this package is followed instead of repeated.
        """
        task = await self.find_task("mergePackage", packageId=package_id)
        if task is not None:
            if task.get("status") == "done":
                return dict(task.get("data") or {})
            return await self.wait_task(str(task["_id"]))
        strategies = [{"_id": rid, "identityConflictStrategy": "replace"} for rid in resource_ids]
        body = {"resourceIds": resource_ids, "strategies": strategies, "localeMapping": []}
        return await self.wait_task(await self._start(f"/packages/{package_id}/merge", body, key))

    async def restore(self, snapshot_id: str, key: str) -> dict[str, Any]:
        """Restore the snapshot into its project (an earlier restore task is followed)."""
        task = await self.find_task("restoreSnapshot", snapshotId=snapshot_id)
        if task is not None and task.get("status") not in ("error", "cancelled"):
            if task.get("status") == "done":
                return dict(task.get("data") or {})
            return await self.wait_task(str(task["_id"]))
        return await self.wait_task(await self._start(f"/snapshots/{snapshot_id}/restore", {}, key))

    async def simulate(self, ref: str, *, endpoint_id: str | None = None) -> dict[str, Any]:
        """Schedule a simulator run and wait for it; the finished run (``metrics``...)."""
        body = {"endpointId": endpoint_id} if endpoint_id else {}
        base = f"{TESTING}/simulations/{ref}"
        run = await self.client.send_json("POST", f"{base}/schedule", body, idempotent=False)
        if not isinstance(run, dict) or "_id" not in run:
            raise ProtocolError(f"cognigy POST {base}/schedule: no run '_id'")

        async def finished() -> dict[str, Any] | None:
            doc = await self.client.get_json(f"{base}/runs/{run['_id']}")
            return dict(doc) if doc.get("status") == "completed" else None

        result = await until(finished, timeout=300.0, what=f"simulation run {run['_id']}")
        if not isinstance(result.get("metrics"), dict):
            raise VendorError(f"cognigy simulation run {run['_id']} finished without metrics")
        return result
