"""NICE CXone Studio read side: ``scripts/search`` (skip/top; 204 = nothing) → ``GET
scripts?scriptPath=`` for each script → ``cxops.model.native.cxone``.

Search rows carry a ``status``; only ``CURR`` rows are the live scripts (public clients filter
on ``status === 'CURR'``; docs/emulator/cxone.md), so other rows are left out. With
``include_inactive`` the search asks ``includeInactive=true`` and also lists the scripts that
have no live row; their paths are in :attr:`CxoneAdapter.inactive` (compile never saves them).

A project is a top-level script folder (``Main\\IVR_Main`` is in project ``Main``); scripts at
the root belong to project ``default``. Scripts are sorted by path before conversion, so page
order never changes the bundle. ``archive_project`` builds a zip of the scripts' JSON (CXone has
no export file of its own): fixed member dates, so the same scripts give the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Collection, Mapping
from typing import Any

from cxops.model.bundle import Bundle
from cxops.model.layout import flow_file_name
from cxops.model.native import cxone as native
from cxops.model.native.cxone_answers import is_live
from cxops.transport import VendorClient, cxone_pages
from cxops.vendors.base import (
    FlowRef,
    Progress,
    ProjectRef,
    Skip,
    Stamps,
    each_flow,
    pick_flows,
    stamp_of,
)
from cxops.vendors.concurrently import map_all
from cxops.vendors.reads import cxone as reads

__all__ = ["ROOT_PROJECT", "CxoneAdapter", "project_of"]

API = "/inContactAPI/services/v31.0"
ROOT_PROJECT = "default"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def project_of(script_path: str) -> str:
    """The top-level folder of a script path (``/`` counts as ``\\``), or ``default``."""
    head, sep, _ = script_path.replace("/", "\\").partition("\\")
    return head if sep and head else ROOT_PROJECT


class CxoneAdapter:
    """Reads CXone Studio scripts grouped by top-level folder; see the module doc."""

    name = "cxone"

    def __init__(
        self, client: VendorClient, tenant: str, *, include_inactive: bool = False
    ) -> None:
        self.client = client
        self.tenant = tenant
        self.include_inactive = include_inactive
        #: Paths listed only as inactive by the last search (``include_inactive`` only).
        self.inactive: set[str] = set()
        #: The rows of the last search (:meth:`stamps` reuses them: one search per plan).
        self._rows: list[dict[str, Any]] | None = None

    async def _search(self) -> list[dict[str, Any]]:
        params = {"includeInactive": "true"} if self.include_inactive else None
        live: dict[str, dict[str, Any]] = {}
        retired: dict[str, dict[str, Any]] = {}
        async for row in cxone_pages(
            self.client, f"{API}/scripts/search", "scriptSearchDetails", params
        ):
            reads.SEARCH.require_item(row)  # tolerant: a problem is logged, the row skipped
            if isinstance(row, dict) and isinstance(row.get("scriptName"), str):
                path = str(row["scriptName"])
                (live if is_live(row) else retired).setdefault(path, row)
        self.inactive = set(retired) - set(live) if self.include_inactive else set()
        rows = list(live.values()) + [retired[p] for p in sorted(self.inactive)]
        self._rows = sorted(rows, key=lambda r: str(r["scriptName"]))
        return self._rows

    async def list_projects(self) -> list[ProjectRef]:
        """Every top-level folder that holds a script (``default`` for the root), sorted."""
        names = sorted({project_of(r["scriptName"]) for r in await self._search()})
        return [ProjectRef(id=n, name=n) for n in names]

    async def list_flows(self, project: ProjectRef) -> list[FlowRef]:
        """Every script of the folder: id = the script path, the name without the folder as
        an alias, and the current ``masterID`` too."""
        out = []
        for row in await self._search():
            path = str(row["scriptName"])
            if project_of(path) != project.id:
                continue
            short = path.replace("/", "\\").rpartition("\\")[2]
            aliases = tuple(a for a in (short, str(row.get("masterID") or "")) if a and a != path)
            out.append(FlowRef(id=path, name=path, aliases=aliases))
        return out

    async def _script(self, path: str) -> dict[str, Any]:
        doc: dict[str, Any] = reads.SCRIPT.require(
            await self.client.get_json(f"{API}/scripts", params={"scriptPath": path})
        )
        return doc

    async def export_project(
        self,
        project: ProjectRef,
        *,
        flows: Collection[str] | None = None,
        on_progress: Progress | None = None,
        on_skip: Skip | None = None,
    ) -> Bundle:
        """The folder's scripts as a bundle (project = the folder)."""
        picked = pick_flows(await self.list_flows(project), flows)
        done = 0

        async def one(ref: FlowRef) -> dict[str, Any]:
            nonlocal done
            script = await self._script(ref.id)
            done += 1
            if on_progress is not None:
                on_progress("scripts", done, len(picked))
            return script

        if on_progress is not None:
            on_progress("scripts", 0, len(picked))
        scripts = await each_flow(one, picked, on_skip)
        ordered = sorted(scripts, key=lambda s: str((s.get("header") or {}).get("scriptName")))
        return native.to_bundle({"scripts": ordered}, tenant=self.tenant, project=project.key)

    async def stamps(
        self, projects: Collection[ProjectRef], owners: Mapping[tuple[str, str], str] | None = None
    ) -> dict[str, Stamps]:
        """Per folder: each live script's ``masterID`` and ``modifyDate`` (search rows; every
        save mints a new ``masterID``), from the search :meth:`list_projects` just made (or
        one search of the business unit). The rows name their folder: ``owners`` is not
        needed."""
        out: dict[str, Stamps] = {p.id: {"flows": {}, "project": None} for p in projects}
        for row in self._rows if self._rows is not None else await self._search():
            folder = project_of(str(row["scriptName"]))
            if folder in out:
                stamp = stamp_of([row.get("masterID"), row.get("modifyDate")], row)
                out[folder]["flows"][str(row["scriptName"])] = stamp
        return out

    async def export_changes(
        self, project: ProjectRef, previous: Bundle, fetch: Collection[str]
    ) -> Bundle:
        """The folder with only ``fetch`` (and new scripts) read again."""
        before = native.to_native(previous).get("scripts") or []
        kept = {str(s["header"]["scriptName"]): s for s in before}
        wanted = set(fetch)

        async def one(ref: FlowRef) -> dict[str, Any]:
            if ref.id in wanted or ref.id not in kept:
                return await self._script(ref.id)
            return dict(kept[ref.id])

        scripts = await map_all(one, await self.list_flows(project))
        ordered = sorted(scripts, key=lambda s: str((s.get("header") or {}).get("scriptName")))
        return native.to_bundle({"scripts": ordered}, tenant=self.tenant, project=project.key)

    async def archive_project(self, project: ProjectRef) -> tuple[str, bytes]:
        """A zip of every script's JSON as the vendor served it (one member per script)."""
        refs = await self.list_flows(project)
        scripts = await map_all(lambda ref: self._script(ref.id), refs)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for ref, script in zip(refs, scripts, strict=True):
                member = zipfile.ZipInfo(flow_file_name(ref.id), date_time=_ZIP_DATE)
                member.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(member, json.dumps(script, indent=2, sort_keys=True) + "\n")
        return f"{project.key}.zip", buffer.getvalue()
