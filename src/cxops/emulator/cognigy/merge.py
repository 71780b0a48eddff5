"""Merging a package into a project with the client's strategies (``IStrategy_2_0``).

Identity is the ``referenceId`` (it survives packaging). Per resource:
``identityConflictStrategy`` ``abort`` (default: any conflict rejects the whole merge),
``replace`` (the package's version replaces the project's, keeping the project's ``_id``),
``re-identify`` (imported next to the original with a new ``_id``/``referenceId`` and a
renamed name), ``merge`` (``mergeStrategy.replaceStructure`` takes the package's chart and
intents; ``replaceContent`` only the config of nodes both sides have). ``rename`` sets the
name; ``autoRename`` (default true) suffixes a name already taken.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from cxops.emulator.context import new_object_id

Content = dict[str, dict[str, dict[str, Any]]]


def _by_ref(section: dict[str, dict[str, Any]], ref: str) -> dict[str, Any] | None:
    return next((r for r in section.values() if r.get("referenceId") == ref), None)


def selected(package: Content, resource_ids: list[str] | None) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for kind, section in package.items():
        for rid, res in section.items():
            if not resource_ids or rid in resource_ids:
                out.append((kind, res))
    return out


def conflicts(
    target: Content, items: list[tuple[str, dict[str, Any]]], strategies: dict[str, Any]
) -> list[str]:
    """Names of resources whose identity conflicts under the ``abort`` strategy."""
    names = []
    for kind, res in items:
        strategy = strategies.get(res["_id"], {}).get("identityConflictStrategy", "abort")
        if strategy == "abort" and _by_ref(target[kind], res["referenceId"]) is not None:
            names.append(res["name"])
    return names


def _free_name(section: dict[str, dict[str, Any]], name: str) -> str:
    taken = {r["name"] for r in section.values()}
    n = 1
    candidate = name
    while candidate in taken:
        candidate = f"{name} ({n})"
        n += 1
    return candidate


def merge(
    target: Content,
    items: list[tuple[str, dict[str, Any]]],
    strategies: dict[str, Any],
    now_ms: int,
) -> dict[str, int]:
    """Apply the merge to ``target`` in place; returns counts per outcome."""
    counts = {"created": 0, "replaced": 0, "reidentified": 0, "merged": 0}
    for kind, res in items:
        strat = strategies.get(res["_id"], {})
        section = target[kind]
        existing = _by_ref(section, res["referenceId"])
        new = copy.deepcopy(res)
        new["lastChanged"] = now_ms
        rule = strat.get("identityConflictStrategy", "abort")
        if existing is None:
            new["_id"] = res["_id"] if res["_id"] not in section else new_object_id()
            counts["created"] += 1
        elif rule == "replace":
            new["_id"] = existing["_id"]
            counts["replaced"] += 1
        elif rule == "re-identify":
            new["_id"], new["referenceId"] = new_object_id(), str(uuid.uuid4())
            counts["reidentified"] += 1
        elif rule == "merge":
            _merge_into(existing, new, strat.get("mergeStrategy") or {})
            counts["merged"] += 1
            continue
        else:  # abort was checked before anything changed
            raise ValueError(f"identity conflict on {res['name']!r}")
        if strat.get("rename"):
            new["name"] = strat["rename"]
        if strat.get("autoRename", True):
            others = {k: v for k, v in section.items() if k != new["_id"]}
            new["name"] = _free_name(others, new["name"])
        section[new["_id"]] = new
    return counts


def _merge_into(existing: dict[str, Any], new: dict[str, Any], strategy: dict[str, Any]) -> None:
    existing["lastChanged"] = new["lastChanged"]
    if "chart" not in existing:
        if strategy.get("replaceContent"):
            keep = {"_id": existing["_id"]}
            existing.clear()
            existing.update({**new, **keep})
        return
    if strategy.get("replaceStructure"):
        existing["chart"] = new["chart"]
        existing["intents"] = new.get("intents", [])
    elif strategy.get("replaceContent"):
        theirs = {n["referenceId"]: n for n in new["chart"]["nodes"]}
        for node in existing["chart"]["nodes"]:
            if node["referenceId"] in theirs:
                node["config"] = theirs[node["referenceId"]]["config"]
                node["preview"] = theirs[node["referenceId"]]["preview"]
