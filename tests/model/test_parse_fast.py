"""The compiled parse path accepts exactly what the strict parser accepts, with the same values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.model.errors import ParseError
from cxops.model.parse import parse_json
from cxops.model.parse_fast import fast_parse
from tests.model.strategies import SLOW_OK, json_values

# Fragments that break one rule each, spliced into valid documents at random places.
HOSTILE = st.sampled_from(
    [b'"a": 1, "a": 2', b"NaN", b"-Infinity", b"1e400", b"9007199254740993", b"-9007199254740992",
     b"18446744073709551616", b"1" * 30, b"0." + b"0" * 25 + b"1", b'"\\ud800"', b'"\xed\xa0\x80"',
     b"\xff", b"\xef\xbb\xbf", b"[" * 200, b"]", b",", b'"\\"', b'"\\\\"', b'":', b"\x01", b"{"]
)  # fmt: skip


def _strict(data: bytes, depth: int) -> tuple[Any] | None:
    try:
        return (parse_json(data, max_depth=depth, fast=False),)
    except ParseError:
        return None


@given(json_values(), st.sampled_from([1, 3, 128]), st.booleans(), st.integers(0, 4))
@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
def test_valid_documents_agree(doc: Any, depth: int, ascii_only: bool, indent: int) -> None:
    """On documents json.dumps writes, both paths accept (or refuse) alike, with equal values."""
    data = json.dumps(doc, ensure_ascii=ascii_only, indent=indent or None).encode()
    fast, strict = fast_parse(data, depth), _strict(data, depth)
    if fast is not None:
        assert strict is not None
        assert repr(fast[0]) == repr(strict[0])  # repr: -0.0 vs 0.0 and 1 vs 1.0 differ


@given(json_values(), st.data())
@settings(max_examples=600, deadline=None, suppress_health_check=SLOW_OK)
def test_hostile_splices_are_never_accepted_alone(doc: Any, data: st.DataObject) -> None:
    """Whatever the fast path accepts, the strict parser accepts too, with the same value."""
    text = json.dumps({"doc": doc, "pad": [doc, {"k": doc}]}).encode()
    cut = data.draw(st.integers(0, len(text)))
    mutated = text[:cut] + data.draw(HOSTILE) + text[cut:]
    fast = fast_parse(mutated, 128)
    if fast is not None:
        strict = _strict(mutated, 128)
        assert strict is not None, mutated
        assert repr(fast[0]) == repr(strict[0])


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"x": {"y": 1, "y": {"z": 2}}}',
        b'{"key\\"": 1, "key\\"": 2}',
        b'{"k\\\\": 1, "k\\\\": 2}',
        b"[NaN]",
        b'["\\ud800"]',
        b"[[[[1]]]]",  # deeper than the limit of 3 below
    ],
)
def test_refusals_are_left_to_the_strict_parser(data: bytes) -> None:
    """Each I-JSON rule orjson does not enforce by itself sends the input to the strict parser."""
    assert fast_parse(data, 3) is None
    with pytest.raises(ParseError):
        parse_json(data, max_depth=3)


@pytest.mark.parametrize(
    "data",
    [
        b"[9007199254740992]",
        b"9007199254740992",
        b"[18446744073709551616]",
        b"[1e400]",
        b"[1.5e999]",
    ],
)
def test_numbers_rfc8785_cannot_hold_are_left_to_the_strict_parser(data: bytes) -> None:
    """Integers beyond 2**53 - 1 (also past 64 bits, which orjson turns into floats) and numbers
    overflowing to infinity are not vouched for: the strict parser refuses them."""
    assert fast_parse(data, 128) is None
    with pytest.raises(ParseError):
        parse_json(data)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b'{"b": [1, 2.5, -0.0, "x:y", "\\"q\\"", null]}', {"b": [1, 2.5, -0.0, "x:y", '"q"', None]}),  # noqa: E501
        (b'  {"say": "1:2", "n": 123456789012345}\n', {"say": "1:2", "n": 123456789012345}),
        (b"null", None),
        (b'{"a\\\\": {"b": 0.30000000000000004}}', {"a\\": {"b": 0.30000000000000004}}),
    ],
)  # fmt: skip
def test_accepted_by_the_fast_path(data: bytes, value: Any) -> None:
    """Ordinary exports (colons and escapes in strings, 17-digit floats, null) stay on it."""
    assert fast_parse(data, 128) == (value,)


@pytest.mark.parametrize(
    "data",
    [
        b'{"k": 1, "k": "\\u003a"}',  # the escape brings back the colon the duplicate lost
        b'{"k": 1, "k": "\\u003A"}',
        b'{"a\\u003a": 1, "a:": 2}',  # the same key, written two ways
        b'{"k": 1, "k": ":x"}',  # a kept value starting with a colon (once counted as a key)
        b'[{"k": "\\u003a", "k": ":"}]',
    ],
)
def test_duplicate_keys_hidden_by_colons_in_strings_are_found(data: bytes) -> None:
    """Colons are counted in the input and in the re-serialisation; an escaped colon adds one
    to the second, so it sends the input to the exact count (colons outside strings), which
    finds the duplicate; so does a value that starts with a colon."""
    assert fast_parse(data, 128) is None
    with pytest.raises(ParseError, match="duplicate"):
        parse_json(data)


def test_escaped_colons_without_duplicates_stay_on_the_fast_path() -> None:
    assert fast_parse(b'{"a\\u003a": "\\u003A", "b": ":"}', 128) == ({"a:": ":", "b": ":"},)


def test_a_duplicate_key_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    """The cheaper condition only decides which parser runs: the strict one still names the
    second key's position, which `cxops validate` turns into line:column."""
    from cxops.cli.validate import Source, add_positions, index_source

    path = tmp_path / "dup.json"
    path.write_bytes(b'{\n  "flows": [],\n  "format": "cxops.bundle/1",\n  "format": "x"\n}\n')
    index = index_source(Source("dup.json", path))
    (finding,) = add_positions(index.problems)
    assert finding.code == "CX100" and "duplicate" in finding.message
    assert (finding.location.line, finding.location.column) == (4, 3)


@pytest.mark.parametrize(
    ("data", "depth"),
    [
        (b"[[[]]]", 3),
        (b'{"a": {"b": {}}}', 3),
        (b'{"a": "[[[[[[", "b": [{"c": "]]]"}]}', 3),  # brackets in strings do not count
        (b"[1, [2, [3]]]", 3),
        (b"[]", 1),
    ],
)
def test_documents_at_the_depth_limit_are_accepted(data: bytes, depth: int) -> None:
    assert fast_parse(data, depth) == (json.loads(data),)


@pytest.mark.parametrize(
    "data",
    [b"[[[[]]]]", b'{"a": {"b": {"c": {}}}}', b'[1, [2, [3, ["[]"]]]]', b'[[[{"x": 1}]]]'],
)
def test_one_level_past_the_depth_limit_is_refused(data: bytes) -> None:
    """The deepest level is an empty container (no line of its own in the re-serialisation)
    or a member one level past the limit: either way the input goes to the strict parser."""
    assert fast_parse(data, 3) is None
    with pytest.raises(ParseError, match="nesting"):
        parse_json(data, max_depth=3)


@pytest.mark.parametrize("shift", range(9))
def test_twenty_digits_are_found_at_every_alignment(shift: int) -> None:
    """A run of 20 digits fills an aligned 8-byte block wherever it starts; 19 do not count."""
    long = b'{"s": "' + b"x" * shift + b"1" * 20 + b'"}'
    assert fast_parse(long, 128) is None
    short = b'{"s": "' + b"x" * shift + b"1" * 19 + b'", "t": "12345678 12345678"}'
    assert fast_parse(short, 128) == (json.loads(short),)
