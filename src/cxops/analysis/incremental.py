"""Incremental export, the pure part: vendor change stamps in ``cxops.lock``, what to fetch
again, and the flows whose content changed without their stamp (issue #19).

A *stamp* is a string the vendor's listing gives for each flow (Cognigy ``lastChanged``,
Genesys the published/saved/checked-in version ids, CXone ``masterID`` and ``modifyDate``; see
docs/export.md) and, where a project holds more than flows (Cognigy: the project document,
lexicons, connections), one for the rest of the project. The lock keeps them in the ``stamp``
field of its ``[[flow]]`` and ``[[bundle]]`` rows (optional: a lock without stamps is still a
valid lock, and means "fetch fully this time").

A project's stamps are a JSON-ready mapping ``{"flows": {flow id: stamp}, "project": stamp |
None}`` (flow ids as the bundle names them), so they travel through recorded steps as they are.

>>> lock = {"bundle": [{"vendor": "v", "project": "p", "content_hash": "h"}],
...         "flow": [{"vendor": "v", "project": "p", "id": "a", "hash": "1", "stamp": "s1"},
...                  {"vendor": "v", "project": "p", "id": "b", "hash": "2", "stamp": "s2"}]}
>>> plan_project(lock, "v", "p", {"flows": {"a": "s1", "b": "s3", "c": "s4"}, "project": None})
ProjectPlan(full=False, fetch=('b', 'c'), removed=(), kept=('a',))
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cxops.analysis.lock import loads_lock
from cxops.model.errors import ModelError

__all__ = [
    "ProjectPlan",
    "StaleStamp",
    "keep_stamps",
    "locked_flows",
    "owners",
    "plan_project",
    "stamp_drift",
    "stamps_only",
    "widen",
    "with_stamps",
]

Stamps = Mapping[str, Any]


@dataclass(frozen=True)
class ProjectPlan:
    """What an incremental export of one project fetches.

    ``full``: fetch the whole project (no stamps recorded, the project's own stamp moved, or
    nothing locked for it). Otherwise ``fetch`` (changed or new flows), ``removed`` (locked,
    no longer listed) and ``kept`` (stamp unchanged: taken from the repository).
    """

    full: bool
    fetch: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        """Nothing to fetch and nothing to remove: the project needs no request at all."""
        return not self.full and not self.fetch and not self.removed


def _rows(lock: Mapping[str, Any], table: str, vendor: str, project: str) -> list[dict[str, Any]]:
    return [
        r
        for r in lock.get(table, [])
        if isinstance(r, dict) and r.get("vendor") == vendor and r.get("project") == project
    ]


def plan_project(lock: Mapping[str, Any], vendor: str, project: str, stamps: Stamps) -> ProjectPlan:
    """Compare a project's listed ``stamps`` with those ``lock`` recorded (see the module doc).

    Any flow the lock holds without a stamp (a lock written before stamps, or by ``cxops lock``)
    makes the whole project a full fetch, as does a project stamp that moved or is missing.
    """
    bundles = _rows(lock, "bundle", vendor, project)
    if not bundles:
        return ProjectPlan(full=True)
    locked = {str(r.get("id")): r for r in _rows(lock, "flow", vendor, project)}
    if any(not r.get("stamp") for r in locked.values()):
        return ProjectPlan(full=True)
    if stamps.get("project") != bundles[0].get("stamp"):
        return ProjectPlan(full=True)
    listed: Mapping[str, Any] = stamps.get("flows") or {}
    fetch = sorted(f for f, s in listed.items() if not s or locked.get(f, {}).get("stamp") != s)
    kept = sorted(f for f in listed if f not in fetch)
    removed = sorted(f for f in locked if f not in listed)
    return ProjectPlan(full=False, fetch=tuple(fetch), removed=tuple(removed), kept=tuple(kept))


def widen(
    plans: Mapping[str, ProjectPlan],
    locked: Mapping[str, Collection[str]],
    references: Mapping[str, Mapping[str, Collection[str]]],
) -> dict[str, ProjectPlan]:
    """``plans`` (by project) with every kept flow that references a moved flow fetched too.

    A flow *moved* when it is fetched, removed, or in a project read in full (``locked``: the
    flow ids the lock holds per project). ``references`` gives, per project not read in full,
    each kept flow's referenced flow ids. For vendors whose flow document embeds the state of
    what it uses (Genesys dependency tracking marks a consumed flow ``deleted``), such a flow
    changes without its own stamp moving.

    >>> plans = {"p": ProjectPlan(False, removed=("b",), kept=("a",))}
    >>> widen(plans, {"p": ["a", "b"]}, {"p": {"a": ["b"]}})["p"].fetch
    ('a',)
    """
    moved: set[str] = set()
    for project, plan in plans.items():
        moved |= set(locked.get(project, ())) if plan.full else {*plan.fetch, *plan.removed}
    out = dict(plans)
    for project, plan in plans.items():
        if plan.full or not moved:
            continue
        refs = references.get(project, {})
        extra = {f for f in plan.kept if set(refs.get(f, ())) & moved}
        if extra:
            out[project] = ProjectPlan(
                full=False,
                fetch=tuple(sorted({*plan.fetch, *extra})),
                removed=plan.removed,
                kept=tuple(f for f in plan.kept if f not in extra),
            )
    return out


def locked_flows(lock: Mapping[str, Any], vendor: str) -> dict[str, list[str]]:
    """The flow ids the lock holds, per project of ``vendor``."""
    out: dict[str, list[str]] = {}
    for row in lock.get("flow", []):
        if row.get("vendor") == vendor:
            out.setdefault(str(row.get("project")), []).append(str(row.get("id")))
    return out


def owners(lock: Mapping[str, Any], vendor: str) -> dict[tuple[str, str], str]:
    """``(kind, id)`` → project for every flow and dependency of ``vendor`` in the lock; an id
    two projects share is left out (its owner cannot be told).

    >>> owners({"flow": [{"vendor": "v", "project": "p", "id": "a"}]}, "v")
    {('flow', 'a'): 'p'}
    """
    out: dict[tuple[str, str], str] = {}
    shared: set[tuple[str, str]] = set()
    rows = [("flow", r) for r in lock.get("flow", [])]
    rows += [(str(r.get("kind")), r) for r in lock.get("dependency", [])]
    for kind, row in rows:
        if row.get("vendor") != vendor:
            continue
        key, project = (kind, str(row.get("id"))), str(row.get("project"))
        if out.setdefault(key, project) != project:
            shared.add(key)
    return {k: v for k, v in out.items() if k not in shared}


def with_stamps(
    lock: Mapping[str, Any],
    stamps: Mapping[tuple[str, str], Stamps],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``lock`` with the ``stamp`` fields filled in.

    ``stamps`` are this run's listings by ``(vendor, project)``; a project this run did not
    list keeps the stamps ``previous`` recorded for it, flow by flow, where the flow's hash is
    the same (a flow whose content moved without a listing loses its stamp: fetched next time).
    """
    old_flows = {
        (r.get("vendor"), r.get("project"), r.get("id")): r
        for r in (previous or {}).get("flow", [])
    }
    old_bundles = {
        (r.get("vendor"), r.get("project")): r for r in (previous or {}).get("bundle", [])
    }
    out = dict(lock)
    bundles = []
    for row in lock.get("bundle", []):
        key = (row.get("vendor"), row.get("project"))
        if key in stamps:
            stamp = stamps[key].get("project")
        else:
            old = old_bundles.get(key, {})
            same = old.get("content_hash") == row.get("content_hash")
            stamp = old.get("stamp") if same else None
        bundles.append(_set(row, stamp))
    flows = []
    for row in lock.get("flow", []):
        key = (row.get("vendor"), row.get("project"))
        if key in stamps:
            stamp = (stamps[key].get("flows") or {}).get(row.get("id"))
        else:
            old = old_flows.get((*key, row.get("id")), {})
            stamp = old.get("stamp") if old.get("hash") == row.get("hash") else None
        flows.append(_set(row, stamp))
    out["bundle"], out["flow"] = bundles, flows
    return out


def stamps_only(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> bool:
    """Whether ``current`` differs from ``previous`` only in stamps that moved: the vendor saved
    the same content again (``cxops compile`` saving a CXone script gives it a new masterID).
    Such a lock is not written: a commit that changes no content would be noise in the history.
    The flows whose stamp moved are read again by later incremental runs (their content is
    compared, and found the same) until a content change commits the new stamps. A lock that
    gains stamps where it had none (written before stamps, or by ``cxops lock``) is written:
    that is what makes the next run incremental."""
    if previous is None or dict(previous) == dict(current):
        return False

    def content(lock: Mapping[str, Any]) -> dict[str, Any]:
        return {
            table: [_set(row, None) if table in ("flow", "bundle") else row for row in rows]
            if isinstance(rows, list)
            else rows
            for table, rows in lock.items()
        }

    if content(previous) != content(current):
        return False
    return _stamped(current) <= _stamped(previous)


def _stamped(lock: Mapping[str, Any]) -> set[tuple[str, tuple[Any, Any, Any]]]:
    """The flow and bundle rows of a lock that carry a stamp."""
    return {(t, _key(r)) for t in ("flow", "bundle") for r in lock.get(t, []) if r.get("stamp")}


def _set(row: Mapping[str, Any], stamp: Any) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "stamp"}
    if isinstance(stamp, str) and stamp:
        out["stamp"] = stamp
    return out


@dataclass(frozen=True)
class StaleStamp:
    """A flow (or a project's non-flow content, ``flow`` None) whose content changed while its
    vendor stamp did not: incremental exports would have missed it."""

    vendor: str
    project: str
    flow: str | None
    name: str | None
    stamp: str
    locked_hash: str | None
    hash: str | None

    def describe(self) -> str:
        """One line for people."""
        what = f"flow '{self.name or self.flow}'" if self.flow else "project content"
        if self.flow and self.name and self.name != self.flow:
            what += f" ({self.flow})"
        return (
            f"{self.vendor}/{self.project}: {what} changed without its vendor stamp changing "
            f"({self.stamp}); incremental exports missed it until this full pass"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (with the sentence)."""
        return {
            "vendor": self.vendor,
            "project": self.project,
            "flow": self.flow,
            "name": self.name,
            "stamp": self.stamp,
            "locked_hash": self.locked_hash,
            "hash": self.hash,
            "message": self.describe(),
        }


def _key(row: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return (row.get("vendor"), row.get("project"), row.get("id"))


def _reshaped(previous: Mapping[str, Any], current: Mapping[str, Any]) -> set[tuple[Any, Any]]:
    """Projects whose set of flows or own stamp changed between the two locks: converting one
    flow may depend on which others exist (a CXone script's references resolve against the
    folder's scripts; Cognigy lexicon references against the project's lexicons), so there a
    flow's hash may move with its stamp held, honestly."""
    ids: dict[tuple[Any, Any], list[set[Any]]] = {}
    for side, lock in enumerate((previous, current)):
        for row in lock.get("flow", []):
            ids.setdefault((row.get("vendor"), row.get("project")), [set(), set()])[side].add(
                row.get("id")
            )
    out = {where for where, (a, b) in ids.items() if a != b}
    stamps: dict[tuple[Any, Any], list[Any]] = {}
    for lock in (previous, current):
        for row in lock.get("bundle", []):
            stamps.setdefault((row.get("vendor"), row.get("project")), []).append(row.get("stamp"))
    return out | {where for where, seen in stamps.items() if len(set(seen)) > 1 or len(seen) < 2}


def stamp_drift(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[StaleStamp]:
    """Flows whose stamp is the same in ``previous`` and ``current`` (two locks, the second
    written by a full pass) but whose content hash is not; and projects whose own stamp and
    every flow stamp held while the bundle's hash moved with no such flow to explain it.

    Projects whose flows were added or removed, or whose own stamp moved, are left out: there
    a flow's content may change through another's (see :func:`_reshaped`)."""
    old = {_key(r): r for r in previous.get("flow", [])}
    reshaped = _reshaped(previous, current)
    out: list[StaleStamp] = []
    flagged: set[tuple[Any, Any]] = set()
    moved: set[tuple[Any, Any]] = set(reshaped)
    for row in current.get("flow", []):
        key = _key(row)
        before = old.get(key)
        if before is None or not row.get("stamp") or before.get("stamp") != row.get("stamp"):
            moved.add(key[:2])
            continue
        if before.get("hash") != row.get("hash") and key[:2] not in reshaped:
            flagged.add(key[:2])
            out.append(
                StaleStamp(
                    str(key[0]),
                    str(key[1]),
                    str(key[2]),
                    row.get("name"),
                    str(row["stamp"]),
                    before.get("hash"),
                    row.get("hash"),
                )
            )
    old_bundles = {(r.get("vendor"), r.get("project")): r for r in previous.get("bundle", [])}
    for row in current.get("bundle", []):
        where = (row.get("vendor"), row.get("project"))
        held = old_bundles.get(where)
        if held is None or where in flagged or where in moved:
            continue
        if held.get("content_hash") != row.get("content_hash"):
            out.append(
                StaleStamp(
                    str(where[0]),
                    str(where[1]),
                    None,
                    None,
                    str(row.get("stamp") or "-"),
                    held.get("content_hash"),
                    row.get("content_hash"),
                )
            )
    return sorted(out, key=lambda s: (s.vendor, s.project, s.flow or ""))


def keep_stamps(lock: Mapping[str, Any], previous_text: str | None) -> dict[str, Any]:
    """``lock`` (built from bundles, so without stamps) with the stamps the lock it replaces
    recorded, for every flow and project whose content is the same (:func:`with_stamps`).

    ``cxops lock`` and ``cxops resolve`` rewrite the lock; without this they would drop the
    stamps and make the next export a full one. A missing or unreadable old lock keeps nothing.
    """
    if not previous_text:
        return dict(lock)
    try:
        previous = loads_lock(previous_text)
    except ModelError:
        return dict(lock)
    return with_stamps(lock, {}, previous)
