"""How a bundle lives on disk: canonical pretty-printed JSON files, one per flow.

An export repository holds, per vendor project::

    flows/<vendor>/<project>/_bundle.json     the bundle without its flows (format, vendor,
                                              tenant, project, version, resources, properties,
                                              exported_at, content_hash)
    flows/<vendor>/<project>/<flow>.json      one Flow document per flow
    cxops.lock                                at the repository root (see cxops.analysis.lock)

``<project>`` and ``<flow>`` are the vendor ids, percent-encoded (RFC 3986) so any id is a safe
file name; a leading ``_`` or ``.`` is encoded too, so no flow file can be ``_bundle.json`` or
hidden. Files are UTF-8, keys sorted, two-space indent, one value per line, a final newline,
fields at their default value left out: the same content always gives the same bytes, and a
JSON pointer maps to a line (cxops.analysis.locate). Pure: this module builds and reads bytes;
the caller does the file I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from cxops.model.bundle import Bundle, Flow
from cxops.model.canonical import content_hash

__all__ = [
    "BUNDLE_FILE",
    "bundle_files",
    "bundle_from_files",
    "flow_file_name",
    "pretty_bytes",
    "project_dir",
]

BUNDLE_FILE = "_bundle.json"


def pretty_bytes(doc: Any) -> bytes:
    """The canonical pretty form cxops writes: sorted keys, indent 2, final newline."""
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


#: File systems allow 255 bytes per name; leave room for ``.json``. An id whose encoded form
#: is longer is stored under its first part plus a hash of the whole (issue #15: a long vendor
#: id crashed the export with ENAMETOOLONG). ``+`` never appears in an encoded id (``quote``
#: writes it as ``%2B``), so it marks such a name unambiguously.
MAX_NAME = 240
_HASHED = "+"


def _safe(name: str) -> str:
    out = quote(name, safe="")
    if out[:1] == "_":
        out = "%5F" + out[1:]
    elif out[:1] == ".":
        out = "%2E" + out[1:]
    if len(out) > MAX_NAME:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out = f"{out[:160]}{_HASHED}{digest}"
    return out or "%00"


def flow_file_name(flow_id: str) -> str:
    """File name of a flow: the percent-encoded id plus ``.json``."""
    return _safe(flow_id) + ".json"


def flow_id_from_file_name(name: str) -> str:
    """Inverse of :func:`flow_file_name` (a shortened name gives its decodable head and
    ``…``: the full id is inside the file)."""
    stem = name[: -len(".json")] if name.endswith(".json") else name
    if _HASHED in stem:
        return unquote(stem.split(_HASHED, 1)[0].rsplit("%", 1)[0]) + "…"
    return "" if stem == "%00" else unquote(stem)


def project_dir(vendor: str, project: str) -> str:
    """``flows/<vendor>/<project>`` with the project id percent-encoded."""
    return f"flows/{_safe(vendor)}/{_safe(project)}"


def bundle_files(bundle: Bundle, *, with_hash: bool = True) -> dict[str, bytes]:
    """Every file of the bundle, by path relative to the repository root.

    The content hash is computed and written into ``_bundle.json`` unless ``with_hash`` is off.
    Listing orders are written canonical (``Bundle.canonical``): identical content listed in
    another order by the vendor gives identical files.
    """
    bundle = bundle.canonical()
    base = project_dir(bundle.vendor, bundle.project)
    meta = bundle.model_dump(mode="json", exclude={"flows"}, exclude_defaults=True)
    meta["format"] = bundle.format
    if with_hash:
        meta["content_hash"] = content_hash(bundle)
    files = {f"{base}/{BUNDLE_FILE}": pretty_bytes(meta)}
    for flow in bundle.flows:
        doc = flow.model_dump(mode="json", exclude_defaults=True)
        files[f"{base}/{flow_file_name(flow.id)}"] = pretty_bytes(doc)
    return files


def bundle_from_files(meta: Mapping[str, Any], flows: list[Any]) -> Bundle:
    """Rebuild a Bundle from the parsed ``_bundle.json`` and the parsed flow documents.

    Strict (no ``"yes"`` for a boolean, no number for a string): these are files, and what
    ``cxops validate`` refuses must not pass here either.
    """
    flow_models = [Flow.model_validate(f, strict=True) for f in flows]
    return Bundle.model_validate({**meta, "flows": flow_models}, strict=True)
