"""The emulator's Architect-like flow configuration: small builders and read-only walks.

The shape is documented in ``docs/emulator/genesys.md`` (the converter in ``model/`` reads the
same document). Builders return plain dicts so a configuration is JSON as soon as it is built;
walks (every action, entry of a container, references, reachability) are shared by dependency
tracking, validation and the text-bot runner.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

Config = dict[str, Any]
Action = dict[str, Any]

# Dependency-tracking object type (SDK ``Dependency.type``) of each flow type (``Flow.type``).
FLOW_OBJECT_TYPES = {
    "INBOUNDCALL": "INBOUNDCALLFLOW",
    "INQUEUECALL": "INQUEUECALLFLOW",
    "COMMONMODULE": "COMMONMODULEFLOW",
    "DIGITALBOT": "DIGITALBOTFLOW",
    "BOT": "BOTFLOW",
}
FLOW_TYPES_BY_OBJECT = {v: k for k, v in FLOW_OBJECT_TYPES.items()}
# Where each resource ref type is listed in ``references``.
REFERENCE_LISTS = {"DATAACTION": "dataActions", "USERPROMPT": "prompts", "QUEUE": "queues"}
CONTAINER_LISTS = ("states", "tasks", "menus")


def ref(kind: str, rid: str, name: str, flow_version: str | None = None) -> dict[str, Any]:
    """One reference; flows carry ``flowVersion`` (a range or ``None``), resources do not."""
    out: dict[str, Any] = {"type": kind, "id": rid, "name": name}
    if kind in FLOW_TYPES_BY_OBJECT:
        out["flowVersion"] = flow_version
    return out


def action(
    aid: str,
    name: str,
    kind: str,
    properties: dict[str, Any] | None = None,
    refs: list[dict[str, Any]] | None = None,
    **paths: str | None,
) -> Action:
    """An action; keyword arguments are its paths (``digit_1=`` becomes ``digit:1``)."""
    return {
        "id": aid,
        "name": name,
        "type": kind,
        "properties": properties or {},
        "refs": refs or [],
        "paths": [{"name": _path_name(k), "next": v} for k, v in paths.items()],
    }


def _path_name(key: str) -> str:
    for prefix in ("digit", "intent"):
        if key.startswith(prefix + "_"):
            return f"{prefix}:{key[len(prefix) + 1 :]}"
    return "noMatch" if key == "no_match" else key


def intent_path(name: str, target: str) -> dict[str, Any]:
    """A path of ``askForIntent`` (intent names may hold spaces, so no keyword form)."""
    return {"name": f"intent:{name}", "next": target}


def container(cid: str, name: str, kind: str, actions: list[Action]) -> dict[str, Any]:
    """A state, task or menu; ``actions[0]`` is where it is entered."""
    if not actions:
        raise ValueError(f"container {cid} has no actions")
    return {"id": cid, "name": name, "kind": kind, "actions": actions}


def configuration(
    *,
    flow: dict[str, Any],
    version: str,
    start: str,
    states: list[dict[str, Any]] | None = None,
    tasks: list[dict[str, Any]] | None = None,
    menus: list[dict[str, Any]] | None = None,
    intents: list[dict[str, Any]] | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> Config:
    """A whole configuration; ``references`` is derived from the actions' refs."""
    cfg: Config = {
        "id": flow["id"],
        "name": flow["name"],
        "type": flow["type"],
        "version": version,
        "description": flow.get("description", ""),
        "division": dict(flow["division"]),
        "defaultLanguage": "en-us",
        "supportedLanguages": ["en-us"],
        "startUpRef": start,
        "variables": variables or [],
        "states": states or [],
        "tasks": tasks or [],
        "menus": menus or [],
        "intents": intents or [],
    }
    cfg["references"] = collect_references(cfg)
    return cfg


def containers(cfg: Config) -> Iterator[dict[str, Any]]:
    """Every state, task and menu, in document order."""
    for key in CONTAINER_LISTS:
        yield from cfg.get(key) or []


def actions(cfg: Config) -> Iterator[Action]:
    """Every action of every container, in document order."""
    for box in containers(cfg):
        yield from box.get("actions") or []


def all_refs(cfg: Config) -> Iterator[tuple[Action, dict[str, Any]]]:
    """``(action, ref)`` for every ref of every action."""
    for act in actions(cfg):
        for r in act.get("refs") or []:
            yield act, r


def collect_references(cfg: Config) -> dict[str, list[dict[str, Any]]]:
    """The ``references`` inventory: distinct ``(type, id, flowVersion)``, sorted by name."""
    out: dict[str, list[dict[str, Any]]] = {
        "flows": [],
        "dataActions": [],
        "prompts": [],
        "queues": [],
    }
    seen: set[tuple[str, str, Any]] = set()
    for _, r in all_refs(cfg):
        key = (r["type"], r["id"], r.get("flowVersion"))
        if key in seen:
            continue
        seen.add(key)
        out[REFERENCE_LISTS.get(r["type"], "flows")].append(dict(r))
    for rows in out.values():
        rows.sort(key=lambda r: (r["name"], r["id"], str(r.get("flowVersion"))))
    return out


def entry_of(cfg: Config, target: str) -> str | None:
    """The action id a ``next`` lands on: itself for an action, ``actions[0]`` for a container."""
    for box in containers(cfg):
        if box["id"] == target:
            first = box.get("actions") or []
            return str(first[0]["id"]) if first else None
    return target if any(a["id"] == target for a in actions(cfg)) else None


def reachable(cfg: Config) -> set[str]:
    """Action ids reachable from ``startUpRef`` along every path (iterative breadth-first)."""
    by_id = {a["id"]: a for a in actions(cfg)}
    start = entry_of(cfg, str(cfg.get("startUpRef", "")))
    seen: set[str] = set()
    todo = deque([start] if start else [])
    while todo:
        aid = todo.popleft()
        if aid in seen or aid not in by_id:
            continue
        seen.add(aid)
        for path in by_id[aid].get("paths") or []:
            nxt = path.get("next")
            landed = entry_of(cfg, nxt) if isinstance(nxt, str) else None
            if landed is not None:
                todo.append(landed)
    return seen


def rebind(cfg: Config, *, flow_id: str, version: str, division: dict[str, Any]) -> Config:
    """A copy of ``cfg`` that belongs to ``flow_id`` at ``version`` (imports, new versions)."""
    out: Config = {**cfg, "id": flow_id, "version": version, "division": dict(division)}
    return out
