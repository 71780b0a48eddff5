"""One flow's graph from its bundle: nodes by label, edges by kind, laid out in layers from the
entry points, with cycles and unreachable nodes found by ``cxops.analysis.graph`` (the same
algorithms the checks use) and the export's findings about the flow beside it."""

from __future__ import annotations

from collections import deque

from cxops.analysis.graph import Graph
from cxops.errors import UsageError
from cxops.model.bundle import Flow
from cxops.web.queries.repos import Repos
from cxops.web.queries.runs import finding_view
from cxops.web.queries.schemas import FlowEdge, FlowNode, FlowView

__all__ = ["NODE_H", "NODE_W", "flow_view"]

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 180.0, 44.0, 30.0, 56.0, 20.0
MAX_NODES = 400  # past this a drawing helps nobody; the page lists the findings instead


def _layers(flow: Flow, index: dict[str, int], g: Graph) -> list[int]:
    """Breadth-first depth from the entries; unreachable nodes go one layer below the rest."""
    depth = [-1] * len(flow.nodes)
    out: list[list[int]] = [[] for _ in flow.nodes]
    for s, d in zip(g.src.tolist(), g.dst.tolist(), strict=True):
        out[s].append(d)
    queue = deque(index[e] for e in flow.entry if e in index)
    for i in queue:
        depth[i] = 0
    while queue:
        i = queue.popleft()
        for j in out[i]:
            if depth[j] < 0:
                depth[j] = depth[i] + 1
                queue.append(j)
    bottom = max(depth, default=0) + 1
    return [d if d >= 0 else bottom for d in depth]


def flow_view(repos: Repos, repo_index: int, vendor: str, project: str, flow_id: str) -> FlowView:
    """The drawing data of one flow of one project in the ``repo_index``-th repository."""
    if not 0 <= repo_index < len(repos.roots):
        raise UsageError(f"no repository number {repo_index}")
    repo = repos.roots[repo_index]
    found = repos.find(vendor, project, repo)
    if found is None:
        raise UsageError(f"no {vendor} project {project!r} in {repo.name}")
    flows = repos.flows(found)
    flow = next((f for f in flows if f.id == flow_id), None)
    if flow is None:
        raise UsageError(f"no flow {flow_id!r} in project {found.name}")
    nodes = flow.nodes[:MAX_NODES]
    index = {n.id: i for i, n in enumerate(nodes)}
    edges = [e for e in flow.edges if e.source in index and e.target in index]
    g = Graph(len(nodes), [index[e.source] for e in edges], [index[e.target] for e in edges])
    entries = [index[e] for e in flow.entry if e in index]
    reachable = g.reachable(entries)
    cyclic = g.cyclic_labels()
    layers = _layers(flow.model_copy(update={"nodes": nodes}), index, g)
    columns: dict[int, int] = {}
    placed = []
    for i, _node in enumerate(nodes):
        col = columns.get(layers[i], 0)
        columns[layers[i]] = col + 1
        placed.append((MARGIN + col * (NODE_W + GAP_X), MARGIN + layers[i] * (NODE_H + GAP_Y)))
    label = {n.id: (n.label or n.type or n.id) for n in nodes}
    view_nodes = [
        FlowNode(
            id=n.id,
            label=label[n.id],
            type=n.type,
            x=placed[i][0],
            y=placed[i][1],
            entry=n.id in flow.entry,
            unreachable=bool(entries) and not bool(reachable[i]),
            in_cycle=bool(cyclic[i] >= 0),
        )
        for i, n in enumerate(nodes)
    ]
    view_edges = [
        FlowEdge(
            source=e.source,
            target=e.target,
            kind=e.kind if not e.condition else f"{e.kind}: {e.condition}",
            in_cycle=bool(
                cyclic[index[e.source]] >= 0 and cyclic[index[e.source]] == cyclic[index[e.target]]
            ),
        )
        for e in edges
    ]
    cycles = [[label[nodes[i].id] for i in path] for path in g.cycles()]
    names = {f.id: f.name for f in flows}
    findings = [
        finding_view(f, names, repo_index)
        for f in repos.findings(repo)
        if (f.get("location") or {}).get("flow") == flow.id
        and (f.get("location") or {}).get("vendor") == vendor
    ]
    width = MARGIN * 2 + max(columns.values(), default=1) * (NODE_W + GAP_X)
    height = MARGIN * 2 + (max(layers, default=0) + 1) * (NODE_H + GAP_Y)
    return FlowView(
        environment=repo.name,
        vendor=vendor,
        project=found.name,
        flow_id=flow.id,
        flow=flow.name,
        flows=sorted(((f.id, f.name) for f in flows), key=lambda t: t[1].lower()),
        nodes=view_nodes,
        edges=view_edges,
        cycles=cycles,
        unreachable=[n.label for n in view_nodes if n.unreachable],
        findings=findings,
        width=width,
        height=height,
    )
