"""What the emulator's validate job reports about a configuration, per node.

Architect validates a flow against the org it lives in: paths must land on something,
resources must exist, called flows must be published. Each finding becomes an
``ArchitectJobMessage`` whose text names the node:
``Flow '<name>' (<flow id>) version <v>, node <node id>: <message>``. Version ranges are a
cxops notion that Genesys does not know, so they are not checked here.
"""

from __future__ import annotations

from typing import Any

from cxops.emulator.genesys.configs import (
    FLOW_TYPES_BY_OBJECT,
    Config,
    actions,
    entry_of,
    reachable,
)
from cxops.emulator.genesys.state import GenesysTenant

ERROR, WARNING = "Error", "Warning"


def findings(org: GenesysTenant, cfg: Config) -> list[tuple[str, str | None, str]]:
    """``(severity, node id, message)`` for everything wrong with ``cfg`` in ``org``."""
    out: list[tuple[str, str | None, str]] = []
    start = str(cfg.get("startUpRef", ""))
    if entry_of(cfg, start) is None:
        out.append((ERROR, start or None, f"startUpRef '{start}' does not name a state or task"))
    intents = {i.get("name") for i in cfg.get("intents") or []}
    for act in actions(cfg):
        aid = act["id"]
        for path in act.get("paths") or []:
            nxt = path.get("next")
            if nxt is not None and entry_of(cfg, nxt) is None:
                out.append((ERROR, aid, f"path '{path.get('name')}' leads to unknown '{nxt}'"))
            name = str(path.get("name", ""))
            if name.startswith("intent:") and name[7:] not in intents:
                out.append((ERROR, aid, f"intent '{name[7:]}' is not defined"))
        for ref in act.get("refs") or []:
            problem = _ref_problem(org, ref)
            if problem:
                out.append((ERROR, aid, problem))
    live = reachable(cfg)
    for act in actions(cfg):
        if act["id"] not in live:
            out.append((WARNING, act["id"], f"action '{act.get('name')}' is unreachable"))
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


def messages(org: GenesysTenant, cfg: Config) -> list[dict[str, Any]]:
    """``ArchitectJobMessage`` JSON for ``findings``."""
    head = f"Flow '{cfg.get('name')}' ({cfg.get('id')}) version {cfg.get('version')}"
    return [
        {"type": severity, "text": f"{head}, node {node}: {text}"}
        for severity, node, text in findings(org, cfg)
    ]
