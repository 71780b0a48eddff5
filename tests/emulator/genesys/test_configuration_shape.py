"""Every fixture document has Architect's shape (docs/emulator/genesys.md): no invented keys."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from cxops.emulator.genesys.fixtures import build_tenant
from tests.helpers import architect

TYPED = {
    "type": "object",
    "required": ["config"],
    "properties": {
        "config": {
            "type": "object",
            "properties": {"lit": {"type": "object"}, "exp": {"type": "object"}},
            "additionalProperties": False,
        },
        "text": {"type": "string"},
        "type": {"type": "string"},
    },
}
PATH = {
    "type": "object",
    "required": ["label", "outputId"],
    "properties": {
        "label": {"type": "string"},
        "outputId": {"type": "string", "pattern": r"^__[A-Z]+__"},
        "nextActionId": {"type": "string"},
    },
    "additionalProperties": False,
}
ACTION = {
    "type": "object",
    "required": ["__type", "id", "name", "trackingId"],
    "properties": {
        "__type": {"type": "string", "pattern": r"^[A-Z][A-Za-z]+Action$"},
        "id": {"type": "string"},
        "name": {"type": "string"},
        "trackingId": {"type": "integer"},
        "paths": {"type": "array", "items": PATH},
    },
}
ITEM = {
    "type": "object",
    "required": ["__type", "id", "name", "trackingId"],
    "properties": {
        "__type": {"enum": ["State", "Task", "Menu"]},
        "actionList": {"type": "array", "minItems": 1, "items": ACTION},
        "menuChoiceList": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "name", "digit", "action"]},
        },
    },
}
SCHEMA = {
    "type": "object",
    "required": [
        "name",
        "description",
        "type",
        "defaultLanguage",
        "supportedLanguages",
        "initialSequence",
        "nextTrackingNumber",
        "manifest",
        "flowMetaData",
        "variables",
        "flowSequenceItemList",
    ],
    "properties": {
        "type": {"enum": ["inboundcall", "inqueuecall", "commonmodule", "digitalbot", "bot"]},
        "manifest": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                    "additionalProperties": False,
                },
            },
        },
        "flowSequenceItemList": {"type": "array", "minItems": 1, "items": ITEM},
    },
    # VENDORS.md "Real shapes": none of the first emulator's invented keys.
    "not": {
        "anyOf": [
            {"required": [k]}
            for k in ("id", "version", "states", "tasks", "menus", "startUpRef", "references")
        ]
    },
}


def _typed_ok(obj: Any) -> None:
    """Every ``{"config": ...}`` value is a typed value (lit or exp inside)."""
    if isinstance(obj, dict):
        if "config" in obj:
            jsonschema.validate(obj, TYPED)
        for v in obj.values():
            _typed_ok(v)
    elif isinstance(obj, list):
        for v in obj:
            _typed_ok(v)


@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_documents_match_architect_shape(tenant: str) -> None:
    """Schema, unique ids and tracking ids, startActions and paths that land, every reference
    listed in the manifest, and the document's type the flow's in lower case."""
    org = build_tenant(7, tenant)
    for flow in org.flows.values():
        for version in flow.versions:
            doc = version.config
            jsonschema.validate(doc, SCHEMA)
            _typed_ok(doc)
            assert (doc["name"], doc["type"]) == (flow.name, flow.type.lower())
            items = doc["flowSequenceItemList"]
            acts = architect.actions(doc)
            ids = [i["id"] for i in items] + [a["id"] for a in acts]
            assert len(ids) == len(set(ids)), flow.name
            tracking = [o["trackingId"] for o in [*items, *acts]]
            assert len(tracking) == len(set(tracking))
            assert max(tracking) < doc["nextTrackingNumber"]
            assert doc["initialSequence"] in {i["id"] for i in items}
            for item in items:
                assert item.get("startAction") in {a["id"] for a in item.get("actionList", [])} or (
                    item["__type"] == "Menu"
                )
            for act in acts:
                assert all(p.get("nextActionId", ids[0]) in ids for p in act.get("paths", []))
            listed = {row["id"] for rows in doc["manifest"].values() for row in rows}
            used = {r["id"] for _, r in architect.refs(doc)}
            assert listed == used, flow.name
