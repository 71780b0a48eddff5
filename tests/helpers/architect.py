"""A test-side reader of Architect flow documents, written from the public evidence (public
exports: ``flowSequenceItemList`` items with ``startAction`` and ``actionList``, menu choices
holding an ``action``, ``paths[{label, outputId, nextActionId?}]``, typed values whose
``config.lit.val`` holds the id the ``manifest`` lists), independently of both the emulator's
walks and cxops' converter, so a fixture test cannot pass on the same bug twice."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

MANIFEST_FLOWS = ("commonModule", "inboundCallFlow", "inQueueCallFlow", "digitalBotFlow")


def actions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of the document, in any of the places Architect keeps them."""
    out: list[dict[str, Any]] = list(doc.get("flowActionItemList") or [])
    for item in doc["flowSequenceItemList"]:
        out += item.get("actionList") or []
        choices = [*(item.get("menuChoiceList") or []), item.get("defaultMenuChoice")]
        out += [c["action"] for c in choices if c and c.get("action")]
    return out


def graph(doc: dict[str, Any]) -> nx.DiGraph:
    """Items and actions as a directed graph (startAction, choices, paths, jumps)."""
    g = nx.DiGraph()
    items = {i["id"] for i in doc["flowSequenceItemList"]}
    for item in doc["flowSequenceItemList"]:
        g.add_node(item["id"])
        if item.get("startAction"):
            g.add_edge(item["id"], item["startAction"])
        for choice in [*(item.get("menuChoiceList") or []), item.get("defaultMenuChoice")]:
            if choice and choice.get("action"):
                g.add_edge(item["id"], choice["action"]["id"])
    for act in actions(doc):
        g.add_node(act["id"])
        for path in act.get("paths") or []:
            if path.get("nextActionId"):
                g.add_edge(act["id"], path["nextActionId"])
        for key in ("taskReference", "menuReference"):
            if act.get(key) in items:
                g.add_edge(act["id"], act[key])
    return g


def ends(act: dict[str, Any]) -> bool:
    """An action ends its branch: no paths at all (and no jump), or a path going nowhere."""
    paths = act.get("paths") or []
    jumps = act.get("taskReference") or act.get("menuReference")
    return (not paths and not jumps) or any(not p.get("nextActionId") for p in paths)


def unreachable(doc: dict[str, Any]) -> set[str]:
    """Action ids not reachable from ``initialSequence``."""
    g = graph(doc)
    start = doc["initialSequence"]
    return {a["id"] for a in actions(doc)} - nx.descendants(g, start) - {start}


def _typed(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, list):
        return [t for v in obj for t in _typed(v)]
    if isinstance(obj, dict):
        return ([obj] if isinstance(obj.get("config"), dict) else []) + _typed(list(obj.values()))
    return []


def refs(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(item or action id, {kind, id, name, range})`` for each reference: ``kind`` is the manifest
    key; flows carry the action's ``flowVersion`` text as ``range``."""
    listed = {
        row["id"]: (kind, row["name"])
        for kind, rows in (doc.get("manifest") or {}).items()
        for row in rows
    }
    prompts = {name: rid for rid, (kind, name) in listed.items() if kind == "userPrompt"}
    out = []
    skip = ("paths", "actionList", "menuChoiceList", "defaultMenuChoice")
    for act in [*doc["flowSequenceItemList"], *actions(doc)]:
        seen: set[str] = set()
        for typed in _typed({k: v for k, v in act.items() if k not in skip}):
            rid = (typed["config"].get("lit") or {}).get("val")
            found = [rid] if rid in listed else []
            found += [prompts[p] for p in re.findall(r"Prompt\.(\w+)", str(typed.get("text")))]
            for rid in found:
                if rid in seen:
                    continue
                seen.add(rid)
                kind, name = listed[rid]
                row = {"kind": kind, "id": rid, "name": name}
                if kind in MANIFEST_FLOWS:
                    row["range"] = (act.get("flowVersion") or {}).get("text")
                out.append((act["id"], row))
    return out
