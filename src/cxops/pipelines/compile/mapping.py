"""Vendor compile answers → CX201/CX202 findings placed in the files cxops wrote. Pure.

CXone's save answer names an action id and a key per problem (``cxops.model.native.
cxone_answers``); what the key concerns (a property value, a branch, the action's type, the
action) comes from :mod:`.cxone_codes`. Genesys' validate job names the node in each message
text (``Flow '<name>' (<id>) version <v>, node <node id>: <message>``). Each problem becomes a
finding whose JSON pointer names the most precise member of the flow file, and whose line:column
comes from :class:`cxops.analysis.locate.Locator` over the exact bytes cxops wrote. When a
problem carries a line:column *inside* a property value (the live answer does not; tolerated),
it is carried into the file: the value is one JSON string on one line there, so the column is
the value's start plus the length of the escaped prefix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cxops.analysis.findings import Finding, Location
from cxops.analysis.locate import Locator, line_column
from cxops.model.bundle import Flow, Node
from cxops.model.native.cxone_answers import SaveProblem
from cxops.pipelines.compile.cxone_codes import EXPRESSION_PROPERTY, Meaning, meaning_of

__all__ = ["FlowFile", "cxone_findings", "genesys_findings", "parse_genesys_message"]

_GENESYS = re.compile(r"^Flow '(?P<name>.*)' \((?P<flow>[^)]*)\) version (?P<version>\S+), "
                      r"node (?P<node>\S+): (?P<message>.*)$", re.DOTALL)  # fmt: skip


@dataclass(frozen=True)
class FlowFile:
    """A flow as cxops wrote it: the model, the file's path (as shown) and its exact bytes."""

    vendor: str
    project: str
    flow: Flow
    path: str
    data: bytes

    def node_index(self, node_id: str) -> int | None:
        """Position of the node in the file's ``nodes`` list (sorted by id), or None."""
        for i, node in enumerate(self.flow.nodes):
            if node.id == node_id:
                return i
        return None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _property_key(props: Any, name: str) -> str | None:
    if not isinstance(props, Mapping):
        return None
    for key, entry in props.items():
        if isinstance(entry, Mapping) and entry.get("name") == name:
            return str(key)
    return None


def _blank_property(props: Any) -> str | None:
    """The position key of the first property whose value is empty."""
    if not isinstance(props, Mapping):
        return None
    for key, entry in props.items():
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            return str(key)
    return None


def _missing_branch(file: FlowFile, listed: Any) -> int | None:
    """The index of the first branch whose target is not an action of the script."""
    ids = {n.id for n in file.flow.nodes}
    for i, row in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(row, Mapping) and str(row.get("to")) not in ids:
            return i
    return None


def _cxone_pointer(file: FlowFile, problem: SaveProblem, meaning: Meaning) -> str:
    index = file.node_index(problem.action)
    if index is None:
        return "/properties/header" if not problem.action.isdigit() else ""
    node = f"/nodes/{index}"
    raw = file.flow.nodes[index].properties
    props = raw.get("properties")

    def value(name: str | None) -> str | None:
        key = _property_key(props, name) if name else None
        return f"{node}/properties/properties/{_escape(key)}/value" if key else None

    named = problem.detail.get("property")  # not in the live answer; honoured when present
    found = value(named) if isinstance(named, str) else None
    branch = problem.detail.get("branch")
    if found is None and isinstance(branch, int) and not isinstance(branch, bool):
        listed = raw.get("branches")
        if isinstance(listed, list) and 0 <= branch < len(listed):
            found = f"{node}/properties/branches/{branch}"
    if found is None and meaning.target == "expression":
        found = value(EXPRESSION_PROPERTY.get(_kind(file.flow.nodes[index], problem)))
    elif found is None and meaning.target == "script_name":
        found = value("ScriptName")
    elif found is None and meaning.target == "blank_property":
        key = _blank_property(props)
        found = f"{node}/properties/properties/{_escape(key)}/value" if key else None
    elif found is None and meaning.target == "missing_branch":
        at = _missing_branch(file, raw.get("branches"))
        found = f"{node}/properties/branches/{at}" if at is not None else None
    elif found is None and meaning.target == "type":
        found = f"{node}/properties/action/name"
    return found or node


def _kind(node: Node, problem: SaveProblem) -> str:
    return (problem.action_type or node.type or "").upper()


def _inside_value(
    locator: Locator, pointer: str, value: str, line: int, column: int
) -> tuple[int, int] | None:
    """File line:column of (line, column) inside the string value the pointer names."""
    at = locator.offset(pointer)
    if at is None:
        return None
    lines = value.split("\n")
    if not 1 <= line <= len(lines):
        return None
    index = sum(len(x) + 1 for x in lines[: line - 1]) + min(column - 1, len(lines[line - 1]))
    prefix = json.dumps(value[:index], ensure_ascii=False)[1:-1]
    # The pointer lands on the member's key; the value's opening quote follows '"value": '.
    quote = locator.data.find(b'"', locator.data.find(b": ", at) + 2)
    file_line, file_col = line_column(locator.data, quote)
    return file_line, file_col + 1 + len(prefix)


def _value_at(file: FlowFile, pointer: str) -> Any:
    doc: Any = file.flow.model_dump(mode="json", exclude_defaults=True)
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        doc = doc[int(token)] if isinstance(doc, list) else doc.get(token)
        if doc is None:
            return None
    return doc


def _cxone_message(file: FlowFile, problem: SaveProblem, meaning: Meaning) -> str:
    """``KEY: SNIPPET 'Greeting by hour' (action 2) <meaning>`` (the key first, verbatim)."""
    index = file.node_index(problem.action)
    if index is None:
        return f"{problem.key}: the script {meaning.text}"
    node = file.flow.nodes[index]
    kind = problem.action_type or node.type or "action"
    label = f" '{node.label}'" if node.label else ""
    return f"{problem.key}: {kind}{label} (action {problem.action}) {meaning.text}"


def cxone_findings(file: FlowFile, problems: Sequence[SaveProblem]) -> list[Finding]:
    """CX201 for each save error, CX202 for each warning, placed in ``file``: the action's
    node, or the value, branch or type name the key is about; the key's meaning and a hint in
    plain words."""
    locator = Locator(file.data)
    out: list[Finding] = []
    ordered = sorted(problems, key=lambda p: (p.severity != "error", _num(p.action)))
    for problem in ordered:
        meaning = meaning_of(problem.key)
        pointer = _cxone_pointer(file, problem, meaning)
        found = locator.locate(pointer)
        line, col = problem.detail.get("line"), problem.detail.get("column")
        if isinstance(line, int) and isinstance(col, int) and pointer.endswith("/value"):
            value = _value_at(file, pointer)
            if isinstance(value, str):
                found = _inside_value(locator, pointer, value, line, col) or found
        out.append(
            Finding.make(
                "CX201" if problem.severity == "error" else "CX202",
                _cxone_message(file, problem, meaning),
                Location(
                    vendor=file.vendor,
                    project=file.project,
                    flow=file.flow.id,
                    node=problem.action if file.node_index(problem.action) is not None else None,
                    pointer=pointer,
                    file=file.path,
                    line=found[0] if found else None,
                    column=found[1] if found else None,
                ),
                hint=meaning.hint,
            )
        )
    return out


def _num(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 62, key)


def parse_genesys_message(text: str) -> tuple[str | None, str | None, str]:
    """``(flow id, node id, message)`` from a validate job message text (ids None if absent)."""
    match = _GENESYS.match(text)
    if match is None:
        return None, None, text
    return match["flow"], match["node"], match["message"]


def genesys_findings(
    files: Mapping[str, FlowFile], messages: list[Any], default_flow: str
) -> list[Finding]:
    """CX201/CX202 for a validate job's ``messages`` (``Error``/``Warning``), placed in the
    file of the flow each message names (``files`` by flow id)."""
    out: list[Finding] = []
    for msg in messages:
        if not isinstance(msg, Mapping):
            continue
        kind = str(msg.get("type", "Error"))
        code = "CX202" if kind.lower() == "warning" else "CX201"
        flow_id, node, text = parse_genesys_message(str(msg.get("text", "")))
        file = files.get(flow_id or default_flow)
        if file is None:
            out.append(
                Finding.make(code, text, Location(vendor="genesys", flow=flow_id, node=node))
            )
            continue
        index = file.node_index(node) if node else None
        pointer = f"/nodes/{index}" if index is not None else ""
        found = Locator(file.data).locate(pointer)
        out.append(
            Finding.make(
                code,
                text,
                Location(
                    vendor="genesys",
                    project=file.project,
                    flow=file.flow.id,
                    node=node,
                    pointer=pointer,
                    file=file.path,
                    line=found[0] if found else None,
                    column=found[1] if found else None,
                ),
            )
        )
    return out
