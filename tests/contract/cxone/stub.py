"""A second, independent picture of NICE CXone Studio, written from the public evidence
(tests/contract/cxone/evidence.py names it), not from cxops' emulator: where the evidence
allows more than one form, this stub takes the *other* one, so the client is judged on both.

- token (``POST /auth/token``): ``access_token, token_type, expires_in, refresh_token,
  id_token``; discovery with ``api_endpoint``, ``uhDomain``, ``acdDomain``, ``area``.
- search: rows of every status **even by default** (the public MCP server filters on
  ``status === 'CURR'`` after a default search), ``skip``/``top`` pages of at most 100.
- save: the answer at the **top level** (``{success, masterID, libraryId, error_code}``, no
  ``results`` list), totals as numbers, keys as free text where the evidence has free text
  (``action-not-available``, ``not wired``); a refusal carries no ``masterID`` at all.
- history: ``{"scriptHistory": [versions]}`` (the list itself wrapped), never paged.

Validation is this stub's own small rule set: an unknown action type is an error
``action-not-available``; an IF whose ``Expression`` has unbalanced brackets is an error
``EXPRESSION_SYNTAX``; ``TTS`` warns ``DEPRECATED_ACTION``; an action other than
HANGUP/END/RETURN/RUNSCRIPT with no branch warns ``not wired``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KNOWN = {"BEGIN", "PLAY", "MENU", "IF", "HANGUP", "END", "RETURN", "RUNSCRIPT", "RUNSUB", "TTS"}
ENDS = {"HANGUP", "END", "RETURN", "RUNSCRIPT"}
API = "/inContactAPI/services/{version}"


@dataclass
class Stored:
    path: str
    versions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    active: bool = True


@dataclass
class StubTenant:
    """The stub's state; tests read ``saves`` and ``requests`` and flip the options."""

    base: str = "http://stub.test"
    scripts: dict[str, Stored] = field(default_factory=dict)
    next_id: int = 9_000_001
    saves: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    garble_next_save: bool = False

    def put(self, script: dict[str, Any], *, active: bool = True) -> int:
        path = str(script["header"]["scriptName"])
        stored = self.scripts.setdefault(path.lower(), Stored(path))
        master = self.next_id
        self.next_id += 1
        body = copy.deepcopy(script)
        body["header"]["masterId"] = master
        stored.versions.append((master, body))
        stored.active = active
        return master

    def find(self, path: str) -> Stored | None:
        return self.scripts.get(path.replace("/", "\\").strip("\\").lower())


def _props(script: dict[str, Any], key: str) -> dict[str, Any]:
    raw = (script.get("properties") or {}).get(key) or {}
    return {p.get("name"): p.get("value") for p in raw.values() if isinstance(p, dict)}


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check(script: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{action id: {actionType, errors, warnings}}`` by the stub's rules."""
    out: dict[str, dict[str, Any]] = {}
    for key, action in (script.get("actions") or {}).items():
        kind = str(action.get("name", ""))
        errors, warnings = [], []
        if kind not in KNOWN:
            errors.append({"key": "action-not-available"})
        if kind == "IF" and not _balanced(str(_props(script, key).get("Expression", ""))):
            errors.append({"key": "EXPRESSION_SYNTAX"})
        if kind == "TTS":
            warnings.append({"key": "DEPRECATED_ACTION"})
        if kind not in ENDS and not (script.get("branches") or {}).get(key):
            warnings.append({"key": "not wired"})
        if errors or warnings:
            out[str(key)] = {"actionType": kind, "errors": errors, "warnings": warnings}
    return out


def create_stub(tenant: StubTenant) -> Starlette:
    """The stub as an ASGI app (serve it with ``httpx.ASGITransport``)."""

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "password" or not form.get("username"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return JSONResponse(
            {"access_token": "stub-access", "token_type": "bearer", "expires_in": 3600,
             "refresh_token": "stub-refresh", "id_token": "e30.e30.", }
        )  # fmt: skip

    async def discovery(request: Request) -> Response:
        return JSONResponse(
            {"private": False, "ui_endpoint": tenant.base, "auth_endpoint": tenant.base,
             "api_endpoint": tenant.base, "area": "na1", "cluster": "C31",
             "domain": "niceincontact.com", "acdDomain": "nice-incontact.com",
             "uhDomain": "niceincontact.com",
             "tenantId": request.query_params.get("tenantId", "")}
        )  # fmt: skip

    def seen(request: Request) -> None:
        tenant.requests.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")

    async def search(request: Request) -> Response:
        seen(request)
        name = (request.query_params.get("scriptName") or "").lower()
        skip = int(request.query_params.get("skip") or 0)
        top = min(int(request.query_params.get("top") or 100), 100)
        rows = []
        for stored in sorted(tenant.scripts.values(), key=lambda s: s.path.lower()):
            if name and name not in stored.path.lower():
                continue
            master = stored.versions[-1][0]
            rows.append(
                {"masterID": master, "busNo": 4_600_001, "scriptName": stored.path,
                 "status": "CURR" if stored.active else "INAC", "mediaType": 4,
                 "modifyDate": "2026-01-05T09:00:00Z", "mUser": "stub"}
            )  # fmt: skip
        if not rows:
            return Response(status_code=204)
        page = rows[skip : skip + top]
        return JSONResponse({"totalRecords": len(rows), "scriptSearchDetails": page})

    async def get_script(request: Request) -> Response:
        seen(request)
        path, wanted = request.query_params.get("scriptPath"), request.query_params.get("scriptId")
        for stored in tenant.scripts.values():
            for master, body in stored.versions:
                if (path and tenant.find(path) is stored and master == stored.versions[-1][0]) or (
                    wanted and str(master) == wanted
                ):
                    return JSONResponse(body)
        return JSONResponse({"message": "Script not found"}, status_code=404)

    async def save(request: Request) -> Response:
        seen(request)
        script = json.loads(await request.body())["scriptContent"]
        actions = check(script)
        errors = sum(len(a["errors"]) for a in actions.values())
        warnings = sum(len(a["warnings"]) for a in actions.values())
        details = {"totalErrors": errors, "totalWarnings": warnings, "actions": actions}
        if errors:
            body = {"success": False, "libraryId": "", "error_code": {"details": details}}
            return JSONResponse(body, status_code=409)
        master = tenant.put(script)
        tenant.saves.append(str(script["header"]["scriptName"]))
        if tenant.garble_next_save:
            tenant.garble_next_save = False
            return Response(b"<html>gateway", status_code=200, media_type="text/html")
        body = {"success": True, "masterID": master, "libraryId": "",
                "error_code": {"details": details}}  # fmt: skip
        return JSONResponse(body, status_code=206 if warnings else 200)

    async def history(request: Request) -> Response:
        seen(request)
        stored = tenant.find(request.query_params.get("scriptPath", ""))
        if stored is None:
            return JSONResponse({"message": "Script not found"}, status_code=404)
        rows = [
            {"scriptId": master, "modifyDate": f"2026-01-{1 + i % 28:02d}T00:00:00Z",
             "modifyUser": "stub", "status": "CURR" if i == 0 else "HIST"}
            for i, (master, _body) in enumerate(reversed(stored.versions))
        ]  # fmt: skip
        return JSONResponse({"scriptHistory": rows})

    async def delete(request: Request) -> Response:
        seen(request)
        stored = tenant.find(request.query_params.get("scriptPath", ""))
        if stored is None:
            return JSONResponse({"message": "Script not found"}, status_code=404)
        del tenant.scripts[stored.path.lower()]
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/auth/token", token, methods=["POST"]),
            Route("/.well-known/cxone-configuration", discovery, methods=["GET"]),
            Route(f"{API}/scripts/search", search, methods=["GET"]),
            Route(f"{API}/scripts/historyByName", history, methods=["GET"]),
            Route(f"{API}/scripts", get_script, methods=["GET"]),
            Route(f"{API}/scripts", save, methods=["POST"]),
            Route(f"{API}/scripts", delete, methods=["DELETE"]),
        ]
    )
