"""Cognigy's own dependency graph (``GET /projects/{id}/graph``) as flow → flow edges.

The bundle's node references give cycles already; the project graph is the platform's view of
the same dependencies. Cycles found only in the graph (a reference the converter does not read)
are reported too, so neither source can hide one. Edges are sorted: the graph's order (which the
platform does not promise) never changes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxops.analysis.findings import Finding, Location
from cxops.analysis.graph import Graph
from cxops.model.bundle import Bundle
from cxops.transport import VendorClient
from cxops.transport.urls import seg

__all__ = ["graph_cycles", "project_graph_edges"]


async def project_graph_edges(client: VendorClient, project_id: str) -> list[tuple[str, str]]:
    """Sorted, distinct ``(flow _id, flow _id)`` dependencies of the project's graph."""
    doc = await client.get_json(f"/new/v2.0/projects/{seg(project_id)}/graph")
    edges: set[tuple[str, str]] = set()
    for entry in doc.values() if isinstance(doc, Mapping) else []:
        resources = entry.get("resources") if isinstance(entry, Mapping) else None
        flows = {
            str(r.get("_id"))
            for r in resources or []
            if isinstance(r, Mapping) and r.get("type") == "flow"
        }
        for res in resources or []:
            if not isinstance(res, Mapping) or res.get("type") != "flow":
                continue
            for dep in res.get("dependencies") or []:
                target = str(dep.get("_id")) if isinstance(dep, Mapping) else ""
                if target in flows and target != res.get("_id"):
                    edges.add((str(res["_id"]), target))
    return sorted(edges)


def _flow_ids(bundle: Bundle) -> dict[str, str]:
    """Graph ``_id`` → bundle flow id (the converter keys flows by ``referenceId``)."""
    out: dict[str, str] = {}
    for flow in bundle.flows:
        raw: Any = flow.properties.get("_id")
        out[str(raw) if raw is not None else flow.id] = flow.id
    return out


def graph_cycles(
    bundle: Bundle, edges: list[tuple[str, str]], known: list[Finding]
) -> list[Finding]:
    """CX101 for each cycle of the graph that ``known`` findings do not already name."""
    ids = _flow_ids(bundle)
    names = {f.id: f.name for f in bundle.flows}
    nodes = sorted({ids.get(a, a) for e in edges for a in e})
    number = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({(number[ids.get(a, a)], number[ids.get(b, b)]) for a, b in edges})
    graph = Graph(len(nodes), [a for a, _ in pairs], [b for _, b in pairs])
    reported = [f.message for f in known if f.code == "CX101"]
    out = []
    for path in graph.cycles():
        members = [nodes[i] for i in path]
        labels = [f"flow '{names.get(m, m)}'" for m in members]
        if any(all(label in message for label in labels) for message in reported):
            continue
        out.append(
            Finding.make(
                "CX101",
                "dependency cycle (project graph): " + " → ".join(labels),
                Location(vendor="cognigy", project=bundle.project, flow=members[0]),
            )
        )
    return out
