"""A JSON pointer maps to the line and column where the value starts in a file cxops wrote."""

from __future__ import annotations

import json
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
