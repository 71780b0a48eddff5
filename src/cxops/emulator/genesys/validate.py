"""What the emulator's validate job reports about a configuration, per node.

Architect validates a flow against the org it lives in: paths must land on something,
resources must exist, called flows must be published. Each finding becomes an
``ArchitectJobMessage`` whose text names the node:
``Flow '<name>' (<flow id>) version <v>, node <node id>: <message>``. Version ranges are a
cxops notion that Genesys does not know, so they are not checked here.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.genesys import document
from cxops.emulator.genesys.configs import FLOW_TYPES_BY_OBJECT, Config
from cxops.emulator.genesys.state import Flow, GenesysTenant, Version

ERROR, WARNING = "Error", "Warning"


def findings(org: GenesysTenant, cfg: Config) -> list[tuple[str, str | None, str]]:
    """``(severity, node id, message)`` for everything wrong with ``cfg`` in ``org``."""
    out: list[tuple[str, str | None, str]] = []
    nodes = document.by_id(cfg)
    start = str(cfg.get("initialSequence", ""))
    if start not in nodes:
        out.append((ERROR, start or None, f"initialSequence '{start}' names no sequence item"))
    names = {i.get("name") for i in document.intents(cfg)}
    for node in nodes.values():
        nid = str(node.get("id"))
        for target in document.successors(cfg, node):
            if target not in nodes:
                out.append((ERROR, nid, f"'{node.get('name')}' leads to unknown '{target}'"))
        for path in node.get("paths") or []:
            out_id = str(path.get("outputId", ""))
            if out_id.startswith("__INTENT__") and out_id[10:] not in names:
                out.append((ERROR, nid, f"intent '{out_id[10:]}' is not defined"))
    for obj, ref in document.all_refs(cfg):
        problem = _ref_problem(org, ref)
        if problem:
            out.append((ERROR, str(obj.get("id")), problem))
    live = document.reachable(cfg)
    for act in document.actions(cfg):
        if act.get("id") not in live:
            out.append((WARNING, str(act.get("id")), f"action '{act.get('name')}' is unreachable"))
    return out


def _ref_problem(org: GenesysTenant, ref: dict[str, Any]) -> str | None:
    kind, rid, name = ref.get("type"), ref.get("id"), ref.get("name")
    if kind in FLOW_TYPES_BY_OBJECT:
        flow = org.flows.get(str(rid))
        if flow is None or flow.type != FLOW_TYPES_BY_OBJECT[kind]:
            return f"flow '{name}' ({rid}) does not exist"
        if flow.published is None:
            return f"flow '{name}' ({rid}) has no published version"
        return None
    res = org.resources.get(str(rid))
    if res is None or res.kind != kind:
        return f"{kind} '{name}' ({rid}) does not exist"
    if res.deleted:
        return f"{kind} '{name}' ({rid}) has been deleted"
    return None


def messages(org: GenesysTenant, flow: Flow, version: Version) -> list[dict[str, Any]]:
    """``ArchitectJobMessage`` JSON for ``findings``."""
    head = f"Flow '{flow.name}' ({flow.id}) version {version.id}"
    return [
        {"type": severity, "text": f"{head}, node {node}: {text}"}
        for severity, node, text in findings(org, version.config)
    ]
