"""Syntax checks for Studio expressions: balanced brackets and terminated strings.

Studio compiles SNIPPET code, IF expressions and CASE values, and substitutes ``{...}``
expressions inside ASSIGN values; a bracket or quote left open is an error on save. This is a
scanner, not a parser: it finds exactly the structural errors (and the 1-based line and column
where they start), which is what the emulator needs to reject a script deterministically.

Choices (no public grammar): strings are delimited by ``"`` or ``'`` with no escapes (Studio
paths such as ``"Main\\Menu.wav"`` keep their backslashes); ``//`` starts a comment to the end of
the line in code.
"""

from __future__ import annotations

from dataclasses import dataclass

_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


@dataclass(frozen=True)
class SyntaxProblem:
    """Where an expression is malformed: a sentence, 1-based line and column."""

    message: str
    line: int
    column: int


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def check_code(text: str) -> SyntaxProblem | None:
    """The first structural error in SNIPPET code or an IF/CASE expression, else ``None``."""
    stack: list[tuple[str, int]] = []
    quote: tuple[str, int] | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote is not None:
            if ch == quote[0]:
                quote = None
            elif ch == "\n":
                return SyntaxProblem("unterminated string", *_position(text, quote[1]))
        elif ch in "\"'":
            quote = (ch, i)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if not stack or stack[-1][0] != _CLOSERS[ch]:
                return SyntaxProblem(f"unexpected '{ch}'", *_position(text, i))
            stack.pop()
        i += 1
    if quote is not None:
        return SyntaxProblem("unterminated string", *_position(text, quote[1]))
    if stack:
        opener, at = stack[-1]
        return SyntaxProblem(f"unbalanced '{opener}' is never closed", *_position(text, at))
    return None


def check_template(text: str) -> SyntaxProblem | None:
    """The first error in an ASSIGN value: literal text with ``{expression}`` parts."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "}":
            return SyntaxProblem("unexpected '}'", *_position(text, i))
        if ch != "{":
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        if depth:
            return SyntaxProblem("unbalanced '{' is never closed", *_position(text, i))
        inner = check_code(text[i + 1 : j - 1])
        if inner is not None:
            line, column = _position(text, i + 1)
            return SyntaxProblem(
                inner.message,
                line + inner.line - 1,
                inner.column + (column - 1 if inner.line == 1 else 0),
            )
        i = j
    return None
