"""The read side of a vendor: what a project and a flow are, and the adapter protocol.

A *project* is the unit one export writes as one bundle:

- Cognigy: a project (``ProjectRef.id`` = the project ``_id``; the bundle's ``project`` too).
- CXone: a top-level script folder (``id`` = ``name`` = the folder, ``default`` for scripts at
  the root); the bundle's ``project`` is the folder.
- Genesys: a division (``id`` = the division id, ``default`` when a flow has none); the
  bundle's ``project`` is the division *name* (what the converter and the fixtures' FLAWS use).

``ProjectRef.key`` is what lands in ``Bundle.project`` (and so in ``flows/<vendor>/<key>/``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from cxops.errors import Unstorable, UsageError
from cxops.model.bundle import Bundle
from cxops.transport import VendorClient
from cxops.vendors.concurrently import map_all

__all__ = [
    "FlowRef",
    "Progress",
    "ProjectRef",
    "Skip",
    "Stamps",
    "VendorAdapter",
    "each_flow",
    "pick_flows",
    "pick_project",
    "stamp_of",
]

#: A project's change stamps (``cxops.analysis.incremental``): ``{"flows": {flow id as the
#: bundle names it: stamp}, "project": stamp of the rest of the project, or None}``.
Stamps = dict[str, Any]


def stamp_of(fields: Iterable[Any], *rows: Any) -> str:
    """A change stamp: the vendor's own stamp ``fields`` (for people), then ``#`` and a short
    hash of the listing ``rows`` they came from, so a listed field that moves without the
    vendor's stamp (a rename, a lock) still reads as a change.

    >>> stamp_of([1700000000000], {"_id": "a", "lastChanged": 1700000000000})
    '1700000000000#0d78ebd1a6761dc2'
    """
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return "/".join("-" if f is None else str(f) for f in fields) + "#" + digest


#: ``on_progress(stage, done, total)``: stage is e.g. ``"flows"``, ``"scripts"``, ``"archive"``.
Progress = Callable[[str, int, int], None]

#: ``on_skip(flow, error)``: a flow left out of the bundle because cxops cannot store it.
Skip = Callable[["FlowRef", str], None]

T = TypeVar("T")


@dataclass(frozen=True)
class ProjectRef:
    """One vendor project: ``id`` as the vendor names it, ``name`` for people.

    ``key`` is the bundle's ``project`` field (equal to ``id`` except for Genesys, where it is
    the division name).
    """

    id: str
    name: str
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.id)


@dataclass(frozen=True)
class FlowRef:
    """One flow of a project: the vendor id, its name and other ids it answers to."""

    id: str
    name: str
    aliases: tuple[str, ...] = field(default=(), compare=False)


@runtime_checkable
class VendorAdapter(Protocol):
    """Reads one tenant of one vendor through a ``cxops.transport.VendorClient``.

    Every method only reads (GETs; Genesys' export job is a POST that changes nothing), except
    :meth:`archive_project`, which may create a vendor-side snapshot/package to download.
    """

    name: str
    tenant: str

    def __init__(self, client: VendorClient, tenant: str) -> None:
        """Read through ``client``; ``tenant`` names the tenant in the bundles."""
        ...

    async def list_projects(self) -> list[ProjectRef]:
        """Every project of the tenant, sorted by id."""
        ...

    async def list_flows(self, project: ProjectRef) -> list[FlowRef]:
        """Every flow of the project, sorted by id."""
        ...

    async def export_project(
        self,
        project: ProjectRef,
        *,
        flows: Collection[str] | None = None,
        on_progress: Progress | None = None,
        on_skip: Skip | None = None,
    ) -> Bundle:
        """The project as a bundle; ``flows`` (ids or names) narrows it (UsageError if unknown).

        With ``on_skip``, a flow whose documents cxops cannot store (:class:`Unstorable`) is
        left out and reported to it; without, that error is raised (see :func:`each_flow`)."""
        ...

    async def archive_project(self, project: ProjectRef) -> tuple[str, bytes]:
        """The vendor's own archive of the project: ``(file name, bytes)``."""
        ...

    async def stamps(
        self, projects: Collection[ProjectRef], owners: Mapping[tuple[str, str], str] | None = None
    ) -> dict[str, Stamps]:
        """The change stamps of these projects' flows (by project id), from listings only.

        ``owners`` maps ``(kind, id)`` of what the lock holds to its project's key, for a
        vendor whose listings do not name the project (Cognigy)."""
        ...

    async def export_changes(
        self, project: ProjectRef, previous: Bundle, fetch: Collection[str]
    ) -> Bundle:
        """The project as a bundle, fetching only the flows in ``fetch`` (bundle flow ids) and
        any flow ``previous`` lacks; every other listed flow is taken from ``previous`` (the
        bundle in the repository), as are the project's other parts where the vendor has them
        (its stamp said they did not change). Flows no longer listed are left out."""
        ...


async def each_flow(
    fetch: Callable[[FlowRef], Awaitable[T]],
    flows: Iterable[FlowRef],
    on_skip: Skip | None = None,
) -> list[T]:
    """``fetch`` every flow concurrently (``map_all``); with ``on_skip``, a flow whose answer
    is :class:`Unstorable` is reported there and left out, and the others go on (issue #15: one
    flow holding ``NaN`` failed its whole project). Any other error fails them all, as before.
    """
    if on_skip is None:
        return await map_all(fetch, flows)
    report = on_skip

    async def one(ref: FlowRef) -> tuple[T] | None:
        try:
            return (await fetch(ref),)
        except Unstorable as exc:
            report(ref, exc.message)
            return None

    return [got[0] for got in await map_all(one, flows) if got is not None]


def pick_project(projects: Iterable[ProjectRef], wanted: str) -> ProjectRef:
    """The project whose id, key or name is ``wanted``; UsageError naming it if none is."""
    listed = list(projects)
    for match in (
        lambda p: wanted in (p.id, p.key),
        lambda p: p.name == wanted,
        lambda p: p.name.casefold() == wanted.casefold(),
    ):
        hits = [p for p in listed if match(p)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            ids = ", ".join(p.id for p in hits)
            raise UsageError(
                f"project {wanted!r} is ambiguous ({ids})", hint="name the project by its id"
            )
    known = ", ".join(sorted(p.name for p in listed)) or "none"
    raise UsageError(f"no project {wanted!r}", hint=f"projects: {known}")


def pick_flows(flows: Iterable[FlowRef], wanted: Collection[str] | None) -> list[FlowRef]:
    """The flows named by id, alias or name in ``wanted`` (all when ``None``), sorted by id.

    A name or id that matches nothing is a UsageError naming every such entry.
    """
    listed = sorted(flows, key=lambda f: f.id)
    if wanted is None:
        return listed
    chosen: dict[str, FlowRef] = {}
    missing = []
    for item in wanted:
        hits = [f for f in listed if item in (f.id, f.name, *f.aliases)]
        if not hits:
            missing.append(item)
        for hit in hits:
            chosen[hit.id] = hit
    if missing:
        raise UsageError(
            "no flow " + ", ".join(repr(m) for m in missing),
            hint="pass flow ids or names as the vendor lists them",
        )
    return [chosen[k] for k in sorted(chosen)]
