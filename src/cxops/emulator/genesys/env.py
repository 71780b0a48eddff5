"""What a fixture flow builder needs from its tenant: refs to resources and flows by name.

Builders name what they use ("Billing" queue, "Authenticate Caller" module) and get refs with
the ids of the tenant being built, so the same builder gives dev and prod flows whose content
matches while their ids differ, as between two real Genesys Cloud orgs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxops.emulator.genesys.configs import FLOW_OBJECT_TYPES, ref
from cxops.emulator.genesys.state import Flow, GenesysTenant


@dataclass
class Env:
    """The tenant being built, seen by name."""

    tenant: GenesysTenant

    def _resource(self, kind: str, name: str) -> dict[str, Any]:
        for r in self.tenant.resources.values():
            if r.kind == kind and r.name == name:
                return ref(kind, r.id, r.name)
        raise KeyError(f"fixture {self.tenant.name} has no {kind} named {name!r}")

    def prompt(self, name: str) -> dict[str, Any]:
        """A ``USERPROMPT`` ref by prompt name."""
        return self._resource("USERPROMPT", name)

    def queue(self, name: str) -> dict[str, Any]:
        """A ``QUEUE`` ref by queue name."""
        return self._resource("QUEUE", name)

    def data(self, name: str) -> dict[str, Any]:
        """A ``DATAACTION`` ref by data action name (deleted ones included)."""
        return self._resource("DATAACTION", name)

    def flow(self, name: str) -> Flow:
        """The flow called ``name`` (created before any configuration is built)."""
        for f in self.tenant.flows.values():
            if f.name == name:
                return f
        raise KeyError(f"fixture {self.tenant.name} has no flow named {name!r}")

    def flow_ref(self, name: str, version: str | None = None) -> dict[str, Any]:
        """A ref to the flow called ``name`` with an optional version range."""
        target = self.flow(name)
        return ref(FLOW_OBJECT_TYPES[target.type], target.id, target.name, version)


def meta(flow: Flow) -> dict[str, Any]:
    """The flow fields a configuration repeats (id, name, type, division, description)."""
    return {
        "id": flow.id,
        "name": flow.name,
        "type": flow.type,
        "division": flow.division,
        "description": flow.description,
    }
