"""Runs: the filtered list (one query per page, whatever the store holds) and one run in full."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cxops.analysis.evidence import gate_sentence, verify_checks, version_sentence
from cxops.store import Run, RunStatus, Store
from cxops.store.models import RunRow
from cxops.web.queries.repos import Repos
from cxops.web.queries.schemas import (
    Change,
    FindingView,
    GateView,
    Page,
    RollbackView,
    RunDetail,
    RunItem,
    RunList,
    StepView,
)
from cxops.web.queries.words import duration, step_label, when

__all__ = ["PAGE", "environment_of", "project_of", "run_detail", "run_item", "run_list"]

PAGE = 100


def project_of(run: Run) -> str | None:
    """The project a run is about, by name (a promotion's target project, else its --project)."""
    plan = (run.summary or {}).get("plan") or {}
    target = plan.get("target") if isinstance(plan, dict) else None
    if isinstance(target, dict) and target.get("name"):
        return str(target["name"])
    name = run.params.get("target_project") or run.params.get("project")
    return str(name) if name else None


def environment_of(run: Run) -> str | None:
    """The environment a run touched: a promotion's target profile, an export's tenant."""
    value = run.params.get("target") or run.params.get("tenant")
    return str(value) if value else None


def _vendor(run: Run) -> str | None:
    v = run.params.get("vendor") or (run.params.get("connection") or {}).get("vendor")
    return str(v) if v else None


def _title(run: Run, project: str | None, env: str | None) -> str:
    p = run.params
    if run.kind.startswith("promote"):
        source = (p.get("tenants") or {}).get("source") or "?"
        src = ((p.get("connections") or {}).get("source") or {}).get("profile") or source
        version = f" {p['version']}" if p.get("version") else ""
        dry = " (dry run)" if run.kind != "promote" else ""
        return f"{project or 'project'}{version}: {src} → {env}{dry}"
    if run.kind == "export":
        n = len((run.summary or {}).get("projects") or [])
        what = project or (f"{n} project{'s' if n != 1 else ''}" if n else "every project")
        return f"export {_vendor(run) or ''} {env or ''}: {what}".replace("  ", " ")
    if run.kind == "rollback":
        return f"rollback of {str(p.get('promote', ''))[:12]} in {env}"
    return f"{run.kind} {project or ''}".strip()


def run_item(run: Run) -> RunItem:
    """A run as one line of the list."""
    project, env = project_of(run), environment_of(run)
    summary = run.summary or {}
    version = run.params.get("version") or (summary.get("artifact") or {}).get("tag")
    return RunItem(
        id=run.id,
        short_id=run.id[:12],
        kind=run.kind,
        status=run.status,
        outcome=summary.get("outcome"),
        title=_title(run, project, env),
        vendor=_vendor(run),
        project=project,
        source=((run.params.get("connections") or {}).get("source") or {}).get("profile"),
        environment=env,
        version=str(version) if version else None,
        started=run.started,
        started_text=when(run.started),
        ended=run.ended,
        duration_s=run.duration,
        duration_text="queued" if run.status == RunStatus.QUEUED else duration(run.duration),
        error=run.error,
    )


def _from_row(row: RunRow) -> Run:
    return Run(
        row.id, row.kind, row.status, row.started, row.ended, dict(row.params),
        None if row.summary is None else dict(row.summary), row.error,
    )  # fmt: skip


def run_list(
    store: Store,
    *,
    kind: str | None = None,
    status: str | None = None,
    project: str | None = None,
    environment: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: int = PAGE,
) -> RunList:
    """Runs, newest first, filtered in the database: one query for the page, one for the kinds.

    ``project`` matches the name given to ``--project``/``--target-project``; ``environment``
    a promotion's target or an export's tenant.
    """
    query = select(RunRow).order_by(RunRow.started.desc(), RunRow.id).limit(limit)
    if kind:
        query = query.where(RunRow.kind == kind)
    if status:
        query = query.where(RunRow.status == status)
    if project:
        query = query.where(
            (RunRow.params["project"].as_string() == project)
            | (RunRow.params["target_project"].as_string() == project)
        )
    if environment:
        query = query.where(
            (RunRow.params["target"].as_string() == environment)
            | (RunRow.params["tenant"].as_string() == environment)
        )
    if since:
        query = query.where(RunRow.started >= since)
    if before:
        query = query.where(RunRow.started < before)
    with store.session() as s:
        rows = [_from_row(r) for r in s.scalars(query)]
        kinds = sorted(s.scalars(select(RunRow.kind).distinct()).all())
    items = [run_item(r) for r in rows]
    filters = {
        k: v
        for k, v in {
            "kind": kind, "status": status, "project": project, "environment": environment,
            "since": since.isoformat() if since else None,
        }.items()
        if v
    }  # fmt: skip
    cursor = rows[-1].started.isoformat() if len(rows) == limit else None
    return RunList(
        runs=items,
        page=Page(shown=len(items), next_before=cursor),
        filters=filters,
        kinds=kinds,
        statuses=["queued", "running", "succeeded", "failed", "partial", "cancelled"],
    )


# -- one run ---------------------------------------------------------------------------------


def _steps(store: Store, run: Run) -> list[StepView]:
    steps = store.steps.for_run(run.id)
    if not steps:
        return []
    start = min(s.started for s in steps)
    end = max((s.ended or s.started) for s in steps)
    if run.ended and run.ended > end:
        end = run.ended
    span = max((end - start).total_seconds(), 1e-6)
    out = []
    for s in steps:
        offset = (s.started - start).total_seconds() / span * 100
        width = ((s.duration or 0.0) / span) * 100
        out.append(
            StepView(
                name=s.name,
                label=step_label(s.name, s.key),
                status=s.status,
                attempt=s.attempt,
                started=s.started,
                duration_s=s.duration,
                duration_text=duration(s.duration),
                offset_pct=round(min(offset, 100.0), 2),
                width_pct=round(max(min(width, 100.0 - offset), 0.4), 2),
                error=s.error,
            )
        )
    return out


def _gates(summary: dict[str, Any]) -> list[GateView]:
    out = []
    version = ((summary.get("plan") or {}).get("version")) or None
    said = version_sentence(version) if isinstance(version, dict) else None
    if said is not None:
        out.append(GateView(gate="version", passed=said[0], sentence=said[1]))
    for gate in summary.get("gates") or []:
        if isinstance(gate, dict):
            sentence, details = gate_sentence(gate)
            out.append(
                GateView(
                    gate=str(gate.get("gate")),
                    passed=bool(gate.get("passed")),
                    sentence=sentence,
                    details=details,
                )
            )
    verify = summary.get("verify")
    for check in verify_checks(verify) if isinstance(verify, dict) else []:
        sentence, details = gate_sentence(check)
        out.append(
            GateView(
                gate=f"verify {check['gate']}",
                passed=bool(check.get("passed")),
                sentence=f"After the deploy: {sentence[0].lower()}{sentence[1:]}",
                details=details,
            )
        )
    return out


def _pointer(doc: Any, pointer: str) -> Any:
    for part in [p for p in pointer.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    text = text if text else '""'
    return text if len(text) <= 80 else text[:79] + "…"


class _Side:
    """The flows of one side of a promotion, from that environment's last export (if held)."""

    def __init__(self, repos: Repos, repo: Path | None, vendor: str, project: str | None) -> None:
        self.nodes: dict[tuple[str, str], Any] = {}
        if repo is None or project is None:
            return
        found = repos.find(vendor, project, repo)
        if found is None:
            return
        for flow in repos.flows(found):
            for node in flow.nodes:
                self.nodes[(flow.id, node.id)] = node

    def value(self, flow: str, node: str, field: str) -> str | None:
        got = self.nodes.get((flow, node))
        if got is None:
            return None
        if field.startswith("properties/"):
            return _short(_pointer(got.properties, field[len("properties") :]))
        return _short(getattr(got, field, None))


def export_repo(store: Store, repos: Repos, base_url: str | None) -> Path | None:
    """The repository of the newest export from this tenant URL that this server reads."""
    if not base_url:
        return None
    for run in store.runs.list(kind="export", limit=200):
        if (run.params.get("connection") or {}).get("base_url") == base_url:
            held = repos.holds(run.params.get("repo"))
            if held is not None:
                return held
    return None


def _changes(store: Store, repos: Repos, run: Run) -> tuple[str | None, list[Change]]:
    plan = (run.summary or {}).get("plan") or {}
    diff = plan.get("diff") if isinstance(plan, dict) else None
    if not isinstance(diff, dict):
        return None, []
    vendor = _vendor(run) or ""
    flows, nodes = repos.names(vendor)
    conns = run.params.get("connections") or {}
    source = _Side(
        repos,
        export_repo(store, repos, (conns.get("source") or {}).get("base_url")),
        vendor,
        (plan.get("source") or {}).get("name"),
    )
    target = _Side(
        repos,
        export_repo(store, repos, (conns.get("target") or {}).get("base_url")),
        vendor,
        (plan.get("target") or {}).get("name"),
    )
    out = []
    for c in diff.get("changes") or []:
        what, cid, flow = str(c.get("what")), str(c.get("id")), c.get("flow")
        # The repositories' names, else the plan's own (#16: a Genesys key is no repo id).
        named = c.get("flow_name") or (c.get("name") if what == "flow" else None)
        flow_name = flows.get(str(flow or cid)) or str(named or flow or cid)
        ids = {k: str(v) for k, v in c.items() if k in ("id", "flow", "old_id") and v}
        if what == "flow":
            fields = [d.strip() for d in str(c.get("detail") or "").split(", ") if d.strip()]
            out.append(
                Change(action=c["action"], what=what, path=[flow_name, *fields[:1]], ids=ids)
            )
            continue
        if what in ("node", "entry"):
            label = nodes.get((str(flow), cid)) or str(c.get("name") or cid)
            fields = [d.strip() for d in str(c.get("detail") or "").split(", ") if d.strip()]
            if not fields:
                out.append(Change(action=c["action"], what=what, path=[flow_name, label], ids=ids))
            for field in fields:
                shown = field.removeprefix("properties/")
                before, after = (
                    target.value(str(flow), cid, field),
                    source.value(str(flow), cid, field),
                )
                if before == after:  # the exports predate the change: they cannot show it
                    before = after = None
                out.append(
                    Change(
                        action=c["action"],
                        what=what,
                        path=[flow_name, label, shown],
                        before=before,
                        after=after,
                        ids=ids,
                    )
                )
            continue
        detail = str(c.get("detail") or "")
        out.append(
            Change(
                action=c["action"],
                what=what,
                path=[p for p in (flow_name if flow else None, f"{what} {cid}", detail) if p],
                ids=ids,
            )
        )
    return str(diff.get("bump")) if diff.get("bump") else None, out


def _rollback(store: Store, run: Run) -> RollbackView | None:
    rb = (run.summary or {}).get("rollback")
    if not isinstance(rb, dict):
        return None
    rid = f"{run.id}-rollback"
    return RollbackView(
        failed=rb.get("failed"),
        point=(rb.get("point") or {}).get("describe")
        if isinstance(rb.get("point"), dict)
        else rb.get("point"),
        restored_point=rb.get("restored_point")
        if isinstance(rb.get("restored_point"), str)
        else None,
        hash_before=rb.get("target_hash_before"),
        hash_restored=rb.get("target_hash_restored"),
        identical=rb.get("identical"),
        run_id=rid if store.runs.get(rid) else None,
    )


def finding_view(f: dict[str, Any], flows: dict[str, str], repo_index: int | None) -> FindingView:
    """A findings-report entry with its place in words and a link to the flow view."""
    loc = f.get("location") or {}
    file, line = loc.get("file"), loc.get("line")
    where = f"{file}:{line}" if file and line else (file or "")
    flow = loc.get("flow")
    if flow:
        where = f"flow {flows.get(str(flow), flow)} — {where}" if where else f"flow {flow}"
    link = None
    if flow and repo_index is not None and loc.get("vendor") and loc.get("project"):
        link = f"/flows/{repo_index}/{loc['vendor']}/{loc['project']}/{flow}"
    return FindingView(
        code=str(f.get("code")),
        name=str(f.get("name") or ""),
        severity=str(f.get("severity")),
        message=str(f.get("message")),
        where=where,
        file=file,
        line=line,
        link=link,
    )


def _findings(repos: Repos, run: Run) -> list[FindingView]:
    if run.kind != "export":
        return []
    repo = repos.holds(run.params.get("repo"))
    if repo is None:
        return []
    vendor = _vendor(run)
    projects = {str(p) for p in (run.summary or {}).get("projects_ok") or []}
    flows, _ = repos.names(vendor or "")
    index = repos.roots.index(repo)
    return [
        finding_view(f, flows, index)
        for f in repos.findings(repo)
        if (f.get("location") or {}).get("vendor") == vendor
        and (not projects or str((f.get("location") or {}).get("project")) in projects)
    ]


def _facts(run: Run) -> list[tuple[str, str]]:
    p, s = run.params, run.summary or {}
    facts: list[tuple[str, str]] = []

    def add(name: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            facts.append((name, str(value)))

    add("vendor", _vendor(run))
    add("project", project_of(run))
    add("environment", environment_of(run))
    add("version", p.get("version"))
    add("changelog", p.get("changelog"))
    add("gates", ", ".join(p.get("gates") or []))
    add("mechanism", p.get("mechanism"))
    add("outcome", str(s.get("outcome") or "").replace("_", " "))
    if isinstance(s.get("parity"), dict):
        par = s["parity"]
        add("parity", f"{par.get('score')} ({par.get('matched')} of {par.get('compared')} units)")
    add("content hash after", s.get("target_hash_after"))
    add("artifact tag", (s.get("artifact") or {}).get("tag"))
    add("commit", s.get("commit"))
    add("flows", s.get("flows") if run.kind == "export" else None)
    add("restored promotion", p.get("promote"))
    add("error", run.error or s.get("error"))
    return facts


def run_detail(store: Store, repos: Repos, run_id: str) -> RunDetail:
    """One run: timeline, gates in sentences, the plan by names, the rollback, findings."""
    from cxops.pipelines.promote.approval import pending

    run = store.runs.find(run_id)
    bump, changes = _changes(store, repos, run)
    parity = (run.summary or {}).get("parity")
    return RunDetail(
        run=run_item(run),
        steps=_steps(store, run),
        gates=_gates(run.summary or {}),
        bump=bump,
        changes=changes,
        rollback=_rollback(store, run),
        parity=f"{parity.get('score')}" if isinstance(parity, dict) else None,
        findings=_findings(repos, run),
        events=[f"{e.type} ({e.id})" for e in store.outbox.events(run_id=run.id)],
        facts=_facts(run),
        approval=_approval(pending(store, run)),
    )


def _approval(asked: dict[str, Any] | None) -> dict[str, Any] | None:
    """The pending approval with its deadline for people (``deadline_text``)."""
    if asked is None:
        return None
    deadline = datetime.fromisoformat(str(asked["deadline"]))
    return {**asked, "deadline_text": f"{deadline:%Y-%m-%d %H:%M} UTC"}
