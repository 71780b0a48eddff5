"""The state of one emulated Cognigy tenant: projects, their content, and what acts on them.

A project's *content* is ``{"flows": {_id: flow}, "lexicons": {_id: lexicon},
"connections": {_id: connection}}``; a flow holds its ``chart`` (``IChart_2_0`` with full nodes)
and its ``intents`` (each with ``sentences``). Snapshots and packages keep deep copies of
content, so restoring or merging really changes what the API serves afterwards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

KINDS = ("flows", "lexicons", "connections")
KIND_OF_TYPE = {"flow": "flows", "lexicon": "lexicons", "connection": "connections"}
MAX_SNAPSHOTS_PER_PROJECT = 10


def empty_content() -> dict[str, dict[str, dict[str, Any]]]:
    return {kind: {} for kind in KINDS}


@dataclass
class CognigyTenant:
    """Everything one tenant serves; plain dicts shaped like the client's types."""

    name: str
    organisation: str = ""
    user: str = ""
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    content: dict[str, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    playbooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    simulations: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Whether the tenant has the ``/testing`` LLM simulator (every route 404s without it).
    simulator: bool = True
    audit: list[dict[str, Any]] = field(default_factory=list)
    conversations: dict[str, dict[str, float]] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=lambda: {"status": "healthy"})

    def summary(self) -> str:
        """A short human description, e.g. ``cognigy/dev: 8 projects, 131 flows, …``."""
        flows = sum(len(c["flows"]) for c in self.content.values())
        nodes = sum(
            len(f["chart"]["nodes"]) for c in self.content.values() for f in c["flows"].values()
        )
        flawed = sum(1 for p in self.projects.values() if p["name"].startswith("Flawed"))
        return (
            f"cognigy/{self.name}: {len(self.projects)} projects ({flawed} flawed), "
            f"{flows} flows, {nodes} nodes, {len(self.endpoints)} endpoints, "
            f"{len(self.snapshots)} snapshots"
        )

    # -- lookups ---------------------------------------------------------------------------

    def flow(self, flow_id: str) -> tuple[str, dict[str, Any]] | None:
        """``(projectId, flow)`` for a flow ``_id`` in any project."""
        for pid, content in self.content.items():
            if flow_id in content["flows"]:
                return pid, content["flows"][flow_id]
        return None

    def resource(self, kind: str, rid: str) -> tuple[str, dict[str, Any]] | None:
        for pid, content in self.content.items():
            if rid in content[kind]:
                return pid, content[kind][rid]
        return None

    def entrypoint_content(self, entrypoint: str) -> dict[str, dict[str, dict[str, Any]]] | None:
        """What an endpoint pointing at ``entrypoint`` (project or snapshot id) runs."""
        if entrypoint in self.content:
            return self.content[entrypoint]
        snap = self.snapshots.get(entrypoint)
        return snap["content"] if snap is not None else None

    def snapshots_of(self, project_id: str) -> list[dict[str, Any]]:
        return [s for s in self.snapshots.values() if s["projectId"] == project_id]

    def copy_content(self, project_id: str) -> dict[str, dict[str, dict[str, Any]]]:
        return copy.deepcopy(self.content[project_id])

    def all_resources(self, project_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
        """``{_id: (kind, resource)}`` over a project's flows, lexicons and connections."""
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for kind in KINDS:
            for rid, res in self.content[project_id][kind].items():
                out[rid] = (kind, res)
        return out
