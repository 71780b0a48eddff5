"""Parity of a promotion: how much of the source the target now holds, from canonical bundles.

Units compared (ids are the bundles' portable ids: Cognigy ``referenceId`` s): every flow (name,
kind, entry points, edges, properties), every node, every reference, every other resource
(configuration). A unit matches when both sides have it and its JSON differs nowhere but in
tenant-local keys (``diff.property_changes`` skips ``_id`` and audit stamps; a flow's
``attachedLexicons`` ids are compared as its lexicon refs, by ``referenceId``). The score is
matched / compared units; the differences name each unit that did not match and where, by
name (``flow 'Main' › node 'Greeting': differs at comment``; issue #16).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cxops.analysis.diff import IGNORED_KEYS, property_changes
from cxops.analysis.names import SEP, Names, field_path, label
from cxops.model.bundle import Bundle
from cxops.model.canonical import content_hash

__all__ = ["LOCAL_IDS", "parity", "portable", "stable_hash"]

#: Flow properties holding tenant-local ``_id`` s (Cognigy); compared through the refs instead.
LOCAL_IDS = frozenset({"attachedLexicons", "attachedFlows"})


def _units(
    bundle: Bundle, flows: Collection[str] | None, names: Names, shown: dict[str, str]
) -> dict[str, Any]:
    """The units, keyed by ids; ``shown`` gets each key's label for people (#16: names)."""
    out: dict[str, Any] = {}
    for flow in bundle.flows:
        if flows and flow.id not in flows and flow.name not in flows:
            continue
        doc = flow.model_dump(mode="json", exclude={"nodes", "refs", "version", "versions"})
        # Tenant-local _id lists: the flow's refs carry the same links by referenceId.
        doc["properties"] = {k: v for k, v in doc["properties"].items() if k not in LOCAL_IDS}
        out[f"flow {flow.id}"] = doc
        shown[f"flow {flow.id}"] = names.flow(flow.id)
        for node in flow.nodes:
            out[f"node {flow.id}/{node.id}"] = node.model_dump(mode="json")
            shown[f"node {flow.id}/{node.id}"] = names.node(flow.id, node.id)
        for ref in flow.refs:
            key = f"ref {flow.id} -> {ref.kind}:{ref.id}"
            out[key] = ref.model_dump(mode="json")
            used = label(ref.kind, ref.name, ref.id)
            shown[key] = f"{names.flow(flow.id)}{SEP}reference to {used}"
    for res in bundle.resources:
        out[f"{res.kind} {res.id}"] = res.model_dump(mode="json", exclude={"version", "versions"})
        shown[f"{res.kind} {res.id}"] = label(res.kind, res.name, res.id)
    return out


def parity(
    source: Bundle, target: Bundle, *, flows: Collection[str] | None = None, limit: int = 50
) -> dict[str, Any]:
    """``{"score", "compared", "matched", "differences"}`` of ``target`` against ``source``.

    ``flows`` limits the flow units to a scoped promotion (ids or names); ``limit`` caps the
    listed differences (the counts stay exact).
    """
    names = Names.of([*target.flows, *source.flows])  # the source's names win
    shown: dict[str, str] = {}
    a, b = _units(source, flows, names, shown), _units(target, flows, names, shown)
    keys = sorted(set(a) | set(b))
    differences: list[str] = []
    matched = 0
    for key in keys:
        if key not in b:
            problem = "missing in the target"
        elif key not in a:
            problem = "only in the target"
        else:
            where = property_changes(a[key], b[key])
            if not where:
                matched += 1
                continue
            problem = "differs at " + ", ".join(field_path(p) for p in where[:5])
        if len(differences) < limit:
            differences.append(f"{shown.get(key, key)}: {problem}")
    score = round(matched / len(keys), 4) if keys else 1.0
    return {
        "score": score,
        "compared": len(keys),
        "matched": matched,
        "differences": differences,
    }


def stable_hash(bundle: Bundle) -> str:
    """The bundle's content hash without the project document's audit stamps.

    A restore (or any merge) moves the project's ``lastChanged`` even when every flow and
    resource is back as it was; "restored to identical" compares everything else.
    """
    props = dict(bundle.properties)
    project = props.get("project")
    if isinstance(project, dict):
        props["project"] = {k: v for k, v in project.items() if k not in IGNORED_KEYS}
    return content_hash(bundle.model_copy(update={"properties": props}))


def portable(bundle: Bundle) -> Bundle:
    """The bundle without tenant-local id lists in flow properties (:data:`LOCAL_IDS`), so a
    diff between two environments shows content, not ``_id`` s (the refs keep the links)."""
    flows = [
        f.model_copy(
            update={"properties": {k: v for k, v in f.properties.items() if k not in LOCAL_IDS}}
        )
        for f in bundle.flows
    ]
    return bundle.model_copy(update={"flows": flows})
