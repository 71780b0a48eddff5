"""Deterministic conversation checks against a project's content (simulator and playbooks).

A turn's input is classified by exact match (case-insensitive) against the sample sentences of
the flow's intents; the reply is every ``say`` text on the branch of the intent Lookup
(``switch`` on ``intent``) reachable from the flow's start. A turn passes when the intent and the
expected reply both match, so editing or breaking a flow really lowers the success rate.
"""

from __future__ import annotations

from typing import Any

Content = dict[str, dict[str, dict[str, Any]]]


def find_flow(content: Content, reference: str) -> dict[str, Any] | None:
    return next(
        (f for f in content["flows"].values() if reference in (f["referenceId"], f["_id"])), None
    )


def classify(flow: dict[str, Any], text: str) -> str | None:
    wanted = text.strip().lower()
    for intent in flow["intents"]:
        if intent.get("isDisabled"):
            continue
        if any(s["text"].strip().lower() == wanted for s in intent["sentences"]):
            return str(intent["name"])
    return None


def _reachable(flow: dict[str, Any]) -> set[str]:
    chart = flow["chart"]
    rel = {r["node"]: r for r in chart["relations"]}
    start = [n["_id"] for n in chart["nodes"] if n["type"] == "start"]
    seen: set[str] = set()
    todo = list(start)
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in rel:
            continue
        seen.add(nid)
        todo.extend(rel[nid]["children"])
        if rel[nid]["next"]:
            todo.append(rel[nid]["next"])
    return seen


def replies(flow: dict[str, Any], intent: str | None) -> list[str]:
    """Say texts of the branch the intent Lookup takes for ``intent``."""
    if intent is None:
        return []
    chart = flow["chart"]
    nodes = {n["_id"]: n for n in chart["nodes"]}
    rel = {r["node"]: r for r in chart["relations"]}
    live = _reachable(flow)
    for nid in live:
        node = nodes.get(nid)
        if node is None or node["type"] != "switch" or node["isDisabled"]:
            continue
        if node["config"].get("switch") != "intent":
            continue
        for child in rel[nid]["children"]:
            case = nodes.get(child)
            if (
                case
                and case["type"] == "case"
                and case["config"].get("case", {}).get("value") == intent
            ):
                return _say_chain(nodes, rel, rel[child]["next"])
    return []


def _say_chain(nodes: dict[str, Any], rel: dict[str, Any], start: str | None) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    cur = start
    while cur and cur not in seen and cur in nodes:
        seen.add(cur)
        node = nodes[cur]
        if node["type"] == "say" and not node["isDisabled"]:
            out.extend(node["config"].get("say", {}).get("text", []))
        cur = rel[cur]["next"] if cur in rel else None
    return out


def run_turn(flow: dict[str, Any] | None, turn: dict[str, str]) -> dict[str, Any]:
    """The outcome of one turn: recognized intent, bot replies, success."""
    intent = classify(flow, turn["input"]) if flow else None
    said = replies(flow, intent) if flow else []
    ok = intent == turn["expectedIntent"] and turn["expectedReply"] in said
    return {**turn, "intent": intent, "replies": said, "success": ok}


def metrics(results: list[bool]) -> dict[str, Any]:
    """``success``/``failure`` counts and ``successRate`` in percent (0 to 100)."""
    total = len(results)
    good = sum(results)
    rate = round(100.0 * good / total, 2) if total else 0.0
    return {"success": good, "failure": total - good, "total": total, "successRate": rate}
