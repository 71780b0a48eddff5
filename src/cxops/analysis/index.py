"""A compact, streaming index of a bundle: what the checks need, with integer node ids.

Enterprise exports hold millions of nodes, so the checks do not keep pydantic objects or
parsed documents: each flow document is read once into lists of ids and integer edge arrays and
can then be dropped (``BundleIndex.add_flow``). The structure analysis relies on is checked
here; a flow whose shape is wrong is validated by the pydantic model to say exactly where, and
reported as ``CX100``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

import numpy as np
from pydantic import ValidationError

from cxops.analysis.findings import Finding, Location
from cxops.analysis.graph import Graph, IntArray
from cxops.model.bundle import Bundle, Edge, Flow, Node, Resource

__all__ = ["BundleIndex", "FlowEntry", "RefUse", "ResourceEntry"]


@dataclass(slots=True)
class RefUse:
    """One reference: who uses what (``user`` is ``flow:<id>`` or ``<kind>:<id>``)."""

    user: str
    kind: str
    id: str
    version: str | None
    location: Location
    who: str = ""


@dataclass(slots=True)
class FlowEntry:
    """One flow as the checks see it: node ids, integer offsets, entries, dangling edges."""

    id: str
    name: str
    pointer: str
    file: str | None
    node_ids: list[str]
    offset: int
    entry: list[int] = field(default_factory=list)
    bad_entries: list[str] = field(default_factory=list)
    has_entry_field: bool = True
    terminal: list[int] = field(default_factory=list)
    dangling: list[tuple[int, str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    vendor: str | None = None  # kept per flow: an index may merge several projects
    project: str | None = None
    settled: bool = False  # checked on its own already: no nodes left (BundleIndex.settle)

    def describe(self, local: int) -> str:
        """``'label' (id)`` of a node, or ``'id'`` when it has no label."""
        node = self.node_ids[local]
        label = self.labels[local] if local < len(self.labels) else None
        return f"'{label}' ({node})" if isinstance(label, str) and label != node else f"'{node}'"

    @property
    def size(self) -> int:
        return len(self.node_ids)


@dataclass(slots=True)
class ResourceEntry:
    """One resource: kind, id, name, versions, whether the vendor marks it deleted."""

    kind: str
    id: str
    name: str
    version: str | None
    versions: list[str]
    deleted: bool
    location: Location


class BundleIndex:
    """Flows, resources and references of one bundle, with one global integer node space."""

    def __init__(self, vendor: str | None = None, project: str | None = None) -> None:
        self.vendor = vendor
        self.project = project
        self.flows: list[FlowEntry] = []
        self.resources: list[ResourceEntry] = []
        self.refs: list[RefUse] = []
        self.problems: list[Finding] = []
        self.checked: list[Finding] = []  # findings of the settled flows
        self._src: list[IntArray] = []
        self._dst: list[IntArray] = []
        self._next = 0
        self._offset_cache: IntArray | None = None

    # -- building ---------------------------------------------------------------------------
    def loc(self, **kw: Any) -> Location:
        """A location in this bundle's vendor and project."""
        return Location(vendor=self.vendor, project=self.project, **kw)

    def add_problem(
        self,
        message: str,
        *,
        pointer: str | None = None,
        file: str | None = None,
        flow: str | None = None,
    ) -> None:
        """Record a ``CX100`` (the input could not be read as a bundle)."""
        self.problems.append(
            Finding.make("CX100", message, self.loc(flow=flow, pointer=pointer, file=file))
        )

    def add_bundle(self, doc: Any, *, file: str | None = None) -> None:
        """Index a whole bundle document (flows inline, as ``Bundle.document()`` gives)."""
        self.add_meta(doc, file=file)
        if not isinstance(doc, Mapping):
            return
        flows = doc.get("flows", [])
        if not isinstance(flows, list):
            self.add_problem("'flows' is not a list", pointer="/flows", file=file)
            return
        for i, flow in enumerate(flows):
            self.add_flow(flow, pointer=f"/flows/{i}", file=file)

    def add_meta(self, doc: Any, *, file: str | None = None) -> None:
        """Index the bundle-level fields: vendor, project and resources."""
        if not isinstance(doc, Mapping):
            self.add_problem("a bundle must be a JSON object", pointer="", file=file)
            return
        if doc.get("format") != "cxops.bundle/1":
            self.add_problem(
                f"unknown bundle format {doc.get('format')!r} (expected 'cxops.bundle/1')",
                pointer="/format",
                file=file,
            )
        self._meta_shape(doc, file)
        self.vendor = _str_or(doc.get("vendor"), self.vendor)
        self.project = _str_or(doc.get("project"), self.project)
        resources = doc.get("resources", [])
        for i, raw in enumerate(resources if isinstance(resources, list) else []):
            pointer = f"/resources/{i}"
            try:
                res = Resource.model_validate(raw, strict=True)
            except ValidationError as exc:
                self.add_problem(_first_error(exc), pointer=pointer + _loc(exc), file=file)
                continue
            where = self.loc(pointer=pointer, file=file)
            self.resources.append(
                ResourceEntry(
                    res.kind, res.id, res.name, res.version, list(res.versions), res.deleted, where
                )
            )
            for j, ref in enumerate(raw.get("refs", [])):
                self.refs.append(
                    RefUse(
                        f"{res.kind}:{res.id}",
                        ref["kind"],
                        ref["id"],
                        ref.get("version"),
                        self.loc(pointer=f"{pointer}/refs/{j}", file=file),
                    )
                )

    def _meta_shape(self, doc: Mapping[str, Any], file: str | None) -> None:
        """CX100 for a bundle-level field of the wrong type or unknown: what diff and lock
        refuse, validate must not pass (a field ``flowz`` could hide a flow from the gate)."""
        resources = doc.get("resources", [])
        if not isinstance(resources, list):
            self.add_problem("'resources' is not a list", pointer="/resources", file=file)
        small = {k: v for k, v in doc.items() if k not in ("flows", "resources", "format")}
        try:
            Bundle.model_validate(small, strict=True)
        except ValidationError as exc:
            self.add_problem(
                f"not a valid bundle: {_first_error(exc)}", pointer=_loc(exc), file=file
            )

    def add_flow(self, doc: Any, *, pointer: str = "", file: str | None = None) -> None:
        """Index one flow document; a wrongly shaped one becomes a ``CX100`` finding."""
        try:
            self._add_flow(doc, pointer, file)
        except (KeyError, TypeError, AttributeError, ValueError):
            self._shape_problem(doc, pointer, file)

    def _add_flow(self, doc: Mapping[str, Any], pointer: str, file: str | None) -> None:
        fid, name = doc["id"], doc["name"]
        nodes, edges = doc["nodes"], doc.get("edges", [])
        entry = doc.get("entry")
        ids = list(map(_ID, nodes))
        if not (
            type(fid) is str
            and type(name) is str
            and type(nodes) is list
            and type(edges) is list
            and (entry is None or type(entry) is list)
        ):
            raise TypeError(fid)
        if not set(map(type, ids)) <= {str}:
            raise TypeError(fid)
        labels = list(map(_GET, nodes, repeat("label")))
        _check_shape(doc, nodes, edges, labels)
        n = len(ids)
        index = dict(zip(ids, range(n), strict=True))
        flow = FlowEntry(
            fid, name, pointer, file, ids, self._next, has_entry_field=entry is not None
        )
        flow.vendor, flow.project = self.vendor, self.project
        flow.labels = labels
        version, versions = doc.get("version"), doc.get("versions") or []
        flow.versions = sorted({*versions, *([version] if version else [])})
        if not set(map(type, flow.versions)) <= {str}:
            raise TypeError(fid)
        if len(index) != n:
            flow.duplicates = sorted(k for k, c in Counter(ids).items() if c > 1)
        for e in entry or []:
            if type(e) is not str:
                raise TypeError(e)
            if e in index:
                flow.entry.append(index[e])
            else:
                flow.bad_entries.append(e)
        # An end found among the ids is a string; only the others need their type checked.
        m = len(edges)
        s = np.fromiter(map(index.get, map(_SOURCE, edges), repeat(-1)), np.int64, count=m)
        d = np.fromiter(map(index.get, map(_TARGET, edges), repeat(-1)), np.int64, count=m)
        bad = np.flatnonzero((s < 0) | (d < 0))
        for i in bad.tolist():
            edge = edges[i]
            if type(edge["source"]) is not str or type(edge["target"]) is not str:
                raise TypeError(fid)
            end = "source" if s[i] < 0 else "target"
            flow.dangling.append((i, end, edge[end]))
        if bad.size:
            ok = (s >= 0) & (d >= 0)
            s, d = s[ok], d[ok]
        user = f"flow:{fid}"
        for j, ref in enumerate(doc.get("refs") or []):
            self._ref(user, ref, fid, None, f"{pointer}/refs/{j}", file, f"flow '{name}'")
        # Comprehensions, not one loop with branches: this runs once per node of the export.
        flow.terminal = list(compress(range(n), map(_GET, nodes, repeat("terminal"))))
        for i in compress(range(n), map(_GET, nodes, repeat("refs"))):
            who = f"node {flow.describe(i)} of flow '{name}'"
            for j, ref in enumerate(nodes[i]["refs"]):
                self._ref(user, ref, fid, ids[i], f"{pointer}/nodes/{i}/refs/{j}", file, who)
        self._converter_problems(doc, fid, pointer, file)
        self._src.append(s + self._next)
        self._dst.append(d + self._next)
        self._next += n
        self.flows.append(flow)

    def _converter_problems(
        self, doc: Mapping[str, Any], fid: str, pointer: str, file: str | None
    ) -> None:
        """``CX100`` for each part of the vendor's document its converter could not read: the
        converter keeps the flow (verbatim) and lists them in ``properties["_problems"]`` as
        ``{message, pointer}``, so one bad flow is a finding, not a failed export."""
        props = doc.get("properties")
        rows = props.get("_problems") if isinstance(props, Mapping) else None
        for k, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, Mapping) and isinstance(row.get("message"), str):
                where = f"{pointer}/properties/_problems/{k}"
                self.add_problem(row["message"], pointer=where, file=file, flow=fid)

    def _ref(
        self,
        user: str,
        ref: Mapping[str, Any],
        flow: str,
        node: str | None,
        pointer: str,
        file: str | None,
        who: str,
    ) -> None:
        kind, rid, version = ref["kind"], ref["id"], ref.get("version")
        if (
            type(kind) is not str
            or type(rid) is not str
            or not (version is None or type(version) is str)
        ):
            raise TypeError(pointer)
        where = self.loc(flow=flow, node=node, pointer=pointer, file=file)
        self.refs.append(RefUse(user, kind, rid, version, where, who))

    def _shape_problem(self, doc: Any, pointer: str, file: str | None) -> None:
        flow_id = doc.get("id") if isinstance(doc, Mapping) else None
        try:
            Flow.model_validate(doc, strict=True)
        except ValidationError as exc:
            self.add_problem(
                f"not a valid flow: {_first_error(exc)}",
                pointer=pointer + _loc(exc),
                file=file,
                flow=flow_id if isinstance(flow_id, str) else None,
            )
            return
        self.add_problem("not a valid flow", pointer=pointer, file=file)  # pragma: no cover

    def merge(self, other: BundleIndex) -> None:
        """Append another index's flows, references and problems (built in parallel on other
        files of the same bundle), shifting its node numbers after ours."""
        shift = self._next
        for flow in other.flows:
            flow.offset += shift
            self.flows.append(flow)
        self._src += [s + shift for s in other._src]
        self._dst += [d + shift for d in other._dst]
        self._next += other._next
        self.refs += other.refs
        self.problems += other.problems
        self.checked += other.checked
        self.resources += other.resources

    def settle(self, findings: Iterable[Finding]) -> None:
        """Keep ``findings`` as those of every flow on its own (``checks.flow_findings``, made
        by the caller) and drop what only they read: node ids, labels, entries, edges.

        What the checks across flows read stays (ids, names, files, versions, references), so
        a worker process hands back a few hundred bytes per flow instead of its node graph.
        """
        self.checked += findings
        for flow in self.flows:
            # Zero nodes at offset 0: merged after other flows, a settled flow sits where the
            # next flow's nodes begin, so ``flow_of`` still finds every node's flow.
            flow.settled, flow.offset = True, 0
            flow.node_ids, flow.labels, flow.terminal = [], [], []
            flow.entry, flow.bad_entries, flow.dangling, flow.duplicates = [], [], [], []
        self._src, self._dst, self._next = [], [], 0
        self._offset_cache = None

    # -- reading ----------------------------------------------------------------------------
    @property
    def node_count(self) -> int:
        return self._next

    def graph(self) -> Graph:
        """The node graph of every flow, in one integer space (flows are disjoint)."""
        src = np.concatenate(self._src) if self._src else np.zeros(0, dtype=np.int64)
        dst = np.concatenate(self._dst) if self._dst else np.zeros(0, dtype=np.int64)
        return Graph(self._next, src, dst)

    def flow_of(self, node: int) -> FlowEntry:
        """The flow holding a global node number."""
        offsets = self._offsets()
        return self.flows[int(np.searchsorted(offsets, node, side="right")) - 1]

    def _offsets(self) -> IntArray:
        # Cached: findings ask for it once per node they name.
        if self._offset_cache is None or self._offset_cache.size != len(self.flows):
            self._offset_cache = np.asarray([f.offset for f in self.flows], dtype=np.int64)
        return self._offset_cache

    def flow_loc(self, entry: FlowEntry, /, **kw: Any) -> Location:
        """A location inside ``entry``, in the vendor and project that flow came from."""
        return Location(
            vendor=entry.vendor or self.vendor, project=entry.project or self.project, **kw
        )

    def node_location(self, node: int) -> Location:
        """Location of a global node number: flow, node id and JSON pointer."""
        flow = self.flow_of(node)
        local = node - flow.offset
        return self.flow_loc(
            flow,
            flow=flow.id,
            node=flow.node_ids[local],
            pointer=f"{flow.pointer}/nodes/{local}",
            file=flow.file,
        )

    def flow_location(self, flow: FlowEntry, suffix: str = "") -> Location:
        """Location of a flow (or of something inside it, by pointer suffix)."""
        return self.flow_loc(
            flow, flow=flow.id, pointer=f"{flow.pointer}{suffix}" or "", file=flow.file
        )

    def node_label(self, node: int) -> str:
        """The node's label and id, for messages."""
        flow = self.flow_of(node)
        return flow.describe(node - flow.offset)

    def entries(self) -> Iterable[int]:
        """Global numbers of every valid entry node."""
        for flow in self.flows:
            for local in flow.entry:
                yield flow.offset + local


_FLOW_FIELDS = frozenset(Flow.model_fields)
_NODE_FIELDS = frozenset(Node.model_fields)
_EDGE_FIELDS = frozenset(Edge.model_fields)
_ID, _SOURCE, _TARGET = itemgetter("id"), itemgetter("source"), itemgetter("target")
_EDGE_KINDS = frozenset({"next", "child", "branch", "transfer"})
_NONE = type(None)
_GET = dict.get  # map(_GET, nodes, repeat(key)) reads a field of every node in C
_EMPTY: dict[str, Any] = {}
_STR, _STR_OR_NONE, _BOOL = frozenset({str}), frozenset({str, _NONE}), frozenset({bool})
_DICT, _LIST = frozenset({dict}), frozenset({list})
_NO_REFS: list[Any] = []
#: Optional fields of a node (an edge): name, default, the types ``Flow`` accepts.
_NODE_OPTIONAL = (
    ("terminal", False, _BOOL), ("properties", _EMPTY, _DICT), ("refs", _NO_REFS, _LIST)
)  # fmt: skip
_EDGE_OPTIONAL = (("condition", None, _STR_OR_NONE), ("properties", _EMPTY, _DICT))


def _check_shape(
    doc: Mapping[str, Any], nodes: list[Any], edges: list[Any], labels: list[Any]
) -> None:
    """TypeError when a flow holds what ``Flow`` refuses (unknown fields, wrong types), in a
    few C-speed passes per field (``map`` over ``dict.get``, no Python step per node): pydantic
    runs only afterwards, to word the finding. ``labels`` are the nodes' labels, read once."""
    if not doc.keys() <= _FLOW_FIELDS or type(doc.get("kind")) is not str:
        raise TypeError("flow")
    if type(doc.get("properties", {})) is not dict:
        raise TypeError("flow properties")
    # set.union reads a dict's keys straight from its table (dict.keys views go through an
    # iterator, four times slower); a node or edge that is not a dict fails the dict.get passes.
    node_fields = set().union(*nodes)
    if not node_fields <= _NODE_FIELDS:
        raise TypeError("node field")
    edge_fields = set().union(*edges)
    if not edge_fields <= _EDGE_FIELDS:
        raise TypeError("edge field")
    if not set(map(type, map(_GET, nodes, repeat("type")))) <= _STR or not (
        set(map(type, labels)) <= _STR_OR_NONE
    ):
        raise TypeError("node")
    if not set(map(_GET, edges, repeat("kind"), repeat("next"))) <= _EDGE_KINDS:
        raise TypeError("edge")
    # An optional field no node (edge) has takes its default everywhere: nothing to check.
    for items, fields, optional in (
        (nodes, node_fields, _NODE_OPTIONAL),
        (edges, edge_fields, _EDGE_OPTIONAL),
    ):
        for key, default, types in optional:
            if (
                key in fields
                and not set(map(type, map(_GET, items, repeat(key), repeat(default)))) <= types
            ):
                raise TypeError(key)
    if type(doc.get("refs", [])) is not list:
        raise TypeError("flow refs")


def _str_or(value: Any, default: str | None) -> str | None:
    return value if isinstance(value, str) else default


def _loc(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return ""
    return "".join(f"/{part}" for part in errors[0]["loc"])


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = "/".join(str(p) for p in first["loc"]) or "document"
    return f"{where}: {first['msg']}"
