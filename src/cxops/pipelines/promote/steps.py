"""The promotion's DBOS steps (each also a store step, see ``pipelines.record``).

Vendor-neutral: what a rollback point, a deploy stage, a verification or a restore *is* comes
from the run's :class:`~cxops.pipelines.promote.strategy.Strategy`. Vendor-side effects are one
step each, keyed ``<run>:<what>`` (``rollback_point``, ``deploy:<stage>``, ``rollback``); the
strategy asks the vendor first whether the effect already happened, so a step re-run after a
crash does not deploy twice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from dbos import DBOS

from cxops.analysis.lock import LOCK_FILE
from cxops.errors import UsageError
from cxops.model.bundle import Bundle
from cxops.pipelines import lease
from cxops.pipelines.engine import store_for
from cxops.pipelines.progress import traffic
from cxops.pipelines.promote import approval
from cxops.pipelines.promote import gates as gate
from cxops.pipelines.promote.parity import parity
from cxops.pipelines.promote.plan import check_version, diff_doc, latest_tag
from cxops.pipelines.promote.state import context, strategy
from cxops.pipelines.promote.strategy import SIDES, Context
from cxops.pipelines.record import notify, recorded
from cxops.vendors import pick_flows, pick_project

__all__ = ["approval_gate", "deploy_stage", "plan", "rollback_point", "run_gates", "verify"]

#: Gates every vendor shares; the others are the strategy's.
GENERIC_GATES = ("validation", "lock")


async def _step(params: dict[str, Any], run_id: str, name: str, what: str, work: Any) -> Any:
    store = store_for(params["store"])
    result = await recorded(store, run_id, name, f"{run_id}:{what}", work)
    notify(run_id, "step", step=name, what=what)
    return result


@DBOS.step(name="promote.plan")
async def plan(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Find the project on both sides, diff target → source, check ``--version``, name the
    deploy stages."""

    async def work() -> dict[str, Any]:
        ctx, how = context(run_id, params), strategy(run_id, params)
        src_adapter, dst_adapter = await ctx.adapter("source"), await ctx.adapter("target")
        src_projects = await src_adapter.list_projects()
        if not params.get("project") and len(src_projects) > 1:
            names = ", ".join(p.name for p in src_projects)
            raise UsageError(
                f"the source has {len(src_projects)} projects ({names})", hint="pass --project NAME"
            )
        src = pick_project(src_projects, params.get("project") or src_projects[0].id)
        wanted = params.get("target_project") or src.name
        dst = pick_project(await dst_adapter.list_projects(), wanted)
        source = {"id": src.id, "name": src.name}
        target = {"id": dst.id, "name": dst.name}
        a, b = await _read_both(run_id, ctx, source, target)
        diff = diff_doc(how.portable(b), how.portable(a))
        previous = latest_tag(params.get("repo"))
        flows = None
        if params.get("flows"):
            refs = await src_adapter.list_flows(src)
            flows = [f.aliases[0] if f.aliases else f.id for f in pick_flows(refs, params["flows"])]
        return {
            "source": source,
            "target": target,
            "flows": flows,
            "diff": diff,
            "version": check_version(params.get("version"), previous, diff["bump"]),
            "source_hash": how.fingerprint(a),
            "target_hash_before": how.fingerprint(b),
            "stages": how.stages(a, b, flows),
        }

    result: dict[str, Any] = await _step(params, run_id, "promote.plan", "plan", work)
    return result


async def _read_both(
    run_id: str, ctx: Context, source: dict[str, Any], target: dict[str, Any]
) -> tuple[Bundle, Bundle]:
    """Both sides' bundles, the plan's progress told as it goes (``pipelines/progress.py``:
    the two sides are its two projects)."""
    notify(run_id, "planned", projects=list(SIDES))
    read = []
    for side, project in (("source", source), ("target", target)):

        def flows(stage: str, done: int, total: int, side: str = side) -> None:
            notify(run_id, "progress", project=side, stage=stage, done=done, total=total,
                   **traffic(ctx.clients.get(side)))  # fmt: skip

        bundle = await ctx.bundle(side, project, on_progress=flows)
        notify(run_id, "project_done", project=side, flows=len(bundle.flows),
               **traffic(ctx.clients.get(side)))  # fmt: skip
        read.append(bundle)
    return read[0], read[1]


def _lock_text(params: dict[str, Any]) -> tuple[str | None, str]:
    where = Path(params["repo"]) / LOCK_FILE  # promote_params: the lock gate needs --repo
    try:
        return where.read_text(encoding="utf-8"), str(where)
    except FileNotFoundError:
        return None, str(where)


@DBOS.step(name="promote.gates")
async def run_gates(run_id: str, params: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
    """Every requested gate's evidence; ``passed`` only when all passed."""

    async def work() -> dict[str, Any]:
        ctx, how = context(run_id, params), strategy(run_id, params)
        evidence: list[dict[str, Any]] = []
        own: frozenset[str] = getattr(how, "OWN_GATES", frozenset())  # the strategy does these
        for name in params["gates"]:
            if name == "approval":  # asked last, once every other gate passed (approval_gate)
                continue
            if name in own:
                evidence.append(await how.gate(name, planned))
            elif name == "validation":
                b = await ctx.bundle("source", planned["source"])
                evidence.append(gate.validation(b, params["max_nodes"]))
            elif name == "lock":
                b = await ctx.bundle("source", planned["source"])
                text, where = await asyncio.to_thread(_lock_text, params)
                evidence.append(gate.lock(b, text, where))
            else:
                evidence.append(await how.gate(name, planned))
        return {"passed": all(e["passed"] for e in evidence), "gates": evidence}

    result: dict[str, Any] = await _step(params, run_id, "promote.gates", "gates", work)
    return result


@DBOS.step(name="promote.approval")
async def approval_gate(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Wait for a person's decision (``pipelines.promote.approval``); the gate's evidence."""
    store = store_for(params["store"])
    timeout = float(params.get("approval_timeout") or approval.DEFAULT_TIMEOUT_S)

    async def work() -> dict[str, Any]:
        return await approval.wait(store, run_id, timeout)

    result: dict[str, Any] = await _step(params, run_id, "promote.approval", "approval", work)
    return result


@DBOS.step(name="promote.rollback_point")
async def rollback_point(
    run_id: str, params: dict[str, Any], planned: dict[str, Any]
) -> dict[str, Any]:
    """Record (or snapshot) the target before anything changes: the rollback point."""

    async def work() -> dict[str, Any]:
        lease.check(store_for(params["store"]), run_id, params, None)
        return await strategy(run_id, params).rollback_point(planned)

    what = "rollback_point"
    result: dict[str, Any] = await _step(params, run_id, "promote.rollback_point", what, work)
    return result


@DBOS.step(name="promote.deploy")
async def deploy_stage(
    run_id: str,
    params: dict[str, Any],
    planned: dict[str, Any],
    stage: str,
    point: dict[str, Any],
    done: dict[str, Any],
) -> dict[str, Any]:
    """One deploy stage of the strategy (``planned["stages"]``) on the target."""

    async def work() -> dict[str, Any]:
        lease.check(store_for(params["store"]), run_id, params, None)  # fenced: still ours?
        return await strategy(run_id, params).deploy(stage, planned, point, done)

    result: dict[str, Any] = await _step(params, run_id, "promote.deploy", f"deploy:{stage}", work)
    return result


@DBOS.step(name="promote.verify")
async def verify(
    run_id: str, params: dict[str, Any], planned: dict[str, Any], done: dict[str, Any]
) -> dict[str, Any]:
    """After the deploy: the strategy's checks (health, smoke, id map), parity and the target's
    content hash. Never raises for a failed check: ``passed`` says, the workflow rolls back."""

    async def work() -> dict[str, Any]:
        ctx, how = context(run_id, params), strategy(run_id, params)
        checked = await how.verify(planned, done)
        a = await ctx.bundle("source", planned["source"])
        b = await ctx.bundle("target", planned["target"], fresh=True)
        if "parity" not in checked:  # a strategy that deploys elsewhere (re-point) gives its own
            flows = how.portable_flows(a, planned.get("flows"))
            checked["parity"] = parity(how.portable(a), how.portable(b), flows=flows)
        return {**checked, "target_hash_after": how.fingerprint(b)}

    result: dict[str, Any] = await _step(params, run_id, "promote.verify", "verify", work)
    return result
