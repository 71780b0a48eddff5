"""Dependency checks across flows and resources: cycles (CX101), missing (CX105), ranges (CX106).

Version ranges are npm-style (``^1.2``, ``~1.2``, ``>=1 <2``) and evaluated by ``node-semver``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from itertools import pairwise

import nodesemver  # type: ignore[import-untyped]

from cxops.analysis.findings import Finding, Location
from cxops.analysis.graph import Graph
from cxops.analysis.index import BundleIndex, RefUse, ResourceEntry

__all__ = ["coerce", "dependency_findings", "range_findings", "resolve", "satisfies"]


def _key(kind: str, rid: str) -> str:
    return f"{kind}:{rid}"


def dependency_findings(index: BundleIndex) -> list[Finding]:
    """CX105 for references to missing or deleted things, CX101 for cycles between them."""
    findings: list[Finding] = []
    flows = {f"flow:{f.id}": f for f in index.flows}
    resources = {_key(r.kind, r.id): r for r in index.resources}
    names = sorted(set(flows) | set(resources))
    display = {k: f"flow '{f.name}'" for k, f in flows.items()}
    display.update({k: f"{r.kind} '{r.name}'" for k, r in resources.items()})
    number = {name: i for i, name in enumerate(names)}
    edges: set[tuple[int, int]] = set()
    where: dict[tuple[int, int], Location] = {}
    for ref in index.refs:
        target = _resolve(ref, flows, resources)
        if target is None:
            findings.append(
                Finding.make(
                    "CX105",
                    f"{_user(ref)} references {ref.kind} '{ref.id}', which is not in the project",
                    ref.location,
                )
            )
            continue
        res = resources.get(target)
        if res is not None and res.deleted:
            findings.append(
                Finding.make(
                    "CX105",
                    f"{_user(ref)} references {ref.kind} '{res.name}' ({ref.id}), "
                    "which was deleted",
                    ref.location,
                )
            )
            continue
        if ref.user in number and target != ref.user:
            pair = (number[ref.user], number[target])
            edges.add(pair)
            where.setdefault(pair, ref.location)
    ordered = sorted(edges)
    graph = Graph(len(names), [a for a, _ in ordered], [b for _, b in ordered])
    for path in graph.cycles():
        steps = " → ".join(display.get(names[i], names[i]) for i in path)
        first = where[(path[0], path[1])]
        related = tuple(where[pair] for pair in list(pairwise(path))[1:])
        findings.append(
            Finding.make(
                "CX101",
                f"dependency cycle: {steps}",
                first,
                related=related,
            )
        )
    return findings


def _resolve(
    ref: RefUse, flows: Mapping[str, object], resources: dict[str, ResourceEntry]
) -> str | None:
    key = _key(ref.kind, ref.id)
    if key in flows or key in resources:
        return key
    return None


def _user(ref: RefUse) -> str:
    if ref.who:
        return ref.who
    loc = ref.location
    if loc.node:
        return f"node '{loc.node}' of flow '{loc.flow}'"
    if loc.flow:
        return f"flow '{loc.flow}'"
    return ref.user.replace(":", " '", 1) + "'"


def coerce(version: str) -> str:
    """A vendor version as full semver: Genesys' ``"2.0"`` becomes ``"2.0.0"``."""
    core, sep, rest = version.strip().partition("-")
    parts = core.split(".")
    if 0 < len(parts) < 3 and all(p.isdigit() for p in parts):
        core = ".".join(parts + ["0"] * (3 - len(parts)))
    return core + sep + rest


def resolve(published: list[str], ranges: list[str]) -> str | None:
    """The highest published version that satisfies every range, or None."""
    fits = [v for v in published if all(satisfies(v, r) for r in ranges)]
    if not fits:
        return None

    # SemVer objects have no ``>`` (``max`` over two of them raised TypeError, issue #14).
    def cmp(a: str, b: str) -> int:
        return int(nodesemver.compare(coerce(a), coerce(b), True))

    return max(fits, key=functools.cmp_to_key(cmp))


def satisfies(version: str, rng: str) -> bool:
    """Whether a version satisfies an npm-style range (False for unparseable input)."""
    try:
        return bool(nodesemver.satisfies(coerce(version), rng, loose=True))
    except (ValueError, TypeError, AttributeError):
        return False


def _valid_range(rng: str) -> bool:
    try:
        return nodesemver.valid_range(rng, loose=True) is not None
    except (ValueError, TypeError, AttributeError):
        return False


def _candidates(ranges: list[str]) -> list[str]:
    """Versions at and just past every bound named in the ranges: if the ranges' intersection
    holds any version, it holds one of these (bounds are where satisfaction can change)."""
    out: set[str] = set()
    for rng in ranges:
        parsed = nodesemver.make_range(rng, loose=True)
        for comparators in parsed.set:
            for comp in comparators:
                v = comp.semver
                if v is nodesemver.ANY or getattr(v, "major", None) is None:
                    continue
                base = f"{v.major}.{v.minor}.{v.patch}"
                out.add(base)
                out.add(f"{v.major}.{v.minor}.{v.patch + 1}")
                out.add(f"{v.major}.{v.minor + 1}.0")
                out.add(f"{v.major + 1}.0.0")
                if v.major or v.minor or v.patch:
                    out.add(f"{max(v.major - 1, 0)}.{v.minor}.{v.patch}")
    out.add("0.0.0")
    return sorted(out)


def range_findings(index: BundleIndex) -> list[Finding]:
    """CX106: an invalid range, a range no published version satisfies, or ranges on the same
    target that no single version can satisfy together."""
    findings: list[Finding] = []
    resources = {_key(r.kind, r.id): r for r in index.resources}
    flow_versions = {f"flow:{f.id}": f.versions for f in index.flows}
    by_target: dict[str, list[RefUse]] = defaultdict(list)
    for ref in index.refs:
        if ref.version:
            by_target[_key(ref.kind, ref.id)].append(ref)
    for target, refs in sorted(by_target.items()):
        res = resources.get(target)
        published = sorted(
            {*(res.versions if res else []), *([res.version] if res and res.version else [])}
            | set(flow_versions.get(target, []))
        )
        good: list[RefUse] = []
        for ref in refs:
            assert ref.version is not None
            if not _valid_range(ref.version):
                findings.append(
                    Finding.make(
                        "CX106",
                        f"{_user(ref)} asks for {target} at '{ref.version}', "
                        "which is not a valid version range",
                        ref.location,
                    )
                )
            elif published and not any(satisfies(v, ref.version) for v in published):
                findings.append(
                    Finding.make(
                        "CX106",
                        f"no published version of {target} satisfies '{ref.version}' "
                        f"asked by {_user(ref)} (published: {', '.join(published)})",
                        ref.location,
                    )
                )
            else:
                good.append(ref)
        ranges = sorted({r.version for r in good if r.version})
        if len(ranges) < 2:
            continue
        pool = published or _candidates(ranges)
        if not any(all(satisfies(v, r) for r in ranges) for v in pool):
            first = good[0]
            users = "; ".join(f"'{r.version}' by {_user(r)}" for r in good)
            findings.append(
                Finding.make(
                    "CX106",
                    f"incompatible version ranges for {target}: {users}",
                    first.location,
                    related=tuple(r.location for r in good[1:]),
                )
            )
    return findings
