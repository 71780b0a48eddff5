"""JUnit XML output, for CI systems that show test reports: one test case per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from cxops.analysis.findings import Finding, Severity

__all__ = ["render_junit"]


def render_junit(findings: Sequence[Finding], *, suite: str = "cxops.validate") -> str:
    """A ``<testsuites>`` document: errors are failures, warnings and info pass with output.

    With no findings there is one passing case, so the report is never empty.
    """
    failures = sum(1 for f in findings if f.severity is Severity.error)
    cases = max(len(findings), 1)
    root = ET.Element("testsuites", name=suite, tests=str(cases), failures=str(failures))
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(cases),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    if not findings:
        ET.SubElement(ts, "testcase", classname=suite, name="all checks passed")
    for f in findings:
        loc = f.location
        classname = ".".join(p for p in (loc.vendor, loc.project, loc.flow) if p) or suite
        case = ET.SubElement(ts, "testcase", classname=classname, name=f"{f.code} {loc.describe()}")
        text = f"{f.message}\nhint: {f.hint}\npointer: {loc.pointer or '/'}"
        if f.severity is Severity.error:
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = text
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{f.severity.value}: {text}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
