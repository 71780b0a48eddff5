"""The promotion's DBOS steps (each also a store step, see ``pipelines.record``).

Vendor-side effects are one step each (snapshot, package, upload, merge, restore), named after
the run and keyed ``<run>:<step>``; the deployer asks the vendor first whether the effect already
happened (by name or by task), so a step re-run after a crash does not deploy twice.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from cxops.errors import CxopsError, UsageError
from cxops.pipelines.engine import store_for
from cxops.pipelines.promote import gates as gate
from cxops.pipelines.promote.parity import parity, stable_hash
from cxops.pipelines.promote.plan import check_version, diff_doc, latest_tag
from cxops.pipelines.promote.state import adapter, bundle, deployer
from cxops.pipelines.record import notify, recorded
from cxops.vendors import pick_flows, pick_project
from cxops.vendors.deploy.cognigy_package import id_pairs, remap

__all__ = [
    "deploy_merge",
    "deploy_package",
    "deploy_upload",
    "plan",
    "rollback_point",
    "run_gates",
    "verify",
]


def _name(run_id: str, what: str) -> str:
    return f"cxops-{run_id[:12]}-{what}"


async def _step(params: dict[str, Any], run_id: str, name: str, work: Any) -> dict[str, Any]:
    store = store_for(params["store"])
    result = await recorded(store, run_id, name, f"{run_id}:{name.split('.', 1)[1]}", work)
    notify(run_id, "step", step=name)
    return result


@DBOS.step(name="promote.plan")
async def plan(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Find the project on both sides, diff target → source, check ``--version``."""

    async def work() -> dict[str, Any]:
        src_projects = await (await adapter(run_id, params, "source")).list_projects()
        if not params.get("project") and len(src_projects) > 1:
            names = ", ".join(p.name for p in src_projects)
            raise UsageError(
                f"the source has {len(src_projects)} projects ({names})", hint="pass --project NAME"
            )
        src = pick_project(src_projects, params.get("project") or src_projects[0].id)
        dst_projects = await (await adapter(run_id, params, "target")).list_projects()
        dst = pick_project(dst_projects, params.get("target_project") or src.name)
        source = {"id": src.id, "name": src.name}
        target = {"id": dst.id, "name": dst.name}
        a = await bundle(run_id, params, "source", source)
        b = await bundle(run_id, params, "target", target)
        diff = diff_doc(b, a)
        previous = latest_tag(params.get("repo"))
        flows = None
        if params.get("flows"):
            refs = await (await adapter(run_id, params, "source")).list_flows(src)
            flows = [f.aliases[0] if f.aliases else f.id for f in pick_flows(refs, params["flows"])]
        return {
            "source": source,
            "target": target,
            "flows": flows,
            "diff": diff,
            "version": check_version(params.get("version"), previous, diff["bump"]),
            "source_hash": stable_hash(a),
            "target_hash_before": stable_hash(b),
        }

    return await _step(params, run_id, "promote.plan", work)


@DBOS.step(name="promote.gates")
async def run_gates(run_id: str, params: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
    """Every requested gate's evidence; ``passed`` only when all passed."""

    async def work() -> dict[str, Any]:
        evidence: list[dict[str, Any]] = []
        src = await deployer(run_id, params, "source")
        dst = await deployer(run_id, params, "target")
        target_id = planned["target"]["id"]
        for name in params["gates"]:
            if name == "validation":
                b = await bundle(run_id, params, "source", planned["source"])
                evidence.append(gate.validation(b, params["max_nodes"]))
            elif name == "simulation":
                tests = params.get("tests") or {}
                evidence.append(await gate.simulation(src, planned["source"]["id"], tests))
            elif name == "health":
                evidence.append(await gate.health(dst, target_id))
            elif name == "sessions":
                evidence.append(
                    await gate.sessions(
                        dst,
                        target_id,
                        timeout=params["sessions_timeout"],
                        override=params["override_sessions"],
                    )
                )
        return {"passed": all(e["passed"] for e in evidence), "gates": evidence}

    return await _step(params, run_id, "promote.gates", work)


@DBOS.step(name="promote.snapshot")
async def rollback_point(
    run_id: str, params: dict[str, Any], planned: dict[str, Any]
) -> dict[str, Any]:
    """Snapshot the target project before anything changes (the rollback point)."""

    async def work() -> dict[str, Any]:
        dst = await deployer(run_id, params, "target")
        name = _name(run_id, "before")
        sid = await dst.snapshot(planned["target"]["id"], name, f"{run_id}:snapshot")
        return {"snapshot_id": sid, "name": name}

    return await _step(params, run_id, "promote.snapshot", work)


@DBOS.step(name="promote.package")
async def deploy_package(
    run_id: str, params: dict[str, Any], planned: dict[str, Any]
) -> dict[str, Any]:
    """Package the chosen flows and every lexicon and connection of the source project."""

    async def work() -> dict[str, Any]:
        src = await deployer(run_id, params, "source")
        resources = await src.resources(planned["source"]["id"])
        chosen = planned.get("flows")
        ids = [
            r["_id"]
            for ref, r in sorted(resources.items())
            if r["kind"] != "flows" or not chosen or ref in chosen
        ]
        pid = await src.package(
            planned["source"]["id"], ids, _name(run_id, "package"), f"{run_id}:package"
        )
        return {"package_id": pid, "resource_ids": ids, "source_ids": resources}

    return await _step(params, run_id, "promote.package", work)


@DBOS.step(name="promote.upload")
async def deploy_upload(
    run_id: str, params: dict[str, Any], planned: dict[str, Any], package: dict[str, Any]
) -> dict[str, Any]:
    """Download the source package and upload it into the target project."""

    async def work() -> dict[str, Any]:
        src = await deployer(run_id, params, "source")
        dst = await deployer(run_id, params, "target")
        name = _name(run_id, "package")
        found = await dst.find_named("packages", planned["target"]["id"], name)
        if found is not None:  # uploaded before a crash: no second download or upload
            return {"package_id": str(found["_id"])}
        data = await src.download_package(package["package_id"])
        pairs = id_pairs(package["source_ids"], await dst.resources(planned["target"]["id"]))
        data, remapped = remap(data, pairs)
        pid = await dst.upload_package(planned["target"]["id"], data, name, f"{run_id}:upload")
        return {"package_id": pid, "bytes": len(data), "ids_remapped": remapped}

    return await _step(params, run_id, "promote.upload", work)


@DBOS.step(name="promote.merge")
async def deploy_merge(
    run_id: str, params: dict[str, Any], package: dict[str, Any], uploaded: dict[str, Any]
) -> dict[str, Any]:
    """Merge the uploaded package into the target (``replace`` by referenceId)."""

    async def work() -> dict[str, Any]:
        dst = await deployer(run_id, params, "target")
        data = await dst.merge(uploaded["package_id"], package["resource_ids"], f"{run_id}:merge")
        return {"merged": data.get("merged", {})}

    return await _step(params, run_id, "promote.merge", work)


@DBOS.step(name="promote.verify")
async def verify(run_id: str, params: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
    """After the deploy: target health, a smoke simulation, parity and the id map.

    Never raises for a failed check: ``passed`` says, the workflow decides to roll back.
    """

    async def work() -> dict[str, Any]:
        dst = await deployer(run_id, params, "target")
        target_id = planned["target"]["id"]
        health = await gate.health(dst, target_id)
        src = await deployer(run_id, params, "source")
        try:
            simulated = await gate.smoke(
                src,
                dst,
                planned["source"]["id"],
                target_id,
                params.get("tests") or {},
                planned.get("flows"),
            )
        except CxopsError as exc:  # a smoke run that cannot run fails verification
            simulated = {"gate": "smoke", "passed": False, "error": exc.message}
        a = await bundle(run_id, params, "source", planned["source"])
        b = await bundle(run_id, params, "target", planned["target"], fresh=True)
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
            "parity": parity(a, b, flows=planned.get("flows")),
            "target_hash_after": stable_hash(b),
            "id_map": id_map,
        }

    return await _step(params, run_id, "promote.verify", work)
