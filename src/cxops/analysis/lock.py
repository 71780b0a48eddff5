"""The lock file ``cxops.lock`` (TOML): every flow and resolved dependency, with its content hash.

Deterministic: tables sorted by vendor, project and id; no timestamps. ``lock_drift`` compares
two locks (the committed one and one computed from a bundle or a live target) and names every
difference. Reading and writing the file is the caller's job; this module turns bundles into
lock documents and TOML text, and back.

Layout::

    lock_version = 1

    [[bundle]]        vendor, tenant, project, version (tag), content_hash, stamp
    [[flow]]          vendor, project, id, name, version, hash, stamp
    [[dependency]]    vendor, project, kind, id, name, version (resolved), ranges, used_by, hash,
                      deleted

``stamp`` (optional) is the vendor's change stamp an incremental export compares
(``cxops.analysis.incremental``): not content, so :func:`lock_drift` leaves it out, and a lock
without stamps stays valid (``lock_version`` 1).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import tomli_w

from cxops.analysis.deps import resolve
from cxops.model.bundle import Bundle, Ref
from cxops.model.canonical import content_hash, hash_document
from cxops.model.errors import ModelError

__all__ = [
    "LOCK_FILE",
    "LOCK_VERSION",
    "Drift",
    "build_lock",
    "dumps_lock",
    "loads_lock",
    "lock_drift",
]

LOCK_FILE = "cxops.lock"
LOCK_VERSION = 1
#: Fields that are not content: drift between two locks ignores them.
_NOT_CONTENT = frozenset({"stamp"})
_KEYS = {
    "bundle": ("vendor", "project"),
    "flow": ("vendor", "project", "id"),
    "dependency": ("vendor", "project", "kind", "id"),
}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def _uses(bundle: Bundle) -> dict[tuple[str, str], list[tuple[str, Ref]]]:
    uses: dict[tuple[str, str], list[tuple[str, Ref]]] = defaultdict(list)
    for flow in bundle.flows:
        for ref in flow.refs:
            uses[(ref.kind, ref.id)].append((flow.id, ref))
        for node in flow.nodes:
            for ref in node.refs:
                uses[(ref.kind, ref.id)].append((flow.id, ref))
    return uses


def build_lock(bundles: Sequence[Bundle]) -> dict[str, Any]:
    """The lock document for these bundles (sorted, no volatile fields)."""
    bundle_rows, flow_rows, dep_rows = [], [], []
    for b in (x.canonical() for x in bundles):  # as written to disk: what a lock can compare
        bundle_rows.append(
            _clean(
                {
                    "vendor": b.vendor,
                    "tenant": b.tenant,
                    "project": b.project,
                    "version": b.version.tag,
                    "content_hash": content_hash(b),
                }
            )
        )
        for f in b.flows:
            flow_rows.append(
                _clean(
                    {
                        "vendor": b.vendor,
                        "project": b.project,
                        "id": f.id,
                        "name": f.name,
                        "version": f.version,
                        "hash": hash_document(f.model_dump(mode="json")),
                    }
                )
            )
        uses = _uses(b)
        flows = {f.id: f for f in b.flows}
        for r in b.resources:
            used = uses.get((r.kind, r.id), [])
            ranges = sorted({ref.version for _, ref in used if ref.version})
            published = sorted({*r.versions, *([r.version] if r.version else [])})
            dep_rows.append(
                _clean(
                    {
                        "vendor": b.vendor,
                        "project": b.project,
                        "kind": r.kind,
                        "id": r.id,
                        "name": r.name,
                        "version": resolve(published, ranges) or r.version,
                        "ranges": ranges,
                        "used_by": sorted({u for u, _ in used}),
                        "deleted": r.deleted or None,
                        "hash": hash_document(r.model_dump(mode="json")),
                    }
                )
            )
        for (kind, rid), used in sorted(uses.items()):
            target = flows.get(rid) if kind == "flow" else None
            ranges = sorted({ref.version for _, ref in used if ref.version})
            if target is None or not ranges:
                continue  # flows are locked above; a flow pinned by a range is a dependency too
            dep_rows.append(
                _clean(
                    {
                        "vendor": b.vendor,
                        "project": b.project,
                        "kind": "flow",
                        "id": rid,
                        "name": target.name,
                        "version": resolve(target.versions, ranges),
                        "ranges": ranges,
                        "used_by": sorted({u for u, _ in used}),
                        "hash": hash_document(target.model_dump(mode="json")),
                    }
                )
            )
    return {
        "lock_version": LOCK_VERSION,
        "bundle": sorted(bundle_rows, key=_sort_key("bundle")),
        "flow": sorted(flow_rows, key=_sort_key("flow")),
        "dependency": sorted(dep_rows, key=_sort_key("dependency")),
    }


def _sort_key(table: str) -> Any:
    keys = _KEYS[table]
    return lambda row: tuple(str(row.get(k, "")) for k in keys)


def dumps_lock(lock: Mapping[str, Any]) -> str:
    """TOML text of a lock document (keys sorted, so the same lock gives the same bytes)."""
    header = "# cxops.lock: written by `cxops lock`; do not edit by hand.\n"
    return header + tomli_w.dumps(_sorted(lock))


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def loads_lock(text: str) -> dict[str, Any]:
    """Parse lock text; a broken or foreign file is a :class:`ModelError`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"cxops.lock is not valid TOML: {exc}") from None
    if doc.get("lock_version") != LOCK_VERSION:
        raise ModelError(
            f"cxops.lock has lock_version {doc.get('lock_version')!r}, expected {LOCK_VERSION}",
            hint="re-create it with `cxops lock`",
        )
    return doc


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between the locked state and the current one."""

    table: str
    key: str
    change: str  # added, removed, changed
    field: str | None = None
    locked: Any = None
    current: Any = None

    def describe(self) -> str:
        """One line for people."""
        if self.change == "changed":
            return f"{self.table} {self.key}: {self.field} {self.locked!r} → {self.current!r}"
        return f"{self.table} {self.key}: {self.change} since the lock was written"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def lock_drift(locked: Mapping[str, Any], current: Mapping[str, Any]) -> list[Drift]:
    """Every difference from ``locked`` to ``current``, sorted."""
    out: list[Drift] = []
    for table, keys in _KEYS.items():
        old = {"/".join(str(r.get(k)) for k in keys): r for r in locked.get(table, [])}
        new = {"/".join(str(r.get(k)) for k in keys): r for r in current.get(table, [])}
        for key in sorted(set(new) - set(old)):
            out.append(Drift(table, key, "added"))
        for key in sorted(set(old) - set(new)):
            out.append(Drift(table, key, "removed"))
        for key in sorted(set(old) & set(new)):
            for name in sorted((set(old[key]) | set(new[key])) - _NOT_CONTENT):
                if old[key].get(name) != new[key].get(name):
                    out.append(
                        Drift(table, key, "changed", name, old[key].get(name), new[key].get(name))
                    )
    return out
