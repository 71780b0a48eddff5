"""The one bounded, strict JSON parser for untrusted input (RFC 8259 restricted to I-JSON).

Refusals are :class:`ParseError` with the byte offset: input over the size cap, nesting over the
depth cap, invalid UTF-8 or a byte-order mark, duplicate object keys, NaN or infinities, lone
surrogate escapes (I-JSON, RFC 7493 §2), and numbers RFC 8785 cannot represent: integers beyond
2**53 - 1 (I-JSON §2.2, RFC 8785 §3.2.2.3), numbers that overflow to infinity (``1e400``) and
over-long digit strings (Python refuses integers over 4,300 digits with a bare ValueError).
orjson parses what it can vouch for (:mod:`cxops.model.parse_fast`); anything else goes to the
strict path, where the standard library's C parser does the work, the depth is checked first by
a vectorised scan (numpy), because that parser recurses, and the slow pure-Python scan in
:mod:`cxops.model._violations` runs only to name the offset of a violation the fast path has
already seen.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from cxops.model._violations import first_violation
from cxops.model.errors import ParseError
from cxops.model.parse_fast import fast_parse, structure

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "max_depth",
    "max_depth_offset",
    "parse_json",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 128
# The C scanner recurses about once per level; stay well inside the interpreter's limit.
_HARD_MAX_DEPTH = 400

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_QUOTE, _BACKSLASH = 0x22, 0x5C
_OPEN = (0x5B, 0x7B)
_CLOSE = (0x5D, 0x7D)


class _Violation(ValueError):
    """Raised inside the C parser's hooks; turned into a ParseError with an offset."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Violation("duplicate key")
    return out


def _constant(name: str) -> Any:
    raise _Violation(name)


#: Integers beyond this lose precision in IEEE 754 doubles, so RFC 8785 cannot represent them.
MAX_SAFE_INTEGER = 2**53 - 1
#: No number RFC 8785 can write needs more characters than this (17 digits, sign, exponent).
MAX_NUMBER_CHARS = 400


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Violation("number too long")
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _Violation("integer beyond 2**53 - 1")
    return value


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Violation("number too long")
    value = float(text)
    if not math.isfinite(value):
        raise _Violation("number overflows to infinity")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
# Checking every number costs a Python call per number, so the checked decoder runs only when a
# cheap scan finds a digit run long enough to exceed 2**53 or a three-digit exponent (the only
# ways to overflow a double); the scan also looks inside strings, which merely costs speed.
_CHECKED = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int, parse_float=_float
)
_RISKY_NUMBER = re.compile(rb"[0-9]{16}|[eE][+-]?[0-9]{3}")


def _real_quotes(arr: np.ndarray[Any, np.dtype[np.uint8]]) -> np.ndarray[Any, Any]:
    """Offsets of the quotes that open or close strings (escaped quotes removed)."""
    quotes = np.flatnonzero(arr == _QUOTE)
    if quotes.size == 0:
        return quotes
    maybe = quotes[(quotes > 0) & (arr[np.maximum(quotes - 1, 0)] == _BACKSLASH)]
    if maybe.size == 0:
        return quotes
    escaped = []
    for q in maybe.tolist():  # rare: only quotes right after a backslash
        run, i = 0, q - 1
        while i >= 0 and arr[i] == _BACKSLASH:
            run += 1
            i -= 1
        if run % 2 == 1:
            escaped.append(q)
    return np.setdiff1d(quotes, np.asarray(escaped, dtype=quotes.dtype), assume_unique=True)


def max_depth_offset(data: bytes, limit: int) -> int | None:
    """Byte offset of the first bracket that nests deeper than ``limit``, or None.

    Iterative and vectorised: brackets inside strings are ignored by counting the real quotes
    before each bracket (an odd count means inside a string).
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    is_open = (arr == _OPEN[0]) | (arr == _OPEN[1])
    n_open = int(np.count_nonzero(is_open))
    if n_open <= limit:
        return None
    brackets = np.flatnonzero(is_open | (arr == _CLOSE[0]) | (arr == _CLOSE[1]))
    del is_open
    quotes = _real_quotes(arr)
    if quotes.size:
        outside = (np.searchsorted(quotes, brackets) % 2) == 0
        brackets = brackets[outside]
    step = np.where((arr[brackets] == _OPEN[0]) | (arr[brackets] == _OPEN[1]), 1, -1)
    depth = np.cumsum(step, dtype=np.int64)
    over = np.flatnonzero(depth > limit)
    return int(brackets[over[0]]) if over.size else None


def max_depth(data: bytes) -> int:
    """The deepest nesting in JSON text, in a few C-speed passes (see ``parse_fast.structure``)."""
    return structure(data)[0]


def _lone_surrogate_offset(data: bytes) -> int | None:
    """Offset of the first ``\\uD800``-``\\uDFFF`` escape not part of a valid pair."""
    pending_high: int | None = None
    last_end = -1
    for match in _SURROGATE_ESCAPE.finditer(data):
        start = match.start()
        run, i = 0, start - 1
        while i >= 0 and data[i] == _BACKSLASH:
            run += 1
            i -= 1
        if run % 2 == 1:  # the backslash is itself escaped: plain text, not an escape
            continue
        is_high = match.group()[3:4].lower() in (b"8", b"9", b"a", b"b")
        if pending_high is not None:
            if not is_high and start == last_end:
                pending_high = None
                last_end = match.end()
                continue
            return pending_high
        if is_high:
            pending_high = start
            last_end = match.end()
        else:
            return start
    return pending_high


_max_depth = max_depth


def parse_json(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    fast: bool = True,
) -> Any:
    """Parse untrusted JSON bytes under the caps and I-JSON rules, or raise ParseError.

    ``fast=False`` skips the compiled path (tests compare the two).

    >>> parse_json(b'{"a": [1, 2]}')
    {'a': [1, 2]}
    """
    if len(data) > max_bytes:
        raise ParseError(
            f"input is {len(data)} bytes, over the {max_bytes}-byte cap",
            offset=max_bytes,
            reason="too_large",
            hint="split the export into smaller flows or raise --max-bytes",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError("byte-order mark is not allowed", offset=0, reason="bom")
    depth_limit = min(max_depth, _HARD_MAX_DEPTH)
    parsed = fast_parse(data, depth_limit) if fast else None
    if parsed is not None:
        return parsed[0]
    # The strict path: slower, and the one that names what is wrong and where.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("invalid UTF-8", offset=exc.start, reason="utf8") from None
    deep = max_depth_offset(data, depth_limit) if _max_depth(data) > depth_limit else None
    if deep is not None:
        raise ParseError(
            f"nesting deeper than {depth_limit} levels", offset=deep, reason="too_deep"
        )
    lone = _lone_surrogate_offset(data)
    if lone is not None:
        raise ParseError("lone surrogate escape", offset=lone, reason="surrogate")
    decoder = _CHECKED if _RISKY_NUMBER.search(data) else _DECODER
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        offset = len(exc.doc[: exc.pos].encode("utf-8"))
        raise ParseError(f"invalid JSON: {exc.msg}", offset=offset, reason="syntax") from None
    except _Violation as exc:
        found = first_violation(text)
        char_offset, what = found if found else (0, str(exc))
        offset = len(text[:char_offset].encode("utf-8"))
        raise ParseError(what, offset=offset, reason="i_json") from None
    except RecursionError:  # pragma: no cover - the depth scan should make this unreachable
        raise ParseError("nesting too deep", offset=0, reason="too_deep") from None
