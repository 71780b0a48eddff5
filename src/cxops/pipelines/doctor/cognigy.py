"""Cognigy.AI: the API key's rights, then one of each object the export reads.

An API key acts with its user's roles (docs/connect/cognigy.md). ``GET /new/v2.0/users/me/acl``
(official client ``readUserAclMe`` → ``IUserAcl_2_0``) lists the user's rights per project as
``create``/``read``/``update``/``delete`` of each permission name, and its global and project
roles. :data:`NEEDS` maps what each command does (docs/connect/cognigy.md, section 2) to those
rights; which right a Cognigy route checks is **not verified** (Cognigy documents roles, not
routes), so a line names the documented role to grant.
"""

from __future__ import annotations

from typing import Any

import httpx

from cxops.errors import AuthError, VendorError
from cxops.pipelines.doctor.fetch import fetch, first, skipped
from cxops.pipelines.doctor.report import Check, Report, Status
from cxops.transport import ConnectionSettings, VendorClient, connect_odata
from cxops.transport.urls import seg
from cxops.vendors.deploy.cognigy_tests import ODATA_VERSION
from cxops.vendors.reads import cognigy as reads

__all__ = ["NEEDS", "check_odata", "check_permissions", "check_reads"]

API = "/new/v2.0"
ACL = f"{API}/users/me/acl"
PAGE = {"limit": 25}
#: (where: "project" rights, "org" rights or "role", name, operation, role to grant, commands).
NEEDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("project", "flows", "read", "the Project role basic", "export, and every command's reads"),
    ("project", "intents", "read", "the Project role basic", "export"),
    ("project", "lexicons", "read", "the Project role basic", "export"),
    ("project", "connections", "read", "the Project role basic", "export"),
    ("project", "endpoints", "read", "the Project role basic", "promote: health, sessions gates"),
    ("project", "packages", "create", "the Project role packages_admin",
     "export --archive, promote (merge)"),
    ("project", "tasks", "read", "the Project role basic (not verified)",
     "export --archive, promote"),
    ("project", "playbooks", "create", "the Project role playbook_admin",
     "promote: the simulation gate, smoke tests"),
    ("project", "snapshots", "create", "the Project role snapshot_admin",
     "promote: rollback point, repoint"),
    ("project", "snapshots", "delete", "the Project role snapshot_admin",
     "promote: at the snapshot limit"),
    ("project", "flows", "update", "the Project role flowEditor", "promote: re-map after merge"),
    ("project", "endpoints", "update", "the Project role endpoint_admin",
     "promote --mechanism repoint"),
    ("role", "projectAdmin", "", "the Project role projectAdmin",
     "promote (merge): restoring a snapshot on rollback"),
    ("org", "analyticsOdata", "read", "the global role odata", "promote: the sessions gate"),
)  # fmt: skip


def _allowed(entry: Any, where: str, name: str, op: str) -> bool:
    if not isinstance(entry, dict):
        return False
    if where == "role":
        roles = entry.get("roles")
        return isinstance(roles, list) and name in roles
    rights = entry.get("rights")
    crud = rights.get(name) if isinstance(rights, dict) else None
    return isinstance(crud, dict) and crud.get(op) is True


async def check_permissions(client: VendorClient, report: Report) -> None:
    """One ``permission`` line per entry of :data:`NEEDS`, across every project the key sees."""
    try:
        acl = await client.get_json(ACL)
    except AuthError:
        raise
    except VendorError as exc:
        for _, name, op, role, who in NEEDS:
            report.add(
                Check("permission", f"{name}:{op}" if op else name, "unchecked",
                      f"{ACL} refused ({exc.status}): the reads below show a missing read "
                      "right as a 403", needed_by=who, grant=f"grant {role}")
            )  # fmt: skip
        return
    projects = acl.get("projectWide")
    projects = list(projects.values()) if isinstance(projects, dict) else []
    org = acl.get("organisationWide")
    for where, name, op, role, who in NEEDS:
        label = f"{name}:{op}" if op else f"role {name}"
        scopes = [org] if where == "org" else projects
        lacking = sum(1 for entry in scopes if not _allowed(entry, where, name, op))
        status: Status
        if not scopes:
            note, status = "the key sees no project", "missing"
        elif lacking:
            status = "missing"
            note = (
                "organisation-wide" if where == "org" else f"in {lacking} of {len(scopes)} projects"
            )
        else:
            note, status = "", "ok"
        report.add(
            Check("permission", label, status, note, needed_by=who,
                  grant="" if status == "ok" else f"grant {role} (docs/connect/cognigy.md)")
        )  # fmt: skip


async def check_odata(
    settings: ConnectionSettings,
    report: Report,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """The profile's OData analytics endpoint (the ``sessions`` gate), when it names one: one
    session read with ``odata_key`` (``$top=1``), its fields checked; a refused key is the
    missing ``odata`` global role of its user."""
    found = connect_odata(settings, transport=transport)
    if found is None:
        return
    client, key = found
    params = {"$top": 1, "$select": "sessionId", "apikey": key}
    async with client:
        await fetch(client, report, reads.ODATA_SESSIONS, f"/{ODATA_VERSION}/Sessions", params)
    ok = report.checks[-1].status in ("ok", "skipped")
    report.add(
        Check("permission", "odata_key: OData Sessions", "ok" if ok else "missing",
              needed_by="promote: the sessions gate (target)",
              grant="" if ok else "give odata_key's user the global role odata, and check "
              "odata_url (docs/connect/cognigy.md)")
    )  # fmt: skip


async def check_reads(client: VendorClient, report: Report, project: str | None) -> None:
    """Fetch one project and one of each of its objects the export reads; check each answer
    against :mod:`cxops.vendors.reads.cognigy` (``project``: its name or id, else the first)."""
    page = await fetch(client, report, reads.PROJECTS, f"{API}/projects", PAGE)
    rows = [r for r in (page or {}).get("items") or [] if isinstance(r, dict)]
    chosen = next((r for r in rows if project in (r.get("_id"), r.get("name"))), None)
    pid = (chosen or (rows[0] if rows and project is None else {})).get("_id")
    steps = reads.ANSWERS[1:]
    if not isinstance(pid, str):
        for spec in steps:
            skipped(report, spec, "no project to read" if project is None else "no such project")
        return
    await fetch(client, report, reads.PROJECT, f"{API}/projects/{seg(pid)}")
    scoped = {**PAGE, "projectId": pid}
    flow = first(await fetch(client, report, reads.FLOWS, f"{API}/flows", scoped), "items")
    fid = (flow or {}).get("_id")
    if isinstance(fid, str):
        base = f"{API}/flows/{seg(fid)}"
        await fetch(client, report, reads.FLOW, base)
        node = first(await fetch(client, report, reads.CHART, f"{base}/chart"), "nodes")
        nid = (node or {}).get("_id")
        if isinstance(nid, str):
            await fetch(client, report, reads.NODE, f"{base}/chart/nodes/{seg(nid)}")
        else:
            skipped(report, reads.NODE, "the flow's chart has no node")
        intent = first(await fetch(client, report, reads.INTENTS, f"{base}/intents", PAGE), "items")
        iid = (intent or {}).get("_id")
        if isinstance(iid, str):
            url = f"{base}/intents/{seg(iid)}/sentences"
            await fetch(client, report, reads.SENTENCES, url, PAGE)
        else:
            skipped(report, reads.SENTENCES, "the flow has no intent")
    else:
        for spec in (reads.FLOW, reads.CHART, reads.NODE, reads.INTENTS, reads.SENTENCES):
            skipped(report, spec, "the project has no flow")
    for listing, one, kind in (
        (reads.LEXICONS, reads.LEXICON, "lexicons"),
        (reads.CONNECTIONS, reads.CONNECTION, "connections"),
    ):
        row = first(await fetch(client, report, listing, f"{API}/{kind}", scoped), "items")
        rid = (row or {}).get("_id")
        if not isinstance(rid, str):
            skipped(report, one, f"the project has no {kind}")
            if kind == "lexicons":
                skipped(report, reads.KEYPHRASES, "the project has no lexicons")
            continue
        await fetch(client, report, one, f"{API}/{kind}/{seg(rid)}")
        if kind == "lexicons":
            url = f"{API}/lexicons/{seg(rid)}/keyphrases"
            await fetch(client, report, reads.KEYPHRASES, url, PAGE)
