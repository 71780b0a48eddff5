"""Semantic diff of two bundles: flows, nodes, edges, refs and resources, with renames and a
suggested semver bump.

Renames are detected by content: a removed and an added flow (or node) whose content is
similar enough are reported as one rename. The bump follows the issue: a removed flow, a renamed
flow id or a removed entry point is **major** (callers break); anything added is **minor**;
anything else changed is **patch**.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from cxops.model.bundle import Bundle, Flow, Node

__all__ = ["Change", "Diff", "diff_bundles", "property_changes"]

RENAME_THRESHOLD = 0.6
MAX_POINTERS = 20
#: Keys that differ between tenants or saves without the flow changing: locale and project
#: back-references, audit stamps, CXone version numbers. Keys starting with ``_`` are skipped
#: too: tenant-local database ids (Cognigy ``_id``) and the converters' bookkeeping
#: (``_relation``, ``_order``...); edges carry the structure those ids encode.
IGNORED_KEYS = frozenset({
    "_id", "_relation", "localeReference", "projectReference", "createdAt", "createdBy",
    "lastChanged", "lastChangedBy", "selfUri", "dateModified", "modifiedBy", "modifyDate",
    "mUser", "masterId", "busNo",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``action`` added/removed/changed/renamed, ``what`` it is, where."""

    action: str
    what: str
    id: str
    flow: str | None = None
    detail: str = ""
    old_id: str | None = None

    def describe(self) -> str:
        """One line for people."""
        where = f"flow '{self.flow}' " if self.flow and self.what != "flow" else ""
        name = f"'{self.old_id}' → '{self.id}'" if self.old_id else f"'{self.id}'"
        text = f"{self.action} {where}{self.what} {name}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(slots=True)
class Diff:
    """All changes, the suggested bump (major, minor, patch or none) and its reasons."""

    changes: list[Change] = field(default_factory=list)
    bump: str = "none"
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        counts = Counter(f"{c.what}.{c.action}" for c in self.changes)
        return {
            "bump": self.bump,
            "reasons": self.reasons,
            "summary": dict(sorted(counts.items())),
            "changes": [
                {k: v for k, v in asdict(c).items() if v not in (None, "")} for c in self.changes
            ],
        }


def property_changes(old: Any, new: Any, limit: int = MAX_POINTERS) -> list[str]:
    """JSON pointers where two JSON values differ (iterative; at most ``limit``)."""
    out: list[str] = []
    stack: list[tuple[str, Any, Any]] = [("", old, new)]
    while stack and len(out) < limit:
        path, a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            keys = {k for k in set(a) | set(b) if k not in IGNORED_KEYS and k[:1] != "_"}
            for key in sorted(keys, reverse=True):
                token = str(key).replace("~", "~0").replace("/", "~1")
                if key not in a or key not in b:
                    out.append(f"{path}/{token}")
                elif a[key] != b[key]:
                    stack.append((f"{path}/{token}", a[key], b[key]))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i in range(len(a) - 1, -1, -1):
                if a[i] != b[i]:
                    stack.append((f"{path}/{i}", a[i], b[i]))
        elif a != b or type(a) is not type(b):
            out.append(path or "/")
    return sorted(out)


def _jaccard(a: Counter[Any], b: Counter[Any]) -> float:
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 1.0


def _flow_similarity(a: Flow, b: Flow) -> float:
    ids = _jaccard(Counter(n.id for n in a.nodes), Counter(n.id for n in b.nodes))
    shapes = _jaccard(
        Counter((n.type, n.label) for n in a.nodes), Counter((n.type, n.label) for n in b.nodes)
    )
    return max(ids, shapes)


def _node_fingerprint(node: Node) -> str:
    # Plain sorted JSON: only equality matters here, and it accepts what RFC 8785 refuses.
    return json.dumps(node.model_dump(mode="json", exclude={"id"}), sort_keys=True)


def _pair(removed: list[str], added: list[str], score: Any) -> list[tuple[str, str]]:
    """Greedy best-first pairing of removed and added ids scoring at least the threshold."""
    scored = sorted(
        ((score(r, a), r, a) for r in removed for a in added), key=lambda t: (-t[0], t[1], t[2])
    )
    used_r: set[str] = set()
    used_a: set[str] = set()
    pairs = []
    for s, r, a in scored:
        if s >= RENAME_THRESHOLD and r not in used_r and a not in used_a:
            pairs.append((r, a))
            used_r.add(r)
            used_a.add(a)
    return pairs


def _edges(flow: Flow, rename: dict[str, str]) -> set[tuple[str, str, str, str]]:
    return {
        (rename.get(e.source, e.source), rename.get(e.target, e.target), e.kind, e.condition or "")
        for e in flow.edges
    }


def _refs(node: Node) -> set[str]:
    return {f"{r.kind}:{r.id}" + (f"@{r.version}" if r.version else "") for r in node.refs}


def _diff_flow(a: Flow, b: Flow, out: list[Change], reasons: list[str]) -> None:
    fid = b.id
    if a.name != b.name:
        out.append(Change("changed", "flow", fid, detail=f"name '{a.name}' → '{b.name}'"))
    for lost in sorted(set(a.entry) - set(b.entry)):
        out.append(Change("removed", "entry", lost, flow=fid))
        reasons.append(f"major: entry point '{lost}' of flow '{b.name}' was removed")
    for new in sorted(set(b.entry) - set(a.entry)):
        out.append(Change("added", "entry", new, flow=fid))
    na, nb = {n.id: n for n in a.nodes}, {n.id: n for n in b.nodes}
    gone, came = sorted(set(na) - set(nb)), sorted(set(nb) - set(na))
    prints_a = {i: _node_fingerprint(na[i]) for i in gone}
    prints_b = {i: _node_fingerprint(nb[i]) for i in came}
    renamed = _pair(gone, came, lambda r, x: 1.0 if prints_a[r] == prints_b[x] else 0.0)
    rename = dict(renamed)
    for old, new in renamed:
        out.append(Change("renamed", "node", new, flow=fid, old_id=old))
    for nid in gone:
        if nid not in rename:
            out.append(Change("removed", "node", nid, flow=fid))
    for nid in came:
        if nid not in rename.values():
            out.append(Change("added", "node", nid, flow=fid))
    for nid in sorted(set(na) & set(nb)):
        old_node, new_node = na[nid], nb[nid]
        if old_node == new_node:
            continue
        fields = [
            f for f in ("type", "label", "terminal") if getattr(old_node, f) != getattr(new_node, f)
        ]
        pointers = property_changes(old_node.properties, new_node.properties)
        detail = ", ".join(fields + [f"properties{p}" for p in pointers])
        if detail:
            out.append(Change("changed", "node", nid, flow=fid, detail=detail))

        for ref in sorted(_refs(new_node) - _refs(old_node)):
            out.append(Change("added", "ref", ref, flow=fid, detail=f"node '{nid}'"))
        for ref in sorted(_refs(old_node) - _refs(new_node)):
            out.append(Change("removed", "ref", ref, flow=fid, detail=f"node '{nid}'"))
    ea, eb = _edges(a, rename), _edges(b, {})
    for edge in sorted(eb - ea):
        out.append(Change("added", "edge", _edge_name(edge), flow=fid))
    for edge in sorted(ea - eb):
        out.append(Change("removed", "edge", _edge_name(edge), flow=fid))
    pointers = property_changes(a.properties, b.properties)
    if pointers:
        out.append(
            Change("changed", "flow", fid, detail=", ".join(f"properties{p}" for p in pointers))
        )


def _edge_name(edge: tuple[str, str, str, str]) -> str:
    source, target, kind, condition = edge
    return f"{source} -{kind}{'[' + condition + ']' if condition else ''}→ {target}"


def diff_bundles(a: Bundle, b: Bundle) -> Diff:
    """What changed from ``a`` (before) to ``b`` (after), and the semver bump it calls for."""
    out: list[Change] = []
    reasons: list[str] = []
    fa, fb = {f.id: f for f in a.flows}, {f.id: f for f in b.flows}
    gone, came = sorted(set(fa) - set(fb)), sorted(set(fb) - set(fa))
    renamed = _pair(gone, came, lambda r, x: _flow_similarity(fa[r], fb[x]))
    for old, new in renamed:
        out.append(
            Change(
                "renamed", "flow", new, old_id=old, detail=f"'{fa[old].name}' → '{fb[new].name}'"
            )
        )
        reasons.append(f"major: flow '{fa[old].name}' changed id ({old} → {new})")
        _diff_flow(fa[old], fb[new], out, reasons)
    paired_old = {o for o, _ in renamed}
    paired_new = {n for _, n in renamed}
    for fid in gone:
        if fid not in paired_old:
            out.append(Change("removed", "flow", fid, detail=fa[fid].name))
            reasons.append(f"major: flow '{fa[fid].name}' was removed")
    for fid in came:
        if fid not in paired_new:
            out.append(Change("added", "flow", fid, detail=fb[fid].name))
    for fid in sorted(set(fa) & set(fb)):
        if fa[fid] != fb[fid]:
            _diff_flow(fa[fid], fb[fid], out, reasons)
    _diff_resources(a, b, out)
    return Diff(out, *_bump(out, reasons))


def _diff_resources(a: Bundle, b: Bundle, out: list[Change]) -> None:
    ra = {(r.kind, r.id): r for r in a.resources}
    rb = {(r.kind, r.id): r for r in b.resources}
    for key in sorted(set(rb) - set(ra)):
        out.append(Change("added", "resource", f"{key[0]}:{key[1]}"))
    for key in sorted(set(ra) - set(rb)):
        out.append(Change("removed", "resource", f"{key[0]}:{key[1]}"))
    for key in sorted(set(ra) & set(rb)):
        if ra[key] != rb[key]:
            pointers = property_changes(
                ra[key].model_dump(mode="json"), rb[key].model_dump(mode="json")
            )
            if pointers:
                detail = ", ".join(pointers)
                out.append(Change("changed", "resource", f"{key[0]}:{key[1]}", detail=detail))


def _bump(changes: Iterable[Change], reasons: list[str]) -> tuple[str, list[str]]:
    changes = list(changes)
    if reasons:
        return "major", reasons
    added = [c for c in changes if c.action == "added"]
    if added:
        kinds = sorted({c.what for c in added})
        return "minor", [f"minor: {len(added)} addition(s) ({', '.join(kinds)})"]
    if changes:
        kinds = sorted({c.what for c in changes})
        return "patch", [f"patch: {len(changes)} change(s) ({', '.join(kinds)})"]
    return "none", ["no changes"]
