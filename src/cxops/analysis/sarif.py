"""SARIF 2.1.0 output (OASIS), so code-scanning tools can show findings beside the files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from cxops.analysis.findings import CODES, Finding, Location, Severity

__all__ = ["SARIF_SCHEMA", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def _logical(loc: Location) -> list[dict[str, Any]]:
    parts = [p for p in (loc.vendor, loc.project, loc.flow) if p]
    if not parts:
        return []
    name = "/".join(parts) + (f"#{loc.node}" if loc.node else "")
    return [{"fullyQualifiedName": name, "kind": "element"}]


def _location(loc: Location) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if loc.file:
        # SARIF wants a URI reference (§3.10.2): a file literally named "Flawed%5CMenu.json"
        # must be written "Flawed%255CMenu.json", or readers decode it to a backslash.
        physical: dict[str, Any] = {"artifactLocation": {"uri": quote(loc.file, safe="/")}}
        if loc.line is not None:
            physical["region"] = {"startLine": loc.line, "startColumn": loc.column or 1}
        out["physicalLocation"] = physical
    logical = _logical(loc)
    if logical:
        out["logicalLocations"] = logical
    if loc.pointer is not None:
        out["properties"] = {"jsonPointer": loc.pointer}
    return out


def render_sarif(findings: Sequence[Finding], *, tool_version: str) -> dict[str, Any]:
    """A SARIF log with one run: every rule cxops knows, and one result per finding."""
    codes = sorted(CODES)
    rules = [
        {
            "id": code,
            "name": CODES[code].name.title().replace(" ", ""),
            "shortDescription": {"text": CODES[code].name},
            "help": {"text": CODES[code].hint},
            "defaultConfiguration": {"level": _LEVEL[CODES[code].severity]},
        }
        for code in codes
    ]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.message}. Hint: {f.hint}" if f.hint else f.message},
        }
        if f.code in CODES:
            result["ruleIndex"] = codes.index(f.code)
        main = _location(f.location)
        if main:
            result["locations"] = [main]
        related = [_location(r) for r in f.related]
        if any(related):
            result["relatedLocations"] = [{"id": i, **r} for i, r in enumerate(related) if r]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cxops",
                        "version": tool_version,
                        "informationUri": "https://example.invalid/cxops/docs/analysis.md",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
