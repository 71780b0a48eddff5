"""Pure mapping of vendor compile answers to findings in the files cxops writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxops.model.layout import bundle_files, project_dir
from cxops.model.native import cxone
from cxops.pipelines.compile.mapping import FlowFile, cxone_findings, genesys_findings

DATA = 'x = "tab\there"\n  é ☎ 𝄞 \\ {(\n// "quoted" end'


def _file(data: str = DATA) -> FlowFile:
    script: dict[str, Any] = {
        "header": {"scriptName": "Test\\Script", "masterId": 7},
        "actions": {
            "1": {"actionId": 1, "name": "BEGIN"},
            "2": {"actionId": 2, "name": "SNIPPET", "label": "code"},
            "10": {"actionId": 10, "name": "TTS"},
        },
        "properties": {"2": {"0": {"name": "Other", "value": ""},
                             "1": {"name": "Data", "value": data}}},
        "branches": {"1": [{"to": 2, "label": "", "type": "default", "index": 0}],
                     "2": [{"to": 10, "label": "", "type": "default", "index": 0},
                           {"to": 99, "label": "OnError", "type": "branch", "index": 1}]},
    }  # fmt: skip
    bundle = cxone.to_bundle({"scripts": [script]}, tenant="t", project="Test")
    files = bundle_files(bundle)
    rel = f"{project_dir('cxone', 'Test')}/Test%5CScript.json"
    return FlowFile("cxone", "Test", bundle.flows[0], rel, files[rel])


@pytest.mark.parametrize("index", [i for i, c in enumerate(DATA) if c != "\n"])
def test_position_inside_a_value_survives_escaping(index: int) -> None:
    """Whatever the value holds before the error (tabs, quotes, backslashes, non-ASCII, astral
    characters, newlines), line:column lands where the rest of the value starts in the file."""
    file = _file()
    lines = DATA.split("\n")
    line = DATA[:index].count("\n") + 1
    column = index - (DATA.rfind("\n", 0, index) + 1) + 1
    assert lines[line - 1][column - 1] == DATA[index]
    problem = {"actionId": 2, "code": "EXPRESSION_SYNTAX", "message": "m", "property": "Data",
               "line": line, "column": column}  # fmt: skip
    [finding] = cxone_findings(file, {"2": [problem]}, {})
    loc = finding.location
    assert loc.pointer == "/nodes/2/properties/properties/1/value" and loc.node == "2"
    text = file.data.decode("utf-8").split("\n")[loc.line - 1]  # type: ignore[operator]
    rest = json.dumps(DATA[index:], ensure_ascii=False)[1:-1]
    assert text[loc.column - 1 :] == rest + '"'  # type: ignore[operator]


def test_pointers_for_branch_type_header_and_warning_codes() -> None:
    """A branch error points at that branch, a type error at the action's name, a header
    problem at the header; warnings are CX202; nodes sort as strings ("10" before "2")."""
    file = _file()
    errors = {
        "2": [{"code": "BRANCH_TARGET_MISSING", "message": "b", "branch": 1}],
        "header": [{"code": "NO_BEGIN", "message": "h", "actionId": None}],
    }
    warnings = {"10": [{"code": "DEPRECATED_ACTION", "message": "d"}]}
    found = {f.location.pointer: f for f in cxone_findings(file, errors, warnings)}
    assert set(found) == {"/nodes/2/properties/branches/1", "/properties/header",
                          "/nodes/1/properties/action/name"}  # fmt: skip
    assert found["/nodes/1/properties/action/name"].code == "CX202"
    lines = file.data.decode("utf-8").split("\n")
    name = found["/nodes/1/properties/action/name"].location
    assert lines[name.line - 1][name.column - 1 :] == '"name": "TTS"'  # type: ignore[operator]
    assert found["/properties/header"].location.node is None


def test_genesys_message_without_node_or_unknown_flow_is_kept() -> None:
    """A message naming no node points at the flow; one naming an unknown flow keeps its text."""
    file = _file()
    messages = [
        {"type": "Warning", "text": "Flow 'S' (Test\\Script) version 7, node 2: slow"},
        {"type": "Error", "text": "something global"},
        {"type": "Error", "text": "Flow 'X' (other) version 1, node a: broken"},
    ]
    out = genesys_findings({"Test\\Script": file}, messages, "Test\\Script")
    assert [(f.code, f.location.node, f.location.pointer) for f in out] == [
        ("CX202", "2", "/nodes/2"),
        ("CX201", None, ""),
        ("CX201", "a", None),
    ]
    assert out[2].message == "broken" and out[1].location.line == 1
