"""Locate the first I-JSON violation (duplicate key, NaN, Infinity, a number RFC 8785 cannot
represent) in JSON text.

Slow on purpose-free grounds: it runs only after the C parser has already refused the input,
to name the offset. Iterative (an explicit stack), so nesting depth costs no recursion.
"""

from __future__ import annotations

import json
import math
import re

__all__ = ["first_violation"]

_MAX_SAFE_INTEGER = 2**53 - 1
_MAX_NUMBER_CHARS = 400  # the same limits as cxops.model.parse
_INT = re.compile(r"-?[0-9]+")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)


def first_violation(text: str) -> tuple[int, str] | None:
    """(character offset, description) of the first duplicate key or non-finite constant."""
    # Each frame: the keys seen so far (None for arrays) and whether a key comes next.
    keys: list[set[str] | None] = []
    expect_key: list[bool] = []
    for match in _TOKEN.finditer(text):
        tok = match.group()
        first = tok[0]
        if first == "{":
            keys.append(set())
            expect_key.append(True)
        elif first == "[":
            keys.append(None)
            expect_key.append(False)
        elif first in "}]":
            if keys:
                keys.pop()
                expect_key.pop()
        elif first == ",":
            if keys and keys[-1] is not None:
                expect_key[-1] = True
        elif first == '"':
            frame = keys[-1] if keys else None
            if frame is not None and expect_key[-1]:
                key = json.loads(tok)
                if key in frame:
                    return match.start(), f"duplicate key {tok}"
                frame.add(key)
                expect_key[-1] = False
        elif tok in ("NaN", "Infinity", "-Infinity"):
            return match.start(), f"{tok} is not allowed in I-JSON"
        elif first == "-" or first.isdigit():
            problem = _number_problem(tok)
            if problem:
                return match.start(), problem
    return None


def _number_problem(tok: str) -> str | None:
    """Why a number token cannot be represented in RFC 8785 (I-JSON §2.2), or None."""
    if len(tok) > _MAX_NUMBER_CHARS:
        return f"a number of {len(tok)} characters is not allowed (at most {_MAX_NUMBER_CHARS})"
    try:
        if _INT.fullmatch(tok):
            if abs(int(tok)) > _MAX_SAFE_INTEGER:
                return f"integer {tok[:24]} is beyond 2**53 - 1 (I-JSON, RFC 8785)"
        elif not math.isfinite(float(tok)):
            return f"number {tok[:24]} overflows to infinity (I-JSON, RFC 8785)"
    except ValueError:  # not a number at all: the C parser reports the syntax error
        return None
    return None
