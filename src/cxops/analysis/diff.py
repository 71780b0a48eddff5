"""Semantic diff of two bundles: flows, nodes, edges, refs and resources, with renames and a
suggested semver bump.

Renames are detected by content: a removed and an added flow (or node) whose content is
similar enough are reported as one rename. The bump follows the issue: a removed flow, a renamed
flow id or a removed entry point is **major** (callers break); anything added is **minor**;
anything else changed is **patch**.

Each change carries ids (``id``, ``flow``: for machines, ``--json``) and a line for people
(``text``) that names things instead: ``changed flow 'Main' › node 'Greeting': comment 'a' →
'b'`` (``analysis.names``: a short id beside a name only where two things share it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from cxops.analysis.names import SEP, Names, brief, field_path, label, shared, short_id
from cxops.model.bundle import Bundle, Flow, Node, Ref

__all__ = ["Change", "Diff", "diff_bundles", "property_changes", "property_diffs"]

RENAME_THRESHOLD = 0.6
MAX_POINTERS = 20
#: Fields of a changed node or flow named in its ``text`` (the rest are counted).
MAX_SHOWN = 3
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
    """One difference: ``action`` added/removed/changed/renamed, ``what`` it is, where.

    ``id``/``flow``/``old_id`` are ids; ``name``/``flow_name`` the names they stand for (None
    where the thing has none); ``text`` the line a person reads.
    """

    action: str
    what: str
    id: str
    flow: str | None = None
    detail: str = ""
    old_id: str | None = None
    name: str | None = None
    flow_name: str | None = None
    text: str = ""

    def describe(self) -> str:
        """One line for people (names, not ids)."""
        if self.text:
            return self.text
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


class _Missing:
    """A key one side does not have (``property_diffs``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def property_diffs(old: Any, new: Any, limit: int = MAX_POINTERS) -> list[tuple[str, Any, Any]]:
    """``(pointer, old value, new value)`` where two JSON values differ, :data:`MISSING` for a
    side without the key (iterative; at most ``limit``, sorted by pointer)."""
    out: list[tuple[str, Any, Any]] = []
    stack: list[tuple[str, Any, Any]] = [("", old, new)]
    while stack and len(out) < limit:
        path, a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            keys = {k for k in set(a) | set(b) if k not in IGNORED_KEYS and k[:1] != "_"}
            for key in sorted(keys, reverse=True):
                token = str(key).replace("~", "~0").replace("/", "~1")
                if key not in a or key not in b:
                    out.append((f"{path}/{token}", a.get(key, MISSING), b.get(key, MISSING)))
                elif a[key] != b[key]:
                    stack.append((f"{path}/{token}", a[key], b[key]))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i in range(len(a) - 1, -1, -1):
                if a[i] != b[i]:
                    stack.append((f"{path}/{i}", a[i], b[i]))
        elif a != b or type(a) is not type(b):
            out.append((path or "/", a, b))
    return sorted(out, key=lambda t: t[0])


def property_changes(old: Any, new: Any, limit: int = MAX_POINTERS) -> list[str]:
    """JSON pointers where two JSON values differ (iterative; at most ``limit``)."""
    return [pointer for pointer, _, _ in property_diffs(old, new, limit)]


def _was(old: Any, new: Any) -> str:
    """``'a' → 'b'``; ``(none) → 'b'`` for a key added, ``'a' → (none)`` for one removed."""
    return " → ".join("(none)" if v is MISSING else brief(v) for v in (old, new))


def _fields(rows: list[tuple[str, Any, Any]], total: int | None = None) -> str:
    """``comment 'a' → 'b'; label 'x' → 'y'`` for the first :data:`MAX_SHOWN` fields."""
    shown = [f"{field_path(p)} {_was(a, b)}" for p, a, b in rows[:MAX_SHOWN]]
    more = (total if total is not None else len(rows)) - len(shown)
    if more > 0:
        shown.append(f"and {more} more field{'' if more == 1 else 's'}")
    return "; ".join(shown)


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


def _refs(node: Node) -> dict[str, Ref]:
    return {f"{r.kind}:{r.id}" + (f"@{r.version}" if r.version else ""): r for r in node.refs}


def _ref_label(ref: Ref, names: Names) -> str:
    name = ref.name or (names.flow_name(ref.id) if ref.kind == "flow" else None)
    text = label(ref.kind, name, ref.id)
    return f"{text}@{ref.version}" if ref.version else text


class _FlowDiff:
    """The changes inside one flow (``a`` before, ``b`` after; same flow, maybe a new id)."""

    def __init__(self, a: Flow, b: Flow, names: Names, out: list[Change], reasons: list[str]):
        self.a, self.b, self.names, self.out, self.reasons = a, b, names, out, reasons
        self.fid = b.id
        self.where = names.flow(b.id)

    def add(self, action: str, what: str, ident: str, text: str, **kw: Any) -> None:
        self.out.append(
            Change(action, what, ident, flow=self.fid, flow_name=self.b.name, text=text, **kw)
        )

    def node(self, nid: str) -> str:
        return self.names.node(self.fid, nid)

    def run(self) -> None:
        a, b, fid = self.a, self.b, self.fid
        if a.name != b.name:
            self.out.append(
                Change(
                    "changed", "flow", fid, detail=f"name '{a.name}' → '{b.name}'", name=b.name,
                    text=f"changed {self.where}: name {brief(a.name)} → {brief(b.name)}",
                )
            )  # fmt: skip
        for lost in sorted(set(a.entry) - set(b.entry)):
            point = self.names.node_bare(fid, lost)
            name = self.names.node_name(fid, lost)
            self.add("removed", "entry", lost, f"removed {self.where}{SEP}entry point {point}",
                     name=name)  # fmt: skip
            self.reasons.append(f"major: entry point {point} of flow '{b.name}' was removed")
        for new in sorted(set(b.entry) - set(a.entry)):
            point = self.names.node_bare(fid, new)
            self.add("added", "entry", new, f"added {self.where}{SEP}entry point {point}",
                     name=self.names.node_name(fid, new))  # fmt: skip
        rename = self.nodes()
        ea, eb = _edges(a, rename), _edges(b, {})
        for action, edges in (("added", eb - ea), ("removed", ea - eb)):
            for edge in sorted(edges):
                text = f"{action} {self.where}{SEP}edge {self.edge_text(edge)}"
                self.add(action, "edge", _edge_name(edge), text)
        rows = property_diffs(a.properties, b.properties)
        if rows:
            detail = ", ".join(f"properties{p}" for p, _, _ in rows)
            self.out.append(
                Change("changed", "flow", fid, detail=detail, name=b.name,
                       text=f"changed {self.where}: {_fields(rows)}")
            )  # fmt: skip

    def nodes(self) -> dict[str, str]:
        """Node changes; the renames (old id → new id) the edges follow."""
        a, b = self.a, self.b
        na, nb = {n.id: n for n in a.nodes}, {n.id: n for n in b.nodes}
        gone, came = sorted(set(na) - set(nb)), sorted(set(nb) - set(na))
        prints_a = {i: _node_fingerprint(na[i]) for i in gone}
        prints_b = {i: _node_fingerprint(nb[i]) for i in came}
        renamed = _pair(gone, came, lambda r, x: 1.0 if prints_a[r] == prints_b[x] else 0.0)
        rename = dict(renamed)
        for old, new in renamed:
            text = f"renamed {self.node(new)}: new id, same content (was {short_id(old)})"
            self.add("renamed", "node", new, text, old_id=old, name=nb[new].label)
        for nid in gone:
            if nid not in rename:
                self.add("removed", "node", nid, f"removed {self.node(nid)}", name=na[nid].label)
        for nid in came:
            if nid not in rename.values():
                self.add("added", "node", nid, f"added {self.node(nid)}", name=nb[nid].label)
        for nid in sorted(set(na) & set(nb)):
            if na[nid] != nb[nid]:
                self.node_changed(na[nid], nb[nid])
        return rename

    def node_changed(self, old: Node, new: Node) -> None:
        nid = new.id
        rows = [
            (f"/{f}", getattr(old, f), getattr(new, f))
            for f in ("type", "label", "terminal")
            if getattr(old, f) != getattr(new, f)
        ]
        props = property_diffs(old.properties, new.properties)
        detail = ", ".join([p[1:] for p, _, _ in rows] + [f"properties{p}" for p, _, _ in props])
        if detail:
            text = f"changed {self.node(nid)}: {_fields(rows + props)}"
            self.add("changed", "node", nid, text, detail=detail, name=new.label)
        refs_a, refs_b = _refs(old), _refs(new)
        for action, keys, refs in (
            ("added", set(refs_b) - set(refs_a), refs_b),
            ("removed", set(refs_a) - set(refs_b), refs_a),
        ):
            for key in sorted(keys):
                ref = refs[key]
                text = f"{action} {self.node(nid)}{SEP}reference to {_ref_label(ref, self.names)}"
                self.add(action, "ref", key, text, detail=f"node '{nid}'", name=ref.name)

    def edge_text(self, edge: tuple[str, str, str, str]) -> str:
        source, target, kind, condition = edge
        how = "" if kind == "next" else f" ({kind}{': ' + condition if condition else ''})"
        if kind == "next" and condition:
            how = f" (if {condition})"
        ends = (self.names.node_bare(self.fid, source), self.names.node_bare(self.fid, target))
        return f"{ends[0]} → {ends[1]}{how}"


def _edges(flow: Flow, rename: dict[str, str]) -> set[tuple[str, str, str, str]]:
    return {
        (rename.get(e.source, e.source), rename.get(e.target, e.target), e.kind, e.condition or "")
        for e in flow.edges
    }


def _edge_name(edge: tuple[str, str, str, str]) -> str:
    source, target, kind, condition = edge
    return f"{source} -{kind}{'[' + condition + ']' if condition else ''}→ {target}"


def diff_bundles(a: Bundle, b: Bundle) -> Diff:
    """What changed from ``a`` (before) to ``b`` (after), and the semver bump it calls for."""
    out: list[Change] = []
    reasons: list[str] = []
    names = Names.of([*a.flows, *b.flows])
    fa, fb = {f.id: f for f in a.flows}, {f.id: f for f in b.flows}
    gone, came = sorted(set(fa) - set(fb)), sorted(set(fb) - set(fa))
    renamed = _pair(gone, came, lambda r, x: _flow_similarity(fa[r], fb[x]))
    for old, new in renamed:
        was, now = fa[old].name, fb[new].name
        shown = brief(now) if was == now else f"{brief(was)} → {brief(now)}"
        text = f"renamed flow {shown}: new id {short_id(new)} (was {short_id(old)})"
        detail = f"'{was}' → '{now}'"
        out.append(Change("renamed", "flow", new, old_id=old, detail=detail, name=now, text=text))
        reasons.append(f"major: flow '{was}' changed id ({short_id(old)} → {short_id(new)})")
        _FlowDiff(fa[old], fb[new], names, out, reasons).run()
    paired_old = {o for o, _ in renamed}
    paired_new = {n for _, n in renamed}
    for fid in gone:
        if fid not in paired_old:
            name = fa[fid].name
            out.append(Change("removed", "flow", fid, detail=name, name=name,
                              text=f"removed {names.flow(fid)}"))  # fmt: skip
            reasons.append(f"major: flow '{name}' was removed")
    for fid in came:
        if fid not in paired_new:
            name = fb[fid].name
            out.append(Change("added", "flow", fid, detail=name, name=name,
                              text=f"added {names.flow(fid)}"))  # fmt: skip
    for fid in sorted(set(fa) & set(fb)):
        if fa[fid] != fb[fid]:
            _FlowDiff(fa[fid], fb[fid], names, out, reasons).run()
    _diff_resources(a, b, out, names)
    return Diff(out, *_bump(out, reasons))


def _diff_resources(a: Bundle, b: Bundle, out: list[Change], names: Names) -> None:
    ra = {(r.kind, r.id): r for r in a.resources}
    rb = {(r.kind, r.id): r for r in b.resources}
    both = {**ra, **rb}
    twins = shared(((f"{k}:{i}", f"{k}:{r.name}") for (k, i), r in both.items()))

    def shown(key: tuple[str, str]) -> str:
        ref = f"{key[0]}:{key[1]}"
        owner, sep, _ = key[1].partition("/")
        if ref in twins and sep and names.flow_name(owner):
            # A resource a flow owns (a Cognigy intent: "<flow id>/<name>"): named by its flow.
            return f"{label(key[0], both[key].name, key[1])} of {names.flow(owner)}"
        return label(key[0], both[key].name, key[1], ambiguous=ref in twins)

    for key in sorted(set(rb) - set(ra)):
        out.append(Change("added", "resource", f"{key[0]}:{key[1]}", name=rb[key].name,
                          text=f"added {shown(key)}"))  # fmt: skip
    for key in sorted(set(ra) - set(rb)):
        out.append(Change("removed", "resource", f"{key[0]}:{key[1]}", name=ra[key].name,
                          text=f"removed {shown(key)}"))  # fmt: skip
    for key in sorted(set(ra) & set(rb)):
        if ra[key] != rb[key]:
            rows = property_diffs(ra[key].model_dump(mode="json"), rb[key].model_dump(mode="json"))
            if rows:
                detail = ", ".join(p for p, _, _ in rows)
                # A resource's own configuration reads like a node's: without "properties".
                bare = [(p.removeprefix("/properties"), x, y) for p, x, y in rows]
                text = f"changed {shown(key)}: {_fields(bare)}"
                out.append(Change("changed", "resource", f"{key[0]}:{key[1]}", detail=detail,
                                  name=rb[key].name, text=text))  # fmt: skip


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
