"""NICE CXone Studio: script JSON (header, actions, properties, branches) ⇄ bundle.

One script is one flow: id = ``header.scriptName`` (the script path, ``Folder\\Name``), one node
per action (id = the action key), one edge per branch (``default`` → next, else branch with the
label as condition, ``properties.index`` keeps the position). ``RUNSUB``, ``SPAWN`` and
``RUNSCRIPT`` reference the script named by their ``ScriptName`` property. Entry points are
``BEGIN`` and ``ONRELEASE``; ``HANGUP``, ``END``, ``RETURN`` and ``RUNSCRIPT`` end the script.
Parsing is tolerant (CXone has no published schema): numbers may be strings, entries may be
missing. Node properties hold ``{"action", "properties"?, "branches"?}`` verbatim.

Native project document: ``{"scripts": [script JSON, ...], ...}`` (other keys kept).
"""

from __future__ import annotations

from typing import Any

from cxops.model.bundle import Bundle, Edge, Flow, Node, Ref
from cxops.model.errors import ConvertError

__all__ = ["flow_to_bundle", "flow_to_native", "script_property", "to_bundle", "to_native"]

ENTRY_TYPES = frozenset({"BEGIN", "ONRELEASE"})
TERMINAL_TYPES = frozenset({"HANGUP", "END", "RETURN", "RUNSCRIPT"})
CALL_TYPES = frozenset({"RUNSUB", "SPAWN", "RUNSCRIPT"})


def script_property(props: Any, name: str) -> str | None:
    """The value of the named property in a CXone ``properties[actionId]`` object."""
    if not isinstance(props, dict):
        return None
    for entry in props.values():
        if isinstance(entry, dict) and entry.get("name") == name:
            value = entry.get("value")
            return value if isinstance(value, str) else None
    return None


def _norm(path: str) -> str:
    return path.strip().replace("/", "\\")


def flow_to_bundle(script: dict[str, Any], known: dict[str, str] | None = None) -> Flow:
    """One script JSON as a Flow; ``known`` maps lower-cased script paths to their ids."""
    header = script.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("scriptName"), str):
        raise ConvertError("a CXone script needs 'header.scriptName'", pointer="/header")
    actions = script.get("actions") or {}
    props = script.get("properties") or {}
    branches = script.get("branches") or {}
    if not all(isinstance(x, dict) for x in (actions, props, branches)):
        raise ConvertError("actions, properties and branches must be objects", pointer="")
    nodes: list[Node] = []
    edges: list[Edge] = []
    for key, action in actions.items():
        kind = str(action.get("name", "")) if isinstance(action, dict) else ""
        label = action.get("label") if isinstance(action, dict) else None
        raw: dict[str, Any] = {"action": action}
        if key in props:
            raw["properties"] = props[key]
        if key in branches:
            raw["branches"] = branches[key]
        refs = []
        if kind in CALL_TYPES:
            target = script_property(props.get(key), "ScriptName")
            if target:
                target = _norm(target)
                target = (known or {}).get(target.lower(), target)
                refs.append(Ref(kind="flow", id=target))
        nodes.append(
            Node(
                id=str(key),
                type=kind,
                label=label if isinstance(label, str) else None,
                terminal=kind in TERMINAL_TYPES,
                properties=raw,
                refs=refs,
            )
        )
    for key, outs in branches.items():
        for i, branch in enumerate(outs if isinstance(outs, list) else []):
            if not isinstance(branch, dict) or branch.get("to") is None:
                continue
            default = branch.get("type") == "default"
            label = branch.get("label")
            edges.append(
                Edge(
                    source=str(key),
                    target=str(branch["to"]),
                    kind="next" if default else "branch",
                    condition=None if default or label in (None, "") else str(label),
                    properties={"index": i},
                )
            )
    entry = [n.id for n in nodes if n.type in ENTRY_TYPES]
    rest = {k: v for k, v in script.items() if k not in ("actions", "properties", "branches")}
    rest["_orphans"] = {
        "properties": {k: v for k, v in props.items() if k not in actions},
        "branches": {k: v for k, v in branches.items() if k not in actions},
        "has": [k for k in ("actions", "properties", "branches") if k in script],
    }
    master = header.get("masterId")
    name = header["scriptName"]
    return Flow(
        id=name,
        name=name,
        kind="cxone.script",
        version=str(master) if master is not None else None,
        entry=entry,
        nodes=nodes,
        edges=edges,
        properties=rest,
    )


def flow_to_native(flow: Flow) -> dict[str, Any]:
    """Inverse of :func:`flow_to_bundle`."""
    rest = dict(flow.properties)
    orphans: dict[str, Any] = rest.pop("_orphans")  # type: ignore[assignment]
    actions: dict[str, Any] = {}
    props: dict[str, Any] = dict(orphans["properties"])
    branches: dict[str, Any] = dict(orphans["branches"])
    for node in flow.nodes:
        actions[node.id] = node.properties["action"]
        if "properties" in node.properties:
            props[node.id] = node.properties["properties"]
        if "branches" in node.properties:
            branches[node.id] = node.properties["branches"]
    parts = {"actions": actions, "properties": props, "branches": branches}
    return {**rest, **{k: parts[k] for k in orphans["has"]}}


def to_bundle(native: dict[str, Any], *, tenant: str, project: str = "scripts") -> Bundle:
    """A set of scripts (``{"scripts": [...]}``) as one Bundle."""
    scripts = list(native.get("scripts") or [])
    known = {}
    for s in scripts:
        name = (s.get("header") or {}).get("scriptName") if isinstance(s, dict) else None
        if isinstance(name, str):
            known[_norm(name).lower()] = name
    flows = [flow_to_bundle(s, known) for s in scripts]
    extra = {k: v for k, v in native.items() if k != "scripts"}
    extra["_order"] = [f["header"]["scriptName"] for f in scripts]
    return Bundle(vendor="cxone", tenant=tenant, project=project, flows=flows, properties=extra)


def to_native(bundle: Bundle) -> dict[str, Any]:
    """Inverse of :func:`to_bundle`."""
    extra = dict(bundle.properties)
    order: list[str] = extra.pop("_order")  # type: ignore[assignment]
    flows = {f.id: flow_to_native(f) for f in bundle.flows}
    return {**extra, "scripts": [flows[i] for i in order]}
