"""``GET script-folders?folder=&skip=&top=``: the scripts and sub-folders of one Studio folder.

Shape from a public TypeScript CXone admin client (``getScriptsFolders``): ``{totalRecords,
businessUnitId, _links, scriptList[{scriptName, status, masterID, createDate, modifyDate,
mediaType, mediaTypeName, size, isFolder, hidden, readOnly, scriptLockingType, lockedBy,
modifiedBy}]}``. Folders are Studio's unit of organisation (cxops maps them to projects).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator.context import EmulatorContext
from cxops.emulator.cxone.paging import PagingError, page_of
from cxops.emulator.cxone.scripts import BASE, READ, VENDOR, admit, error
from cxops.emulator.cxone.store import CxoneTenant, normalize_path


def _rows(unit: CxoneTenant, folder: str) -> list[dict[str, Any]] | None:
    """Entries directly inside ``folder`` ("" = root), folders first; None if it does not exist."""
    prefix = folder.lower() + "\\" if folder else ""
    folders: dict[str, str] = {}
    scripts: list[dict[str, Any]] = []
    for path in unit.paths():
        if not path.lower().startswith(prefix):
            continue
        rest = path[len(prefix) :]
        if "\\" in rest:
            name = rest.split("\\", 1)[0]
            folders.setdefault(name.lower(), path[: len(prefix) + len(name)])
            continue
        versions = unit.scripts[path]
        current = versions[-1]
        lock = current.script["header"].get("lockInfo") or {}
        scripts.append(
            {
                "scriptName": path,
                "status": unit.status(path, current),
                "masterID": current.master_id,
                "createDate": versions[0].modify_date,
                "modifyDate": current.modify_date,
                "mediaType": current.script["header"].get("mediaType", 4),
                "mediaTypeName": current.script["header"].get("mediaTypeName", "Phone"),
                "size": len(json.dumps(current.script)),
                "isFolder": False,
                "hidden": False,
                "readOnly": False,
                "scriptLockingType": "Locked" if lock.get("lockedName") else "Unlocked",
                "lockedBy": lock.get("lockedName", ""),
                "modifiedBy": current.modify_user,
            }
        )
    if folder and not folders and not scripts:
        return None
    entries = [
        {"scriptName": full, "isFolder": True, "hidden": False, "readOnly": False}
        for _key, full in sorted(folders.items())
    ]
    return entries + scripts


def folder_routes(ctx: EmulatorContext, tenant: str) -> list[Route]:
    """The ``script-folders`` route of one business unit."""

    async def script_folders(request: Request) -> Response:
        who = admit(ctx, request, tenant, READ)
        if isinstance(who, Response):
            return who
        try:
            page = page_of(request)
        except PagingError as exc:
            return error(400, str(exc))
        unit: CxoneTenant = ctx.tenant(VENDOR, tenant)
        folder = normalize_path(request.query_params.get("folder", ""))
        rows = _rows(unit, folder)
        if rows is None:
            return error(404, f"Folder '{folder}' was not found")
        if not rows:
            return Response(status_code=204)
        return JSONResponse(
            {
                "totalRecords": len(rows),
                "businessUnitId": unit.bus_no,
                "_links": page.links(request, len(rows)),
                "scriptList": page.slice(rows),
            }
        )

    return [Route(f"{BASE}/script-folders", script_folders, methods=["GET"])]
