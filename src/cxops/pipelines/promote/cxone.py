"""NICE CXone Studio promotion: save each changed script into the target business unit,
callees before callers; roll back by saving the recorded versions again and deleting what the
promotion created. Documented in docs/promote/cxone.md.

- :meth:`CxoneStrategy.stages`: one ``save:<script path>`` stage per script of the source folder
  that is missing in the target or differs from it (portable content), in call order: a script
  is saved after every script it calls (RUNSUB, SPAWN, RUNSCRIPT) in the same folder, because
  Studio refuses a script whose callee does not exist (409 ``SCRIPT_NOT_FOUND``). The order is
  the call graph's topological order (``analysis.graph.Graph``), reversed; call cycles are
  saved component by component (a cycle of *new* scripts cannot be created in one pass).
- gates: CXone has no simulation, health or session API. ``simulation`` posts to the test-call
  hooks of the ``--tests`` file's ``cxone.test_calls`` (:mod:`cxone_calls`); ``health`` and
  ``sessions`` pass with ``skipped``.
- rollback point: each stage script's current ``masterID`` on the target, or none (created by
  the promotion), and the stage scripts that are **inactive** on the target: then the first
  deploy stage fails before any save (cxops never saves an inactive script). Restore saves the
  recorded version again, found in the unpaged ``scripts/historyByName``, and deletes created
  scripts. Every step asks the vendor first (content already current, version already current,
  script already gone), so re-runs repeat nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from cxops.analysis.checks import CheckOptions
from cxops.analysis.graph import Graph
from cxops.analysis.index import BundleIndex
from cxops.analysis.scope import check_together
from cxops.errors import InputError, UsageError
from cxops.model.bundle import Bundle, Flow
from cxops.model.layout import bundle_dir, flow_file_names, pretty_bytes
from cxops.model.native import cxone as native
from cxops.model.native.cxone_answers import SaveProblem
from cxops.pipelines.compile.mapping import FlowFile, cxone_findings
from cxops.pipelines.promote import cxone_calls
from cxops.pipelines.promote.gates import validation_evidence
from cxops.pipelines.promote.parity import stable_hash
from cxops.pipelines.promote.strategy import Context, register
from cxops.vendors.deploy.cxone import STAMPS, CxoneDeployer, ScriptInactive

__all__ = ["CxoneStrategy", "deploy_order", "stage_name", "stage_script"]

PREFIX = "save:"
# Stage names must not hold ',' or '@' (kill boundaries split on them): percent-escaped.
_ESCAPES = (("%", "%25"), (",", "%2C"), ("@", "%40"))


def stage_name(path: str) -> str:
    """``save:<path>`` with ``%``, ``,`` and ``@`` percent-escaped."""
    for raw, escaped in _ESCAPES:
        path = path.replace(raw, escaped)
    return PREFIX + path


def stage_script(stage: str) -> str:
    """The script path of a stage name (inverse of :func:`stage_name`)."""
    if not stage.startswith(PREFIX):
        raise ValueError(f"not a cxone stage: {stage!r}")
    path = stage[len(PREFIX) :]
    for raw, escaped in reversed(_ESCAPES):
        path = path.replace(escaped, raw)
    return path


def _short(path: str) -> str:
    return path.replace("/", "\\").rpartition("\\")[2]


def _callees(flow: Flow, ids: Mapping[str, str]) -> list[str]:
    """Scripts of the bundle that ``flow`` calls (ids as the bundle spells them)."""
    out = []
    for node in flow.nodes:
        for ref in node.refs:
            found = ids.get(ref.id.lower()) if ref.kind == "flow" else None
            if found is not None and found != flow.id and found not in out:
                out.append(found)
    return out


def deploy_order(bundle: Bundle, chosen: Collection[str]) -> list[str]:
    """``chosen`` script ids, each after every script of the bundle it calls (callees first).

    The call graph's topological order, reversed; with a call cycle, the strongly connected
    components are ordered instead and each cycle's scripts are taken by path.
    """
    names = sorted(f.id for f in bundle.flows)
    number = {n: i for i, n in enumerate(names)}
    ids = {n.lower(): n for n in names}
    pairs = sorted(
        {(number[f.id], number[c]) for f in bundle.flows for c in _callees(f, ids)}
    )  # caller → callee
    graph = Graph(len(names), [a for a, _ in pairs], [b for _, b in pairs])
    order = graph.topological_order()
    if order is None:
        labels = graph.scc_labels().tolist()
        count = max(labels, default=-1) + 1
        links = sorted({(labels[a], labels[b]) for a, b in pairs if labels[a] != labels[b]})
        condensed = Graph(count, [a for a, _ in links], [b for _, b in links])
        comp_order = condensed.topological_order() or list(range(count))
        order = [
            i for c in comp_order for i in sorted(i for i in range(len(names)) if labels[i] == c)
        ]
    wanted = set(chosen)
    return [names[i] for i in reversed(order) if names[i] in wanted]


def portable_flow(flow: Flow) -> Flow:
    """The script without its business unit's stamps (``masterId``, ``busNo``, ``status``,
    ``lockInfo``) and version, so dev and prod compare by content."""
    props = dict(flow.properties)
    header = props.get("header")
    if isinstance(header, dict):
        props["header"] = {k: v for k, v in header.items() if k not in STAMPS}
    return flow.model_copy(update={"properties": props, "version": None})


def _locator(bundle: Bundle, flow: Flow) -> Any:
    """``locate(action, problem)`` for the deployer: the problem's line:column in the file
    ``cxops export`` writes for this script (``pipelines.compile.mapping``)."""
    path = f"{bundle_dir(bundle)}/{flow_file_names(bundle.flows)[flow.id]}"
    file = FlowFile(bundle.vendor, bundle.project, flow, path, b"")

    def locate(problem: SaveProblem) -> str | None:
        nonlocal file
        if not file.data:
            file = FlowFile(file.vendor, file.project, flow, path, pretty_bytes(_doc(flow)))
        found = cxone_findings(file, [problem])
        loc = found[0].location if found else None
        if loc is None or loc.line is None:
            return None
        return f"{loc.file}:{loc.line}:{loc.column}"

    return locate


def _doc(flow: Flow) -> Any:
    return flow.model_dump(mode="json", exclude_defaults=True)


class CxoneStrategy:
    """How CXone promotes (see the module doc)."""

    vendor: ClassVar[str] = "cxone"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # One mechanism: saves. ``merge`` is the run default for every vendor.
        mechanism = ctx.params.get("mechanism")
        if mechanism not in (None, "merge", "save"):
            raise UsageError(
                f"CXone has no promotion mechanism {mechanism!r}: it promotes by saving scripts",
                hint="leave out --mechanism for CXone",
            )

    async def _deployer(self) -> CxoneDeployer:
        return CxoneDeployer(await self.ctx.client("target"), str(self.ctx.params.get("target")))

    # -- pure ----------------------------------------------------------------------------
    def portable(self, bundle: Bundle) -> Bundle:
        """Script ids are paths already (both units share them); dropped: each script's
        ``masterId``/``busNo``/``status``/``lockInfo`` and its version (the masterID)."""
        return bundle.model_copy(update={"flows": [portable_flow(f) for f in bundle.flows]})

    def portable_flows(self, bundle: Bundle, flows: list[str] | None) -> list[str] | None:
        """The plan's scoped ``flows`` (script paths, or the short names the plan takes from
        the read adapter's aliases) as script paths of ``bundle`` (portable keeps paths)."""
        if flows is None:
            return None
        out = []
        for wanted in flows:
            hits = [f.id for f in bundle.flows if f.id == wanted]
            hits = hits or [f.id for f in bundle.flows if f.id.lower() == wanted.lower()]
            hits = hits or [f.id for f in bundle.flows if _short(f.id) == wanted]
            out += [h for h in hits if h not in out]
        return out

    def fingerprint(self, bundle: Bundle) -> str:
        """What "restored to identical" compares for CXone: the content hash of the portable
        bundle. A restore saves the recorded version *again*, which mints a new masterID (every
        CXone save does), so the raw hash cannot match; every script's content must."""
        return stable_hash(self.portable(bundle))

    def stages(self, source: Bundle, target: Bundle, flows: list[str] | None) -> list[str]:
        """``save:<path>`` for each source script missing in or differing from the target, in
        call order; ``flows`` (paths or short names) narrows to those scripts plus the
        scripts of the folder they call that the target lacks."""
        have = {f.id.lower(): _doc(portable_flow(f)) for f in target.flows}
        changed = {f.id for f in source.flows if have.get(f.id.lower()) != _doc(portable_flow(f))}
        chosen = set(changed)
        if flows:
            wanted = set(flows)
            chosen = {p for p in changed if p in wanted or _short(p) in wanted}
            ids = {f.id.lower(): f.id for f in source.flows}
            by_id = {f.id: f for f in source.flows}
            todo = list(chosen)
            while todo:  # new callees come along: the save would be refused without them
                for callee in _callees(by_id[todo.pop()], ids):
                    if callee.lower() not in have and callee not in chosen:
                        chosen.add(callee)
                        todo.append(callee)
        return [stage_name(p) for p in deploy_order(source, chosen)]

    # -- gates and verify ----------------------------------------------------------------
    #: The workflow asks this strategy for the validation gate (see :meth:`validation`).
    OWN_GATES: ClassVar[frozenset[str]] = frozenset({"validation"})

    async def gate(self, name: str, planned: dict[str, Any]) -> dict[str, Any]:
        """``simulation``: the ``--tests`` test calls against the source; ``health`` and
        ``sessions``: skipped (CXone has no API for them); ``validation``: :meth:`validation`."""
        if name == "validation":  # when the workflow asks the strategy (see validation())
            return await self.validation(planned)
        if name == "simulation":
            env = str(self.ctx.params["tenants"]["source"])
            calls = cxone_calls.configured(self.ctx.tests, planned.get("flows"))
            result = await cxone_calls.run(calls, run=self.ctx.run_id, environment=env)
            return {"gate": name, **result}
        why = {
            "health": "CXone has no script health API",
            "sessions": "CXone has no API for active contacts per script",
        }.get(name, f"CXone has no {name} API")
        return {"gate": name, "passed": True, "skipped": why}

    async def validation(self, planned: dict[str, Any]) -> dict[str, Any]:
        """The validation gate as CXone needs it: a script calls scripts of *any* folder, so the
        source folder is checked together with the target's other folders
        (``analysis.scope.check_together``), as it will run there. A call to a script that
        neither has is CX105 here, before anything is saved, rather than a 409 during the
        deploy. Only findings on the source folder's scripts count."""
        source = await self.ctx.bundle("source", planned["source"])
        adapter = await self.ctx.adapter("target")
        others = [p for p in await adapter.list_projects() if p.id != planned["target"]["id"]]
        bundles = [source] + [await adapter.export_project(p) for p in others]
        indexes = []
        for bundle in bundles:
            index = BundleIndex()
            index.add_bundle(bundle.document())
            indexes.append(index)
        max_nodes = int(self.ctx.params.get("max_nodes") or 500)
        ours = {f.id for f in source.flows}
        found = [
            f
            for f in check_together(indexes, CheckOptions(max_nodes=max_nodes))
            if f.location.flow in ours
        ]
        return {**validation_evidence(found), "checked_with": [b.project for b in bundles[1:]]}

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        """Smoke = the same test calls against the target; the id map from both units'
        current masterIDs."""
        env = str(self.ctx.params["target"])
        calls = cxone_calls.configured(self.ctx.tests, planned.get("flows"))
        smoke = await cxone_calls.run(calls, run=self.ctx.run_id, environment=env)
        source = await self.ctx.bundle("source", planned["source"])
        live = {p.lower(): m for p, m in (await (await self._deployer()).masters()).items()}
        id_map = {
            f.id: {"kind": "script", "source": f.version, "target": _text(live.get(f.id.lower()))}
            for f in source.flows
        }
        return {
            "passed": bool(smoke["passed"]),
            "health": {"passed": True, "skipped": "CXone has no script health API"},
            "smoke": smoke,
            "id_map": id_map,
        }

    # -- effects -------------------------------------------------------------------------
    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        """Each stage script's current masterID on the target (``None``: not there yet), and
        which of them are inactive there (the deploy refuses those before saving anything)."""
        dep = await self._deployer()
        scripts = []
        inactive = []
        for stage in planned["stages"]:
            path = stage_script(stage)
            if await dep.inactive(path):
                inactive.append(path)
            live = await dep.current(path)
            master = (live or {}).get("header", {}).get("masterId")
            scripts.append(
                {
                    "script": str(live["header"]["scriptName"]) if live else path,
                    "master_id": int(master) if live and master is not None else None,
                }
            )
        before = await self.ctx.bundle("target", planned["target"])
        kept = sum(s["master_id"] is not None for s in scripts)
        describe = (
            f"CXone {planned['target']['name']}: {kept} script(s) at their masterIDs, "
            f"{len(scripts) - kept} not on the target before"
        )
        return {
            "vendor": "cxone",
            "scripts": scripts,
            "inactive": inactive,
            "fingerprint": self.fingerprint(before),
            "describe": describe,
        }

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        """Save one script (skipped when the target's current version already holds it).
        Refused before any save when a stage script is inactive on the target."""
        if point.get("inactive"):
            names = ", ".join(point["inactive"])
            raise ScriptInactive(names, target=str(self.ctx.params.get("target")))
        path = stage_script(stage)
        source = await self.ctx.bundle("source", planned["source"])
        flow = next((f for f in source.flows if f.id == path), None)
        if flow is None:
            raise InputError(
                f"cxone stage {stage!r}: no script {path} in the source folder",
                hint="the source changed since the plan; run the promotion again",
            )
        script = native.flow_to_native(flow)
        result = await (await self._deployer()).save(script, locate=_locator(source, flow))
        return result.to_dict()

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        """Save each recorded version again, then delete the scripts the promotion created
        (callers first); what is already as recorded is left alone. ``identical``: the target's
        :meth:`fingerprint` equals the one recorded at the rollback point."""
        dep = await self._deployer()
        restored: list[dict[str, Any]] = []
        unchanged: list[dict[str, Any]] = []
        deleted: list[str] = []
        for row in point.get("scripts", []):
            if row.get("master_id") is None:
                continue
            result = await dep.restore(str(row["script"]), int(row["master_id"]))
            (restored if result.saved else unchanged).append(result.to_dict())
        for row in reversed(point.get("scripts", [])):
            if row.get("master_id") is None and await dep.delete(str(row["script"])):
                deleted.append(str(row["script"]))
        after = await self.ctx.bundle("target", planned["target"], fresh=True)
        now = self.fingerprint(after)
        return {
            "restored": restored,
            "unchanged": unchanged,
            "deleted": deleted,
            "fingerprint_restored": now,
            "identical": now == point.get("fingerprint"),
        }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


register("cxone", CxoneStrategy)
