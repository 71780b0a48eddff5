"""Re-pointing a Cognigy package's tenant-local ids at the target before it is uploaded.

Node configs reference other resources by ``referenceId`` (portable), but a flow's
``attachedLexicons`` / ``attachedFlows`` hold ``_id`` s, which differ per tenant: merged as they
are, the target flow would point at lexicons that do not exist there (the "breaks on internal
ids" promotions users report). ``remap`` rewrites those lists with the per-environment id map
(source ``_id`` → target ``_id`` of the same ``referenceId``); ids with no target twin are left
alone (the resource arrives with the package under its own ``_id``).

Only packages whose manifest says ``cxops-emulator/cognigy-package@1`` (``manifest.json`` +
``content.json`` in a zip) are rewritten; any other file is returned unchanged, and parity then
lists what still points at the source's ids.

``read_content`` / ``content_bundle`` read a snapshot or package file of that format as a bundle
(what an endpoint pointing at an uploaded snapshot runs, for the re-point mechanism's parity).
A snapshot needs no remapping: its ids are consistent within the snapshot, whatever tenant
holds it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from cxops.model.bundle import Bundle
from cxops.model.native import cognigy as native

__all__ = ["FORMAT", "content_bundle", "id_pairs", "read_content", "remap"]

FORMAT = "cxops-emulator/cognigy-package@1"
ID_LISTS = ("attachedLexicons", "attachedFlows")


def id_pairs(
    source: Mapping[str, Mapping[str, str]], target: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """Source ``_id`` → target ``_id`` for every ``referenceId`` both sides have (never names)."""
    return {
        s["_id"]: target[ref]["_id"]
        for ref, s in source.items()
        if ref in target and s["_id"] != target[ref]["_id"]
    }


def read_content(data: bytes) -> dict[str, Any] | None:
    """``content.json`` of a file in :data:`FORMAT` (None for any other file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            content = json.loads(zf.read("content.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    return content if isinstance(content, dict) else None


def content_bundle(content: Mapping[str, Any], project: dict[str, Any], *, tenant: str) -> Bundle:
    """The bundle of a package's or snapshot's content, as the export would read it.

    ``project`` is the project document the bundle is filed under (``_id``, ``name``). Sets are
    sorted by ``_id`` as the export sorts its listings; a flow's ``projectReference`` is dropped
    as the export drops it.
    """

    def rows(kind: str) -> list[dict[str, Any]]:
        items = (content.get(kind) or {}).values()
        out = [{k: v for k, v in dict(i).items() if k != "projectReference"} for i in items]
        return sorted(out, key=lambda r: str(r.get("_id", "")))

    document = {
        "project": project,
        "flows": rows("flows"),
        "lexicons": rows("lexicons"),
        "connections": rows("connections"),
    }
    return native.to_bundle(document, tenant=tenant)


def remap(data: bytes, pairs: Mapping[str, str]) -> tuple[bytes, int]:
    """The package with its flows' id lists re-pointed; and how many ids changed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {info.filename: (info, zf.read(info)) for info in zf.infolist()}
        manifest = json.loads(members["manifest.json"][1])
        content: dict[str, Any] = json.loads(members["content.json"][1])
    except (zipfile.BadZipFile, KeyError, ValueError):
        return data, 0
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return data, 0
    changed = 0
    for flow in (content.get("flows") or {}).values():
        for key in ID_LISTS:
            ids = flow.get(key)
            if isinstance(ids, list):
                new = [pairs.get(i, i) if isinstance(i, str) else i for i in ids]
                changed += sum(1 for a, b in zip(ids, new, strict=True) if a != b)
                flow[key] = new
    if not changed:
        return data, 0
    info, _ = members["content.json"]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    members["content.json"] = (info, text)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item, payload in members.values():
            zf.writestr(item, payload)
    return out.getvalue(), changed
