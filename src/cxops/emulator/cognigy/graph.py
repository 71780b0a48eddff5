"""The project graph (``IGraph_2_0``) computed from a project's current content."""

from __future__ import annotations

from typing import Any

from cxops.emulator.cognigy.model import CognigyTenant

_META = ("createdAt", "createdBy", "lastChanged", "lastChangedBy")
_CONNECTION_KEYS = (
    "basicConnection",
    "apiKeyAuthKeyConnection",
    "apiKeyXKeyConnection",
    "oAuth2Connection",
)


def node_references(node: dict[str, Any]) -> list[tuple[str, str]]:
    """``(kind, referenceId)`` pairs a node's config points at (flow, lexicon, connection)."""
    config = node.get("config") or {}
    refs: list[tuple[str, str]] = []
    if node["type"] in ("executeFlow", "goTo") and config.get("flowNode", {}).get("flow"):
        refs.append(("flows", config["flowNode"]["flow"]))
    if node["type"] == "addLexiconKeyphrase" and config.get("lexiconId"):
        refs.append(("lexicons", config["lexiconId"]))
    refs.extend(("connections", config[k]) for k in _CONNECTION_KEYS if config.get(k))
    return refs


def project_graph(t: CognigyTenant, pid: str) -> dict[str, Any]:
    """``{projectId: {type: "project", name, resources: [IGraphResource…]}}``."""
    content = t.content[pid]
    by_ref = {
        (kind, res["referenceId"]): res["_id"]
        for kind in ("flows", "lexicons", "connections")
        for res in content[kind].values()
    }
    resources: list[dict[str, Any]] = []
    for flow in content["flows"].values():
        deps: list[dict[str, Any]] = [
            {"_id": lid, "type": "attachedLexicon"} for lid in flow.get("attachedLexicons", [])
        ]
        for node in flow["chart"]["nodes"]:
            for kind, ref in node_references(node):
                target = by_ref.get((kind, ref))
                if target is not None and target != flow["_id"]:
                    deps.append(
                        {
                            "_id": target,
                            "type": "flowNode",
                            "properties": {
                                "nodeType": node["type"],
                                "nodeId": node["_id"],
                                "extension": node["extension"],
                            },
                        }
                    )
        resources.append(
            {
                "type": "flow",
                "_id": flow["_id"],
                "referenceId": flow["referenceId"],
                "name": flow["name"],
                "properties": {k: flow[k] for k in _META},
                "dependencies": deps,
            }
        )
    for lex in content["lexicons"].values():
        resources.append(
            {
                "type": "lexicon",
                "_id": lex["_id"],
                "referenceId": lex["referenceId"],
                "name": lex["name"],
                "properties": {k: lex[k] for k in _META},
            }
        )
    for conn in content["connections"].values():
        resources.append(
            {
                "type": "connection",
                "_id": conn["_id"],
                "referenceId": conn["referenceId"],
                "name": conn["name"],
                "properties": {
                    "type": conn["type"],
                    "extension": conn["extension"],
                    **{k: conn[k] for k in _META},
                },
            }
        )
    for ep in t.endpoints.values():
        if ep["projectId"] == pid:
            resources.append(
                {
                    "type": "endpoint",
                    "_id": ep["_id"],
                    "name": ep["name"],
                    "properties": {k: ep[k] for k in ("active", "URLToken", "channel", *_META)},
                    "dependencies": [
                        {"_id": flow["_id"], "type": "endpointFlow"}
                        for flow in content["flows"].values()
                        if flow["referenceId"] == ep["flowId"]
                    ],
                }
            )
    for pb in t.playbooks.values():
        if pb["projectId"] == pid:
            resources.append(
                {
                    "type": "playbook",
                    "_id": pb["_id"],
                    "name": pb["name"],
                    "properties": {k: pb[k] for k in _META},
                }
            )
    return {pid: {"type": "project", "name": t.projects[pid]["name"], "resources": resources}}
