"""Building Cognigy flow charts (``IChart_2_0``): nodes, one relation per node, stable ids.

Ids are derived from a key by hashing, so the same seed always gives the same ids; the
``referenceId`` of a node or flow does not depend on the tenant (it survives snapshots and
packages, as on the real platform), the Mongo ``_id`` does.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

BASIC = "@cognigy/basic-nodes"

# Index fields of a chart node (IChartNodeIndexItem_2_0); the detail adds config and preview.
INDEX_FIELDS = (
    "_id",
    "referenceId",
    "type",
    "label",
    "analyticsLabel",
    "comment",
    "commentColor",
    "isEntryPoint",
    "isDisabled",
    "extension",
)


@dataclass(frozen=True)
class Ids:
    """Deterministic ids: ``oid`` per tenant (Mongo ``_id``), ``ref`` shared by all tenants."""

    seed: int
    tenant: str

    def oid(self, *key: object) -> str:
        text = "/".join(str(k) for k in (self.seed, self.tenant, *key))
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def ref(self, *key: object) -> str:
        text = "/".join(str(k) for k in (self.seed, *key))
        return str(uuid.UUID(hashlib.sha256(text.encode()).hexdigest()[:32]))


@dataclass
class Chart:
    """A chart under construction; ``add`` returns the node ``_id``."""

    ids: Ids
    key: str
    locale: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        type_: str,
        label: str,
        config: dict[str, Any] | None = None,
        extension: str = BASIC,
    ) -> str:
        n = len(self.nodes)
        node_id = self.ids.oid(self.key, "node", n)
        self.nodes.append(
            {
                "_id": node_id,
                "referenceId": self.ids.ref(self.key, "node", n),
                "type": type_,
                "label": label,
                "analyticsLabel": "",
                "comment": "",
                "commentColor": "",
                "isEntryPoint": type_ == "start",
                "isDisabled": False,
                "extension": extension,
                "config": config or {},
                "preview": _preview(type_, config or {}),
                "localeReference": self.locale,
            }
        )
        self.relations[node_id] = {
            "_id": self.ids.oid(self.key, "relation", n),
            "node": node_id,
            "children": [],
            "next": None,
        }
        return node_id

    def chain(self, *node_ids: str) -> None:
        """Link ``a.next = b``, ``b.next = c`` … (the ``next`` edges)."""
        for a, b in itertools.pairwise(node_ids):
            self.relations[a]["next"] = b

    def children(self, parent: str, *kids: str) -> None:
        self.relations[parent]["children"].extend(kids)

    def ref(self, node_id: str) -> str:
        return str(next(n["referenceId"] for n in self.nodes if n["_id"] == node_id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "_id": self.ids.oid(self.key, "chart"),
            "nodes": self.nodes,
            "relations": list(self.relations.values()),
        }


def _preview(type_: str, config: dict[str, Any]) -> Any:
    say = config.get("say")
    if isinstance(say, dict) and say.get("text"):
        return {"type": "text", "value": say["text"][0]}
    if "flowNode" in config:
        return {"type": "resource", "value": config["flowNode"].get("flow", "")}
    return None


def index_item(node: dict[str, Any]) -> dict[str, Any]:
    """The list form of a chart node (no config)."""
    return {k: node[k] for k in INDEX_FIELDS}
