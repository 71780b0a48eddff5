"""What an export changed, for people: flow counts and the commit message.

``FlowChanges`` comes from :meth:`GitRepo.write_bundle` (by file content: what git will
commit), with the names of the flows it lists; :func:`semantic_summary` adds the analysis'
semantic diff and semver bump when the caller has the previous bundle, :func:`semantic_lines`
the diff's lines (``changed flow 'Main' › node 'Greeting': comment 'a' → 'b'``). A commit
message names flows, never a bare id where a name exists (issue #16).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cxops.analysis.diff import diff_bundles
from cxops.analysis.names import label, shared
from cxops.logs import one_line
from cxops.model.bundle import Bundle, Flow

__all__ = ["FlowChanges", "commit_message", "semantic_lines", "semantic_summary"]

#: Flows listed by name per kind of change, and semantic lines, in one commit message.
LISTED = 50


@dataclass
class FlowChanges:
    """Flow ids whose file was added, changed or removed, per ``vendor/project``, and the
    names of those flows (``names``: id → name, where known) and the files of changed ones
    (``files``: id → path; layout 2 names a file by the flow's name, not its id)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bundle_changed: bool = False
    names: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

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
            {**self.names, **other.names},
            {**self.files, **other.files},
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


def semantic_lines(old: list[Flow], new: list[Flow], limit: int = LISTED) -> list[str]:
    """What changed inside flows, one line each by name: the diff of ``old`` (the flows as
    committed) against ``new`` (as written), at most ``limit`` lines and a count of the rest."""
    if not old and not new:
        return []
    before = Bundle(vendor="-", tenant="-", project="-", flows=old)
    after = Bundle(vendor="-", tenant="-", project="-", flows=new)
    lines = [c.describe() for c in diff_bundles(before, after).changes]
    more = [f"... and {len(lines) - limit} more"] if len(lines) > limit else []
    return lines[:limit] + more


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
        listed = [*changes.added, *changes.changed, *changes.removed]
        twins = shared((i, changes.names.get(i)) for i in listed)
        for action, ids in (
            ("added", changes.added),
            ("changed", changes.changed),
            ("removed", changes.removed),
        ):
            # Vendor names and ids are data: a NUL would make git refuse the message (and fail
            # the run), a newline add lines (a fake trailer).
            lines += [
                "  "
                + action
                + ": "
                + one_line(label("flow", changes.names.get(i), i, ambiguous=i in twins))
                for i in ids[:LISTED]
            ]
            if len(ids) > LISTED:
                lines.append(f"  ... and {len(ids) - LISTED} more {action}")
    lines += [one_line(line) for line in body]  # semantic lines name nodes and flows
    tail = {**({"Cxops-Run-Id": run_id} if run_id else {}), **(trailers or {})}
    if tail:
        lines += ["", *(f"{k}: {' '.join(str(v).split())}" for k, v in tail.items())]
    return "\n".join(lines).rstrip() + "\n"
