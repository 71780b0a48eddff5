"""Genesys Cloud write side for promotion: export a flow file, import it, publish, move.

Mechanism (VENDORS.md "deploy / promote" and "rollback" rows): an Architect export job gives the
flow's file from the source; an import job (``POST /flows/jobs`` → ``{id, presignedUrl,
headers}``, PUT the file, poll ``GET /flows/jobs/{id}``) checks a new version in on the target
(same name and type; ids of references are re-bound by name by Architect); publish makes it
run (an Operation followed on the flow). Rollback imports the configuration document kept at the
rollback point as a new version and publishes it: ``POST /flows/actions/revert`` has no
documented meaning beyond "Revert flow", so nothing here relies on it.

Asking before repeating: an import is skipped when the target flow's newest version already
holds the file's configuration; a publish when the wanted version is already the published one.

"""

from __future__ import annotations

import json
from typing import Any

from cxops.errors import NotFound, ProtocolError
from cxops.transport import (
    Cadence,
    VendorClient,
    genesys_export_job,
    genesys_import_job,
    genesys_operation,
    genesys_pages,
    poll_job,
)
from cxops.transport.urls import seg

__all__ = ["API", "GenesysDeployer", "same_content"]

API = "/api/v2"


class GenesysDeployer:
    """Promotion operations on one Genesys Cloud org through ``client``; see the module doc."""

    def __init__(self, client: VendorClient, *, cadence: Cadence | None = None) -> None:
        self.client = client
        #: How often jobs and publish operations are polled (the poller's default when None).
        self.cadence = cadence

    async def flows(self) -> list[dict[str, Any]]:
        """Every flow of the org (id, name, type, versions...)."""
        return [f async for f in genesys_pages(self.client, f"{API}/flows") if isinstance(f, dict)]

    async def find(self, name: str, flow_type: str) -> dict[str, Any] | None:
        """The flow called ``name`` of ``flow_type`` (how Architect matches an import)."""
        return next(
            (f for f in await self.flows() if f.get("name") == name and f.get("type") == flow_type),
            None,
        )

    async def flow(self, flow_id: str) -> dict[str, Any]:
        """One flow (``publishedVersion``, ``checkedInVersion``, ``currentOperation``...)."""
        return dict(await self.client.get_json(f"{API}/flows/{seg(flow_id)}"))

    async def configuration(self, flow_id: str, version: str) -> dict[str, Any]:
        """The configuration document of one version."""
        url = f"{API}/flows/{seg(flow_id)}/versions/{seg(version)}/configuration"
        return dict(await self.client.get_json(url))

    async def export_file(self, flow_id: str, version: str | None = None) -> bytes:
        """The flow's Architect file (JSON) at ``version`` (default: the published one)."""
        ref: dict[str, Any] = {"id": flow_id, **({"version": version} if version else {})}
        body = {"flows": [{"flow": ref, "exportType": "Architect"}]}
        job = await self.client.send_json("POST", f"{API}/flows/export/jobs", body)
        if not isinstance(job, dict) or "id" not in job:
            raise ProtocolError("genesys POST /flows/export/jobs answered without a job 'id'")
        result = await poll_job(
            self.client, genesys_export_job(str(job["id"])), cadence=self.cadence
        )
        url = result.body.get("downloadUrl") if isinstance(result.body, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError(f"genesys export job {job['id']}: no 'downloadUrl'")
        return (await self.client.request("GET", url)).content

    async def _holds(self, doc: dict[str, Any]) -> str | None:
        """The target flow id when its newest version already has ``doc``'s configuration."""
        # The document's type is Architect's lower-case one (``inboundcall``), the entity's upper.
        found = await self.find(str(doc.get("name")), str(doc.get("type")).upper())
        newest = (found or {}).get("checkedInVersion") or {}
        if not found or not newest.get("id"):
            return None
        current = await self.configuration(str(found["id"]), str(newest["id"]))
        return str(found["id"]) if same_content(current, doc) else None

    async def import_file(self, data: bytes, key: str) -> dict[str, Any]:
        """Import a flow file (a new checked-in version); ``{"flow_id", "command"}``.

        Skipped (``command: "none"``) when the target's newest version already holds it.
        """
        doc = json.loads(data)
        held = await self._holds(doc) if isinstance(doc, dict) else None
        if held is not None:
            return {"flow_id": held, "command": "none"}
        job = await self.client.send_json(
            "POST", f"{API}/flows/jobs", {"createStubs": False}, idempotency_key=key
        )
        if not isinstance(job, dict) or not job.get("presignedUrl"):
            raise ProtocolError("genesys POST /flows/jobs answered without a 'presignedUrl'")
        headers = {str(k): str(v) for k, v in (job.get("headers") or {}).items()}
        await self.client.request("PUT", str(job["presignedUrl"]), content=data, headers=headers)
        result = await poll_job(
            self.client, genesys_import_job(str(job["id"])), cadence=self.cadence
        )
        body = result.body if isinstance(result.body, dict) else {}
        flow = body.get("flow") or {}
        if not flow.get("id"):
            raise ProtocolError(f"genesys import job {job['id']}: no flow in the result")
        return {"flow_id": str(flow["id"]), "command": str(body.get("command", ""))}

    async def publish(self, flow_id: str, version: str | None, key: str) -> dict[str, Any]:
        """Publish ``version`` (default: the newest) and follow it; the flow afterwards.

        Nothing is sent when that version is already the published one.
        """
        flow = await self.flow(flow_id)
        wanted = version or (flow.get("checkedInVersion") or {}).get("id")
        if wanted and (flow.get("publishedVersion") or {}).get("id") == wanted:
            return flow
        params = {"flow": flow_id, **({"version": wanted} if wanted else {})}
        op = await self.client.send_json(
            "POST", f"{API}/flows/actions/publish", params=params, idempotency_key=key
        )
        op_id = str(op.get("id")) if isinstance(op, dict) and op.get("id") else None
        await poll_job(self.client, genesys_operation(flow_id, op_id), cadence=self.cadence)
        return await self.flow(flow_id)

    async def delete(self, flow_id: str, key: str) -> bool:
        """Delete a flow (every version); False when it was already gone."""
        try:
            await self.flow(flow_id)
        except NotFound:
            return False
        await self.client.request("DELETE", f"{API}/flows/{seg(flow_id)}", idempotency_key=key)
        return True

    async def move(self, flow_id: str, division: str) -> bool:
        """Put the flow in the division called ``division`` (an import creates a flow in the
        Home division); False when it is there already or the org has no such division.
        ``PUT /flows/{id}`` (``put_flow``, a ``Flow`` body) and ``GET /authorization/divisions``
        (``get_authorization_divisions``, ``name`` filter)."""
        flow = await self.flow(flow_id)
        if (flow.get("division") or {}).get("name") == division:
            return False
        found = [
            d
            async for d in genesys_pages(
                self.client, f"{API}/authorization/divisions", {"name": division}
            )
            if isinstance(d, dict) and d.get("name") == division
        ]
        if not found:
            return False
        body = {k: flow[k] for k in ("name", "type", "description") if k in flow}
        body["division"] = {"id": str(found[0]["id"])}
        await self.client.send_json("PUT", f"{API}/flows/{seg(flow_id)}", body, idempotent=True)
        return True


def _ids(doc: Any, out: set[str]) -> set[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "id" and isinstance(value, str):
                out.add(value)
            _ids(value, out)
    elif isinstance(doc, list):
        for item in doc:
            _ids(item, out)
    return out


def _normal(doc: Any, ids: set[str]) -> Any:
    if isinstance(doc, dict):
        return {k: _normal(v, ids) for k, v in doc.items() if k not in STAMPS}
    if isinstance(doc, list):
        return [_normal(v, ids) for v in doc]
    return "<id>" if isinstance(doc, str) and doc in ids else doc


#: Per-save stamps; every other difference is content (Architect numbers every item and action:
#: ``trackingId`` and ``nextTrackingNumber`` travel with the document and are content too).
STAMPS = frozenset({"selfUri", "dateModified", "modifiedBy"})


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same content up to org-local ids: any string used as an ``id`` in its own document
    (the flow's, its division's, its references') compares as a placeholder, wherever it
    appears (action properties hold the same ids)."""
    return bool(_normal(a, _ids(a, set())) == _normal(b, _ids(b, set())))
