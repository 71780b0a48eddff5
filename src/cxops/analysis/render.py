"""Renderers for findings: text (rich), JSON, and the dispatcher for SARIF and JUnit XML."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from cxops.analysis.findings import Finding, Severity

__all__ = ["FORMATS", "render", "render_json", "render_text", "summary"]

FORMATS = ("text", "json", "sarif", "junit")
_STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts by severity: ``{"error": n, "warning": n, "info": n}``."""
    counts = Counter(f.severity.value for f in findings)
    return {s.value: counts.get(s.value, 0) for s in Severity}


# C0 controls but tab and newline, DEL and C1: rich strips a few (BEL, CR) but passes ESC, so
# a name holding an escape sequence could drive the terminal (issue #15). Shown as \xNN.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(text: str) -> str:
    """Text from a file or a vendor, safe for rich markup and for a terminal."""
    return escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def render_text(findings: Sequence[Finding], console: Console) -> None:
    """Print findings for people: one block per finding, then a summary line."""
    for f in findings:
        style = _STYLE[f.severity]
        console.print(
            f"[{style}]{f.severity.value}[/] [bold]{f.code}[/] {_shown(f.location.describe())}",
            soft_wrap=True,
        )
        console.print(f"  {_shown(f.message)}", soft_wrap=True)
        if f.location.pointer is not None and f.location.file is None:
            console.print(f"  at {_shown(f.location.pointer or '/')}", style="dim")
        if f.hint:
            console.print(f"  hint: {_shown(f.hint)}", style="dim", soft_wrap=True)
    counts = summary(findings)
    if not findings:
        console.print("[green]no findings[/]")
    else:
        console.print(
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
        )


def render_json(findings: Sequence[Finding], **extra: Any) -> str:
    """One JSON document: ``{"findings": [...], "summary": {...}}`` plus any extra fields."""
    doc = {**extra, "findings": [f.to_dict() for f in findings], "summary": summary(findings)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(findings: Sequence[Finding], fmt: str, *, tool_version: str = "0") -> str:
    """Render in one of :data:`FORMATS` to a string (text without colour)."""
    if fmt == "json":
        return render_json(findings)
    if fmt == "sarif":
        from cxops.analysis.sarif import render_sarif

        return json.dumps(render_sarif(findings, tool_version=tool_version), indent=2) + "\n"
    if fmt == "junit":
        from cxops.analysis.junit import render_junit

        return render_junit(findings)
    if fmt == "text":
        buf = io.StringIO()
        render_text(findings, Console(file=buf, width=120, no_color=True, highlight=False))
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
