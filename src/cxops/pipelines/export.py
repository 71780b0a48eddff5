"""The export pipeline as a DBOS workflow: list → scope → export each project → check → commit
→ finish (run, audit entry and ``flow.export.completed`` event in one transaction).

Each stage is a store step (idempotent by key, see ``record.py``), and that is its checkpoint:
no stage is a DBOS step (issue #19: DBOS' checkpoint repeated the store's at two more round
trips a step), so a resumed workflow runs from the top and every stage that succeeded returns
its stored result. The projects' steps begin in one transaction (``record.begin_all``); the
run's end is one transaction with its own step record (``record.recorded_in``). Projects are
exported concurrently (``cxops.vendors.concurrently.map_all``) through one vendor client per
run, whose per-tenant limiter keeps the fleet within the transport's rate and concurrency
limits. A project that fails is reported, not fatal: the run ends ``partial`` with what
succeeded and what failed and why. The adapters fan out in task groups, so a failed project
has no request left in flight when its step returns, and the run closes its client only after
every step has ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbos import DBOS

from cxops.analysis.incremental import stamp_drift, stamps_only, with_stamps
from cxops.analysis.lock import dumps_lock, loads_lock
from cxops.errors import CxopsError, Unstorable, UsageError
from cxops.model.layout import project_dir
from cxops.pipelines.connections import settings_for
from cxops.pipelines.engine import store_for
from cxops.pipelines.export_files import FINDINGS_FILE, LOCK_FILE, check_repository
from cxops.pipelines.export_incremental import (
    choose_pass,
    plan_projects,
    read_lock,
    unchanged,
)
from cxops.pipelines.progress import traffic
from cxops.pipelines.record import (
    RunCancelled,
    begin_all,
    end_run,
    failed_step,
    notify,
    recorded,
    recorded_in,
)
from cxops.pipelines.repo import (
    audit_trailer,
    changes_doc,
    commit_run,
    drop_clone,
    migrate_layout,
    open_repo,
    project_folders,
    user_changes,
)
from cxops.pipelines.unstorable import Skipped, findings, flows_of, write_storable
from cxops.sinks.git import GitRepo
from cxops.sinks.git import remote as remotes
from cxops.store import RunStatus, StepStart, Tx
from cxops.transport import TransportOptions, VendorClient, connect
from cxops.vendors import ProjectRef, VendorAdapter, adapter_for, pick_project
from cxops.vendors.concurrently import map_all

__all__ = ["EVENT", "WORKFLOW", "export_workflow"]

WORKFLOW = "cxops.export"
EVENT = "flow.export.completed"


@dataclass
class _RunState:
    """What the steps of one run share in this process: one client, one concurrency gate."""

    gate: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    client: VendorClient | None = None


_runs: dict[str, _RunState] = {}


@asynccontextmanager
async def _run_state(run_id: str, params: dict[str, Any]) -> AsyncIterator[None]:
    _runs[run_id] = _RunState(asyncio.Semaphore(params["concurrency"]))
    try:
        yield
    finally:
        state = _runs.pop(run_id)
        if state.client is not None:
            await state.client.aclose()


async def _adapter(run_id: str, params: dict[str, Any]) -> VendorAdapter:
    state = _runs[run_id]
    settings = settings_for(params["connection"])
    async with state.lock:
        if state.client is None:
            options = TransportOptions(**params.get("transport", {}))
            state.client = await connect(settings, options)
    # Bundles name the tenant as the vendor knows it (runs from before kept the label).
    return adapter_for(state.client, settings, tenant=params.get("identity") or params["tenant"])


def _traffic(run_id: str) -> dict[str, int]:
    """The run's request and retry counts so far, for progress events (``progress.py``)."""
    state = _runs.get(run_id)
    return traffic(state.client if state is not None else None)


def _ref(doc: dict[str, Any]) -> ProjectRef:
    return ProjectRef(id=doc["id"], name=doc["name"], key=doc["key"])


async def open_run(run_id: str, params: dict[str, Any]) -> None:
    """Record the run in the store (once: a replay finds it); a queued run becomes running."""
    store_for(params["store"]).runs.open("export", params, run_id)


def _refuse_user_changes(
    run_id: str, params: dict[str, Any], projects: list[ProjectRef]
) -> list[str]:
    """Refuse (exit 2), before anything is written, to overwrite someone's uncommitted changes
    in the paths this export writes; ``--force`` overwrites them (and gets the paths back: an
    incremental pass reads those projects in full, issue #19), ``--no-commit`` (whose files
    nobody commits for the user) does not check."""
    if not params.get("commit", True):
        return []
    vendor = params["connection"]["vendor"]
    repo = open_repo(params["repo"], run_id)
    folders = [project_dir(vendor, p.key) for p in projects]  # layout 1's, and archives'
    archives = [f"archives/{f.removeprefix('flows/')}" for f in folders]
    held = project_folders(repo, [(vendor, p.key) for p in projects])  # layout 2's
    changed = user_changes(repo, [*folders, *held, *archives, LOCK_FILE, FINDINGS_FILE])
    if changed and not params.get("force"):
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise UsageError(
            f"the repository has uncommitted changes in paths this export writes: {shown}",
            hint="commit or stash them first, or pass --force to overwrite them",
        )
    return changed


def _edited(
    run_id: str, params: dict[str, Any], projects: list[ProjectRef], changed: list[str]
) -> set[str]:
    """Keys of the projects whose folder holds changes ``--force`` overwrites."""
    vendor = params["connection"]["vendor"]
    repo = open_repo(params["repo"], run_id)
    out = set()
    for p in projects:
        own = [project_dir(vendor, p.key), *project_folders(repo, [(vendor, p.key)])]
        if any(c.startswith(f + "/") for f in own for c in changed):
            out.add(p.key)
    return out


async def plan(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """List the tenant's projects and apply the scope (``--project``, else every project);
    choose the pass and, on an incremental one, what each project fetches
    (``export_incremental``)."""

    async def work() -> dict[str, Any]:
        adapter = await _adapter(run_id, params)
        projects = await adapter.list_projects()
        if params.get("project"):
            projects = [pick_project(projects, params["project"])]
        elif not params.get("all") and len(projects) > 1:
            names = ", ".join(p.name for p in projects)
            raise UsageError(
                f"the tenant has {len(projects)} projects ({names})",
                hint="pass --project NAME, or --all for every project",
            )
        changed = _refuse_user_changes(run_id, params, projects)
        if params.get("commit", True) and not changed:  # layout 1: one commit of renames first
            migrate_layout(open_repo(params["repo"], run_id))
        # A lock edited by hand (overwritten with --force) says nothing about the tenant.
        lock = None if LOCK_FILE in changed else read_lock(open_repo(params["repo"], run_id).root)
        chosen = choose_pass(params, store, lock)
        docs = await plan_projects(
            adapter,
            projects,
            lock,
            chosen["pass"],
            narrowed=bool(params.get("flows")),
            repo=str(open_repo(params["repo"], run_id).root),
            full=_edited(run_id, params, projects, changed),
        )
        return {"projects": docs, **chosen}

    store = store_for(params["store"])
    result = await recorded(store, run_id, "export.plan", f"{run_id}:plan", work)
    notify(run_id, "planned", projects=[p["key"] for p in result["projects"]], **_traffic(run_id))
    return result


def _project_key(run_id: str, project: dict[str, Any]) -> str:
    return f"{run_id}:project:{project['id']}"


async def export_project(
    run_id: str, params: dict[str, Any], project: dict[str, Any], started: StepStart
) -> dict[str, Any]:
    """Export one project into the repository; a failure is returned, not raised.

    Not a DBOS step: its store step (begun with the run's other projects by :func:`_export`)
    is its checkpoint. A resumed run finds a project that succeeded there and takes its stored
    result; one that failed, or was cut off by the crash, is exported again (issue #19: a DBOS
    checkpoint per project cost two more system-database round trips and gained nothing).
    """
    ref = _ref(project)

    async def work() -> dict[str, Any]:
        async with _runs[run_id].gate:
            adapter = await _adapter(run_id, params)

            def progress(stage: str, done: int, total: int) -> None:
                notify(run_id, "progress", project=ref.key, stage=stage, done=done, total=total,
                       **_traffic(run_id))  # fmt: skip

            skipped = Skipped()
            plan = project.get("plan")
            previous = None
            if plan and not plan["full"]:
                repo = open_repo(params["repo"], run_id)
                try:
                    previous = await asyncio.to_thread(repo.read_bundle, adapter.name, ref.key)
                except CxopsError:  # an unreadable stored bundle: read the project in full
                    previous = None
            bundle = None
            if plan and previous is not None:
                try:
                    bundle = await adapter.export_changes(ref, previous, plan["fetch"])
                except Unstorable:  # a flow cxops cannot store: the full read reports it alone
                    previous = None
            if bundle is None:
                bundle = await adapter.export_project(
                    ref, flows=params.get("flows"), on_progress=progress, on_skip=skipped
                )
            archive = await adapter.archive_project(ref) if params.get("archive") else None
        # The sink leaves the export time out of the files (the commit records when).
        extra: dict[str, bytes] = {}
        result: dict[str, Any] = {"vendor": bundle.vendor}
        if previous is not None and plan:
            result["fetched"] = len(plan["fetch"]) + len(
                {f.id for f in bundle.flows} - {f.id for f in previous.flows}
            )
        if archive is not None:
            name, data = archive
            folder = project_dir(bundle.vendor, bundle.project).removeprefix("flows/")
            result["archive"] = f"archives/{folder}/{Path(name).name}"
            extra[result["archive"]] = data
        changes, bundle, left_out = write_storable(open_repo(params["repo"], run_id), bundle, extra)
        result["flows"] = len(bundle.flows)
        result["unstorable"] = skipped.rows + left_out
        result["key"] = bundle.project
        result["changes"] = changes_doc(changes)
        return result

    store = store_for(params["store"])
    base = {"project": ref.key, "id": ref.id, "name": ref.name}
    try:
        key = _project_key(run_id, project)
        result = await recorded(store, run_id, "export.project", key, work, started=started)
    except RunCancelled:
        raise
    except CxopsError as exc:
        notify(run_id, "project_failed", project=ref.key, error=exc.message, **_traffic(run_id))
        return {**base, "status": "failed", "error": exc.message, "exit_code": exc.exit_code}
    notify(run_id, "project_done", project=ref.key, flows=result["flows"], **_traffic(run_id))
    return {**base, "status": "ok", **result}


async def check(
    run_id: str,
    params: dict[str, Any],
    planned: dict[str, Any],
    listed: list[dict[str, Any]],
    unstorable: list[dict[str, str]],
) -> dict[str, Any]:
    """Check every bundle in the repository; write the findings report and ``cxops.lock`` with
    this run's change stamps (``listed``: the projects written or found unchanged). A full or
    verify pass reports the flows whose content moved while their stamp did not. Each flow left
    out as ``unstorable`` is a finding too."""

    async def work() -> dict[str, Any]:
        repo = open_repo(params["repo"], run_id)
        checked = await asyncio.to_thread(
            check_repository,
            repo.root,
            max_nodes=params["max_nodes"],
            also=findings(unstorable),
        )
        previous = read_lock(repo.root)
        vendor = params["connection"]["vendor"]
        stamps = {(vendor, p["key"]): p["stamps"] for p in listed if "stamps" in p}
        lock = with_stamps(loads_lock(checked.lock_text), stamps, previous)
        if not stamps_only(previous, lock):  # stamps alone moved: no commit of them
            repo.write_lock(dumps_lock(lock))
        repo.write_file(FINDINGS_FILE, checked.report_text.encode("utf-8"))
        stale = []
        if planned["pass"] != "incremental" and previous is not None:
            stale = [s.to_dict() for s in stamp_drift(previous, lock)]
        return {"findings": checked.counts, "per_project": checked.per_project, "stale": stale}

    store = store_for(params["store"])
    return await recorded(store, run_id, "export.check", f"{run_id}:check", work)


async def commit(run_id: str, params: dict[str, Any], done: list[dict[str, Any]]) -> dict[str, Any]:
    """Commit the run's changes with the run id and the diff summary; nothing when unchanged."""

    def rebuild(repo: GitRepo, ours: dict[str, Any]) -> None:
        # After a rebase onto a remote's new tip (issue #17): the lock and the report over the
        # merged work tree, keeping both sides' change stamps (ours win for our projects).
        checked = check_repository(repo.root, max_nodes=params["max_nodes"])
        theirs = read_lock(repo.root) or {}
        previous = {k: [*theirs.get(k, []), *ours.get(k, [])] for k in ("flow", "bundle")}
        repo.write_lock(dumps_lock(with_stamps(loads_lock(checked.lock_text), {}, previous)))
        repo.write_file(FINDINGS_FILE, checked.report_text.encode("utf-8"))

    async def work() -> dict[str, Any]:
        where = f"{params['connection']['vendor']}/{params['tenant']}"
        repo = open_repo(params["repo"], run_id)
        ours = dict(read_lock(repo.root) or {})
        return await asyncio.to_thread(
            commit_run,
            repo,
            run_id,
            f"cxops export {where}: {len(done)} project(s)",
            [(r["vendor"], r["key"]) for r in done],
            [LOCK_FILE, FINDINGS_FILE, *(r["archive"] for r in done if r.get("archive"))],
            [r["changes"] for r in done],
            audit_trailer(store),
            rebuild=lambda r: rebuild(r, ours),
        )

    if not params.get("commit", True):
        return {"commit": None, "changed": None}
    store = store_for(params["store"])
    return await recorded(store, run_id, "export.commit", f"{run_id}:commit", work)


async def finish(run_id: str, params: dict[str, Any], summary: dict[str, Any]) -> None:
    """End the run, append its audit entry and emit its event: one transaction, which also
    records the step itself (``record.recorded_in``)."""

    def work(tx: Tx) -> dict[str, Any]:
        if summary["status"] != "succeeded" and "step" not in summary:
            summary["step"] = failed_step(tx, run_id)
        ended = end_run(tx, run_id, summary)
        if ended is not None:
            return {"status": ended}  # finished before a crash: nothing to repeat
        status = summary["status"]
        details = {
            k: summary.get(k)
            for k in ("commit", "projects_ok", "projects_failed", "step", "pass", "stale")
        }
        tx.audit.append(params.get("actor") or "cxops", f"export.{status}", run_id, details)
        if status in ("succeeded", "partial"):
            tx.emit(
                EVENT,
                _event(run_id, params, summary),
                run_id=run_id,
                event_id=f"msg_{run_id}_export_completed",
            )
        return {"status": status}

    recorded_in(store_for(params["store"]), run_id, "export.finish", f"{run_id}:finish", work)


def _event(run_id: str, params: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "run": run_id,
        "vendor": params["connection"]["vendor"],
        "tenant": params["tenant"],
        "commit": summary.get("commit"),
        "projects": summary["projects_ok"],
        "failed": summary["projects_failed"],
        "findings": summary["findings"],
    }


def _summary(
    results: list[dict[str, Any]], checked: dict[str, Any], committed: dict[str, Any]
) -> dict[str, Any]:
    ok = [r["project"] for r in results if r["status"] == "ok"]
    failed = [r["project"] for r in results if r["status"] != "ok"]
    left_out = flows_of(results)
    status = "succeeded" if not failed else ("partial" if ok else "failed")
    if status == "succeeded" and left_out:
        status = "partial"  # a flow cxops could not store is not exported
    per = checked["per_project"]
    dirty = [p for p in ok if any(k.endswith("/" + p) and v.get("error") for k, v in per.items())]
    return {
        "status": status,
        "commit": committed.get("commit"),
        "changed": committed.get("changed"),
        "projects": results,
        "projects_ok": ok,
        "projects_failed": failed,
        "flows": sum(r.get("flows", 0) for r in results),
        "findings": checked["findings"],
        "findings_per_project": checked["per_project"],
        "checks": {"passed": len(ok) - len(dirty), "failed": len(dirty)},
        "unstorable": left_out,
        "error": _error(failed, left_out),
    }


def _error(failed: list[str], left_out: list[dict[str, str]]) -> str | None:
    said = [f"{len(failed)} project(s) failed"] if failed else []
    said += [f"{len(left_out)} flow(s) could not be stored"] if left_out else []
    return "; ".join(said) or None


def _ended(status: str, error: str) -> dict[str, Any]:
    return {
        "status": status,
        "projects_ok": [],
        "projects_failed": [],
        "findings": {},
        "error": error,
        "commit": None,
    }


@DBOS.workflow(name=WORKFLOW)
async def export_workflow(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """The export of one tenant (see the module doc); returns the run's summary.

    Whatever ends it, the run ends in a final state: ``cancelled`` (``cxops runs cancel``),
    ``failed`` with the error and the step (any error, expected or not, is re-raised after).
    """
    await open_run(run_id, params)
    try:
        try:
            summary = await _export(run_id, params)
        except RunCancelled as exc:
            summary = _ended("cancelled", exc.message)
        except CxopsError as exc:
            await finish(run_id, params, _ended("failed", exc.message))
            raise
        except Exception as exc:  # a bug: still a final state, with what and where
            await finish(run_id, params, _ended("failed", f"{type(exc).__name__}: {exc}"))
            raise
        await finish(run_id, params, summary)
    finally:
        _drop_clone(run_id, params)
    notify(run_id, "finished", status=summary["status"])
    return summary


def _drop_clone(run_id: str, params: dict[str, Any]) -> None:
    """A remote ``--repo``'s clone is removed once the run has ended (never while a resume
    could still need it: a run the store does not record as ended keeps its clone)."""
    if not remotes.is_remote(str(params["repo"])):
        return  # a folder: nothing to remove, nothing to ask the store
    run = store_for(params["store"]).runs.get(run_id)
    if run is not None and run.status in RunStatus.FINAL:
        drop_clone(params["repo"], run_id)


def _unchanged_result(params: dict[str, Any], project: dict[str, Any]) -> dict[str, Any]:
    """A project whose stamps all held: no request, no step, nothing written."""
    return {
        "project": project["key"],
        "id": project["id"],
        "name": project["name"],
        "status": "ok",
        "flows": len(project["plan"]["kept"]),
        "vendor": params["connection"]["vendor"],
        "key": project["key"],
        "unchanged": True,
        "fetched": 0,
    }


async def _export(run_id: str, params: dict[str, Any]) -> dict[str, Any]:
    async with _run_state(run_id, params):
        planned = await plan(run_id, params)
        projects = planned["projects"]
        todo = [p for p in projects if not unchanged(p)]
        for p in projects:
            if unchanged(p):  # nothing to fetch: done as soon as planned
                notify(run_id, "project_done", project=p["key"], flows=len(p["plan"]["kept"]))
        # The projects' store steps begin together: one transaction, not one per project.
        keys = [_project_key(run_id, p) for p in todo]
        starts = begin_all(store_for(params["store"]), run_id, "export.project", keys)
        fetched = await map_all(
            lambda p: export_project(run_id, params, p, starts[_project_key(run_id, p)]), todo
        )
    by_id = {r["id"]: r for r in fetched}
    results = [by_id.get(p["id"]) or _unchanged_result(params, p) for p in projects]
    done = [r for r in results if r["status"] == "ok" and not r.get("unchanged")]
    ok_ids = {r["id"] for r in results if r["status"] == "ok"}
    listed = [p for p in projects if p["id"] in ok_ids]
    checked = await check(run_id, params, planned, listed, flows_of(results))
    committed = await commit(run_id, params, done) if done else {"commit": None, "changed": False}
    summary = _summary(results, checked, committed)
    stale = checked.get("stale", [])
    return {**summary, "pass": planned["pass"], "pass_reason": planned["reason"], "stale": stale}
