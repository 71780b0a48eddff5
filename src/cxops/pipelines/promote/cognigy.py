"""Cognigy.AI's promotion strategy, by one of two mechanisms (run param ``mechanism``).

**merge** (default): snapshot → package → upload → merge (+ id re-map); restore the snapshot.

- rollback point: a snapshot ``cxops-<run12>-before`` of the target project (found by name
  after its task; at the platform's snapshot limit the oldest snapshot cxops made is pruned);
- stages: ``package`` (the chosen flows + every lexicon and connection of the source, found by
  name after its task), ``upload`` (the package file, opaque bytes, into the target project;
  found there by name), ``merge`` (``replace`` by ``referenceId``; a merge task of the project
  since the upload is followed, not repeated; then the flows' ``attachedLexicons`` /
  ``attachedFlows`` are re-pointed to the target's ``_id`` s through ``PATCH /flows/{id}``, read
  back; the id map is recorded in the run);
- verify: target health (each endpoint read), the target's playbooks through the project, the
  id map;
- restore: ``POST /snapshots/{id}/restore`` (a restore task of the project since the snapshot
  was taken is followed).

**repoint**: the target project's content is left alone; its endpoints run a snapshot of the
source instead.

- rollback point: each target endpoint's ``entrypoint`` (read one by one; nothing is created);
- stages: ``snapshot`` (``cxops-<run12>-release`` of the **source** project, found by name),
  ``transfer`` (package it, download, ``POST /snapshots/upload`` into the target project; found
  there by the name the file carries), ``repoint`` (``PATCH`` each endpoint to the uploaded
  snapshot, read back; endpoints already there are skipped);
- verify: endpoints active and running the snapshot, the target's playbooks through each
  endpoint, and the strategy's own **parity**: the uploaded snapshot's ``hash`` equals the
  source snapshot's (Cognigy's "hash identifying the contents", ``ISnapshot_2_0``; the file
  itself is opaque), and the source bundle then is the source bundle now;
- restore: ``PATCH`` each endpoint back to its recorded entrypoint (read back).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from cxops.errors import UsageError, VendorError
from cxops.model.bundle import Bundle
from cxops.model.native.cognigy import portable_keyphrases
from cxops.pipelines.connections import settings_for
from cxops.pipelines.engine import store_for
from cxops.pipelines.promote import cognigy_gates as gate
from cxops.pipelines.promote.parity import parity, portable, stable_hash
from cxops.pipelines.promote.strategy import Context, register
from cxops.transport import TransportOptions, VendorClient, connect_odata
from cxops.vendors.deploy.cognigy import CognigyDeployer
from cxops.vendors.deploy.cognigy_package import id_pairs

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
        """Parity's portable bundle with each lexicon's keyphrases in their portable form
        (entry and keyphrase ``_id`` s are the tenant's, see ``portable_keyphrases``)."""
        out = portable(bundle)
        resources = [
            r.model_copy(
                update={
                    "properties": {
                        **r.properties,
                        "keyphrases": portable_keyphrases(dict(r.properties)),
                    }
                }
            )
            if r.kind == "lexicon" and "keyphrases" in r.properties
            else r
            for r in out.resources
        ]
        return out.model_copy(update={"resources": resources})

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
            tests = dict(self.ctx.tests.get("cognigy") or self.ctx.tests)
            return await gate.simulation(src, planned["source"]["id"], tests, self.ctx.name)
        dst = await self._side("target")
        if name == "health":
            return await gate.health(dst, target_id)
        return await gate.sessions(
            dst,
            target_id,
            self._odata,
            timeout=params["sessions_timeout"],
            override=params["override_sessions"],
        )

    async def _odata(self) -> tuple[VendorClient, str] | None:
        """The target's OData analytics client and key (profile ``odata_url``/``odata_key``)."""
        settings = settings_for(self.ctx.params["connections"]["target"])
        if "odata" not in self.ctx.clients:
            options = TransportOptions(**self.ctx.params.get("transport", {}))
            found = connect_odata(settings, options)
            if found is None:
                return None
            self.ctx.clients["odata"] = found[0]
        assert settings.odata_key is not None  # connect_odata refused settings without it
        return self.ctx.clients["odata"], settings.odata_key.get_secret_value()

    # -- rollback point ----------------------------------------------------------------------

    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        target_id = planned["target"]["id"]
        if self.mechanism == "repoint":
            entry = await self._entrypoints(dst, target_id)
            where = ", ".join(f"{eid} -> {p}" for eid, p in sorted(entry.items())) or "none"
            return {
                "mechanism": "repoint",
                "entrypoints": entry,
                "describe": f"endpoint entrypoints {where}",
            }
        name = self.ctx.name("before")
        sid = await dst.snapshot(target_id, name, self.ctx.key("snapshot"))
        row = await dst.find_named("snapshots", target_id, name)
        taken = int((row or {}).get("createdAt") or 0)
        return {
            "snapshot_id": sid,
            "name": name,
            "taken_at": taken,
            "describe": f"snapshot {name} ({sid})",
        }

    @staticmethod
    async def _entrypoints(dst: CognigyDeployer, project_id: str) -> dict[str, str]:
        """Endpoint id → its ``entrypoint`` (project or snapshot id), each endpoint read."""
        return {str(e["_id"]): str(e["entrypoint"]) for e in await dst.endpoints(project_id)}

    # -- deploy ------------------------------------------------------------------------------

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        if self.mechanism == "repoint":
            return await self._repoint(stage, planned, point, done)
        src, dst = await self._side("source"), await self._side("target")
        name = self.ctx.name("package")
        target_id = planned["target"]["id"]
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
            before = sorted(await dst.resources(target_id))
            found = await dst.find_named("packages", target_id, name)
            if found is None:
                data = await src.download_package(package["package_id"])
                key = self.ctx.key("upload")
                await dst.upload_package(target_id, data, name, key)
                found = await dst.find_named("packages", target_id, name)
            if found is None:
                raise VendorError(f"cognigy: package {name!r} not listed after its upload")
            return {
                "package_id": str(found["_id"]),
                "uploaded_at": int(found.get("createdAt") or 0),
                "target_refs_before": before,
            }
        uploaded = done["upload"]
        await dst.merge(
            target_id,
            uploaded["package_id"],
            package["resource_ids"],
            uploaded["uploaded_at"],
            self.ctx.key("merge"),
        )
        now = await dst.resources(target_id)
        held = {r["_id"] for r in now.values()}
        reused = await asyncio.to_thread(self._previous_id_map, planned)
        # The last promotion's map first (only pairs whose target still exists), then today's
        # by referenceId: a flow may still hold the _id of a source resource gone since.
        pairs = {s: t for s, t in reused.get("pairs", {}).items() if t in held}
        pairs.update(id_pairs(package["source_ids"], now))
        remapped = await dst.remap(target_id, pairs, self.ctx.key("remap"))
        existed = set(uploaded["target_refs_before"])
        refs = [
            ref
            for ref, r in package["source_ids"].items()
            if r["_id"] in set(package["resource_ids"])
        ]
        return {
            "merged": {
                "created": sum(1 for ref in refs if ref not in existed),
                "replaced": sum(1 for ref in refs if ref in existed),
            },
            "remapped_flows": remapped,
            "id_pairs": len(pairs),
            "id_map_reused": {k: v for k, v in reused.items() if k != "pairs"},
        }

    def _previous_id_map(self, planned: dict[str, Any]) -> dict[str, Any]:
        """The id map (source ``_id`` → target ``_id``) the last succeeded promotion between the
        same tenants into the same target project recorded, and which run it was."""
        params = self.ctx.params
        runs = store_for(params["store"]).runs.list(kind="promote", status="succeeded", limit=50)
        for run in runs:
            summary = run.summary or {}
            same = run.params.get("tenants") == params["tenants"] and (
                (summary.get("plan") or {}).get("target", {}).get("id") == planned["target"]["id"]
            )
            if run.id != self.ctx.run_id and same and summary.get("id_map"):
                pairs = {
                    str(v["source"]): str(v["target"])
                    for v in summary["id_map"].values()
                    if v.get("target") and v["source"] != v["target"]
                }
                return {"from_run": run.id, "entries": len(pairs), "pairs": pairs}
        return {}

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
            row = await src.find_named("snapshots", planned["source"]["id"], name)
            return {"snapshot_id": sid, "name": name, "hash": (row or {}).get("hash")}
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

    def _tests(self) -> dict[str, Any]:
        return dict(self.ctx.tests.get("cognigy") or self.ctx.tests)

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        if self.mechanism == "repoint":
            return await self._verify_repoint(planned, done)
        src, dst = await self._side("source"), await self._side("target")
        target_id = planned["target"]["id"]
        health = await gate.health(dst, target_id)
        simulated = await gate.smoke(
            dst, target_id, self._tests(), self._verify_name, flows=planned.get("flows")
        )
        src_ids = await src.resources(planned["source"]["id"])
        dst_ids = {ref: r["_id"] for ref, r in (await dst.resources(target_id)).items()}
        return {
            "passed": health["passed"] and simulated["passed"],
            "health": health,
            "smoke": simulated,
            "id_map": _id_map(src_ids, dst_ids),
        }

    def _verify_name(self, what: str) -> str:
        return self.ctx.name(f"verify-{what}")

    async def _verify_repoint(
        self, planned: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        dst = await self._side("target")
        sid = done["transfer"]["snapshot_id"]
        target_id = planned["target"]["id"]
        repointed = sorted(done["repoint"]["endpoints"])
        health = await gate.health(dst, target_id)
        now = await self._entrypoints(dst, target_id)
        stray = [eid for eid in repointed if now.get(eid) != sid]
        health.update(
            passed=health["passed"] and not stray,
            snapshot_id=sid,
            entrypoints=now,
            not_repointed=stray,
        )
        simulated = await gate.smoke(
            dst,
            target_id,
            self._tests(),
            self._verify_name,
            through="endpoint",
            endpoints=repointed,
        )
        held = await dst.find_named("snapshots", target_id, done["transfer"]["name"])
        want = done["snapshot"].get("hash")
        source = await self.ctx.bundle("source", planned["source"])
        again = await self.ctx.bundle("source", planned["source"], fresh=True)
        if held is None or not want or held.get("hash") != want:
            score: dict[str, Any] = {
                "score": 0.0,
                "compared": 1,
                "matched": 0,
                "differences": [
                    f"snapshot {sid}: hash {(held or {}).get('hash')!r} is not the source "
                    f"snapshot's {want!r}"
                ],
            }
        else:
            score = parity(portable(source), portable(again), flows=planned.get("flows"))
        return {
            "passed": health["passed"] and simulated["passed"],
            "health": health,
            "smoke": simulated,
            # Nothing was merged into the target project: the snapshot keeps the source's ids.
            "id_map": {},
            "parity": {
                **score,
                "of": f"snapshot {sid} (what the endpoints run): same hash as the source's",
            },
        }

    # -- restore -----------------------------------------------------------------------------

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        dst = await self._side("target")
        target_id = planned["target"]["id"]
        if point.get("mechanism") != "repoint":
            since = int(point.get("taken_at") or 0)
            await dst.restore(target_id, point["snapshot_id"], since, self.ctx.key("restore"))
            return {"snapshot_id": point["snapshot_id"]}
        wanted: dict[str, str] = dict(point["entrypoints"])
        before = await self._entrypoints(dst, target_id)
        patched = [
            eid
            for eid, entry in sorted(wanted.items())
            if await dst.point_endpoint(eid, entry, self.ctx.key(f"restore:{eid}"))
        ]
        after = await self._entrypoints(dst, target_id)
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
