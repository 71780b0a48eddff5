"""Genesys Cloud: the client's grants, then one of each object the export reads.

Permissions come from ``GET /api/v2/authorization/subjects/me?includeFullRoles=true`` (SDK
``AuthorizationApi.get_authorization_subjects_me`` → ``AuthzSubject``: ``grants[].role.policies[]``
of ``domain``, ``entityName``, ``actions``; ``*`` matches any). Whether Genesys answers it for a
client-credentials token is not verified: when it refuses, every permission is ``unchecked`` and
the reads below still show a missing read permission as a 403. :data:`NEEDS` is the table of
docs/connect/genesys.md, section 2 (the official CLI's permission lists).
"""

from __future__ import annotations

from typing import Any

from cxops.errors import AuthError, VendorError
from cxops.pipelines.doctor.fetch import fetch, first, skipped
from cxops.pipelines.doctor.report import Check, Report
from cxops.transport import VendorClient
from cxops.transport.urls import seg
from cxops.vendors.genesys import object_type
from cxops.vendors.reads import genesys as reads

__all__ = ["NEEDS", "check_permissions", "check_reads", "granted"]

API = "/api/v2"
GRANTS = f"{API}/authorization/subjects/me"
#: (permission, the commands that need it), docs/connect/genesys.md section 2.
NEEDS: tuple[tuple[str, str], ...] = (
    ("architect:flow:view", "export, and the reads of every command"),
    ("architect:dependencyTracking:view", "export, resolve"),
    ("architect:jobExport:create", "export --archive, promote (source)"),
    ("architect:jobExport:view", "export --archive, promote (source)"),
    ("architect:jobValidate:create", "compile"),
    ("architect:jobValidate:view", "compile"),
    ("architect:dependencyTracking:rebuild", "resolve (when tracking needs a build)"),
    ("analytics:flowObservation:view", "promote: the sessions gate (target)"),
    ("textbots:botFlowSession:execute", "promote: the simulation gate and smoke tests"),
    ("architect:job:create", "promote: import (target)"),
    ("architect:job:view", "promote: import (target)"),
    ("architect:flow:edit", "promote: move a created flow into its division (target)"),
    ("architect:flow:publish", "promote: publish (target)"),
    ("architect:flow:unlock", "promote: publish (target)"),
    ("architect:flow:delete", "promote: rollback of a created flow (target)"),
)


def _label(permission: str) -> str:
    """``architect:dependencyTracking:view`` → ``Architect > Dependency Tracking > View``."""
    words = []
    for part in permission.split(":"):
        spaced = "".join(f" {c}" if c.isupper() else c for c in part)
        words.append(spaced[:1].upper() + spaced[1:])
    return " > ".join(words)


def granted(subject: Any) -> set[str]:
    """``domain:entity:action`` of every policy in the subject's grants (``*`` kept as is)."""
    out: set[str] = set()
    grants = subject.get("grants") if isinstance(subject, dict) else None
    for grant in grants if isinstance(grants, list) else []:
        role = grant.get("role") if isinstance(grant, dict) else None
        policies = role.get("policies") if isinstance(role, dict) else None
        for policy in policies if isinstance(policies, list) else []:
            if not isinstance(policy, dict):
                continue
            actions = policy.get("actions")
            for action in actions if isinstance(actions, list) else []:
                out.add(f"{policy.get('domain')}:{policy.get('entityName')}:{action}")
    return out


def _has(permissions: set[str], wanted: str) -> bool:
    domain, entity, action = wanted.split(":")
    return any(
        f"{d}:{e}:{a}" in permissions
        for d in (domain, "*")
        for e in (entity, "*")
        for a in (action, "*")
    )


async def check_permissions(client: VendorClient, report: Report) -> None:
    """One ``permission`` line per entry of :data:`NEEDS` (the first call: it also proves the
    token; a network or credentials error propagates to the caller)."""
    try:
        subject = await client.get_json(GRANTS, params={"includeFullRoles": "true"})
    except AuthError:
        raise
    except VendorError as exc:
        for permission, who in NEEDS:
            report.add(
                Check("permission", permission, "unchecked",
                      f"{GRANTS} refused ({exc.status}): the reads below "
                      "show a missing read permission as a 403", needed_by=who)
            )  # fmt: skip
        return
    permissions = granted(subject)
    for permission, who in NEEDS:
        ok = _has(permissions, permission)
        report.add(
            Check("permission", permission, "ok" if ok else "missing", needed_by=who,
                  grant="" if ok else f"add {permission} ({_label(permission)}) to the OAuth "
                  "client's role, in the divisions of the flows (docs/connect/genesys.md)")
        )  # fmt: skip


async def check_reads(client: VendorClient, report: Report) -> None:
    """Fetch one flow, its versions, a configuration, the dependency-tracking build and the
    flow's consumed resources; check each answer against :mod:`cxops.vendors.reads.genesys`."""
    page = await fetch(client, report, reads.FLOWS, f"{API}/flows", {"pageSize": 25})
    flow = first(page, "entities")
    fid = flow.get("id") if flow else None
    later = (reads.VERSIONS, reads.CONFIGURATION)
    if not isinstance(fid, str):
        for spec in later:
            skipped(report, spec, "no flow to read")
    else:
        versions = await fetch(client, report, reads.VERSIONS, f"{API}/flows/{seg(fid)}/versions")
        published = (flow or {}).get("publishedVersion")
        vid = published.get("id") if isinstance(published, dict) else None
        row = first(versions, "entities")
        vid = vid if isinstance(vid, str) else (row or {}).get("id")
        if isinstance(vid, str):
            url = f"{API}/flows/{seg(fid)}/versions/{seg(vid)}/configuration"
            await fetch(client, report, reads.CONFIGURATION, url)
        else:
            skipped(report, reads.CONFIGURATION, "no flow version to read")
    await fetch(client, report, reads.BUILD, f"{API}/architect/dependencytracking/build")
    otype = object_type(str((flow or {}).get("type", ""))) if isinstance(fid, str) else None
    if otype is None or not isinstance(fid, str):
        skipped(report, reads.CONSUMED, "no flow that dependency tracking knows")
        return
    vid = ((flow or {}).get("publishedVersion") or {}).get("id")
    params = {"id": fid, "objectType": otype, **({"version": vid} if vid else {})}
    url = f"{API}/architect/dependencytracking/consumedresources"
    await fetch(client, report, reads.CONSUMED, url, params)
