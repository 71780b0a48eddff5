"""CXone Studio: probes, then one script.

CXone offers no API we know of that lists a user's permissions (docs/connect/cxone.md), so
viewing scripts is checked by reading them (a 403 names it missing) and saving or deleting them
is ``unchecked``: ``cxops doctor`` never writes, and no read answers whether a save would be
allowed.
"""

from __future__ import annotations

from cxops.model.native.cxone_answers import is_live
from cxops.pipelines.doctor.fetch import fetch, skipped
from cxops.pipelines.doctor.report import Check, Report
from cxops.transport import VendorClient
from cxops.vendors.reads import cxone as reads

__all__ = ["check"]

API = "/inContactAPI/services/v31.0"
VIEW = "ACD > Studio > Scripts > View"
UNCHECKED = (
    ("save scripts", "compile, promote (target)"),
    ("delete scripts", "promote: rollback of a created script (target)"),
)


async def check(client: VendorClient, report: Report) -> None:
    """The search (it proves the token and the view permission) and one live script."""
    page = await fetch(client, report, reads.SEARCH, f"{API}/scripts/search", {"top": 25})
    denied = report.checks[-1].status == "denied"
    report.add(
        Check("permission", "view scripts", "missing" if denied else "ok",
              needed_by="export, and the reads of every command",
              grant=f"give the API user's role {VIEW} (not verified that the API checks it; "
              "docs/connect/cxone.md)" if denied else "")
    )  # fmt: skip
    for name, who in UNCHECKED:
        report.add(
            Check("permission", name, "unchecked", "CXone has no read-only way to tell; "
                  "see docs/connect/cxone.md section 2", needed_by=who)
        )  # fmt: skip
    rows = (page or {}).get("scriptSearchDetails") or []
    live = [r for r in rows if isinstance(r, dict) and is_live(r) and r.get("scriptName")]
    if not live:
        skipped(report, reads.SCRIPT, "no live script to read")
        return
    await fetch(
        client, report, reads.SCRIPT, f"{API}/scripts", {"scriptPath": live[0]["scriptName"]}
    )
