"""Which bundles are checked together: how far a reference may reach on each platform.

A CXone script runs sub-scripts from any folder of its business unit (``Main\\IVR_Main`` calls
``Common\\Auth_PIN``), and a Genesys flow calls common modules and uses data actions, prompts and
queues of any division of its organization. So their projects (folders, divisions) are checked
as one: a reference to another project resolves, and a cycle through two projects is found.
A Cognigy Execute Flow or Go To node only reaches flows of its own project, so each Cognigy
project is checked alone and a reference out of it is a finding (CX105).
"""

from __future__ import annotations

from collections.abc import Iterable

from cxops.analysis.checks import CheckOptions, run_checks
from cxops.analysis.findings import Finding, sort_findings
from cxops.analysis.index import BundleIndex

__all__ = ["TENANT_WIDE", "check_together", "group_key"]

#: Vendors whose references reach across projects of one tenant.
TENANT_WIDE = frozenset({"cxone", "genesys"})


def group_key(vendor: str | None, project: str | None) -> tuple[str | None, str | None]:
    """The key of the check group a bundle of ``vendor``/``project`` belongs to."""
    return (vendor, None) if vendor in TENANT_WIDE else (vendor, project)


def check_together(
    indexes: Iterable[BundleIndex], options: CheckOptions | None = None
) -> list[Finding]:
    """Run the checks once per group of indexes (one tenant's bundles), findings sorted.

    Pass the bundles of ONE tenant: two tenants' CXone folders would be merged as one. The
    indexes are consumed (the first of each group absorbs the others).
    """
    groups: dict[tuple[str | None, str | None], BundleIndex] = {}
    for index in indexes:
        key = group_key(index.vendor, index.project)
        host = groups.setdefault(key, index)
        if host is not index:
            host.merge(index)
    findings: list[Finding] = []
    for index in groups.values():
        findings += run_checks(index, options)
    return sort_findings(findings)
