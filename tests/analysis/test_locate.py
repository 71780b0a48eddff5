"""A JSON pointer maps to the line and column where the value starts in a file cxops wrote."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.analysis.locate import Locator, line_column
from cxops.model.layout import pretty_bytes
from tests.model.strategies import SLOW_OK, json_values


def _pointers(doc: Any) -> list[tuple[str, Any, str | None]]:
    """(pointer, value, member key or None for array items and the root) for every value."""
    out: list[tuple[str, Any, str | None]] = [("", doc, None)]
    stack = [("", doc)]
    while stack:
        path, value = stack.pop()
        items: list[tuple[str, Any, str | None]] = []
        if isinstance(value, dict):
            items = [(k.replace("~", "~0").replace("/", "~1"), v, k) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(str(i), v, None) for i, v in enumerate(value)]
        for token, child, key in items:
            out.append((f"{path}/{token}", child, key))
            stack.append((f"{path}/{token}", child))
    return out


@given(st.dictionaries(st.text(max_size=4), json_values(), max_size=4), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
def test_pointer_lands_on_its_value(doc: dict[str, Any], data: st.DataObject) -> None:
    """For every pointer into a pretty-printed document, the text at the located offset is the
    member's key and value (object members) or the value (array items and the root)."""
    raw = pretty_bytes(doc)
    pointer, value, key = data.draw(st.sampled_from(_pointers(doc)))
    offset = Locator(raw).offset(pointer)
    assert offset is not None
    text = raw[offset:].decode("utf-8")
    decoder = json.JSONDecoder()
    if key is not None:
        found_key, end = decoder.raw_decode(text)
        assert found_key == key
        assert text[end : end + 2] == ": "
        text = text[end + 2 :]
    assert decoder.raw_decode(text)[0] == value
    line, column = line_column(raw, offset)
    assert line == raw[:offset].count(b"\n") + 1
    assert column == len(raw[:offset].decode("utf-8").rsplit("\n", 1)[-1]) + 1


def test_missing_pointer_and_foreign_layout_give_none() -> None:
    """Pointers to nothing, and compact JSON, give no position rather than a wrong one."""
    raw = pretty_bytes({"a": [1, 2]})
    assert Locator(raw).locate("/a/5") is None
    assert Locator(raw).locate("/b") is None
    assert Locator(raw).locate("/a/1") == (4, 5)
    assert Locator(b'{"a":[1,2]}').locate("/a/1") is None


class _Reference:
    """The scan with ``^`` in multi-line mode (as the locator first did): the oracle the
    newline-anchored searches must agree with, offset for offset."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def offset(self, pointer: str) -> int | None:
        data = self.data
        pos, end = len(data) - len(data.lstrip()), len(data)
        if pointer == "":
            return pos
        if not pointer.startswith("/"):
            return None
        at = pos
        for level, raw in enumerate(pointer[1:].split("/")):
            token = raw.replace("~1", "/").replace("~0", "~")
            indent = 2 * (level + 1)
            opener = data[pos : pos + 1]
            if opener == b"{":
                key = json.dumps(token, ensure_ascii=False).encode("utf-8")
                pattern = re.compile(rb"^ {%d}%s: " % (indent, re.escape(key)), re.MULTILINE)
                match = pattern.search(data, pos, end)
                if match is None:
                    return None
                at, pos = match.start() + indent, match.end()
            elif opener == b"[":
                members = re.compile(rb"^ {%d}(?=[^ \]}])" % indent, re.MULTILINE)
                starts = [m.end() for m in members.finditer(data, pos, end)]
                if not token.isdigit() or int(token) >= len(starts):
                    return None
                at = pos = starts[int(token)]
            else:
                return None
            nl = data.find(b"\n", pos, end)
            if nl >= 0:
                closing = re.compile(rb"^ {0,%d}(?=[^ ])" % indent, re.MULTILINE)
                match = closing.search(data, nl + 1, end)
                end = match.start() if match else end
        return at


_LAYOUTS = [
    pretty_bytes,
    lambda doc: json.dumps(doc, indent=2).encode(),
    lambda doc: json.dumps(doc, indent=4).encode(),
    lambda doc: json.dumps(doc, indent=1, ensure_ascii=False).encode(),
    lambda doc: b"\n  \n" + json.dumps(doc, indent=2).encode(),
    lambda doc: json.dumps(doc).encode(),
]


@given(
    st.dictionaries(st.text(' {}[]\n:"a', max_size=3), json_values(), max_size=4),
    st.sampled_from(_LAYOUTS),
    st.data(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK)
def test_newline_anchored_search_agrees_with_the_multiline_scan(
    doc: dict[str, Any], layout: Any, data: st.DataObject
) -> None:
    """In any layout (cxops's, other indents, leading blank lines, compact), for pointers that
    exist and pointers that do not, the locator gives the offset the ``^`` scan gives."""
    raw = layout(doc)
    pointers = [p for p, _, _ in _pointers(doc)]
    pointers += [p + "/0" for p in pointers] + [p + "/x" for p in pointers] + ["/", "x"]
    for pointer in data.draw(st.lists(st.sampled_from(pointers), min_size=1, max_size=8)):
        assert Locator(raw).offset(pointer) == _Reference(raw).offset(pointer), pointer
