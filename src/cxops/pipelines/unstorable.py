"""Flows an export cannot store: left out of the project, each one a finding (issue #15).

A flow is *unstorable* when cxops cannot keep it faithfully: its vendor answer holds a value
RFC 8785 has no form for (NaN, ``1e400``, an integer beyond 2**53, a number token of thousands
of digits), nests past the depth cap, repeats a key (the transport raises
:class:`cxops.errors.Unstorable` and the adapter reports the flow through ``on_skip``); or the
converted flow cannot be written (its canonical form or its file fails). Such a flow is left out
of the bundle, so the project's other flows are written, checked and committed, and the run ends
``partial`` with one ``CX100`` finding per left-out flow naming it and what was wrong. One flow
holding ``NaN`` used to fail its whole project.

Ids and names are not a reason: the layout percent-encodes any id (NUL, newlines, ``..``) and
stores one too long for a file name under its head plus a hash (``cxops.model.layout``).

A left-out flow is not in the files: the repository holds the project as cxops could store it,
so the commit lists a flow stored by an earlier run as removed, and the finding says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cxops.analysis.findings import Finding, Location
from cxops.errors import Unstorable
from cxops.model.bundle import Bundle
from cxops.model.canonical import canonical_bytes
from cxops.model.layout import pretty_bytes
from cxops.sinks.git import FlowChanges, GitRepo
from cxops.vendors import FlowRef

__all__ = ["Skipped", "findings", "flows_of", "write_storable"]


class Skipped:
    """Collects the flows an adapter left out (its ``on_skip``), as JSON-ready rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def __call__(self, flow: FlowRef, error: str) -> None:
        self.rows.append({"id": flow.id, "name": flow.name, "error": error})


def _why(doc: Any) -> str | None:
    """What keeps one flow document from being stored, or None."""
    try:
        pretty_bytes(doc)
        canonical_bytes(doc)
    except RecursionError:
        return "nesting too deep to write"
    except ValueError as exc:  # CanonicalError, or json's refusal of NaN and infinities
        return str(exc)
    return None


def write_storable(
    repo: GitRepo, bundle: Bundle, extra_files: Mapping[str, bytes]
) -> tuple[FlowChanges, Bundle, list[dict[str, str]]]:
    """``repo.write_bundle`` (nothing is written when the bundle cannot be); if it cannot,
    write it without the flows that cannot be stored and return those as rows.

    A value outside every flow (the project's own document) fails the project
    (:class:`Unstorable`), as it would have failed all its flows."""
    try:
        return repo.write_bundle(bundle, extra_files=extra_files), bundle, []
    except (ValueError, RecursionError) as exc:
        reason: str = str(exc) if isinstance(exc, ValueError) else "nesting too deep"
    rows: list[dict[str, str]] = []
    kept = []
    for flow in bundle.flows:
        why = _why(flow.model_dump(mode="json", exclude_defaults=True))
        if why is None:
            kept.append(flow)
        else:
            rows.append({"id": flow.id, "name": flow.name, "error": why})
    if not rows:
        raise Unstorable(
            f"project {bundle.project!r} cannot be stored: {reason}",
            hint="the vendor sent a value cxops cannot store faithfully (RFC 8785); report it",
        )
    smaller = bundle.model_copy(update={"flows": kept})
    return repo.write_bundle(smaller, extra_files=extra_files), smaller, rows


def flows_of(results: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every left-out flow of a run's project results, with its vendor and project."""
    return [
        {"vendor": r.get("vendor", ""), "project": r["key"], **row}
        for r in results
        if r.get("status") == "ok"
        for row in r.get("unstorable", [])
    ]


def findings(rows: Iterable[Mapping[str, str]]) -> list[Finding]:
    """One ``CX100`` per left-out flow, located at its vendor, project and flow id."""
    return [
        Finding.make(
            "CX100",
            f"flow {row['name']!r} not exported: {row['error']}",
            Location(vendor=row["vendor"], project=row["project"], flow=row["id"]),
            hint="the vendor sent what cxops cannot store faithfully (RFC 8785); fix the flow "
            "on the vendor or report it; the project's other flows were exported",
        )
        for row in rows
    ]
