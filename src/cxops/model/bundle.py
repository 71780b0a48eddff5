"""The portable flow model: Bundle, Flow, Node, Edge, Resource, Ref (pydantic v2).

A bundle is what one export of one vendor project becomes. Every collection is sorted on
validation (flows, nodes and resources by id, edges by endpoints), so two exports of the same
content give the same document whatever order the vendor listed things in. Vendor configuration
that the model does not interpret is kept verbatim in ``properties`` so converters are lossless.

Example::

    >>> flow = Flow(id="f1", name="Main", kind="bot", entry=["a"],
    ...             nodes=[Node(id="a", type="say")], edges=[])
    >>> Bundle(vendor="cognigy", tenant="dev", project="p1", flows=[flow]).format
    'cxops.bundle/1'
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

__all__ = [
    "BUNDLE_FORMAT",
    "IDENTITY_FIELDS",
    "ORDER_KEY",
    "VERSION_STAMPS",
    "VOLATILE_FIELDS",
    "Bundle",
    "Edge",
    "EdgeKind",
    "Flow",
    "Node",
    "Ref",
    "Release",
    "Resource",
    "canonical_order",
]

BUNDLE_FORMAT = "cxops.bundle/1"
#: Fields that change from export to export without the content changing: left out of the hash.
VOLATILE_FIELDS = frozenset({"exported_at", "content_hash"})
#: Not content either: where the bundle came from. The same flows exported from two tenants (or
#: through two profiles of one tenant) hash the same, so parity and drift compare content.
IDENTITY_FIELDS = frozenset({"tenant"})
#: The property under which converters keep the vendor's listing order (chart nodes and
#: relations, the project's flows, lexicons, scripts...). Those listings are sets: the order a
#: vendor happens to list them in is not content, so it is sorted for the hash and on disk.
ORDER_KEY = "_order"
#: Vendor version ids that a save mints without the content changing: not content either, so
#: left out of the hash and of the files (issue #14: ``cxops compile`` on CXone, which validates
#: by saving, made the next export commit every passing script). CXone: each save of a script
#: gives it a new ``masterID`` (its header's ``masterId``, the flow's ``version``; VENDORS.md).
VERSION_STAMPS: dict[str, tuple[str, ...]] = {"cxone": ("header", "masterId")}

EdgeKind = Literal["next", "child", "branch", "transfer"]
Properties = dict[str, JsonValue]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Ref(_Model):
    """Something a node, flow or resource uses: another flow, an intent, a prompt, a queue...

    ``kind`` is one of flow, intent, entity, data_action, lexicon, prompt, queue, script,
    connection or a vendor-specific kind; ``version`` is an optional npm-style range (``^1.2``).
    """

    kind: str
    id: str
    name: str | None = None
    version: str | None = None


class Node(_Model):
    """One step of a flow; ``properties`` holds the vendor's configuration verbatim."""

    id: str
    type: str
    label: str | None = None
    terminal: bool = False
    properties: Properties = Field(default_factory=dict)
    refs: list[Ref] = Field(default_factory=list)

    @field_validator("refs")
    @classmethod
    def _sort_refs(cls, refs: list[Ref]) -> list[Ref]:
        return sorted(refs, key=_ref_key)


class Edge(_Model):
    """A transition from ``source`` to ``target``; ``condition`` names the branch taken."""

    source: str
    target: str
    kind: EdgeKind = "next"
    condition: str | None = None
    properties: Properties = Field(default_factory=dict)


class Flow(_Model):
    """A flow (bot flow, IVR script, Architect flow): entry node ids, nodes and edges.

    ``version`` is the exported version; ``versions`` the published ones a range may resolve to.
    """

    id: str
    name: str
    kind: str
    version: str | None = None
    versions: list[str] = Field(default_factory=list)
    entry: list[str] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    refs: list[Ref] = Field(default_factory=list)
    properties: Properties = Field(default_factory=dict)

    @field_validator("entry")
    @classmethod
    def _sort_entry(cls, entry: list[str]) -> list[str]:
        return sorted(entry)

    @field_validator("nodes")
    @classmethod
    def _sort_nodes(cls, nodes: list[Node]) -> list[Node]:
        return sorted(nodes, key=lambda n: n.id)

    @field_validator("edges")
    @classmethod
    def _sort_edges(cls, edges: list[Edge]) -> list[Edge]:
        return sorted(edges, key=_edge_key)

    @field_validator("refs")
    @classmethod
    def _sort_refs(cls, refs: list[Ref]) -> list[Ref]:
        return sorted(refs, key=_ref_key)


class Resource(_Model):
    """A project resource other than a flow: intent, lexicon, prompt, queue, data action...

    ``versions`` lists the published versions a range may resolve to; ``deleted`` marks a
    resource the vendor still lists but has removed (references to it are ``CX105``).
    """

    kind: str
    id: str
    name: str
    version: str | None = None
    versions: list[str] = Field(default_factory=list)
    deleted: bool = False
    refs: list[Ref] = Field(default_factory=list)
    properties: Properties = Field(default_factory=dict)

    @field_validator("refs")
    @classmethod
    def _sort_refs(cls, refs: list[Ref]) -> list[Ref]:
        return sorted(refs, key=_ref_key)


class Release(_Model):
    """The version of the bundle itself: a semver tag and its changelog."""

    tag: str | None = None
    changelog: str | None = None


class Bundle(_Model):
    """One export of one vendor project, in the portable ``cxops.bundle/1`` format."""

    format: Literal["cxops.bundle/1"] = "cxops.bundle/1"
    vendor: str
    tenant: str
    project: str
    version: Release = Field(default_factory=Release)
    flows: list[Flow] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    properties: Properties = Field(default_factory=dict)
    exported_at: str | None = None
    content_hash: str | None = None

    @field_validator("flows")
    @classmethod
    def _sort_flows(cls, flows: list[Flow]) -> list[Flow]:
        return sorted(flows, key=lambda f: f.id)

    @field_validator("resources")
    @classmethod
    def _sort_resources(cls, resources: list[Resource]) -> list[Resource]:
        return sorted(resources, key=lambda r: (r.kind, r.id))

    def document(self) -> dict[str, Any]:
        """The bundle as a JSON-ready dict (what cxops writes to disk)."""
        return self.model_dump(mode="json")

    def canonical(self) -> Bundle:
        """The same bundle with every listing order (``properties._order`` of the bundle and
        of its flows) sorted and the vendor's version stamps (:data:`VERSION_STAMPS`) left
        out: two exports of the same content, listed in another order or saved once more
        without a change, give equal canonical bundles (issue #14). What cxops hashes and
        writes."""
        stamp = VERSION_STAMPS.get(self.vendor)
        flows = [_canonical_flow(f, stamp) for f in self.flows]
        return self.model_copy(
            update={"properties": canonical_order(self.properties), "flows": flows}
        )

    def content_document(self) -> dict[str, Any]:
        """The document the content hash covers: the canonical bundle without the volatile
        fields and without the tenant (identity, not content)."""
        return self.canonical().model_dump(
            mode="json", exclude=set(VOLATILE_FIELDS | IDENTITY_FIELDS)
        )


def _canonical_flow(flow: Flow, stamp: tuple[str, ...] | None) -> Flow:
    if ORDER_KEY not in flow.properties and stamp is None:
        return flow
    props = canonical_order(flow.properties)
    update: dict[str, Any] = {"properties": props}
    if stamp is not None:
        update["version"] = None
        section, key = stamp
        inner = props.get(section)
        if isinstance(inner, dict) and key in inner:
            props[section] = {k: v for k, v in inner.items() if k != key}
    return flow.model_copy(update=update)


def _listing_key(item: Any) -> tuple[int, str]:
    if isinstance(item, str):
        return (0, item)
    return (1, json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))


def _sorted_listing(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value, key=_listing_key)
    if isinstance(value, dict):
        return {k: _sorted_listing(v) for k, v in value.items()}
    return value


def canonical_order(properties: Properties) -> Properties:
    """``properties`` with the lists under ``_order`` sorted (strings first, then documents by
    their sorted-key JSON); unchanged without ``_order``."""
    if ORDER_KEY not in properties:
        return dict(properties)
    return {**properties, ORDER_KEY: _sorted_listing(properties[ORDER_KEY])}


def _ref_key(ref: Ref) -> tuple[str, str, str]:
    return (ref.kind, ref.id, ref.version or "")


def _edge_key(edge: Edge) -> tuple[str, str, str, str]:
    return (edge.source, edge.kind, edge.condition or "", edge.target)
