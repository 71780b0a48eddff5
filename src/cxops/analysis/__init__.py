"""Pure analysis over the portable model: graph, checks, findings, diff, lock. No I/O.

Imports nothing of cxops but ``cxops.model``. Entry points: ``BundleIndex`` (stream documents
in), ``run_checks`` (findings CX100-CX109), ``render`` (text, JSON, SARIF, JUnit),
``diff_bundles``, ``build_lock`` / ``lock_drift``, ``Locator`` (pointer → line:column).
"""

from __future__ import annotations

from cxops.analysis.checks import CheckOptions, run_checks
from cxops.analysis.diff import Diff, diff_bundles
from cxops.analysis.findings import CODES, Finding, Location, Severity
from cxops.analysis.index import BundleIndex
from cxops.analysis.locate import Locator
from cxops.analysis.lock import build_lock, dumps_lock, loads_lock, lock_drift
from cxops.analysis.render import render

__all__ = [
    "CODES",
    "BundleIndex",
    "CheckOptions",
    "Diff",
    "Finding",
    "Location",
    "Locator",
    "Severity",
    "build_lock",
    "diff_bundles",
    "dumps_lock",
    "loads_lock",
    "lock_drift",
    "render",
    "run_checks",
]
