"""The promotion as a DBOS workflow: open → plan → gates → rollback point → deploy stages →
verify → (rollback) → artifact → finish; what each vendor step does is the run's strategy's
(``strategy.py``: Cognigy snapshot/package/upload/merge, Genesys import/publish per flow, CXone
save per script).

Any failure after the rollback point (a step raising, whatever the error, verification not
passing, or ``cxops runs cancel``) restores it; the restore is its own audited deployment (a
store run of kind ``rollback``, an audit entry and a ``flow.promote.rolled_back`` event in one
transaction). A restore that does not give back identical content ends ``rollback_failed``.
A gate that refuses, a version that does not fit the diff, a plan with nothing to change
(unless ``--force``), a cancel before the rollback point, or ``--dry-run`` end the run before
anything on the target changes. The run holds its target's lease (``pipelines/lease.py``) from
its first step to its last. Whatever happens, the run ends in a final state.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dbos import DBOS

from cxops.analysis.evidence import verify_failure
from cxops.analysis.lock import LOCK_FILE
from cxops.errors import CxopsError
from cxops.model.canonical import content_hash
from cxops.model.layout import pretty_bytes, project_dir
from cxops.pipelines import lease
from cxops.pipelines.engine import store_for
from cxops.pipelines.promote.plan import plan_lines
from cxops.pipelines.promote.state import context, run_state, strategy
from cxops.pipelines.promote.steps import (
    approval_gate,
    deploy_stage,
    plan,
    rollback_point,
    run_gates,
    verify,
)
from cxops.pipelines.record import RunCancelled, end_run, failed_step, notify, recorded
from cxops.pipelines.repo import audit_trailer, changes_doc, commit_run, open_repo
from cxops.store import Store

__all__ = ["EVENTS", "WORKFLOW", "promote_workflow"]

WORKFLOW = "cxops.promote"
EVENTS = {
    "started": "flow.promote.started",
    "completed": "flow.promote.completed",
    "rolled_back": "flow.promote.rolled_back",
}


def describe(point: dict[str, Any]) -> str:
    """One line for people about a rollback point (its ``describe``, else its scalar fields)."""
    if isinstance(point.get("describe"), str):
        return str(point["describe"])
    return ", ".join(f"{k} {v}" for k, v in sorted(point.items()) if isinstance(v, str | int))


def _who(params: dict[str, Any]) -> dict[str, Any]:
    return {"source": params["tenants"]["source"], "target": params["target"]}


@DBOS.step(name="promote.open")
async def open_run(run_id: str, params: dict[str, Any]) -> None:
    """Take the target's lease and record the run, its audit entry and
    ``flow.promote.started`` at once (once). A target another promotion holds raises
    ``LeaseBusy`` and records nothing (a queued run, issue #17, ends failed with it)."""
    store = store_for(params["store"])
    try:
        _open(store, run_id, params)
    except lease.LeaseBusy as exc:
        queued = store.runs.get(run_id)
        if queued is not None and queued.status == "queued":  # not left queued for ever
            store.runs.finish(run_id, "failed", error=exc.message)
        raise


def _open(store: Store, run_id: str, params: dict[str, Any]) -> None:
    with store.transaction() as tx:
        run = tx.runs.get(run_id)
        if run is not None and run.status != "queued":  # a queued run becomes running here
            return
        if not params["dry_run"]:
            lease.acquire(tx, run_id, params)
        tx.runs.start(params["kind"], params, run_id=run_id)
        tx.audit.append(params.get("actor") or "cxops", "promote.started", run_id, _who(params))
        if not params["dry_run"]:
            payload = {"run": run_id, **_who(params), "version": params.get("version")}
            tx.emit(EVENTS["started"], payload, run_id=run_id, event_id=f"msg_{run_id}_started")


@DBOS.step(name="promote.rollback")
async def rollback(
    run_id: str, params: dict[str, Any], planned: dict[str, Any], point: dict[str, Any], why: str
) -> dict[str, Any]:
    """Restore the rollback point; record the restore as its own audited deployment."""

    async def work() -> dict[str, Any]:
        lease.check(store, run_id, params, None)
        how = strategy(run_id, params)
        restored_from = await how.restore(planned, point)
        after = await context(run_id, params).bundle("target", planned["target"], fresh=True)
        restored = how.fingerprint(after)
        doc = {
            "failed": why,
            "point": point,
            "restored_point": describe(point),
            "restored": restored_from,
            "target_hash_before": planned["target_hash_before"],
            "target_hash_restored": restored,
            "identical": restored == planned["target_hash_before"],
        }
        with store_for(params["store"]).transaction() as tx:
            rid = f"{run_id}-rollback"
            if tx.runs.get(rid) is None:
                tx.runs.start(
                    "rollback", {"target": params["target"], "promote": run_id}, run_id=rid
                )
                tx.finish_run(rid, "succeeded" if doc["identical"] else "failed", summary=doc)
                tx.audit.append(params.get("actor") or "cxops", "promote.rollback", run_id, doc)
                tx.emit(
                    EVENTS["rolled_back"],
                    {"run": run_id, **_who(params), **doc},
                    run_id=run_id,
                    event_id=f"msg_{run_id}_rolled_back",
                )
        return doc

    store = store_for(params["store"])
    key = f"{run_id}:rollback"
    return await recorded(store, run_id, "promote.rollback", key, work, cancellable=False)


def release_path(vendor: str, project: str) -> str:
    """Where a project's release metadata lives in the artifact repository: outside ``flows/``,
    so that an export (which rewrites the project folder) never removes it."""
    return f"releases/{project_dir(vendor, project).removeprefix('flows/')}.json"


@DBOS.step(name="promote.artifact")
async def artifact(run_id: str, params: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
    """Write the promoted (source) bundle, its release record and ``cxops.lock`` into the
    repository, commit them together, tag the version: the tagged commit passes its own
    ``cxops lock --check``, and the bundle's files are the bytes an export of the same content
    writes (so the next export of it makes no commit)."""

    async def work() -> dict[str, Any]:
        b = await context(run_id, params).bundle("source", planned["source"])
        release = {
            "format": "cxops.release/1",
            "vendor": b.vendor,
            "project": b.project,
            "tag": params.get("version"),
            "changelog": params.get("changelog"),
            "content_hash": content_hash(b),
            "source": params["tenants"]["source"],
            "target": params["target"],
            "run": run_id,
        }
        repo = open_repo(params["repo"])

        def write() -> dict[str, Any]:
            changed = changes_doc(repo.write_bundle(b))  # the flows it lists, by name
            where = release_path(b.vendor, b.project)
            repo.write_file(where, pretty_bytes({k: v for k, v in release.items() if v}))
            repo.write_lock()  # every bundle of the work tree, as `cxops lock` builds it
            subject = f"cxops promote {params['tenants']['source']} -> {params['target']}"
            subject += f": '{planned['target']['name']}' {params.get('version') or ''}".rstrip()
            files = [LOCK_FILE, where]
            head = audit_trailer(store)
            plan = ["", *plan_lines(planned)]  # what the release changed on the target, by name
            done = commit_run(
                repo, run_id, subject, [(b.vendor, b.project)], files, [changed], head, body=plan
            )
            if params.get("version") and repo.head() is not None:
                repo.tag(params["version"], params.get("changelog") or params["version"])
            return {**done, "commit": done["commit"] or repo.head(), "tag": params.get("version")}

        return await asyncio.to_thread(write)

    store = store_for(params["store"])
    key = f"{run_id}:artifact"  # deployed already: a cancel no longer stops the record of it
    return await recorded(store, run_id, "promote.artifact", key, work, cancellable=False)


@DBOS.step(name="promote.finish")
async def finish(run_id: str, params: dict[str, Any], summary: dict[str, Any]) -> None:
    """End the run, append its audit entry and emit ``flow.promote.completed`` together."""

    async def work() -> dict[str, Any]:
        store = store_for(params["store"])
        if summary["status"] != "succeeded" and "step" not in summary:
            summary["step"] = failed_step(store, run_id)
        status = summary["status"]
        with store.transaction() as tx:
            ended = end_run(tx, run_id, summary)
            if ended is not None:
                return {"status": ended}  # finished before a crash: nothing to repeat
            tx.leases.release_all(run_id)
            keys = ("outcome", "rolled_back", "parity", "error", "step")
            details = {k: summary.get(k) for k in keys}
            actor = params.get("actor") or "cxops"
            tx.audit.append(actor, f"promote.{summary['outcome']}", run_id, details)
            if summary["outcome"] == "promoted":
                payload = {
                    "run": run_id,
                    **_who(params),
                    "version": params.get("version"),
                    "parity": summary.get("parity", {}).get("score"),
                }
                tx.emit(
                    EVENTS["completed"], payload, run_id=run_id, event_id=f"msg_{run_id}_completed"
                )
        return {"status": status}

    store = store_for(params["store"])
    await recorded(store, run_id, "promote.finish", f"{run_id}:finish", work, cancellable=False)


async def _deploy(
    run_id: str, params: dict[str, Any], planned: dict[str, Any], summary: dict[str, Any]
) -> None:
    point = await rollback_point(run_id, params, planned)
    summary["rollback_point"] = point
    failed: str | None = None
    cancelled = False
    try:
        done: dict[str, Any] = {}
        for stage in planned["stages"]:
            done[stage] = await deploy_stage(run_id, params, planned, stage, point, done)
        summary["deploy"] = done
        checked = await verify(run_id, params, planned, done)
        summary["verify"] = {k: checked[k] for k in ("passed", "health", "smoke")}
        summary["parity"] = checked["parity"]
        summary["id_map"] = checked["id_map"]
        summary["target_hash_after"] = checked["target_hash_after"]
        if not checked["passed"]:
            failed = f"verify: {verify_failure(checked)}"  # names the check and its cause
            summary["step"] = "verify"
    except RunCancelled as exc:
        failed, cancelled = exc.message, True
    except CxopsError as exc:
        failed = f"{exc.message}"
    except Exception as exc:  # a bug after the rollback point: the target still goes back
        failed = f"{type(exc).__name__}: {exc}"
    if failed is None:
        summary["outcome"] = "promoted"
        if params.get("repo"):
            try:
                summary["artifact"] = await artifact(run_id, params, planned)
            except CxopsError as exc:  # deployed all the same: say so, do not roll back
                summary["artifact"] = {"error": exc.message}
            except Exception as exc:  # a bug writing the record: still deployed, still said
                summary["artifact"] = {"error": f"{type(exc).__name__}: {exc}"}
        return
    status = "cancelled" if cancelled else "failed"
    summary.update(status=status, outcome="rolled_back", rolled_back=True, error=failed)
    try:
        summary["rollback"] = await rollback(run_id, params, planned, point, failed)
        if not summary["rollback"]["identical"]:  # restored, yet not what was there before
            summary.update(
                status="failed",
                outcome="rollback_failed",
                error=f"{failed}; the rollback did not restore identical content",
            )
    except CxopsError as exc:  # the target may be half changed: the loudest outcome there is
        summary.update(
            status="failed",
            outcome="rollback_failed",
            error=f"{failed}; rollback failed: {exc.message}",
        )
        summary["rollback"] = {
            "failed": failed,
            "point": point,
            "restored_point": describe(point),
            "error": exc.message,
            "identical": False,
        }


@DBOS.workflow(name=WORKFLOW)
async def promote_workflow(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """One promotion (see the module doc); returns the run's summary."""
    await open_run(run_id, params)  # LeaseBusy: another promotion has the target
    summary: dict[str, Any] = {
        "status": "succeeded",
        "rolled_back": False,
        "dry_run": params["dry_run"],
    }
    try:
        async with run_state(run_id, params):
            await _promote(run_id, params, summary)
    except RunCancelled as exc:  # before the rollback point: nothing changed on the target
        summary.update(status="cancelled", outcome="cancelled", error=exc.message)
    except CxopsError as exc:  # before the rollback point (after it, _deploy rolls back)
        summary.update(
            status="failed", outcome="failed", error=exc.message, exit_code=exc.exit_code
        )
    except Exception as exc:  # a bug: the run still ends, failed, saying what and where
        summary.update(status="failed", outcome="failed", error=f"{type(exc).__name__}: {exc}")
        await finish(run_id, params, summary)
        raise
    await finish(run_id, params, summary)
    notify(run_id, "finished", status=summary["status"])
    return summary


async def _promote(run_id: str, params: dict[str, Any], summary: dict[str, Any]) -> None:
    try:
        planned = await plan(run_id, params)
    except RunCancelled:
        raise
    except CxopsError as exc:
        summary.update(
            status="failed", outcome="plan_failed", error=exc.message, exit_code=exc.exit_code
        )
        return
    summary["plan"] = planned
    if planned["diff"]["total_changes"] == 0 and not params.get("force"):
        # The target already runs this content: a deployment would change nothing, and would
        # count as one (DORA) all the same. ``--force`` deploys anyway (a repair).
        summary.update(outcome="nothing_to_promote", nothing_to_promote=True)
        return
    try:
        checked = await run_gates(run_id, params, planned)
    except RunCancelled:
        raise
    except CxopsError as exc:  # a gate that cannot even look blocks the deploy
        summary.update(
            status="failed",
            outcome="blocked",
            blocked=["gates"],
            gates=[],
            error=f"a gate could not run: {exc.message}",
            exit_code=exc.exit_code,  # credentials (2), the vendor (3): not a finding
        )
        return
    summary["gates"] = checked["gates"]
    blocked = [g["gate"] for g in checked["gates"] if not g["passed"]]
    if not planned["version"]["ok"]:
        blocked.insert(0, "version")
    if "approval" in params["gates"] and not blocked and not params["dry_run"]:
        # Asked only when nothing else blocks: nobody approves a promotion that cannot go.
        decided = await approval_gate(run_id, params)
        summary["gates"] = [*checked["gates"], decided]
        if not decided["passed"]:
            blocked.append("approval")
    if params["dry_run"]:
        summary["outcome"] = "dry_run"
        summary["would_block"] = blocked
    elif blocked:
        summary.update(
            status="failed",
            outcome="blocked",
            blocked=blocked,
            error=f"blocked by: {', '.join(blocked)}",
        )
    else:
        await _deploy(run_id, params, planned, summary)
