"""Cognigy.AI's promotion strategy, by one of two mechanisms (run param ``mechanism``).

**merge** (default): snapshot → package → upload → merge; restore the snapshot.

- rollback point: a snapshot ``cxops-<run12>-before`` of the target project (a listing by name
  first; at the platform's snapshot limit the oldest snapshot cxops made is pruned);
- stages: ``package`` (the chosen flows + every lexicon and connection of the source),
  ``upload`` (download, re-point tenant-local ``_id`` s, upload into the target project),
  ``merge`` (``replace`` by ``referenceId``; a merge task for the package is followed, not
  repeated);
- verify: target health, smoke simulations judged by the source's definitions, the id map;
- restore: ``POST /snapshots/{id}/restore`` (a restore task for the snapshot is followed).

**repoint**: the target project's content is left alone; its endpoints run a snapshot of the
source instead.

- rollback point: each target endpoint's current ``entrypoint`` (nothing is created);
- stages: ``snapshot`` (a snapshot ``cxops-<run12>-release`` of the **source** project, found by
  name first), ``transfer`` (package it, download, ``POST /snapshots/upload`` into the target
  project; found there by name first), ``repoint`` (``PATCH`` each endpoint of the rollback
  point to the uploaded snapshot; endpoints already there are skipped);
- verify: endpoints active and running the snapshot, smoke simulations run **through** each
  endpoint and judged by the source's definitions, and the strategy's own **parity**: the source
  bundle against the uploaded snapshot's content (downloaded from the target), since the target
  project's bundle does not change;
- restore: ``PATCH`` each endpoint back to its recorded entrypoint (skipping those already back)
  and read them again: the result lists the entrypoints before and after the restore.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cxops.errors import CxopsError, UsageError, VendorError
from cxops.model.bundle import Bundle
from cxops.pipelines.promote import cognigy_gates as gate
from cxops.pipelines.promote.parity import parity, portable, stable_hash
from cxops.pipelines.promote.strategy import Context, register
from cxops.vendors.deploy.cognigy import KINDS, CognigyDeployer
from cxops.vendors.deploy.cognigy_package import content_bundle, id_pairs, read_content, remap

__all__ = ["MECHANISMS", "CognigyStrategy"]

#: The run param ``mechanism``: how the target gets the release.
MECHANISMS = ("merge", "repoint")
STAGES = {"merge": ["package", "upload", "merge"], "repoint": ["snapshot", "transfer", "repoint"]}


def _id_map(source: dict[str, dict[str, str]], target: dict[str, str]) -> dict[str, Any]:
    """referenceId → ``{kind, source _id, target _id}`` (the per-environment id map)."""
    return {
        ref: {"kind": r["kind"], "source": r["_id"], "target": target.get(ref)}
        for ref, r in sorted(source.items())
    }


class CognigyStrategy:
    """See the module doc."""

    vendor: ClassVar[str] = "cognigy"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.mechanism = str(ctx.params.get("mechanism") or "merge")
        if self.mechanism not in MECHANISMS:
            raise UsageError(
                f"unknown Cognigy promotion mechanism {self.mechanism!r}",
                hint=f"known: {', '.join(MECHANISMS)}",
            )

    async def _side(self, side: str) -> CognigyDeployer:
        return CognigyDeployer(await self.ctx.client(side))

    def portable_flows(self, bundle: Bundle, flows: list[str] | None) -> list[str] | None:
        return flows  # referenceIds: the same in both environments

    def fingerprint(self, bundle: Bundle) -> str:
        return stable_hash(bundle)

    def portable(self, bundle: Bundle) -> Bundle:
        return portable(bundle)

    def stages(self, source: Bundle, target: Bundle, flows: list[str] | None) -> list[str]:
        if self.mechanism == "repoint" and flows:
            raise UsageError(
                "--flows cannot be promoted by endpoint re-point: an endpoint runs a whole "
                "snapshot of the source project",
                hint="leave out --flows, or use --mechanism merge",
            )
        return list(STAGES[self.mechanism])

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

    # -- rollback point ----------------------------------------------------------------------

    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        if self.mechanism == "repoint":
            entry = await self._entrypoints(dst, planned["target"]["id"])
            where = ", ".join(f"{eid} -> {p}" for eid, p in sorted(entry.items())) or "none"
            return {
                "mechanism": "repoint",
                "entrypoints": entry,
                "describe": f"endpoint entrypoints {where}",
            }
        name = self.ctx.name("before")
        sid = await dst.snapshot(planned["target"]["id"], name, self.ctx.key("snapshot"))
        return {"snapshot_id": sid, "name": name, "describe": f"snapshot {name} ({sid})"}

    @staticmethod
    async def _entrypoints(dst: CognigyDeployer, project_id: str) -> dict[str, str]:
        """Endpoint id → its ``entrypoint`` (project or snapshot id), for one project."""
        return {str(e["_id"]): str(e.get("entrypoint")) for e in await dst.endpoints(project_id)}

    # -- deploy ------------------------------------------------------------------------------

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        if self.mechanism == "repoint":
            return await self._repoint(stage, planned, point, done)
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

    async def _repoint(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        src, dst = await self._side("source"), await self._side("target")
        name = self.ctx.name("release")
        target_id = planned["target"]["id"]
        if stage == "snapshot":
            if not point["entrypoints"]:
                raise UsageError(
                    f"the target project {planned['target']['name']!r} has no endpoint to re-point",
                    hint="use --mechanism merge",
                )
            sid = await src.snapshot(planned["source"]["id"], name, self.ctx.key("snapshot"))
            return {"snapshot_id": sid, "name": name}
        if stage == "transfer":
            found = await dst.find_named("snapshots", target_id, name)
            if found is not None:  # uploaded before a crash: no second download or upload
                return {"snapshot_id": str(found["_id"]), "name": name}
            source_sid = done["snapshot"]["snapshot_id"]
            await src.package_snapshot(source_sid, self.ctx.key("snapshot:package"))
            data = await src.download_snapshot(source_sid)
            sid = await dst.upload_snapshot(target_id, data, name, self.ctx.key("transfer"))
            return {"snapshot_id": sid, "name": name, "bytes": len(data)}
        sid = done["transfer"]["snapshot_id"]
        endpoints: dict[str, dict[str, Any]] = {}
        for eid, before in sorted(point["entrypoints"].items()):
            patched = await dst.point_endpoint(eid, sid, self.ctx.key(f"repoint:{eid}"))
            endpoints[eid] = {"before": before, "after": sid, "patched": patched}
        return {"snapshot_id": sid, "endpoints": endpoints}

    # -- verify ------------------------------------------------------------------------------

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        if self.mechanism == "repoint":
            return await self._verify_repoint(planned, done)
        src, dst = await self._side("source"), await self._side("target")
        target_id = planned["target"]["id"]
        health = await gate.health(dst, target_id)
        simulated = await self._smoke(src, dst, planned)
        src_ids = await src.resources(planned["source"]["id"])
        dst_ids = {ref: r["_id"] for ref, r in (await dst.resources(target_id)).items()}
        return {
            "passed": health["passed"] and simulated["passed"],
            "health": health,
            "smoke": simulated,
            "id_map": _id_map(src_ids, dst_ids),
        }

    async def _smoke(
        self,
        src: CognigyDeployer,
        dst: CognigyDeployer,
        planned: dict[str, Any],
        endpoints: list[str] | None = None,
    ) -> dict[str, Any]:
        try:
            return await gate.smoke(
                src,
                dst,
                planned["source"]["id"],
                planned["target"]["id"],
                self.ctx.tests,
                planned.get("flows"),
                endpoints=endpoints,
            )
        except CxopsError as exc:  # a smoke run that cannot run fails verification
            return {"gate": "smoke", "passed": False, "error": exc.message}

    async def _verify_repoint(
        self, planned: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        src, dst = await self._side("source"), await self._side("target")
        sid = done["transfer"]["snapshot_id"]
        repointed = sorted(done["repoint"]["endpoints"])
        health = await gate.health(dst, planned["target"]["id"])
        now = await self._entrypoints(dst, planned["target"]["id"])
        stray = [eid for eid in repointed if now.get(eid) != sid]
        health.update(
            passed=health["passed"] and not stray,
            snapshot_id=sid,
            entrypoints=now,
            not_repointed=stray,
        )
        simulated = await self._smoke(src, dst, planned, endpoints=repointed)
        source = await self.ctx.bundle("source", planned["source"])
        await dst.package_snapshot(sid, self.ctx.key("verify:package"))
        content = read_content(await dst.download_snapshot(sid))
        src_ids = await src.resources(planned["source"]["id"])
        if content is None:
            score: dict[str, Any] = {
                "score": None,
                "compared": 0,
                "matched": 0,
                "differences": [f"snapshot {sid}: not compared (a file format cxops cannot read)"],
            }
            held: dict[str, str] = {}
        else:
            project = {"_id": planned["target"]["id"], "name": planned["target"]["name"]}
            tenant = str(self.ctx.params["tenants"]["target"])
            running = content_bundle(content, project, tenant=tenant)
            score = parity(portable(source), portable(running), flows=planned.get("flows"))
            held = {
                str(item.get("referenceId") or rid): str(rid)
                for kind in KINDS
                for rid, item in (content.get(kind) or {}).items()
            }
        return {
            "passed": health["passed"] and simulated["passed"],
            "health": health,
            "smoke": simulated,
            "id_map": _id_map(src_ids, held),
            "parity": {**score, "of": f"snapshot {sid} (what the endpoints run)"},
        }

    # -- restore -----------------------------------------------------------------------------

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        if point.get("mechanism") != "repoint":
            await dst.restore(point["snapshot_id"], self.ctx.key("restore"))
            return {"snapshot_id": point["snapshot_id"]}
        wanted: dict[str, str] = dict(point["entrypoints"])
        before = await self._entrypoints(dst, planned["target"]["id"])
        patched = [
            eid
            for eid, entry in sorted(wanted.items())
            if await dst.point_endpoint(eid, entry, self.ctx.key(f"restore:{eid}"))
        ]
        after = await self._entrypoints(dst, planned["target"]["id"])
        wrong = sorted(eid for eid, entry in wanted.items() if after.get(eid) != entry)
        if wrong:
            raise VendorError(f"cognigy endpoints {', '.join(wrong)} did not point back")
        return {
            "mechanism": "repoint",
            "patched": patched,
            "entrypoints_before_restore": before,
            "entrypoints_after_restore": after,
            "entrypoints_identical": True,
        }


register("cognigy", CognigyStrategy)
