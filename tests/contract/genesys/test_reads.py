"""What cxops declares it reads from Genesys answers (``cxops.vendors.reads.genesys``) is typed
by the official SDK: every field path resolves through the model of its answer
(``attribute_map``), with the JSON type the model's ``swagger_types`` give."""

from __future__ import annotations

import re

import pytest

from cxops.vendors.reads import Answer, Field
from cxops.vendors.reads import genesys as reads
from tests.contract.genesys.strict import _maps

#: Each declared answer → the SDK model of the object its fields are read from (a listing's
#: element). The configuration is Architect's own document, typed ``object`` by the SDK: its
#: shape is checked in tests/emulator/genesys/test_configuration_shape.py.
MODELS = {
    reads.FLOWS: "Flow",
    reads.VERSIONS: "FlowVersion",
    reads.BUILD: "DependencyStatus",
    reads.CONSUMED: "Dependency",
}
EXEMPT = {reads.CONFIGURATION: "Architect's flow document: the SDK types it 'object'"}
_JSON = {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
         "datetime": "string", "date": "string", "object": "object"}  # fmt: skip


def _json_type(swagger: str) -> str:
    if swagger.startswith("list["):
        return "array"
    if swagger.startswith("dict("):
        return "object"
    return _JSON.get(swagger, "object")  # any other name is a model: an object


def _resolve(model: str, field: Field) -> str:
    """The JSON type the SDK gives the field's path from ``model`` (AssertionError naming the
    segment the model lacks)."""
    kind = model
    for segment in field.path.split("."):
        name = segment.removesuffix("[]")
        keys, types = _maps(kind)
        assert name in keys, f"{model}: no field {name!r} on the way to {field.path!r} ({kind})"
        kind = types[keys[name]]
        while segment.endswith("[]"):
            inner = re.fullmatch(r"list\[(.+)\]", kind)
            assert inner, f"{model}: {field.path!r} is not a list ({kind})"
            kind, segment = inner.group(1), segment[:-2]
    return _json_type(kind)


def test_every_answer_is_checked_or_exempt() -> None:
    """No declared Genesys answer escapes the SDK check."""
    assert set(MODELS) | set(EXEMPT) == set(reads.ANSWERS)


def test_every_declared_field_has_the_sdk_type() -> None:
    """Each field path exists in its SDK model and its JSON type is one the declaration accepts."""
    wrong = []
    for answer, model in MODELS.items():
        for field in answer.fields:
            found = _resolve(model, field)
            if found not in field.types:
                wrong.append(f"{answer.route}: {field.path} is {found} in {model}")
    assert not wrong, wrong


def test_a_field_the_sdk_lacks_is_named() -> None:
    """The check itself: an invented field fails, naming the model and the field."""
    made_up = Answer("GET /api/v2/flows", "division.colour:string").fields[0]
    with pytest.raises(AssertionError, match="colour"):
        _resolve("Flow", made_up)
    assert _resolve("Flow", Answer("GET /x", "publishedVersion.id:string").fields[0]) == "string"
