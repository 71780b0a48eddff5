"""What ``cxops doctor`` found: one :class:`Check` per line, the exit code they add up to, and the
JSON report a user attaches to a bug (field paths, JSON types, statuses; never a secret, an id or
any other value the tenant holds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cxops._version import __version__
from cxops.vendors.reads import FieldProblem

__all__ = ["FORMAT", "Check", "Report", "Status"]

FORMAT = "cxops.doctor/1"
#: ok · missing (a permission, or a field) · denied (403 reading an object) · failed (reach,
#: auth, an answer cxops cannot use) · unchecked (the vendor offers no read-only way to know).
Status = Literal["ok", "missing", "denied", "failed", "unchecked", "skipped"]
_FAILING = frozenset({"missing", "denied", "failed"})


@dataclass
class Check:
    """One line of the diagnosis.

    ``kind`` is ``reach``, ``auth``, ``permission`` or ``fields``; ``name`` what was checked (a
    permission, or the route of an answer); ``grant`` what to give when it is missing;
    ``note`` a sentence written by cxops (never vendor text, which may quote tenant content).
    """

    kind: str
    name: str
    status: Status
    note: str = ""
    grant: str = ""
    needed_by: str = ""
    http_status: int | None = None
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return self.status in _FAILING

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "status": self.status}
        for key in ("note", "grant", "needed_by"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.http_status is not None:
            out["http_status"] = self.http_status
        if self.problems:
            out["problems"] = [p.as_dict() for p in self.problems]
        return out


@dataclass
class Report:
    """Every check of one profile, in the order they ran."""

    vendor: str
    checks: list[Check] = field(default_factory=list)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    @property
    def exit_code(self) -> int:
        """3 the vendor was unreachable · 2 credentials refused · 1 something missing · 0 ok."""
        failed = {c.kind for c in self.checks if c.status == "failed"}
        if "reach" in failed:
            return 3
        if "auth" in failed:
            return 2
        return 1 if any(c.failing for c in self.checks) else 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON report (see the module doc: no values of the tenant's)."""
        return {
            "format": FORMAT,
            "cxops": __version__,
            "vendor": self.vendor,
            "exit": self.exit_code,
            "checks": [c.as_dict() for c in self.checks],
        }
