"""A change to a flow's content that leaves its vendor change stamp as it was (issue #19).

Real tenants may do this (a vendor that does not bump ``lastChanged`` for some edit, a
configuration rewritten in place); cxops' verify pass must catch it. Every other change the
emulator makes bumps the stamps as the vendor does: Cognigy's ``lastChanged`` on the flow for a
flow or node update, a new Genesys version (``savedVersion``/``checkedInVersion``) for every
import and save, a new CXone ``masterID`` and ``modifyDate`` for every save.

``POST /_emulator/unstamped {"vendor", "tenant", "flow", "text"?}`` (see ``control.py``):

- Cognigy: the label of the flow's first chart node (``flow`` = the flow ``_id``);
- Genesys: the ``description`` of the flow's exported configuration (the published version,
  else the newest), in place;
- CXone: the ``caption`` of the current version's first action (``flow`` = the script path).
"""

from __future__ import annotations

from typing import Any

__all__ = ["unstamped_change"]


def unstamped_change(state: Any, vendor: str, flow: str, text: str) -> bool:
    """Change ``flow`` in one tenant's ``state`` without touching its stamp; False if unknown."""
    if vendor == "cognigy":
        found = state.flow(flow)
        if found is None or not found[1]["chart"]["nodes"]:
            return False
        found[1]["chart"]["nodes"][0]["label"] = text
        return True
    if vendor == "genesys":
        entity = state.flows.get(flow)
        if entity is None or not entity.versions:
            return False
        version = entity.published_version() or entity.latest()
        version.config["description"] = text
        return True
    if vendor == "cxone":
        path = state.resolve(flow)
        if path is None:
            return False
        actions = state.current(path).script.setdefault("actions", {})
        if not actions:
            return False
        first = actions[sorted(actions)[0]]
        first["caption"] = text
        return True
    return False
