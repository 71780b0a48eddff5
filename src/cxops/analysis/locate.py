"""Map a JSON pointer (RFC 6901) to line:column in a file cxops wrote.

cxops writes JSON pretty-printed with a two-space indent and one value per line
(:func:`cxops.model.layout.pretty_bytes`), so a member of a container at depth ``d`` starts on a
line indented by exactly ``2 * (d + 1)`` spaces. The search uses C-speed regular expressions
on the bytes, never a full parse; a file in another layout gives None (no line, no column).
Every search looks for a newline followed by the line's start (``\\n  "key": ``) rather than
a ``^`` in multi-line mode: the regular expression engine then runs to each newline at C speed
instead of trying a match at every byte (three times faster on 200 kB flow files).
"""

from __future__ import annotations

import json
import re

__all__ = ["Locator", "line_column"]


def line_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class Locator:
    """Finds where pointers land in one pretty-printed JSON file; caches array scans."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._arrays: dict[tuple[int, int], list[int]] = {}

    def offset(self, pointer: str) -> int | None:
        """Byte offset of the value (or member key) the pointer names, or None."""
        data = self.data
        pos = len(data) - len(data.lstrip())
        end = len(data)
        if pointer == "":
            return pos
        if not pointer.startswith("/"):
            return None
        at = pos
        for level, raw in enumerate(pointer[1:].split("/")):
            token = _unescape(raw)
            indent = 2 * (level + 1)
            opener = data[pos : pos + 1]
            if opener == b"{":
                key = json.dumps(token, ensure_ascii=False).encode("utf-8")
                head = b" " * indent + key + b": "
                found = self._line_starting(head, pos, end)
                if found is None:
                    return None
                at = found + indent
                pos = found + len(head)
            elif opener == b"[":
                if not token.isdigit():
                    return None
                starts = self._members(pos, end, indent)
                i = int(token)
                if i >= len(starts):
                    return None
                at = pos = starts[i]
            else:
                return None
            end = self._value_end(pos, end, indent)
        return at

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of the pointer's target, or None when it cannot be found."""
        found = self.offset(pointer)
        return None if found is None else line_column(self.data, found)

    def _line_starting(self, head: bytes, pos: int, end: int) -> int | None:
        """Offset of the first line in ``[pos, end)`` that starts with ``head`` (a line starts
        at offset 0 or after a newline, as ``^`` matches in multi-line mode)."""
        data = self.data
        if pos == 0 and data.startswith(head, 0, end):
            return 0
        nl = data.find(b"\n" + head, max(pos - 1, 0), end)
        return None if nl < 0 else nl + 1

    def _members(self, pos: int, end: int, indent: int) -> list[int]:
        key = (pos, indent)
        if key not in self._arrays:
            # Lines indented exactly ``indent`` whose next byte is not a space or a closer.
            body = rb" {%d}(?=[^ \]}])" % indent
            starts = []
            if pos == 0 and (first := re.compile(body).match(self.data, 0, end)):
                starts.append(first.end())
            pattern = re.compile(rb"\n" + body)
            starts += [m.end() for m in pattern.finditer(self.data, max(pos - 1, 0), end)]
            self._arrays[key] = starts
        return self._arrays[key]

    def _value_end(self, pos: int, end: int, indent: int) -> int:
        """End of the value starting at ``pos``: the next line indented ``indent`` or less."""
        nl = self.data.find(b"\n", pos, end)
        if nl < 0:
            return end
        # From the newline: the first line start after it whose indent is ``indent`` or less.
        pattern = re.compile(rb"\n {0,%d}(?=[^ ])" % indent)
        match = pattern.search(self.data, nl, end)
        return match.start() + 1 if match else end
