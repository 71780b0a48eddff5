"""Genesys Cloud Architect: flow configuration + dependency tracking objects ⇄ bundle.

Native project document (one division)::

    {"division": {...}, "flows": [{"flow": {...Flow entity},
                                   "configuration": {...flow configuration},
                                   "versions": [{...FlowVersion}],
                                   "consumed": [{...Dependency}]}]}

Every container (state, task, menu) and every action is a node (ids are unique within a
configuration); a container has a ``next`` edge to its first action; each action path becomes
an edge (``default`` → next, ``call`` → child, others → branch with the path name as
condition). An action without paths, or with a path to ``null``, can end the flow (terminal).
The entry point is ``startUpRef``. Action ``refs`` become portable refs (``flowVersion`` is the
version range). Consumed dependencies (with their ``deleted`` flag) become resources; flows'
published version ids become ``Flow.versions``.
"""

from __future__ import annotations

from typing import Any

from cxops.model.bundle import Bundle, Edge, Flow, Node, Ref, Resource
from cxops.model.errors import ConvertError

__all__ = ["flow_to_bundle", "flow_to_native", "ref_kind", "to_bundle", "to_native"]

CONTAINERS = ("states", "tasks", "menus")
_KINDS = {"DATAACTION": "data_action", "USERPROMPT": "prompt", "QUEUE": "queue"}


def ref_kind(dependency_type: str) -> str:
    """Portable ref kind of a Genesys ``Dependency.type`` (any ``...FLOW`` is a flow)."""
    if dependency_type.endswith("FLOW"):
        return "flow"
    return _KINDS.get(dependency_type, dependency_type.lower())


def _ref(raw: dict[str, Any]) -> Ref:
    version = raw.get("flowVersion")
    name = raw.get("name")
    return Ref(
        kind=ref_kind(str(raw.get("type", ""))),
        id=str(raw.get("id", "")),
        name=name if isinstance(name, str) else None,
        version=version if isinstance(version, str) else None,
    )


def _edges(action: dict[str, Any]) -> tuple[list[Edge], bool]:
    paths = action.get("paths") or []
    edges = []
    ends = not paths
    for i, path in enumerate(paths):
        nxt, name = path.get("next"), path.get("name")
        if nxt is None:
            ends = True
            continue
        kind = "next" if name == "default" else "child" if name == "call" else "branch"
        edges.append(
            Edge(
                source=str(action["id"]),
                target=str(nxt),
                kind=kind,
                condition=None if kind == "next" else str(name),
                properties={"index": i},
            )
        )
    return edges, ends


def flow_to_bundle(native: dict[str, Any]) -> Flow:
    """One native flow (configuration, entity, versions, consumed dependencies) as a Flow."""
    config = native.get("configuration")
    if not isinstance(config, dict) or "id" not in config:
        raise ConvertError(
            "a Genesys flow needs a 'configuration' with an 'id'", pointer="/configuration"
        )
    nodes: list[Node] = []
    edges: list[Edge] = []
    layout: dict[str, list[list[str]]] = {}
    for group in CONTAINERS:
        layout[group] = []
        for box in config.get(group) or []:
            actions = box.get("actions") or []
            layout[group].append([box["id"], *(a["id"] for a in actions)])
            shell = {k: v for k, v in box.items() if k != "actions"}
            nodes.append(
                Node(
                    id=str(box["id"]),
                    type=f"container:{box.get('kind', group)}",
                    label=box.get("name") if isinstance(box.get("name"), str) else None,
                    properties=shell,
                )
            )
            if actions:
                edges.append(Edge(source=str(box["id"]), target=str(actions[0]["id"])))
            for action in actions:
                out, ends = _edges(action)
                edges += out
                label = action.get("name")
                nodes.append(
                    Node(
                        id=str(action["id"]),
                        type=str(action.get("type", "")),
                        label=label if isinstance(label, str) else None,
                        terminal=ends,
                        properties=action,
                        refs=[_ref(r) for r in action.get("refs") or []],
                    )
                )
    rest = {k: v for k, v in native.items() if k != "configuration"}
    rest["configuration"] = {k: v for k, v in config.items() if k not in CONTAINERS}
    rest["_layout"] = {"groups": layout, "has": [g for g in CONTAINERS if g in config]}
    versions = sorted({str(v["id"]) for v in native.get("versions") or [] if "id" in v})
    start = config.get("startUpRef")
    return Flow(
        id=str(config["id"]),
        name=str(config.get("name", config["id"])),
        kind=f"genesys.{str(config.get('type', 'flow')).lower()}",
        version=str(config["version"]) if config.get("version") is not None else None,
        versions=versions,
        entry=[str(start)] if start else [],
        nodes=nodes,
        edges=edges,
        properties=rest,
    )


def flow_to_native(flow: Flow) -> dict[str, Any]:
    """Inverse of :func:`flow_to_bundle`."""
    rest = dict(flow.properties)
    layout: dict[str, Any] = rest.pop("_layout")  # type: ignore[assignment]
    config = dict(rest.pop("configuration"))  # type: ignore[arg-type]
    by_id = {n.id: n.properties for n in flow.nodes}
    for group in layout["has"]:
        config[group] = [
            {**by_id[ids[0]], "actions": [by_id[a] for a in ids[1:]]}
            for ids in layout["groups"][group]
        ]
    return {**rest, "configuration": config}


def to_bundle(native: dict[str, Any], *, tenant: str) -> Bundle:
    """One division's flows (see module doc) as a Bundle; project = the division name."""
    division = native.get("division") or {}
    flows = [flow_to_bundle(f) for f in native.get("flows") or []]
    exported = {f.id for f in flows}
    resources: dict[tuple[str, str], Resource] = {}
    for f in native.get("flows") or []:
        for dep in f.get("consumed") or []:
            kind = ref_kind(str(dep.get("type", "")))
            rid = str(dep.get("id", ""))
            if (kind == "flow" and rid in exported) or (kind, rid) in resources:
                continue
            version = dep.get("version")
            resources[(kind, rid)] = Resource(
                kind=kind,
                id=rid,
                name=str(dep.get("name") or rid),
                version=str(version) if version is not None else None,
                deleted=bool(dep.get("deleted")),
                properties={"derived": True},
            )
    project = str(division.get("name") or division.get("id") or "default")
    extra = {k: v for k, v in native.items() if k != "flows"}
    extra["_order"] = [str(f["configuration"]["id"]) for f in native.get("flows") or []]
    return Bundle(
        vendor="genesys",
        tenant=tenant,
        project=project,
        flows=flows,
        resources=list(resources.values()),
        properties=extra,
    )


def to_native(bundle: Bundle) -> dict[str, Any]:
    """Inverse of :func:`to_bundle` (resources are derived from ``consumed`` and dropped)."""
    extra = dict(bundle.properties)
    order: list[str] = extra.pop("_order")  # type: ignore[assignment]
    flows = {f.id: flow_to_native(f) for f in bundle.flows}
    return {**extra, "flows": [flows[i] for i in order]}
