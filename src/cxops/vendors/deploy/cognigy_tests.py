"""Cognigy.AI conversation tests and session counts, for the promotion gates.

- **Playbooks** (in the official client: ``indexPlaybooks``, ``readPlaybook``,
  ``schedulePlaybook``, ``readPlaybookRun``): ``POST /playbooks/{id}/schedule`` with
  ``{entrypoint, flowId, localeId}`` answers a task ``{_id}``; the official CLI waits for that
  task and opens the run its ``data.playbookRunId`` names (Cognigy-CLI ``src/lib/playbooks.ts``,
  the one task ``data`` key cxops reads, on that evidence). A run has ``status`` and
  ``stepResults`` with each assert's ``status``.
- **The /testing LLM simulator** (not in the client; one public source, so optional):
  ``GET /testing/simulations?projectId=`` → ``{data, pagination{total}}``; ``POST
  /testing/simulations/{id}/schedule`` with ``{name, projectReference, runConfig{entrypoint,
  flowReferenceId, localeReferenceId}, numberOfExecutions}``; results from ``GET
  /testing/simulations/batches?projectId=`` (``data`` items: ``name``, ``status``,
  ``batchMetrics.runResults{succeeded, failed}``), found by the unique name cxops gave.
  A 404 there means the tenant has no simulator: :class:`NoSimulator`.
- **Sessions** from Cognigy's OData analytics endpoint (its own host; Cognigy documentation
  "OData Analytics Endpoint"): ``GET {odata}/v2.3/Sessions?$filter=endpointReferenceId eq
  '<id>' and startedAt ge <time>&$select=sessionId&apikey=<key>`` → ``{"value": [...]}``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cxops.errors import NotFound, ProtocolError, VendorError
from cxops.transport import VendorClient
from cxops.transport.urls import seg
from cxops.vendors.deploy.cognigy import API, CognigyDeployer
from cxops.vendors.deploy.waiting import until
from cxops.vendors.reads.cognigy import ODATA_SESSIONS

__all__ = ["ODATA_VERSION", "NoSimulator", "Playbooks", "Simulator", "recent_sessions"]

TESTING = "/testing/simulations"
ODATA_VERSION = "v2.3"
#: Batch states after which a simulator batch will not change (public code: COMPLETED, FAILED).
BATCH_ENDED = ("COMPLETED", "FAILED")


class NoSimulator(Exception):
    """The tenant answers 404 under ``/testing``: it has no LLM simulator."""


class Playbooks:
    """Playbooks of one tenant."""

    def __init__(self, deployer: CognigyDeployer) -> None:
        self.d = deployer

    async def of(self, project_id: str) -> list[dict[str, Any]]:
        """The project's playbooks (``IPlaybookIndexItem_2_0``: ``_id``, ``name``)."""
        return await self.d.listing("/playbooks", projectId=project_id)

    async def run(
        self, playbook_id: str, entrypoint: str, flow_id: str, locale_id: str, key: str
    ) -> dict[str, Any]:
        """Schedule one run, wait for its task, read the run (``IPlaybookRun_2_0``)."""
        body = {"entrypoint": entrypoint, "flowId": flow_id, "localeId": locale_id}
        where = f"{API}/playbooks/{seg(playbook_id)}"
        created = await self.d.client.send_json(
            "POST", f"{where}/schedule", body, idempotent=False, idempotency_key=key
        )
        task = await self.d.wait_task(self.d._task_id(created, f"/playbooks/{seg(playbook_id)}"))
        data = task.get("data")
        run_id = data.get("playbookRunId") if isinstance(data, dict) else None
        if not isinstance(run_id, str) or not run_id:
            raise ProtocolError(f"cognigy playbook task {task.get('_id')}: no data.playbookRunId")
        run = await self.d.client.get_json(f"{where}/runs/{run_id}")
        if not isinstance(run, dict) or run.get("status") not in ("successful", "failed"):
            raise ProtocolError(f"cognigy playbook run {run_id}: no successful/failed status")
        return dict(run)


class Simulator:
    """The ``/testing`` simulator of one tenant (every call may raise :class:`NoSimulator`)."""

    def __init__(self, client: VendorClient) -> None:
        self.client = client

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        try:
            doc = await self.client.get_json(path, params=params)
        except NotFound:
            raise NoSimulator("no simulator on this tenant (404 under /testing)") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ProtocolError(f"cognigy GET {path}: no 'data' list")
        return dict(doc)

    async def simulations(self, project_id: str) -> list[dict[str, Any]]:
        """Every simulation of the project (``data`` pages, ``pagination.total``)."""
        out: list[dict[str, Any]] = []
        while True:
            doc = await self._get(TESTING, projectId=project_id, limit=100, skip=len(out))
            out += doc["data"]
            total = (doc.get("pagination") or {}).get("total")
            if not doc["data"] or not isinstance(total, int) or len(out) >= total:
                return out

    async def run(
        self,
        simulation_id: str,
        name: str,
        project_id: str,
        config: dict[str, Any],
        *,
        timeout: float = 300.0,
    ) -> dict[str, Any]:
        """Schedule one execution named ``name`` (unique to the run) and wait for its batch,
        found by that name; the finished batch. A batch already there is followed."""
        batch = await self._batch(project_id, name)
        if batch is None:
            body = {
                "name": name,
                "projectReference": project_id,
                "runConfig": config,
                "numberOfExecutions": 1,
            }
            try:
                await self.client.send_json(
                    "POST", f"{TESTING}/{seg(simulation_id)}/schedule", body, idempotent=False
                )
            except NotFound:
                raise NoSimulator("no simulator on this tenant (404 under /testing)") from None

        async def ended() -> dict[str, Any] | None:
            found = await self._batch(project_id, name)
            return found if found is not None and found.get("status") in BATCH_ENDED else None

        return await until(ended, timeout=timeout, what=f"simulator batch {name}")

    async def _batch(self, project_id: str, name: str) -> dict[str, Any] | None:
        doc = await self._get(f"{TESTING}/batches", projectId=project_id)
        return next((b for b in doc["data"] if b.get("name") == name), None)


async def recent_sessions(
    odata: VendorClient, endpoint_id: str, *, minutes: float, key: str
) -> int:
    """Sessions of the endpoint started in the last ``minutes`` (OData ``Sessions``)."""
    since = (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    flt = f"endpointReferenceId eq '{endpoint_id}' and startedAt ge {since}"
    seen: set[str] = set()
    skip, top = 0, 1000
    while True:
        params: dict[str, str | int] = {"$filter": flt, "$select": "sessionId", "apikey": key}
        params.update({"$top": top, "$skip": skip})
        try:
            doc = await odata.get_json(f"/{ODATA_VERSION}/Sessions", params=params)
        except VendorError as exc:
            raise VendorError(
                f"cognigy OData Sessions: {exc.message}",
                status=exc.status,
                hint="check odata_url and its key in the profile (the key needs the odata role)",
            ) from None
        rows = ODATA_SESSIONS.require(doc)["value"]
        seen |= {str(r.get("sessionId")) for r in rows if isinstance(r, dict)}
        if len(rows) < top:
            return len(seen)
        skip += top
