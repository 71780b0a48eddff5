"""Every check, CX100-CX109, over a :class:`BundleIndex`. Pure and deterministic.

Loops that can be left (a menu that re-prompts) are normal: only a strongly connected set of
nodes with no edge leaving it and no terminal node in it is a finding (CX109).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxops.analysis.deps import dependency_findings, range_findings
from cxops.analysis.findings import Finding, sort_findings
from cxops.analysis.graph import Graph
from cxops.analysis.index import BundleIndex, FlowEntry

__all__ = ["DEFAULT_MAX_NODES", "CheckOptions", "flow_findings", "run_checks"]

#: The seeds' threshold for one flow.
DEFAULT_MAX_NODES = 500
#: Findings of one kind per flow beyond this are summarised, so a broken flow stays readable.
MAX_PER_FLOW = 200


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Knobs of the checks: the node limit per flow (CX102)."""

    max_nodes: int = DEFAULT_MAX_NODES


def run_checks(index: BundleIndex, options: CheckOptions | None = None) -> list[Finding]:
    """Run every check and return the findings, sorted.

    Flows already settled (:meth:`BundleIndex.settle`) bring their own findings; the checks
    that read several flows (ids, dependencies, version ranges) run over every flow.
    """
    opts = options or CheckOptions()
    findings = [*index.problems, *index.checked]
    findings += flow_findings(index, opts)
    findings += _duplicates(index)
    findings += dependency_findings(index)
    findings += range_findings(index)
    return sort_findings(findings)


def flow_findings(index: BundleIndex, options: CheckOptions | None = None) -> list[Finding]:
    """The findings each flow has on its own, whatever else is in the bundle: node limit
    (CX102), dangling edges (CX103), unreachable nodes (CX104), duplicate node ids (CX107),
    entry points (CX108) and loops without exit (CX109), for the flows not yet settled.

    Flows never share nodes or edges, so any split of a bundle's flows gives the same findings
    in total: a worker process checks the flows it indexed (``cxops.cli.validate``).
    """
    opts = options or CheckOptions()
    flows = [flow for flow in index.flows if not flow.settled]
    if not flows:
        return []
    findings = _node_duplicates(index, flows)
    for flow in flows:
        findings += _flow_shape(index, flow, opts)
    graph = index.graph()
    findings += _unreachable(index, graph, flows)
    findings += _traps(index, graph)
    return findings


def _node_duplicates(index: BundleIndex, flows: list[FlowEntry]) -> list[Finding]:
    out: list[Finding] = []
    for flow in flows:
        for node in flow.duplicates:
            local = flow.node_ids.index(node)
            out.append(
                Finding.make(
                    "CX107",
                    f"node id '{node}' is used more than once in flow '{flow.id}'",
                    index.flow_loc(
                        flow,
                        flow=flow.id,
                        node=node,
                        pointer=f"{flow.pointer}/nodes/{local}",
                        file=flow.file,
                    ),
                )
            )
    return out


def _duplicates(index: BundleIndex) -> list[Finding]:
    # Ids must be unique within a project. An index that merges several projects of a tenant
    # (see ``check_groups``) holds org-wide resources (a Genesys queue, a data action) once per
    # project that uses them: that is not a duplicate.
    out: list[Finding] = []
    seen: dict[tuple[str | None, str], FlowEntry] = {}
    for flow in index.flows:
        key = (flow.project, flow.id)
        if key in seen:
            out.append(
                Finding.make(
                    "CX107",
                    f"flow id '{flow.id}' is used by more than one flow",
                    index.flow_location(flow),
                    related=(index.flow_location(seen[key]),),
                )
            )
        seen.setdefault(key, flow)
    keys: set[tuple[str | None, str, str]] = set()
    for res in index.resources:
        rkey = (res.location.project, res.kind, res.id)
        if rkey in keys:
            out.append(
                Finding.make(
                    "CX107",
                    f"{res.kind} id '{res.id}' is used by more than one resource",
                    res.location,
                )
            )
        keys.add(rkey)
    return out


def _flow_shape(index: BundleIndex, flow: FlowEntry, opts: CheckOptions) -> list[Finding]:
    out: list[Finding] = []
    if flow.size > opts.max_nodes:
        out.append(
            Finding.make(
                "CX102",
                f"flow '{flow.name}' has {flow.size} nodes, over the limit of {opts.max_nodes}",
                index.flow_location(flow, "/nodes"),
            )
        )
    for i, end, target in flow.dangling[:MAX_PER_FLOW]:
        out.append(
            Finding.make(
                "CX103",
                f"an edge of flow '{flow.name}' has {end} '{target}', which is not a node",
                index.flow_location(flow, f"/edges/{i}"),
            )
        )
    if len(flow.dangling) > MAX_PER_FLOW:
        out.append(
            Finding.make(
                "CX103",
                f"{len(flow.dangling) - MAX_PER_FLOW} more edges of flow "
                f"'{flow.name}' point to undefined nodes",
                index.flow_location(flow, "/edges"),
            )
        )
    for bad in flow.bad_entries:
        out.append(
            Finding.make(
                "CX108",
                f"entry point '{bad}' of flow '{flow.name}' is not a node of the flow",
                index.flow_location(flow, "/entry"),
            )
        )
    if not flow.entry and not flow.bad_entries:
        out.append(
            Finding.make(
                "CX108", f"flow '{flow.name}' has no entry point", index.flow_location(flow)
            )
        )
    return out


def _unreachable(index: BundleIndex, graph: Graph, flows: list[FlowEntry]) -> list[Finding]:
    out: list[Finding] = []
    seen = graph.reachable(index.entries())
    for flow in flows:
        if not flow.entry:
            continue  # CX108 already says the flow cannot be entered at all
        lost = np.flatnonzero(~seen[flow.offset : flow.offset + flow.size])
        for local in lost[:MAX_PER_FLOW].tolist():
            out.append(
                Finding.make(
                    "CX104",
                    f"node '{flow.node_ids[local]}' of flow '{flow.name}' cannot be "
                    "reached from any entry point",
                    index.node_location(flow.offset + local),
                )
            )
        if lost.size > MAX_PER_FLOW:
            out.append(
                Finding.make(
                    "CX104",
                    f"{lost.size - MAX_PER_FLOW} more nodes of flow '{flow.name}' are unreachable",
                    index.flow_location(flow, "/nodes"),
                )
            )
    return out


def _traps(index: BundleIndex, graph: Graph) -> list[Finding]:
    """CX109: cyclic components with no edge leaving them and no terminal node inside."""
    labels = graph.cyclic_labels()
    count = int(labels.max()) + 1 if labels.size else 0
    if count == 0:
        return []
    escapes = np.zeros(count, dtype=bool)
    from_cycle = labels[graph.src]
    leaving = (from_cycle >= 0) & (labels[graph.dst] != from_cycle)
    escapes[from_cycle[leaving]] = True
    terminal = np.asarray([f.offset + t for f in index.flows for t in f.terminal], dtype=np.int64)
    if terminal.size:
        inside = labels[terminal]
        escapes[inside[inside >= 0]] = True
    trapped = np.flatnonzero(~escapes)
    if trapped.size == 0:
        return []
    out: list[Finding] = []
    components = graph.components()
    for comp_id in trapped.tolist():
        members = components[comp_id]
        path = graph.cycle_path(members)
        flow = index.flow_of(path[0])
        steps = " → ".join(index.node_label(i) for i in path)
        out.append(
            Finding.make(
                "CX109",
                f"flow '{flow.name}' can loop forever: {steps} ({len(members)} nodes, "
                "no edge leaves the loop and none of them ends the flow)",
                index.node_location(path[0]),
                related=tuple(index.node_location(i) for i in members[1:20]),
            )
        )
    return out
