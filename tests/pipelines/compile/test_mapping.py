"""Pure mapping of vendor compile answers to findings in the files cxops writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxops.model.layout import bundle_files
from cxops.model.native import cxone
from cxops.model.native.cxone_answers import SaveProblem, read_save_answer
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
    rel = "flows/cxone/test/test-script.json"  # layout 2: by name (issue #16)
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
    # The live answer names no position; a tenant that does (tolerated) is placed exactly.
    detail = {"key": "EXPRESSION_SYNTAX", "property": "Data", "line": line, "column": column}
    problem = SaveProblem("2", "SNIPPET", "error", "EXPRESSION_SYNTAX", detail)
    [finding] = cxone_findings(file, [problem])
    loc = finding.location
    assert loc.pointer == "/nodes/2/properties/properties/1/value" and loc.node == "2"
    text = file.data.decode("utf-8").split("\n")[loc.line - 1]  # type: ignore[operator]
    rest = json.dumps(DATA[index:], ensure_ascii=False)[1:-1]
    assert text[loc.column - 1 :] == rest + '"'  # type: ignore[operator]


def _answer(actions: dict[str, Any]) -> list[SaveProblem]:
    body = {"errorCount": 1, "results": [{"success": False, "masterId": 0, "libraryId": "",
            "error_code": {"details": {"totalErrors": "1", "totalWarnings": "0",
                                       "actions": actions}}}]}  # fmt: skip
    return list(read_save_answer(body).problems)


def test_pointers_follow_the_key_when_the_answer_names_only_the_action() -> None:
    """Key-only problems land on what the key is about: the branch that leads nowhere, the
    type name, the expression value, the first blank property, the header for the script;
    anything else (an unknown key) on the action. Warnings are CX202; nodes sort as strings
    ("10" before "2")."""
    file = _file()
    problems = _answer({
        "2": {"actionType": "SNIPPET", "errors": [{"key": "BRANCH_TARGET_MISSING"},
              {"key": "EXPRESSION_SYNTAX"}, {"key": "REQUIRED_PROPERTY_MISSING"}],
              "warnings": [{"key": "not wired"}]},
        "header": {"actionType": "", "errors": [{"key": "NO_BEGIN"}], "warnings": []},
        "10": {"actionType": "TTS", "errors": [], "warnings": [{"key": "DEPRECATED_ACTION"}]},
    })  # fmt: skip
    found = {
        (f.location.pointer, f.message.split(":")[0]): f for f in cxone_findings(file, problems)
    }
    assert set(found) == {
        ("/nodes/2/properties/branches/1", "BRANCH_TARGET_MISSING"),
        ("/nodes/2/properties/properties/1/value", "EXPRESSION_SYNTAX"),
        ("/nodes/2/properties/properties/0/value", "REQUIRED_PROPERTY_MISSING"),
        ("/nodes/2", "not wired"),
        ("/properties/header", "NO_BEGIN"),
        ("/nodes/1/properties/action/name", "DEPRECATED_ACTION"),
    }
    tts = found[("/nodes/1/properties/action/name", "DEPRECATED_ACTION")]
    assert tts.code == "CX202" and "deprecated" in tts.message and "PLAY" in tts.hint
    lines = file.data.decode("utf-8").split("\n")
    name = tts.location
    assert lines[name.line - 1][name.column - 1 :] == '"name": "TTS"'  # type: ignore[operator]
    assert found[("/properties/header", "NO_BEGIN")].location.node is None
    odd = found[("/nodes/2", "not wired")]
    assert odd.code == "CX202" and "'not wired'" in odd.message
    syntax = found[("/nodes/2/properties/properties/1/value", "EXPRESSION_SYNTAX")]
    at = lines[syntax.location.line - 1][syntax.location.column - 1 :]  # type: ignore[operator]
    assert at.startswith('"value": "x = ')
    assert "SNIPPET 'code' (action 2)" in syntax.message and "does not parse" in syntax.message


def test_save_answer_is_read_tolerantly() -> None:
    """results[0] or the top level; masterId or masterID; totals as strings or numbers; a
    rejected answer's masterId 0 is no id; junk never raises."""
    actions = {"4": {"actionType": "PLAY", "warnings": ["UNREACHABLE_ACTION"]}}
    details = {"totalErrors": 0, "totalWarnings": 1, "actions": actions}
    top = read_save_answer({"success": True, "masterID": 12, "error_code": {"details": details}})
    assert (top.success, top.master_id, top.total_warnings) == (True, 12, 1)
    assert [(p.action, p.action_type, p.severity, p.key) for p in top.problems] == [
        ("4", "PLAY", "warning", "UNREACHABLE_ACTION")
    ]
    nested = read_save_answer({"errorCount": 1, "results": [{"success": False, "masterId": 0}]})
    assert nested.success is False and nested.master_id is None and nested.problems == ()
    for junk in (None, [], "x", {"results": "x"}, {"results": [{"error_code": "E"}]}):
        assert read_save_answer(junk).problems == ()


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
