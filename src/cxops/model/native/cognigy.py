"""Cognigy.AI: flow charts (nodes + relations) with node config references ⇄ bundle.

Native project document (what the export collects, the shape of a package's ``content.json``)::

    {"project": {...IProject_2_0},
     "flows": [{...readFlow fields, "chart": {"_id", "nodes": [node with config], "relations"},
                "intents": [...]}],
     "lexicons": [{...readLexicon fields, "keyphrases": [ILexiconKeyphraseIndexItem_2_0]}],
     "connections": [...]}

A lexicon read has no keyphrases; the export adds them from ``GET /lexicons/{id}/keyphrases``
(``_id``, ``value``, ``isMainKeyphrase``, ``lexiconEntryReference``) and the lexicon resource
keeps them in its properties as they came (lossless). Their ``_id`` and
``lexiconEntryReference`` are tenant-local; :func:`portable_keyphrases` gives the form two
environments can compare (each keyphrase keyed by its entry's main keyphrase).

Ids in the bundle are ``referenceId`` s (stable across tenants and snapshots, and what node
config references use); the Mongo ``_id`` s stay in ``properties``. Relations become edges:
``next`` (kind next) and ``children`` (kind child, ``properties.index`` keeps their order).
A ``goTo`` inside the same flow is a transfer edge to its target node; to another flow it ends
this flow (terminal) and references the target. ``end`` nodes are terminal. Each node keeps its
relation's own fields under the reserved property ``_relation``; the flow keeps the native order
of nodes and relations under ``_order``.
"""

from __future__ import annotations

from typing import Any

from cxops.model.bundle import Bundle, Edge, Flow, Node, Ref, Resource
from cxops.model.errors import ConvertError

__all__ = [
    "flow_to_bundle",
    "flow_to_native",
    "portable_keyphrases",
    "rid",
    "to_bundle",
    "to_native",
]

_CONNECTION_KEYS = {
    "basic": "basicConnection",
    "apiKeyAuthKey": "apiKeyAuthKeyConnection",
    "apiKeyXKey": "apiKeyXKeyConnection",
    "oAuth2": "oAuth2Connection",
}


def rid(obj: dict[str, Any]) -> str:
    """The id cxops gives a Cognigy object: its ``referenceId``, else its ``_id``."""
    return str(obj.get("referenceId") or obj["_id"])


_rid = rid


def _refs(
    node: dict[str, Any], flow_ref: str, parent_switch: str | None
) -> tuple[list[Ref], bool, str | None]:
    """(references, terminal?, same-flow go-to target) of one chart node."""
    kind, config = node.get("type"), node.get("config") or {}
    refs: list[Ref] = []
    terminal = kind == "end"
    jump: str | None = None
    if kind in ("executeFlow", "goTo"):
        target = (config.get("flowNode") or {}).get("flow")
        if isinstance(target, str) and target:
            if kind == "goTo" and target == flow_ref:
                jump = str((config.get("flowNode") or {}).get("node") or "")
            else:
                refs.append(Ref(kind="flow", id=target))
                terminal = terminal or kind == "goTo"
    elif kind == "addLexiconKeyphrase" and isinstance(config.get("lexiconId"), str):
        refs.append(Ref(kind="lexicon", id=config["lexiconId"]))
    elif kind == "httpRequest":
        key = _CONNECTION_KEYS.get(str(config.get("authType")))
        if key and isinstance(config.get(key), str) and config[key]:
            refs.append(Ref(kind="connection", id=config[key]))
    elif kind == "case" and parent_switch == "intent":
        value = (config.get("case") or {}).get("value")
        if isinstance(value, str) and value:
            refs.append(Ref(kind="intent", id=f"{flow_ref}/{value}", name=value))
    return refs, terminal, jump


def flow_to_bundle(doc: dict[str, Any], lexicon_refs: dict[str, str] | None = None) -> Flow:
    """One native flow (readFlow fields + ``chart`` + ``intents``) as a portable Flow.

    ``lexicon_refs`` maps lexicon ``_id`` to ``referenceId`` (``attachedLexicons`` hold ids).
    """
    if not isinstance(doc.get("chart"), dict) or "_id" not in doc:
        raise ConvertError("a Cognigy flow needs '_id' and a 'chart'", pointer="/chart")
    chart = doc["chart"]
    nodes_in: list[dict[str, Any]] = list(chart.get("nodes") or [])
    relations: list[dict[str, Any]] = list(chart.get("relations") or [])
    flow_ref = _rid(doc)
    by_oid = {n["_id"]: _rid(n) for n in nodes_in}
    by_ref = {_rid(n): n for n in nodes_in}
    rel_of = {r.get("node"): r for r in relations}
    parent_switch: dict[str, str] = {}
    node_types = {n["_id"]: n for n in nodes_in}
    for relation in relations:
        owner = node_types.get(relation.get("node"))
        if owner is not None and owner.get("type") == "switch":
            mode = str((owner.get("config") or {}).get("switch"))
            for child in relation.get("children") or []:
                parent_switch[child] = mode
    nodes: list[Node] = []
    edges: list[Edge] = []
    entry: list[str] = []
    for raw in nodes_in:
        oid, rid = raw["_id"], _rid(raw)
        refs, terminal, jump = _refs(raw, flow_ref, parent_switch.get(oid))
        props = dict(raw)
        rel = rel_of.get(oid)
        if rel is not None:
            props["_relation"] = {k: v for k, v in rel.items() if k not in ("node",)}
            nxt = rel.get("next")
            if nxt is not None:
                edges.append(Edge(source=rid, target=by_oid.get(nxt, nxt), kind="next"))
            for i, child in enumerate(rel.get("children") or []):
                edges.append(
                    Edge(
                        source=rid,
                        target=by_oid.get(child, child),
                        kind="child",
                        properties={"index": i},
                    )
                )
        if jump is not None:
            start = next((r for r, n in by_ref.items() if n.get("type") == "start"), "")
            edges.append(Edge(source=rid, target=jump or start, kind="transfer"))
        if raw.get("type") == "start" or raw.get("isEntryPoint") is True:
            entry.append(rid)
        label = raw.get("label")
        nodes.append(
            Node(
                id=rid,
                type=str(raw.get("type", "")),
                label=label if isinstance(label, str) else None,
                terminal=terminal,
                properties=props,
                refs=refs,
            )
        )
    flow_refs = [
        Ref(kind="lexicon", id=(lexicon_refs or {}).get(lex, lex))
        for lex in doc.get("attachedLexicons") or []
        if isinstance(lex, str)
    ]
    props = {k: v for k, v in doc.items() if k != "chart"}
    props["_chart"] = {k: v for k, v in chart.items() if k not in ("nodes", "relations")}
    props["_order"] = {
        "nodes": [n["_id"] for n in nodes_in],
        "relations": [r.get("node") for r in relations],
        "orphans": [r for r in relations if r.get("node") not in node_types],
    }
    return Flow(
        id=flow_ref,
        name=str(doc.get("name", flow_ref)),
        kind="cognigy.flow",
        entry=entry,
        nodes=nodes,
        edges=edges,
        refs=flow_refs,
        properties=props,
    )


def flow_to_native(flow: Flow) -> dict[str, Any]:
    """Inverse of :func:`flow_to_bundle`."""
    props = dict(flow.properties)
    chart: dict[str, Any] = dict(props.pop("_chart"))  # type: ignore[arg-type]
    order: dict[str, Any] = props.pop("_order")  # type: ignore[assignment]
    by_oid = {}
    rels = {}
    for node in flow.nodes:
        raw = dict(node.properties)
        rel = raw.pop("_relation", None)
        by_oid[raw["_id"]] = raw
        if isinstance(rel, dict):
            rels[raw["_id"]] = {"node": raw["_id"], **rel}
    orphans = {r.get("node"): r for r in order["orphans"]}
    chart["nodes"] = [by_oid[oid] for oid in order["nodes"]]
    chart["relations"] = [rels[oid] if oid in rels else orphans[oid] for oid in order["relations"]]
    # Keep the native key order of a flow: chart where it was, so dumps compare equal.
    return {**props, "chart": chart}


def to_bundle(native: dict[str, Any], *, tenant: str) -> Bundle:
    """A whole native project (see module doc) as a Bundle."""
    project = native.get("project") or {}
    if "_id" not in project:
        raise ConvertError("a Cognigy project needs 'project._id'", pointer="/project")
    lexicons = list(native.get("lexicons") or [])
    connections = list(native.get("connections") or [])
    lexicon_refs = {lx["_id"]: _rid(lx) for lx in lexicons}
    flows = [flow_to_bundle(f, lexicon_refs) for f in native.get("flows") or []]
    resources = [
        Resource(kind="lexicon", id=_rid(lx), name=str(lx.get("name", "")), properties=lx)
        for lx in lexicons
    ] + [
        Resource(kind="connection", id=_rid(c), name=str(c.get("name", "")), properties=c)
        for c in connections
    ]
    for flow in flows:
        for intent in flow.properties.get("intents") or []:  # type: ignore[union-attr]
            if isinstance(intent, dict) and isinstance(intent.get("name"), str):
                resources.append(
                    Resource(
                        kind="intent",
                        id=f"{flow.id}/{intent['name']}",
                        name=intent["name"],
                        properties={"derived": True},
                    )
                )
    extra = {k: v for k, v in native.items() if k not in ("flows", "lexicons", "connections")}
    extra["_order"] = {
        "flows": [_rid(f) for f in native.get("flows") or []],
        "lexicons": [_rid(x) for x in lexicons],
        "connections": [_rid(x) for x in connections],
    }
    return Bundle(
        vendor="cognigy",
        tenant=tenant,
        project=str(project["_id"]),
        flows=flows,
        resources=resources,
        properties=extra,
    )


def to_native(bundle: Bundle) -> dict[str, Any]:
    """Inverse of :func:`to_bundle`."""
    props = dict(bundle.properties)
    order: dict[str, Any] = props.pop("_order")  # type: ignore[assignment]
    flows = {f.id: flow_to_native(f) for f in bundle.flows}
    res = {(r.kind, r.id): r.properties for r in bundle.resources}
    return {
        **props,
        "flows": [flows[i] for i in order["flows"]],
        "lexicons": [res[("lexicon", i)] for i in order["lexicons"]],
        "connections": [res[("connection", i)] for i in order["connections"]],
    }


def portable_keyphrases(lexicon: dict[str, Any]) -> list[dict[str, Any]]:
    """A lexicon's ``keyphrases`` without tenant-local ids, sorted: each keyphrase's entry is
    named by the value of that entry's main keyphrase (``entry``), so the same keyphrases in
    two environments compare (and hash) equal.

    >>> rows = [{"value": "pie", "isMainKeyphrase": False, "lexiconEntryReference": "e1"},
    ...         {"value": "cake", "isMainKeyphrase": True, "lexiconEntryReference": "e1"}]
    >>> [k["value"] for k in portable_keyphrases({"keyphrases": rows})]
    ['cake', 'pie']
    """
    rows = [k for k in lexicon.get("keyphrases") or [] if isinstance(k, dict)]
    main = {
        k.get("lexiconEntryReference"): k.get("value") for k in rows if k.get("isMainKeyphrase")
    }
    out = [
        {
            "entry": main.get(k.get("lexiconEntryReference"), k.get("lexiconEntryReference")),
            "isMainKeyphrase": bool(k.get("isMainKeyphrase")),
            "value": k.get("value"),
        }
        for k in rows
    ]
    return sorted(out, key=lambda k: (str(k["entry"]), not k["isMainKeyphrase"], str(k["value"])))
