"""Genesys flows across two orgs: portable keys, the portable bundle, the restore fingerprint,
callees-first order and the deploy stage names. Pure (no I/O); the strategy is ``genesys.py``.

Org-local GUIDs (flows, divisions, data actions, prompts, queues) are re-keyed by what both orgs
share: ``<FLOW TYPE>/<name>`` for flows, ``<DEPENDENCY TYPE>/<name>`` for resources,
``division/<name>``; version bookkeeping and the resources derived from dependency tracking
(each flow's ``consumed`` list holds them) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cxops.errors import ProtocolError
from cxops.model.bundle import Bundle, Flow
from cxops.model.native.genesys import ref_kind
from cxops.pipelines.promote.parity import stable_hash

__all__ = [
    "BOT_TYPES",
    "changed",
    "fingerprint",
    "flow_key",
    "flow_type",
    "id_map",
    "in_scope",
    "key_of",
    "order",
    "portable",
    "stage_flow",
]

BOT_TYPES = frozenset({"DIGITALBOT", "BOT"})
#: Keys left out of a portable bundle: per-save stamps and URIs that embed org-local ids.
DROPPED = frozenset({"selfUri", "dateModified", "modifiedBy"})


def _type(kind: str) -> str:
    """A flow type from a flow type or a dependency object type (``INBOUNDCALLFLOW``)."""
    upper = kind.upper()
    if upper.endswith("FLOW") and upper not in ("FLOW", "WORKFLOW"):
        return upper[: -len("FLOW")]
    return upper


def flow_key(kind: str, name: str) -> str:
    """The portable key of a flow: ``<TYPE>/<name>`` (``DIGITALBOT/Order Status Bot``)."""
    return f"{_type(kind)}/{name}"


def _ref_key(kind: str, name: str) -> str:
    if kind.upper().endswith("FLOW"):
        return flow_key(kind, name)
    return f"{ref_kind(kind.upper())}/{name}"


def flow_type(flow: Flow) -> str:
    """The flow's ``Flow.type`` (``INBOUNDCALL``): the entity's, else the document's."""
    entity = flow.properties.get("flow")
    kind = entity.get("type") if isinstance(entity, dict) else None
    return str(kind).upper() if kind else flow.kind.removeprefix("genesys.").upper()


def key_of(flow: Flow) -> str:
    """The portable key of one (raw) bundle flow."""
    return flow_key(flow_type(flow), flow.name)


def _raw_refs(flow: Flow) -> Iterable[dict[str, Any]]:
    """What the flow consumes, as dependency tracking names it (``type``, ``id``, ``name``)."""
    consumed = flow.properties.get("consumed")
    for dep in consumed if isinstance(consumed, list) else []:
        if isinstance(dep, dict):
            yield dep


def _division_ids(doc: Any, out: dict[str, str]) -> None:
    if isinstance(doc, dict) and doc.get("id") and doc.get("name"):
        out[str(doc["id"])] = f"division/{doc['name']}"


def id_map(bundle: Bundle) -> dict[str, str]:
    """Every org-local id of ``bundle`` → its portable key."""
    ids: dict[str, str] = {}
    _division_ids(bundle.properties.get("division"), ids)
    for flow in bundle.flows:
        ids[flow.id] = key_of(flow)
        entity = flow.properties.get("flow")
        _division_ids(entity.get("division") if isinstance(entity, dict) else None, ids)
        for ref in _raw_refs(flow):
            if ref.get("id") and ref.get("name") and ref.get("type"):
                ids.setdefault(str(ref["id"]), _ref_key(str(ref["type"]), str(ref["name"])))
    for res in bundle.resources:
        ids.setdefault(res.id, f"{res.kind}/{res.name}")
    for flow in bundle.flows:  # what the documents reference beyond dependency tracking
        for node in flow.nodes:
            for used in node.refs:
                if used.kind != "flow" and used.name:
                    ids.setdefault(used.id, f"{used.kind}/{used.name}")
    return ids


def _swap(doc: Any, ids: dict[str, str]) -> Any:
    if isinstance(doc, dict):
        return {k: _swap(v, ids) for k, v in doc.items() if k not in DROPPED}
    if isinstance(doc, list):
        return [_swap(v, ids) for v in doc]
    if isinstance(doc, str):
        return ids.get(doc, doc)
    return doc


def _portable_flow(doc: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    props = dict(doc["properties"])
    entity = props.pop("flow", None)
    props.pop("versions", None)
    if isinstance(entity, dict):  # the entity is version bookkeeping but for these
        props["flow"] = {k: entity.get(k) for k in ("name", "type", "description")}
    props.pop("version", None)
    consumed = props.get("consumed")
    if isinstance(consumed, list):
        rows = [{k: v for k, v in d.items() if k != "version"} for d in consumed]
        props["consumed"] = sorted(_swap(rows, ids), key=lambda d: (d.get("type"), d.get("id")))
    out = _swap({**doc, "properties": props}, ids)
    out.update(version=None, versions=[])
    return dict(out)


def portable(bundle: Bundle) -> Bundle:
    """``bundle`` with org-local ids replaced by portable keys (see the module doc)."""
    ids = id_map(bundle)
    doc = bundle.model_dump(mode="json")
    doc["flows"] = [_portable_flow(f, ids) for f in doc["flows"]]
    # Resources derived from dependency tracking repeat the flows' "consumed" lists (compared
    # there, per flow): kept, a scoped promotion's parity would count every other flow's too.
    doc["resources"] = [
        {**_swap(r, ids), "version": None}
        for r in doc["resources"]
        if not (r.get("properties") or {}).get("derived")
    ]
    props = _swap(doc["properties"], ids)
    if isinstance(props.get("_order"), list):
        props["_order"] = sorted(props["_order"])
    doc["properties"] = props
    return Bundle.model_validate(doc)


#: Flow entity fields that stay put when a version is imported and the old one re-published.
KEPT = ("id", "name", "type", "description", "division", "active")


def fingerprint(bundle: Bundle) -> str:
    """What "restored to identical" compares for Genesys: the bundle's content hash without the
    version bookkeeping an import leaves behind (a restore is a new version with the old
    content, and Architect cannot delete a version): version ids and lists, checked-in/saved
    version, operation and publish dates. Ids stay in (a flow deleted and re-created would not
    be identical), and so does whether a flow runs at all."""
    flows = []
    for flow in bundle.flows:
        props = dict(flow.properties)
        entity = props.pop("flow", None)
        props.pop("versions", None)
        props.pop("version", None)
        if isinstance(entity, dict):
            kept = {k: entity.get(k) for k in KEPT}
            kept["published"] = isinstance(entity.get("publishedVersion"), dict)
            props["flow"] = kept
        flows.append(flow.model_copy(update={"properties": props, "versions": [], "version": None}))
    return stable_hash(bundle.model_copy(update={"flows": flows}))


# -- stages -------------------------------------------------------------------------------------


def _callees(flow: Flow, keys: dict[str, str]) -> set[str]:
    out = set()
    for node in flow.nodes:
        for ref in node.refs:
            if ref.kind == "flow" and ref.id in keys:
                out.add(keys[ref.id])
    return out


def order(flows: list[Flow]) -> list[Flow]:
    """``flows`` callees first (a module before the flows that call it), else by key; flows in
    a call cycle keep key order among themselves."""
    keys = {f.id: key_of(f) for f in flows}
    by_key = {key_of(f): f for f in flows}
    for f in flows:  # refs may carry the callee's id or (after an import) a bound one
        for ref in _raw_refs(f):
            name, kind = ref.get("name"), str(ref.get("type", ""))
            if kind.upper().endswith("FLOW") and name and ref.get("id"):
                key = flow_key(kind, str(name))
                if key in by_key:
                    keys.setdefault(str(ref["id"]), key)
    needs = {key_of(f): _callees(f, keys) - {key_of(f)} for f in flows}
    done: list[str] = []
    left = sorted(needs)
    while left:
        ready = [k for k in left if not needs[k] - set(done)]
        pick = ready[0] if ready else left[0]  # a cycle: take the first by key
        done.append(pick)
        left.remove(pick)
    return [by_key[k] for k in done]


def in_scope(flow: Flow, flows: Iterable[str]) -> bool:
    names = set(flows)
    return bool({flow.id, flow.name, key_of(flow)} & names)


def changed(source: Bundle, target: Bundle, flows: list[str] | None) -> list[Flow]:
    """Source flows (raw) to promote: in scope and missing or different on the target."""
    mine, theirs = portable(source), portable(target)
    there = {f.id: f for f in theirs.flows}
    keep = {f.id for f in mine.flows if f != there.get(f.id)}
    return [f for f in source.flows if key_of(f) in keep and (flows is None or in_scope(f, flows))]


def stage_flow(stage: str) -> tuple[str, str]:
    """``(action, flow key)`` of a stage name (``import:DIGITALBOT/Order Status Bot``)."""
    action, _, key = stage.partition(":")
    if action not in ("import", "publish") or "/" not in key:
        raise ProtocolError(f"genesys promote: unknown stage {stage!r}")
    return action, key
