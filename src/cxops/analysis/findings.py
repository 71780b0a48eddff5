"""Findings: what a check reports, with a stable code, a severity, a location and a hint.

Codes never change meaning once released; renderers (text, JSON, SARIF, JUnit) read only this.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = ["CODES", "Code", "Finding", "Location", "Severity", "sort_findings"]


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


@dataclass(frozen=True, slots=True)
class Code:
    """A check's stable identity: code, short name, default severity, generic hint."""

    code: str
    name: str
    severity: Severity
    hint: str


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("CX100", "unparseable input", Severity.error,
             "fix the file at the offset shown; cxops reads strict I-JSON (RFC 7493)"),
        Code("CX101", "dependency cycle", Severity.error,
             "break the cycle: one of the flows or resources on the path must stop using the next"),
        Code("CX102", "node limit exceeded", Severity.error,
             "split the flow into sub-flows, or raise --max-nodes if the platform allows it"),
        Code("CX103", "edge to an undefined node", Severity.error,
             "reconnect the transition to an existing node or delete it"),
        Code("CX104", "unreachable node", Severity.warning,
             "connect the node to the flow or delete it"),
        Code("CX105", "missing resource", Severity.error,
             "restore the resource, export it with the flow, or remove the reference"),
        Code("CX106", "unsatisfiable version range", Severity.error,
             "align the version ranges, or publish a version that satisfies them"),
        Code("CX107", "duplicate id", Severity.error,
             "give each flow, node and resource a unique id"),
        Code("CX108", "flow without an entry point", Severity.error,
             "mark the start node of the flow as its entry point"),
        Code("CX109", "loop with no way out", Severity.error,
             "add an exit from the loop (a branch leaving it, a retry limit or an end node)"),
        Code("CX201", "vendor compile error", Severity.error,
             "fix the action the vendor names"),
        Code("CX202", "vendor compile warning", Severity.warning,
             "review the action the vendor names"),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: vendor ids, a JSON pointer, and file:line:column when known."""

    vendor: str | None = None
    project: str | None = None
    flow: str | None = None
    node: str | None = None
    pointer: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        """``file:line:col`` when known, else ``vendor/project/flow#node`` and the pointer."""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            return where
        parts = [p for p in (self.vendor, self.project, self.flow) if p]
        where = "/".join(parts) or "-"
        if self.node:
            where += f"#{self.node}"
        return where


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``code`` (CX...), severity, message, hint and location."""

    code: str
    message: str
    severity: Severity = Severity.error
    hint: str = ""
    location: Location = field(default_factory=Location)
    related: tuple[Location, ...] = ()

    @classmethod
    def make(cls, code: str, message: str, location: Location, **kw: Any) -> Finding:
        """A finding with the code's default severity and hint unless given."""
        spec = CODES[code]
        kw.setdefault("severity", spec.severity)
        kw.setdefault("hint", spec.hint)
        return cls(code=code, message=message, location=location, **kw)

    @property
    def name(self) -> str:
        """The code's short name, e.g. ``dependency cycle``."""
        spec = CODES.get(self.code)
        return spec.name if spec else self.code

    def at(self, **changes: Any) -> Finding:
        """A copy with location fields changed (e.g. file, line, column)."""
        return replace(self, location=replace(self.location, **changes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, without empty location fields."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "location": {k: v for k, v in asdict(self.location).items() if v is not None},
        }
        if self.related:
            out["related"] = [
                {k: v for k, v in asdict(r).items() if v is not None} for r in self.related
            ]
        return out


_RANK = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order: severity, code, then location."""

    def key(f: Finding) -> tuple[Any, ...]:
        loc = f.location
        return (
            _RANK[f.severity], f.code, loc.file or "", loc.vendor or "", loc.project or "",
            loc.flow or "", loc.node or "", loc.pointer or "", f.message,
        )  # fmt: skip

    return sorted(findings, key=key)
