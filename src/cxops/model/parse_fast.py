"""The compiled fast path of the strict parser: orjson, with the I-JSON rules it does not check.

orjson's parser (C) is strict where :mod:`cxops.model.parse` must be: it refuses invalid UTF-8,
a byte-order mark, lone surrogates (escaped or raw), NaN and Infinity, numbers that overflow to
infinity, control characters in strings, trailing commas and content after the document. It does
not refuse three things the strict parser does, so they are checked here in C-speed passes over
the input and over orjson's indented re-serialisation of the value (one ``orjson.dumps``):

- **duplicate keys** (orjson keeps the last): the input's colons must all reappear in the
  re-serialisation. Each kept key brings back its pair's colon, and each string the value kept
  its colons; a duplicate key loses at least its pair's colon. The one way a string gains a
  colon, the escape ``\u003a``, sends the input to an exact count instead: the pairs written
  in the input (colons outside strings) against the keys of the parsed document;
- **nesting depth** (orjson allows 1024 levels): the re-serialisation writes every member of a
  container at depth ``d`` on its own line, indented by ``2 * d`` spaces, so a document deeper
  than the limit holds a line indented ``2 * limit`` spaces; only then are the brackets outside
  strings counted;
- **numbers RFC 8785 cannot represent**: integers beyond 2**53 - 1 make the re-serialisation
  raise (``OPT_STRICT_INTEGER``); integers beyond 64 bits, which orjson turns into floats, and
  over-long number tokens both hold a run of 20 digits, and any such run sends the input to the
  strict parser (a run of 20 digits fills an aligned block of 8 bytes, which numpy finds in a
  pass; only then are the runs measured).

Whatever this path cannot vouch for answers None, and the caller runs the strict parser, which
also names the offset of every refusal. A property test proves that the two accept the same
inputs and give the same values.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import orjson

__all__ = ["fast_parse", "structure"]

_KEEP = b'[]{}":'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_QUOTE, _COLON = 0x22, 0x3A
_OPENS, _CLOSES = (0x5B, 0x7B), (0x5D, 0x7D)
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x78 for b in range(256))
_LONG_RUN = b"0" * 20
_MAX_SAFE_INTEGER = 2**53 - 1
_EIGHT_DIGITS = int.from_bytes(b"\x01" * 8, "little")  # eight bytes that are all digits
_COLON_ESCAPE = b"\\u003"  # \u003a or \u003A: a colon written as an escape (or \u0030-\u0039)
_DUMPS = orjson.OPT_STRICT_INTEGER | orjson.OPT_INDENT_2


def structure(data: bytes) -> tuple[int, int]:
    """``(deepest nesting, colons outside strings)`` of JSON text, in a few C-speed passes.

    Escapes are removed first (so every remaining quote delimits a string), then everything but
    brackets, quotes and colons; what stands at odd quote parity is inside a string. Exact up to
    the first syntax error, which is where a parser stops anyway.
    """
    compact = _ESCAPE.sub(b"", data) if b"\\" in data else data
    compact = compact.translate(None, _DROP)
    if not compact:
        return 0, 0
    arr = np.frombuffer(compact, dtype=np.uint8)
    outside = (np.cumsum(arr == _QUOTE, dtype=np.int64) & 1) == 0
    opens = ((arr == _OPENS[0]) | (arr == _OPENS[1])) & outside
    closes = ((arr == _CLOSES[0]) | (arr == _CLOSES[1])) & outside
    depth = np.cumsum(opens.astype(np.int32) - closes.astype(np.int32), dtype=np.int64)
    pairs = int(np.count_nonzero((arr == _COLON) & outside))
    return int(depth.max()), pairs


def _long_digit_run(data: bytes) -> bool:
    """Whether the text holds a run of 20 digits (anywhere, strings included)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    whole = arr.size - arr.size % 8
    digits = ((arr[:whole] - 0x30) < 10).view(np.uint64)  # one byte per digit, 0 or 1
    if not np.any(digits == _EIGHT_DIGITS):  # 20 digits in a row fill an aligned 8-byte block
        return False
    return _LONG_RUN in data.translate(_DIGITS_AS_ZERO)


def _colons(data: bytes) -> int:
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == _COLON))


def _duplicate_key(data: bytes, pretty: bytes) -> bool:
    """Whether parsing collapsed two pairs of one object (``pretty``: the value re-serialised)."""
    if b"\\" not in data or _COLON_ESCAPE not in data:
        return _colons(pretty) != _colons(data)
    return structure(pretty)[1] != structure(data)[1]  # pairs written, pairs kept


def fast_parse(data: bytes, depth_limit: int) -> tuple[Any] | None:
    """``(value,)`` of JSON text the strict parser would accept, or None to let it decide.

    The value is wrapped so that the document ``null`` is told apart from "no answer".

    >>> fast_parse(b'{"a": [1, 2.5]}', 128)
    ({'a': [1, 2.5]},)
    >>> fast_parse(b'{"a": 1, "a": 2}', 128) is None
    True
    """
    if _long_digit_run(data):
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(value) is int and abs(value) > _MAX_SAFE_INTEGER:
        return None
    if isinstance(value, dict | list):
        try:
            pretty = orjson.dumps(value, option=_DUMPS)
        except orjson.JSONEncodeError:
            return None  # an integer beyond 2**53 - 1, or nesting past orjson's own limit
        deep = depth_limit < 1 or b"\n" + b"  " * depth_limit in pretty
        if deep and structure(data)[0] > depth_limit:
            return None  # a line indented 2 * limit spaces: count the brackets
        if _duplicate_key(data, pretty):
            return None  # a duplicate key collapsed two pairs into one
    return (value,)
