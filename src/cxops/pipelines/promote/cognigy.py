"""Cognigy.AI's promotion strategy: snapshot → package → upload → merge; restore the snapshot.

- rollback point: a snapshot ``cxops-<run12>-before`` of the target project (a listing by name
  first; the oldest earlier cxops rollback point is pruned at the platform's snapshot limit);
- stages: ``package`` (the chosen flows + every lexicon and connection of the source),
  ``upload`` (download, re-point tenant-local ``_id`` s, upload into the target project),
  ``merge`` (``replace`` by ``referenceId``; a merge task for the package is followed, not
  repeated);
- verify: target health, smoke simulations judged by the source's definitions, the id map;
- restore: ``POST /snapshots/{id}/restore`` (a restore task for the snapshot is followed).
"""

from __future__ import annotations

from typing import Any, ClassVar

from cxops.errors import CxopsError
from cxops.model.bundle import Bundle
from cxops.pipelines.promote import cognigy_gates as gate
from cxops.pipelines.promote.parity import portable
from cxops.pipelines.promote.strategy import Context, register
from cxops.vendors.deploy.cognigy import CognigyDeployer
from cxops.vendors.deploy.cognigy_package import id_pairs, remap

__all__ = ["CognigyStrategy"]


class CognigyStrategy:
    """See the module doc."""

    vendor: ClassVar[str] = "cognigy"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _side(self, side: str) -> CognigyDeployer:
        return CognigyDeployer(await self.ctx.client(side))

    def portable(self, bundle: Bundle) -> Bundle:
        return portable(bundle)

    def stages(self, source: Bundle, target: Bundle, flows: list[str] | None) -> list[str]:
        return ["package", "upload", "merge"]

    async def gate(self, name: str, planned: dict[str, Any]) -> dict[str, Any]:
        params, target_id = self.ctx.params, planned["target"]["id"]
        if name == "simulation":
            src = await self._side("source")
            return await gate.simulation(src, planned["source"]["id"], self.ctx.tests)
        dst = await self._side("target")
        if name == "health":
            return await gate.health(dst, target_id)
        return await gate.sessions(
            dst,
            target_id,
            timeout=params["sessions_timeout"],
            override=params["override_sessions"],
        )

    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        name = self.ctx.name("before")
        sid = await dst.snapshot(planned["target"]["id"], name, self.ctx.key("snapshot"))
        return {"snapshot_id": sid, "name": name, "describe": f"snapshot {name} ({sid})"}

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        src, dst = await self._side("source"), await self._side("target")
        name = self.ctx.name("package")
        if stage == "package":
            resources = await src.resources(planned["source"]["id"])
            chosen = planned.get("flows")
            ids = [
                r["_id"]
                for ref, r in sorted(resources.items())
                if r["kind"] != "flows" or not chosen or ref in chosen
            ]
            pid = await src.package(planned["source"]["id"], ids, name, self.ctx.key("package"))
            return {"package_id": pid, "resource_ids": ids, "source_ids": resources}
        package = done["package"]
        if stage == "upload":
            found = await dst.find_named("packages", planned["target"]["id"], name)
            if found is not None:  # uploaded before a crash: no second download or upload
                return {"package_id": str(found["_id"])}
            data = await src.download_package(package["package_id"])
            pairs = id_pairs(package["source_ids"], await dst.resources(planned["target"]["id"]))
            data, remapped = remap(data, pairs)
            key = self.ctx.key("upload")
            pid = await dst.upload_package(planned["target"]["id"], data, name, key)
            return {"package_id": pid, "bytes": len(data), "ids_remapped": remapped}
        uploaded = done["upload"]
        merged = await dst.merge(
            uploaded["package_id"], package["resource_ids"], self.ctx.key("merge")
        )
        return {"merged": merged.get("merged", {})}

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        src, dst = await self._side("source"), await self._side("target")
        target_id = planned["target"]["id"]
        health = await gate.health(dst, target_id)
        try:
            simulated = await gate.smoke(
                src,
                dst,
                planned["source"]["id"],
                target_id,
                self.ctx.tests,
                planned.get("flows"),
            )
        except CxopsError as exc:  # a smoke run that cannot run fails verification
            simulated = {"gate": "smoke", "passed": False, "error": exc.message}
        src_ids = await src.resources(planned["source"]["id"])
        dst_ids = await dst.resources(target_id)
        id_map = {
            ref: {"kind": r["kind"], "source": r["_id"], "target": dst_ids.get(ref, {}).get("_id")}
            for ref, r in sorted(src_ids.items())
        }
        return {
            "passed": health["passed"] and simulated["passed"],
            "health": health,
            "smoke": simulated,
            "id_map": id_map,
        }

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        await dst.restore(point["snapshot_id"], self.ctx.key("restore"))
        return {"snapshot_id": point["snapshot_id"]}


register("cognigy", CognigyStrategy)
