"""Vendor compile answers → CX201/CX202 findings placed in the files cxops wrote. Pure.

CXone's save answer keys problems by action id (``errors["5"] = [{code, message, property?,
branch?, line?, column?}]``); Genesys' validate job names the node in each message text
(``Flow '<name>' (<id>) version <v>, node <node id>: <message>``). Each problem becomes a finding
whose JSON pointer names the most precise member of the flow file (the property value, the
branch, the action's type, else the node), and whose line:column comes from
:class:`cxops.analysis.locate.Locator` over the exact bytes cxops wrote. An expression error's
line:column *inside* a property value is carried into the file: the value is one JSON string
on one line there, so the column is the value's start plus the length of the escaped prefix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cxops.analysis.findings import Finding, Location
from cxops.analysis.locate import Locator, line_column
from cxops.model.bundle import Flow

__all__ = ["FlowFile", "cxone_findings", "genesys_findings", "parse_genesys_message"]

# Where a CXone problem points when it names neither a property nor a branch.
_TYPE_CODES = frozenset({"UNKNOWN_ACTION", "DEPRECATED_ACTION", "MULTIPLE_BEGIN"})
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


def _cxone_pointer(file: FlowFile, action: str, problem: Mapping[str, Any]) -> str:
    index = file.node_index(action)
    if index is None:
        return "/properties/header" if action == "header" else ""
    node = f"/nodes/{index}"
    raw = file.flow.nodes[index].properties
    prop = problem.get("property")
    if isinstance(prop, str):
        key = _property_key(raw.get("properties"), prop)
        if key is not None:
            return f"{node}/properties/properties/{_escape(key)}/value"
        return f"{node}/properties/action"
    branch, listed = problem.get("branch"), raw.get("branches")
    if isinstance(branch, int) and isinstance(listed, list) and 0 <= branch < len(listed):
        return f"{node}/properties/branches/{branch}"
    if problem.get("code") in _TYPE_CODES:
        return f"{node}/properties/action/name"
    return node


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


def cxone_findings(
    file: FlowFile, errors: Mapping[str, Any], warnings: Mapping[str, Any]
) -> list[Finding]:
    """CX201 for each save error, CX202 for each warning, placed in ``file``."""
    locator = Locator(file.data)
    out: list[Finding] = []
    for code, problems in (("CX201", errors), ("CX202", warnings)):
        for action, items in sorted(problems.items(), key=lambda kv: _num(kv[0])):
            for problem in items if isinstance(items, list) else []:
                if not isinstance(problem, Mapping):
                    continue
                pointer = _cxone_pointer(file, str(action), problem)
                found = locator.locate(pointer)
                line, col = problem.get("line"), problem.get("column")
                if isinstance(line, int) and isinstance(col, int) and pointer.endswith("/value"):
                    value = _value_at(file, pointer)
                    if isinstance(value, str):
                        found = _inside_value(locator, pointer, value, line, col) or found
                vendor_code = str(problem.get("code", "UNKNOWN"))
                out.append(
                    Finding.make(
                        code,
                        f"{vendor_code}: {problem.get('message', '')}",
                        Location(
                            vendor=file.vendor,
                            project=file.project,
                            flow=file.flow.id,
                            node=None if action == "header" else str(action),
                            pointer=pointer,
                            file=file.path,
                            line=found[0] if found else None,
                            column=found[1] if found else None,
                        ),
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
