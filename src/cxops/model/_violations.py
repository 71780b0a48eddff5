"""Locate the first I-JSON violation (duplicate key, NaN, Infinity) in JSON text.

Slow on purpose-free grounds: it runs only after the C parser has already refused the input,
to name the offset. Iterative (an explicit stack), so nesting depth costs no recursion.
"""

from __future__ import annotations

import json
import re

__all__ = ["first_violation"]

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
    return None
