"""Studio script routes under ``/inContactAPI/services/vNN.0/``: search, get, save, history,
lock and delete.

Shapes (documented with their sources in docs/emulator/cxone.md): ``scripts/search`` answers
``{totalRecords, busNo, _links, scriptSearchDetails[]}`` and pages with ``skip``/``top``;
``scripts`` answers the script JSON; ``POST scripts`` validates and answers 200 / 206 / 409 with
the batch-shaped save answer (:mod:`.answers`); ``scripts/historyByName`` lists every version at
once (no paging parameters, no total).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator import guard, problems
from cxops.emulator.context import EmulatorContext
from cxops.emulator.cxone.answers import history_answer, save_answer
from cxops.emulator.cxone.paging import PagingError, page_of
from cxops.emulator.cxone.store import CxoneTenant, Version
from cxops.emulator.cxone.validate import ERROR, shape_error, validate
from cxops.emulator.tokens import Principal

VENDOR = "cxone"
READ, WRITE = "scripts:read", "scripts:write"
BASE = "/inContactAPI/services/{version}"
_VERSION = re.compile(r"v\d+\.0")


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return problems.error_response(VENDOR, status, message, **extra)


def _summary(unit: CxoneTenant, path: str, version: Version) -> dict[str, Any]:
    """One ``scriptSearchDetails`` row: exactly the fields of the public typings."""
    header = version.script["header"]
    return {
        "masterID": version.master_id,
        "busNo": unit.bus_no,
        "scriptName": path,
        "status": unit.status(path, version),
        "mediaType": header.get("mediaType", 4),
        "modifyDate": version.modify_date,
        "mUser": version.modify_user,
    }


def _flag(raw: str | None) -> bool | None:
    """A boolean query value (``true``/``false``, any case), None when absent."""
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise PagingError(f"Invalid value for includeInactive: '{raw}' is not true or false")


def admit(ctx: EmulatorContext, request: Request, tenant: str, scope: str) -> Principal | Response:
    """The caller of an API-host route, or the error to send: an unknown ``vNN.0`` is 404, then
    the guard's 401/403/429."""
    if not _VERSION.fullmatch(request.path_params["version"]):
        return error(404, f"API version {request.path_params['version']} does not exist")
    return guard.authenticate(ctx, request, VENDOR, tenant, scope)


def script_routes(ctx: EmulatorContext, tenant: str) -> list[Route]:
    """The script routes of one business unit (the tenant is looked up per request, because an
    emulator reset rebuilds it)."""

    def unit() -> CxoneTenant:
        found: CxoneTenant = ctx.tenant(VENDOR, tenant)
        return found

    def enter(request: Request, scope: str) -> Principal | Response:
        return admit(ctx, request, tenant, scope)

    async def search(request: Request) -> Response:
        """``GET scripts/search?scriptName=&mediaType=&includeInactive=&skip=&top=``: the
        current version of each script; inactive ones only with ``includeInactive=true``."""
        who = enter(request, READ)
        if isinstance(who, Response):
            return who
        query = request.query_params
        try:
            page = page_of(request)
            inactive_too = bool(_flag(query.get("includeInactive")))
        except PagingError as exc:
            return error(400, str(exc))
        media = query.get("mediaType")
        if media and not media.isdigit():
            return error(400, f"Invalid value for mediaType: '{media}' is not an integer")
        bu = unit()
        name = (query.get("scriptName") or "").lower()
        rows = [
            _summary(bu, path, bu.scripts[path][-1])
            for path in bu.paths()
            if name in path.lower()
            and (inactive_too or bu.is_active(path))
            and (not media or str(bu.scripts[path][-1].script["header"].get("mediaType")) == media)
        ]
        if not rows:
            return Response(status_code=204)  # CXone answers an empty result with 204
        return JSONResponse(
            {
                "totalRecords": len(rows),
                "busNo": bu.bus_no,
                "_links": page.links(request, len(rows)),
                "scriptSearchDetails": page.slice(rows),
            }
        )

    async def get_script(request: Request) -> Response:
        """``GET scripts?scriptPath=`` (current version) or ``?scriptId=<masterID>``."""
        who = enter(request, READ)
        if isinstance(who, Response):
            return who
        bu = unit()
        path_q, id_q = request.query_params.get("scriptPath"), request.query_params.get("scriptId")
        if path_q:
            path = bu.resolve(path_q)
            if path is None:
                return error(404, f"Script '{path_q}' was not found")
            return JSONResponse(bu.document(path, bu.scripts[path][-1]))
        if id_q:
            found = bu.by_master(int(id_q)) if id_q.isdigit() else None
            if found is None:
                return error(404, f"Script with id {id_q} was not found")
            return JSONResponse(bu.document(*found))
        return error(400, "scriptPath or scriptId is required")

    async def history(request: Request) -> Response:
        """``GET scripts/historyByName?scriptPath=``: every version, newest first, in one answer
        (the live endpoint takes no paging parameters: ``skip``/``top`` are ignored)."""
        who = enter(request, READ)
        if isinstance(who, Response):
            return who
        bu = unit()
        asked = request.query_params.get("scriptPath")
        if not asked:
            return error(400, "scriptPath is required")
        path = bu.resolve(asked)
        if path is None:
            return error(404, f"Script '{asked}' was not found")
        return JSONResponse(history_answer(bu, path))

    async def save(request: Request) -> Response:
        """``POST scripts``: validate, then store as a new version (200/206) or refuse (409)."""
        who = enter(request, WRITE)
        if isinstance(who, Response):
            return who
        bu = unit()
        if bu.inflight >= bu.max_concurrent_saves:
            # Studio's save service limits concurrent validations per business unit; CXone
            # sends no Retry-After, so clients must back off on their own (VENDORS.md).
            return error(
                429,
                f"Too many requests: at most {bu.max_concurrent_saves} script saves may run "
                "at once for this business unit",
            )
        bu.inflight += 1
        try:
            return await _save(request, bu, who)
        finally:
            bu.inflight -= 1

    async def _save(request: Request, bu: CxoneTenant, who: Principal) -> Response:
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error(400, "Request body is not valid JSON")
        script = body.get("scriptContent", body) if isinstance(body, dict) else body
        why = shape_error(script)
        if why is not None:
            return error(400, why)
        # The save takes time on the emulator clock (sped-up clocks make it shorter in real time).
        await asyncio.sleep(bu.save_seconds / ctx.clock.speed)
        found = validate(script, bu.exists)
        warned = any(p.severity != ERROR for p in found)
        if any(p.severity == ERROR for p in found):
            return JSONResponse(save_answer(script, found, 0), status_code=409)
        user = who.credential.access_key_id or who.client
        version = bu.commit(script, ctx.clock.iso(), user)
        request.state.effect = "cxone.script.save"
        request.state.resource = version.script["header"]["scriptName"]
        return JSONResponse(
            save_answer(version.script, found, version.master_id),
            status_code=206 if warned else 200,
        )

    async def lock(request: Request) -> Response:
        """``PUT scripts?scriptPath=&lockScript=true|false``: Studio's edit lock (recorded in
        ``header.lockInfo``; the emulator does not refuse saves of locked scripts)."""
        who = enter(request, WRITE)
        if isinstance(who, Response):
            return who
        bu = unit()
        asked = request.query_params.get("scriptPath", "")
        flag = request.query_params.get("lockScript", "").lower()
        path = bu.resolve(asked) if asked else None
        if path is None:
            return error(404, f"Script '{asked}' was not found")
        if flag not in ("true", "false"):
            return error(400, "lockScript must be true or false")
        user = who.credential.access_key_id or who.client
        info = {"lockedName": user, "lockedId": user, "lockedDate": ctx.clock.iso()}
        blank = dict.fromkeys(info, "")
        bu.scripts[path][-1].script["header"]["lockInfo"] = info if flag == "true" else blank
        request.state.effect = "cxone.script.lock" if flag == "true" else "cxone.script.unlock"
        request.state.resource = path
        return JSONResponse(
            {
                "errorState": False,
                "errorMessage": "",
                "lockUnlockResult": "Locked" if flag == "true" else "Unlocked",
            }
        )

    async def delete(request: Request) -> Response:
        """``DELETE scripts?scriptPath=``: the script and its history are gone (callers of it
        then fail validation with SCRIPT_NOT_FOUND)."""
        who = enter(request, WRITE)
        if isinstance(who, Response):
            return who
        bu = unit()
        asked = request.query_params.get("scriptPath", "")
        path = bu.resolve(asked) if asked else None
        if path is None:
            return error(404, f"Script '{asked}' was not found")
        bu.remove(path)
        request.state.effect = "cxone.script.delete"
        request.state.resource = path
        return Response(status_code=204)

    return [
        Route(f"{BASE}/scripts/search", search, methods=["GET"]),
        Route(f"{BASE}/scripts/historyByName", history, methods=["GET"]),
        Route(f"{BASE}/scripts", get_script, methods=["GET"]),
        Route(f"{BASE}/scripts", save, methods=["POST"]),
        Route(f"{BASE}/scripts", lock, methods=["PUT"]),
        Route(f"{BASE}/scripts", delete, methods=["DELETE"]),
    ]
