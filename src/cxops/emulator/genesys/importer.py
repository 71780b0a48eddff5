"""Export files and imports: what an export job writes and what an import job applies.

An export file is the configuration document (JSON, or YAML for ``exportType: "Yaml"``);
several flows in one export come as a zip of such files. An import finds the flow by name and
type in the target org (a new flow gets a new id, in the Home division), binds every reference
by name to the target org's resources and flows when its id is unknown there (Architect binds
by name too), and adds the result as a new checked-in, unpublished version.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass

import yaml

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys import document
from cxops.emulator.genesys.configs import FLOW_TYPES_BY_DOCUMENT, FLOW_TYPES_BY_OBJECT, Config
from cxops.emulator.genesys.state import CHECKIN, Flow, GenesysTenant

MAX_FILE = 20 * 1024 * 1024


def export_file(cfg: Config, export_type: str) -> bytes:
    """The export file of one configuration (JSON, or YAML for ``Yaml``)."""
    if export_type == "Yaml":
        return yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True).encode()
    return json.dumps(cfg, indent=2, ensure_ascii=False).encode()


def bundle(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """One file as is, several as a zip (``name``, ``content``)."""
    if len(files) == 1:
        return files[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zf.writestr(info, data)
    return "architect-export.zip", buf.getvalue()


def parse(data: bytes) -> Config:
    """A flow document from an uploaded file (JSON or YAML); ``ValueError`` says what is wrong."""
    if len(data) > MAX_FILE:
        raise ValueError(f"file is larger than {MAX_FILE} bytes")
    try:
        doc = yaml.safe_load(data.decode("utf-8"))  # YAML 1.1 reads JSON documents too
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"file is neither JSON nor YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("file does not hold a flow document object")
    for key in ("name", "type", "initialSequence"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise ValueError(f"flow document lacks '{key}'")
    if doc["type"] not in FLOW_TYPES_BY_DOCUMENT:
        raise ValueError(f"flow type '{doc['type']}' cannot be imported")
    if not doc.get("flowSequenceItemList"):
        raise ValueError("flow document has no flowSequenceItemList")
    return doc


@dataclass
class Imported:
    """What an import did: the flow, the new version id, whether it was created."""

    flow: Flow
    version: str
    created: bool


def rebind(org: GenesysTenant, cfg: Config) -> Config:
    """``cfg`` with every manifest id unknown in ``org`` bound by name when possible (Architect
    binds by name too); the new id replaces the old one wherever the document holds it."""
    swaps: dict[str, str] = {}
    for rid, (kind, name) in document.manifest(cfg).items():
        new = _bind(org, kind, rid, name)
        if new is not None and new != rid:
            swaps[rid] = new
    out: Config = document.swap_ids(copy.deepcopy(cfg), swaps)
    return out


def _bind(org: GenesysTenant, kind: str, rid: str, name: str) -> str | None:
    if kind in FLOW_TYPES_BY_OBJECT:
        ftype = FLOW_TYPES_BY_OBJECT[kind]
        if rid in org.flows and org.flows[rid].type == ftype:
            return rid
        flow = org.flow_named(name, ftype)
        return flow.id if flow else None
    res = org.resources.get(rid)
    if res is not None and res.kind == kind:
        return rid
    found = org.resource_named(kind, name)
    return found.id if found else None


def flow_type(cfg: Config) -> str:
    """The ``Flow.type`` of a document (``inboundcall`` → ``INBOUNDCALL``)."""
    return FLOW_TYPES_BY_DOCUMENT[str(cfg["type"])]


def apply(org: GenesysTenant, cfg: Config, at: float, client: str | None) -> Imported:
    """Create or update the flow ``cfg`` describes; ``ValueError`` when it cannot be done.

    A new flow lands in the Home division (the import request names none; cxops moves it)."""
    ftype = flow_type(cfg)
    flow = org.flow_named(cfg["name"], ftype)
    created = flow is None
    if flow is None:
        home = org.divisions["Home"]
        fid = new_uuid()
        flow = Flow(fid, cfg["name"], ftype, dict(home), str(cfg.get("description", "")))
    elif flow.locked_by not in (None, client):
        raise ValueError(f"flow '{flow.name}' is locked by client {flow.locked_by}")
    version = org.add_version(flow, rebind(org, cfg), CHECKIN, at, client)
    if created:
        org.flows[flow.id] = flow
    return Imported(flow, version.id, created)
