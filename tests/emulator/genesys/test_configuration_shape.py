"""Every fixture configuration has the shape docs/emulator/genesys.md documents."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from cxops.emulator.genesys.fixtures import build_tenant

REF = {
    "type": "object",
    "required": ["type", "id", "name"],
    "properties": {
        "type": {
            "enum": [
                "COMMONMODULEFLOW",
                "INBOUNDCALLFLOW",
                "INQUEUECALLFLOW",
                "DIGITALBOTFLOW",
                "BOTFLOW",
                "DATAACTION",
                "USERPROMPT",
                "QUEUE",
            ]
        },
        "id": {"type": "string"},
        "name": {"type": "string"},
        "flowVersion": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}
ACTION = {
    "type": "object",
    "required": ["id", "name", "type", "properties", "refs", "paths"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "properties": {"type": "object"},
        "refs": {"type": "array", "items": REF},
        "paths": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "next"],
                "properties": {
                    "name": {
                        "type": "string",
                        "pattern": r"^(default|success|failure|timeout|yes|no|call|noMatch"
                        r"|digit:[0-9]|intent:.+)$",
                    },
                    "next": {"type": ["string", "null"]},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def _container(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "name", "kind", "actions"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"const": kind},
            "actions": {"type": "array", "minItems": 1, "items": ACTION},
        },
        "additionalProperties": False,
    }


SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "name",
        "type",
        "version",
        "description",
        "division",
        "defaultLanguage",
        "supportedLanguages",
        "startUpRef",
        "variables",
        "states",
        "tasks",
        "menus",
        "intents",
        "references",
    ],
    "properties": {
        "type": {"enum": ["INBOUNDCALL", "INQUEUECALL", "COMMONMODULE", "DIGITALBOT", "BOT"]},
        "version": {"type": "string", "pattern": r"^[0-9]+\.0$"},
        "division": {"type": "object", "required": ["id", "name"]},
        "states": {"type": "array", "items": _container("state")},
        "tasks": {"type": "array", "items": _container("task")},
        "menus": {"type": "array", "items": _container("menu")},
        "intents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "utterances"],
                "properties": {"utterances": {"type": "array", "items": {"type": "string"}}},
            },
        },
        "references": {
            "type": "object",
            "required": ["flows", "dataActions", "prompts", "queues"],
            "additionalProperties": {"type": "array", "items": REF},
        },
    },
}


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_configurations_match_the_documented_shape(tenant: str) -> None:
    """Schema, unique ids, resolvable paths, and references = the actions' refs deduplicated."""
    org = build_tenant(7, tenant)
    for flow in org.flows.values():
        for version in flow.versions:
            cfg = version.config
            jsonschema.validate(cfg, SCHEMA)
            assert (cfg["id"], cfg["version"], cfg["type"]) == (flow.id, version.id, flow.type)
            boxes = [b for k in ("states", "tasks", "menus") for b in cfg[k]]
            acts = [a for b in boxes for a in b["actions"]]
            ids = [b["id"] for b in boxes] + [a["id"] for a in acts]
            assert len(ids) == len(set(ids)) and cfg["startUpRef"] in {b["id"] for b in boxes}
            for act in acts:
                assert all(p["next"] is None or p["next"] in ids for p in act["paths"])
            listed = {
                (r["type"], r["id"], r.get("flowVersion"))
                for rows in cfg["references"].values()
                for r in rows
            }
            used = {(r["type"], r["id"], r.get("flowVersion")) for a in acts for r in a["refs"]}
            assert listed == used
