"""Fetch the emulator's fixture tenants as native project documents, over real HTTP (httpx).

Shared by the fixture-flaw tests; deliberately independent of cxops' own client code.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx


def _pages(client: httpx.Client, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    skip = 0
    while True:
        body = client.get(url, params={**params, "limit": 100, "skip": skip}).raise_for_status()
        page = body.json()
        items += page["items"]
        skip += len(page["items"])
        if not page["items"] or skip >= page["total"]:
            return items


def _task(c: httpx.Client, api: str, task: dict[str, Any]) -> dict[str, Any]:
    for _ in range(2000):
        body: dict[str, Any] = c.get(f"{api}/tasks/{task['_id']}").raise_for_status().json()
        if body["status"] == "done":
            return body
        assert body["status"] in ("queued", "active"), body
    raise AssertionError("task never finished")


def cognigy_projects(base: str, tenant: str) -> list[dict[str, Any]]:
    """Every project of a Cognigy tenant, read from a packaged snapshot of each (content.json:
    flows with full charts and intents, lexicons, connections). Speed the emulator clock up."""
    api = f"{base}/new/v2.0"
    out = []
    with _client({"X-API-Key": f"cognigy-{tenant}-admin-apikey"}) as c:
        for project in _pages(c, f"{api}/projects"):
            pid = project["_id"]
            made = c.post(f"{api}/snapshots", json={"projectId": pid, "name": "cxops-test"})
            _task(c, api, made.raise_for_status().json())
            # A task's data never names what it made: the snapshot is found by its name.
            rows = c.get(f"{api}/snapshots", params={"projectId": pid, "limit": 100}).json()
            snap = next(r["_id"] for r in rows["items"] if r["name"] == "cxops-test")
            _task(c, api, c.post(f"{api}/snapshots/{snap}/package").raise_for_status().json())
            link = c.post(f"{api}/snapshots/{snap}/downloadlink").raise_for_status().json()
            url = link["downloadLink"]
            data = c.get(url if url.startswith("http") else f"{base}{url}").raise_for_status()
            with zipfile.ZipFile(io.BytesIO(data.content)) as zf:
                content = json.loads(zf.read("content.json"))
            out.append(
                {
                    "project": project,
                    "flows": list(content["flows"].values()),
                    "lexicons": list(content.get("lexicons", {}).values()),
                    "connections": list(content.get("connections", {}).values()),
                }
            )
    return out


def _client(headers: dict[str, str]) -> httpx.Client:
    # Keep-alive is fine: the emulator's server sets TCP_NODELAY (emulator/server.py).
    return httpx.Client(headers=headers, timeout=30)


def cxone_scripts(base: str, tenant: str) -> dict[str, Any]:
    """Every current script of a CXone business unit, as ``{"scripts": [...]}``."""
    token = (
        httpx.post(
            f"{base}/auth/token",
            data={
                "grant_type": "password",
                "username": f"cxone-{tenant}-admin-key",
                "password": f"cxone-{tenant}-admin-key-secret",
            },
            auth=(f"cxone-{tenant}-app", f"cxone-{tenant}-app-secret"),
        )
        .raise_for_status()
        .json()["access_token"]
    )
    api = f"{base}/inContactAPI/services/v31.0"
    scripts = []
    with _client({"Authorization": f"Bearer {token}"}) as c:
        skip = 0
        while True:
            r = c.get(f"{api}/scripts/search", params={"skip": skip, "top": 100})
            if r.status_code == 204:
                break
            page = r.raise_for_status().json()
            rows = page["scriptSearchDetails"]
            for row in rows:
                got = c.get(f"{api}/scripts", params={"scriptPath": row["scriptName"]})
                scripts.append(got.raise_for_status().json())
            skip += len(rows)
            if not rows or skip >= page["totalRecords"]:
                break
    return {"scripts": scripts}


def genesys_divisions(base: str, tenant: str) -> list[dict[str, Any]]:
    """Every flow of a Genesys org grouped by division: configuration, versions, consumed."""
    token = (
        httpx.post(
            f"{base}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(f"genesys-{tenant}-admin", f"genesys-{tenant}-admin-secret"),
        )
        .raise_for_status()
        .json()["access_token"]
    )
    api = f"{base}/api/v2"
    divisions: dict[str, dict[str, Any]] = {}
    with _client({"Authorization": f"Bearer {token}"}) as c:
        page_number = 1
        while True:
            page = c.get(f"{api}/flows", params={"pageNumber": page_number, "pageSize": 100})
            body = page.raise_for_status().json()
            for flow in body["entities"]:
                fid = flow["id"]
                versions = c.get(f"{api}/flows/{fid}/versions", params={"pageSize": 100})
                vlist = versions.raise_for_status().json()["entities"]
                vid = (flow.get("publishedVersion") or {}).get("id") or vlist[0]["id"]
                config = c.get(f"{api}/flows/{fid}/versions/{vid}/configuration")
                consumed = c.get(
                    f"{api}/architect/dependencytracking/consumedresources",
                    params={
                        "id": fid,
                        "version": vid,
                        "objectType": _object_type(flow),
                        "pageSize": 100,
                    },
                )
                division = flow.get("division") or {"id": "default", "name": "default"}
                group = divisions.setdefault(division["id"], {"division": division, "flows": []})
                group["flows"].append(
                    {
                        "flow": flow,
                        "version": vid,
                        "configuration": config.raise_for_status().json(),
                        "versions": vlist,
                        "consumed": consumed.raise_for_status().json()["entities"],
                    }
                )
            if page_number >= body.get("pageCount", 1):
                break
            page_number += 1
    return [divisions[k] for k in sorted(divisions)]


def _object_type(flow: dict[str, Any]) -> str:
    return {
        "INBOUNDCALL": "INBOUNDCALLFLOW",
        "INQUEUECALL": "INQUEUECALLFLOW",
        "COMMONMODULE": "COMMONMODULEFLOW",
        "DIGITALBOT": "DIGITALBOTFLOW",
        "BOT": "BOTFLOW",
        "INBOUNDCHAT": "INBOUNDCHATFLOW",
        "OUTBOUNDCALL": "OUTBOUNDCALLFLOW",
    }.get(str(flow.get("type")), f"{flow.get('type')}FLOW")
