"""The promotion plan: what changes in the target (semantic diff) and whether the version fits.

The diff runs from the target's current bundle to the source's (what the target will become),
so its suggested bump is the release's (the caller passes both bundles through the vendor
strategy's ``portable``, so tenant-local ids are left out): a removed flow is major, an added
one minor, anything else patch. ``--version`` must be a semver above the repository's latest
semver tag and raise at least the component the diff calls for (``nodesemver``, loose: a
``v`` prefix is fine).
"""

from __future__ import annotations

from typing import Any

import nodesemver  # type: ignore[import-untyped]

from cxops.analysis.diff import diff_bundles
from cxops.analysis.names import change_line
from cxops.model.bundle import Bundle
from cxops.sinks.git import GitRepo

__all__ = ["LEVELS", "SHOWN", "check_version", "diff_doc", "latest_tag", "plan_lines"]

LEVELS = ("none", "patch", "minor", "major")
#: Changes a plan shows as text (``--json`` lists up to :func:`diff_doc`'s limit).
SHOWN = 20


def diff_doc(target: Bundle, source: Bundle, limit: int = 200) -> dict[str, Any]:
    """The diff target → source (both portable), JSON-ready, at most ``limit`` listed changes."""
    doc = diff_bundles(target, source).to_dict()
    doc["total_changes"] = len(doc["changes"])
    doc["changes"] = doc["changes"][:limit]
    return doc


def plan_lines(plan: dict[str, Any], shown: int = SHOWN) -> list[str]:
    """The plan for people: a head line, then one line per change with names, not ids
    (``changed flow 'Main' › node 'Greeting': comment 'a' → 'b'``). Pure: the CLI prints them."""
    diff = plan["diff"]
    source, target = plan["source"]["name"], plan["target"]["name"]
    where = f"'{source}'" if source == target else f"'{source}' → '{target}'"
    total = int(diff.get("total_changes", len(diff["changes"])))
    lines = [f"plan: {where}: {total} change(s), suggested bump {diff['bump']}"]
    lines += [f"  {change_line(c)}" for c in diff["changes"][:shown]]
    if total > shown:
        lines.append(f"  ... and {total - shown} more (--json lists up to {len(diff['changes'])})")
    return lines


def latest_tag(repo: str | None) -> str | None:
    """The highest semver tag of the artifact repository (None without repo or tags)."""
    if not repo:
        return None
    git = GitRepo.open_or_init(repo)
    tags = [t for t in git.git("tag", "--list").split() if nodesemver.valid(t, True)]
    # nodesemver's SemVer objects do not define ``<``/``>`` (``max`` on them raised TypeError
    # as soon as a second tag existed, issue #14): order by the library's own ``sort``.
    return nodesemver.sort(tags, True)[-1] if tags else None


def _level(old: str, new: str) -> str:
    a, b = nodesemver.make_semver(old, True), nodesemver.make_semver(new, True)
    if b.major != a.major:
        return "major"
    if b.minor != a.minor:
        return "minor"
    return "patch" if b.patch != a.patch else "none"


def check_version(version: str | None, previous: str | None, bump: str) -> dict[str, Any]:
    """``{"ok", "given", "previous", "suggested_bump", "expected", "reason"}``."""
    out: dict[str, Any] = {
        "given": version,
        "previous": previous,
        "suggested_bump": bump,
        "expected": None,
        "ok": True,
        "reason": None,
    }
    if version is None:
        return out
    if not nodesemver.valid(version, True):
        return {**out, "ok": False, "reason": f"{version!r} is not a semantic version"}
    if previous is None:
        return out
    if bump != "none":
        out["expected"] = nodesemver.inc(previous, bump, True)
    if not nodesemver.gt(version, previous, True):
        return {**out, "ok": False, "reason": f"{version} is not above the last tag {previous}"}
    given = _level(previous, version)
    if LEVELS.index(given) < LEVELS.index(bump):
        reason = f"the changes call for a {bump} bump ({out['expected']}); {version} is {given}"
        return {**out, "ok": False, "reason": reason}
    return out
