"""``cxops doctor``: is a profile ready for cxops? Reachability, credentials, each permission
cxops' commands need, and whether the tenant's answers hold every field cxops reads.

Strictly read-only: only GETs, whatever the credentials may do. The fields come from
:mod:`cxops.vendors.reads`, the declarations the adapters check every answer against, so the
doctor and the export cannot disagree about what cxops depends on.

>>> report = asyncio.run(diagnose(settings))            # doctest: +SKIP
>>> report.exit_code, [c.name for c in report.checks if c.failing]
(1, ['architect:job:create', ...])
"""

from __future__ import annotations

import httpx

from cxops.errors import AuthError, NetworkError
from cxops.pipelines.doctor import cognigy, cxone, genesys
from cxops.pipelines.doctor.report import FORMAT, Check, Report
from cxops.transport import ConnectionSettings, connect

__all__ = ["FORMAT", "Check", "Report", "diagnose"]


async def diagnose(
    settings: ConnectionSettings,
    *,
    project: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Report:
    """Run every check for these settings (``project``: the Cognigy project to read from)."""
    report = Report(settings.vendor)
    target = f"{settings.vendor} API"  # never the URL: the report is for attaching to bugs
    try:
        client = await connect(settings, transport=transport)
    except NetworkError:
        report.add(Check("reach", target, "failed", "no answer from the vendor (API discovery)"))
        return report
    async with client:
        try:
            if settings.vendor == "genesys":
                await genesys.check_permissions(client, report)
            elif settings.vendor == "cognigy":
                await cognigy.check_permissions(client, report)
            else:
                await cxone.check(client, report)
        except NetworkError:
            report.checks.insert(0, Check("reach", target, "failed", "no answer from the vendor"))
            return report
        except AuthError as exc:
            report.checks[:0] = [
                Check("reach", target, "ok"),
                Check("auth", settings.auth_mode(), "failed", "the credentials were refused",
                      http_status=exc.status, grant="check the profile's credentials"),
            ]  # fmt: skip
            return report
        report.checks[:0] = [
            Check("reach", target, "ok"),
            Check("auth", settings.auth_mode(), "ok"),
        ]
        try:
            if settings.vendor == "genesys":
                await genesys.check_reads(client, report)
            elif settings.vendor == "cognigy":
                await cognigy.check_reads(client, report, project)
                await cognigy.check_odata(settings, report, transport)
        except NetworkError:
            report.add(Check("reach", target, "failed", "the vendor stopped answering"))
    return report
