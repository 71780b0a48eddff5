"""How a bundle lives on disk: canonical pretty-printed JSON files, one per flow.

An export repository holds, per vendor project::

    flows/<vendor>/<project>/_bundle.json     the bundle without its flows (format, vendor,
                                              tenant, project, version, resources, properties,
                                              exported_at, content_hash)
    flows/<vendor>/<project>/<flow>.json      one Flow document per flow
    cxops.lock                                at the repository root (see cxops.analysis.lock)

``<project>`` and ``<flow>`` are readable (layout 2, issue #16): the project's and the flow's
*name* as a slug (:func:`slug`: lower case, letters and digits kept, anything else one ``-``), so
``flows/cognigy/appointment-booking/cancel-contract.json`` rather than opaque vendor ids. Names
that would collide (two flows called "Main", or "Main" and "main" on a case-insensitive file
system) each carry their id: ``main--<id>.json``; a slug never holds ``--``, so such a name
cannot collide with a plain one. A name without a single letter or digit is ``flow--<id>``. A
slug never starts with ``_`` or ``.``: no flow file is ``_bundle.json`` or hidden. The folder
and file names are not part of the content: the content hash and ``cxops.lock`` do not change
when a file is renamed. Which folder a project has in a repository (two projects with the same
name) is the repository's choice (``cxops.sinks.git.layout``); ``bundle_dir`` is the name alone.

Layout 1 used the percent-encoded vendor ids (:func:`project_dir`, :func:`flow_file_name`); an
export migrates a repository written that way in one commit of renames (docs/git-sink.md).
``archives/`` and ``releases/`` keep the id-based folder (:func:`project_dir`).

Files are UTF-8, keys sorted, two-space indent, one value per line, a final newline, fields at
their default value left out: the same content always gives the same bytes, and a JSON pointer
maps to a line (cxops.analysis.locate). Pure: this module builds and reads bytes; the caller
does the file I/O.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from cxops.model.bundle import Bundle, Flow
from cxops.model.canonical import content_hash

__all__ = [
    "BUNDLE_FILE",
    "bundle_dir",
    "bundle_files",
    "bundle_from_files",
    "flow_file_name",
    "flow_file_names",
    "pretty_bytes",
    "project_dir",
    "project_name",
    "readable_name",
    "slug",
    "vendor_dir",
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


def vendor_dir(vendor: str) -> str:
    """``flows/<vendor>``: where a vendor's project folders are."""
    return f"flows/{_safe(vendor)}"


def project_dir(vendor: str, project: str) -> str:
    """``flows/<vendor>/<project>`` with the project id percent-encoded: layout 1's folder
    (what a migration moves from; ``archives/`` and ``releases/`` still use it)."""
    return f"{vendor_dir(vendor)}/{_safe(project)}"


#: Characters of a slug at most (a name is for people: the rest of a long one adds little).
MAX_SLUG = 80
MAX_SLUG_BYTES = 160
#: Names Windows refuses for a file, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # fmt: skip
#: Marks a name that carries the id (a slug never holds two ``-`` in a row).
ID_MARK = "--"


def slug(name: str) -> str:
    """A name as a file name people can read: NFKC, case-folded, letters and digits kept, every
    other run of characters one ``-``, none at either end; empty when nothing is left.

    >>> slug("Cancel Contract / Kündigung")
    'cancel-contract-kündigung'
    >>> slug("../../_bundle.json")
    'bundle-json'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    out: list[str] = []
    for ch in text:
        kind = unicodedata.category(ch)[0]
        if kind in "LN" or (kind == "M" and out and out[-1] != "-"):  # marks: Devanagari...
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    cut = "".join(out)[:MAX_SLUG]
    while len(cut.encode("utf-8")) > MAX_SLUG_BYTES:  # 80 characters of 4 bytes: too long
        cut = cut[:-1]
    cut = cut.strip("-")
    return cut + "-x" if cut in _RESERVED else cut


def readable_name(name: str, ident: str, clash: bool, what: str = "flow") -> str:
    """The readable stem for a thing called ``name`` with id ``ident``: its slug, or (when it
    clashes with another's, or has no slug: then ``what``) and the encoded id after ``--``."""
    stem = slug(name)
    if stem and not clash:
        return stem
    tail = _safe(ident)
    joined = f"{stem or what}{ID_MARK}{tail}"
    if len(joined) > MAX_NAME:
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        joined = f"{stem or what}{ID_MARK}{_HASHED}{digest}"
    return joined


def flow_file_names(flows: list[Flow]) -> dict[str, str]:
    """Flow id → its file name in the project folder (layout 2): the name's slug, with the id
    where two flows' slugs are equal (compared case-folded: a case-insensitive file system
    sees one file). Deterministic: the same flows give the same names in any order."""
    counts: dict[str, int] = {}
    for f in flows:
        counts[slug(f.name)] = counts.get(slug(f.name), 0) + 1
    names = {f.id: readable_name(f.name, f.id, counts[slug(f.name)] > 1) for f in flows}
    seen: dict[str, int] = {}
    for stem in names.values():
        seen[stem.casefold()] = seen.get(stem.casefold(), 0) + 1
    for fid, stem in names.items():  # ids equal but for case ("aB", "Ab"): a hash decides
        if seen[stem.casefold()] > 1:
            digest = hashlib.sha256(fid.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            names[fid] = f"{stem[: MAX_NAME - 17]}{_HASHED}{digest}"
    return {fid: stem + ".json" for fid, stem in names.items()}


def project_name(bundle: Bundle) -> str:
    """The project's name for people: Cognigy's project ``name``, Genesys' division ``name``,
    else the project key (CXone's folder path, ...)."""
    for key in ("project", "division"):
        found = bundle.properties.get(key)
        if isinstance(found, Mapping) and isinstance(found.get("name"), str) and found["name"]:
            return str(found["name"])
    return bundle.project


def bundle_dir(bundle: Bundle, *, clash: bool = False) -> str:
    """``flows/<vendor>/<project>`` by the project's name (with its id when ``clash``: another
    project of the repository has that name)."""
    return (
        f"flows/{_safe(bundle.vendor)}/{readable_name(project_name(bundle), bundle.project, clash)}"
    )


def bundle_files(
    bundle: Bundle, *, with_hash: bool = True, folder: str | None = None
) -> dict[str, bytes]:
    """Every file of the bundle, by path relative to the repository root, in ``folder``
    (default :func:`bundle_dir`), flows named by :func:`flow_file_names`.

    The content hash is computed and written into ``_bundle.json`` unless ``with_hash`` is off.
    Listing orders are written canonical (``Bundle.canonical``): identical content listed in
    another order by the vendor gives identical files.
    """
    bundle = bundle.canonical()
    base = folder or bundle_dir(bundle)
    names = flow_file_names(bundle.flows)
    meta = bundle.model_dump(mode="json", exclude={"flows"}, exclude_defaults=True)
    meta["format"] = bundle.format
    if with_hash:
        meta["content_hash"] = content_hash(bundle)
    files = {f"{base}/{BUNDLE_FILE}": pretty_bytes(meta)}
    for flow in bundle.flows:
        doc = flow.model_dump(mode="json", exclude_defaults=True)
        files[f"{base}/{names[flow.id]}"] = pretty_bytes(doc)
    return files


def bundle_from_files(meta: Mapping[str, Any], flows: list[Any]) -> Bundle:
    """Rebuild a Bundle from the parsed ``_bundle.json`` and the parsed flow documents.

    Strict (no ``"yes"`` for a boolean, no number for a string): these are files, and what
    ``cxops validate`` refuses must not pass here either.
    """
    flow_models = [Flow.model_validate(f, strict=True) for f in flows]
    return Bundle.model_validate({**meta, "flows": flow_models}, strict=True)
