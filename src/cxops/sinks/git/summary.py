"""What an export changed, for people: flow counts and the commit message.

``FlowChanges`` comes from :meth:`GitRepo.write_bundle` (by file content: what git will
commit); :func:`semantic_summary` adds the analysis' semantic diff and semver bump when the
caller has the previous bundle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cxops.analysis.diff import diff_bundles
from cxops.model.bundle import Bundle

__all__ = ["FlowChanges", "commit_message", "semantic_summary"]


@dataclass
class FlowChanges:
    """Flow ids whose file was added, changed or removed, per ``vendor/project``."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bundle_changed: bool = False

    @property
    def any(self) -> bool:
        """True when a flow file or the bundle file changed."""
        return bool(self.added or self.changed or self.removed or self.bundle_changed)

    def merge(self, other: FlowChanges) -> FlowChanges:
        """Both together (for a run that writes several projects)."""
        return FlowChanges(
            self.added + other.added,
            self.changed + other.changed,
            self.removed + other.removed,
            self.unchanged + other.unchanged,
            self.bundle_changed or other.bundle_changed,
        )

    def summary(self) -> str:
        """``"N flows added, M changed, K removed"`` (``flow`` when N is 1)."""
        n = len(self.added)
        return (
            f"{n} flow{'' if n == 1 else 's'} added, "
            f"{len(self.changed)} changed, {len(self.removed)} removed"
        )


def semantic_summary(old: Bundle | None, new: Bundle) -> str:
    """One line from ``cxops.analysis.diff``: the suggested bump and counts of changes by kind."""
    if old is None:
        return f"new project: {len(new.flows)} flows"
    diff = diff_bundles(old, new)
    counts = diff.to_dict()["summary"]
    parts = ", ".join(f"{v} {k}" for k, v in counts.items()) or "no semantic change"
    return f"bump {diff.bump}: {parts}"


def commit_message(
    subject: str,
    *,
    run_id: str | None = None,
    changes: FlowChanges | None = None,
    body: Iterable[str] = (),
    trailers: dict[str, str] | None = None,
) -> str:
    """A commit message: subject, the flow summary, free lines, then ``Key: value`` trailers
    (``Cxops-Run-Id`` first) that ``git interpret-trailers`` and ``git log --format=%(trailers)``
    can read back."""
    lines = [subject.strip().splitlines()[0] if subject.strip() else "cxops export", ""]
    if changes is not None:
        lines.append(changes.summary())
        for label, ids in (
            ("added", changes.added),
            ("changed", changes.changed),
            ("removed", changes.removed),
        ):
            lines += [f"  {label}: {i}" for i in ids[:50]]
            if len(ids) > 50:
                lines.append(f"  ... and {len(ids) - 50} more {label}")
    lines += list(body)
    tail = {**({"Cxops-Run-Id": run_id} if run_id else {}), **(trailers or {})}
    if tail:
        lines += ["", *(f"{k}: {' '.join(str(v).split())}" for k, v in tail.items())]
    return "\n".join(lines).rstrip() + "\n"
