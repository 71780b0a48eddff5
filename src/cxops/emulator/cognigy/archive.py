"""The snapshot/package file the emulator serves and accepts: a zip with two JSON members.

- ``manifest.json``: ``{"format": "cxops-emulator/cognigy-package@1", "kind": "snapshot" |
  "package", "name", "description", "hash", "sourceProject": {"_id", "name"}}``
- ``content.json``: ``{"flows": {_id: flow}, "lexicons": {…}, "connections": {…}}``, each flow
  with its ``chart`` (full nodes with config) and ``intents`` (with ``sentences``).

Members carry a fixed date, so the same content always zips to the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from cxops.emulator.cognigy.model import KINDS

FORMAT = "cxops-emulator/cognigy-package@1"
MAX_BYTES = 64 * 1024 * 1024


class ArchiveError(ValueError):
    """An uploaded file that is not an emulator package (answered with 400)."""


def pack(manifest: dict[str, Any], content: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, doc in (
            ("manifest.json", {"format": FORMAT, **manifest}),
            ("content.json", content),
        ):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, json.dumps(doc, sort_keys=True, ensure_ascii=False))
    return buf.getvalue()


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(manifest, content)`` of an uploaded file, checked for shape."""
    if len(data) > MAX_BYTES:
        raise ArchiveError("file too large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            content = json.loads(zf.read("content.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArchiveError(f"not a Cognigy package: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("unknown package format")
    if not isinstance(content, dict) or any(
        not isinstance(content.get(kind), dict) for kind in KINDS
    ):
        raise ArchiveError("package content must hold flows, lexicons and connections")
    return manifest, content
