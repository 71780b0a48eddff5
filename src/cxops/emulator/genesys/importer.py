"""Export files and imports: what an export job writes and what an import job applies.

An export file is the configuration document (JSON, or YAML for ``exportType: "Yaml"``);
several flows in one export come as a zip of such files. An import finds the flow by name and
type in the target org (a new flow gets a new id), binds every reference by name to the
target org's resources and flows when its id is unknown there (Architect binds by name too),
and adds the result as a new checked-in, unpublished version.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import yaml

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys.configs import (
    FLOW_OBJECT_TYPES,
    FLOW_TYPES_BY_OBJECT,
    Config,
    actions,
    collect_references,
)
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
    """A configuration from an uploaded file (JSON or YAML); ``ValueError`` says what is wrong."""
    if len(data) > MAX_FILE:
        raise ValueError(f"file is larger than {MAX_FILE} bytes")
    try:
        doc = yaml.safe_load(data.decode("utf-8"))  # YAML 1.1 reads JSON documents too
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"file is neither JSON nor YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("file does not hold a flow configuration object")
    for key in ("name", "type", "startUpRef"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise ValueError(f"flow configuration lacks '{key}'")
    if doc["type"] not in FLOW_OBJECT_TYPES:
        raise ValueError(f"flow type '{doc['type']}' cannot be imported")
    if not any(doc.get(k) for k in ("states", "tasks", "menus")):
        raise ValueError("flow configuration has no states, tasks or menus")
    return doc


@dataclass
class Imported:
    """What an import did: the flow, the new version id, whether it was created."""

    flow: Flow
    version: str
    created: bool


def rebind(org: GenesysTenant, cfg: Config) -> Config:
    """``cfg`` with references whose ids are unknown in ``org`` bound by name when possible."""
    out = copy.deepcopy(cfg)
    for act in actions(out):
        swaps: dict[str, str] = {}
        for ref in act.get("refs") or []:
            new = _bind(org, ref)
            if new is not None and new != ref.get("id"):
                swaps[str(ref["id"])] = new
                ref["id"] = new
        props = act.get("properties") or {}
        for key, value in list(props.items()):
            if isinstance(value, str) and value in swaps:
                props[key] = swaps[value]
    out["references"] = collect_references(out)
    return out


def _bind(org: GenesysTenant, ref: dict[str, Any]) -> str | None:
    kind, rid, name = ref.get("type"), str(ref.get("id")), str(ref.get("name"))
    if kind in FLOW_TYPES_BY_OBJECT:
        ftype = FLOW_TYPES_BY_OBJECT[kind]
        if rid in org.flows and org.flows[rid].type == ftype:
            return rid
        flow = org.flow_named(name, ftype)
        return flow.id if flow else None
    res = org.resources.get(rid)
    if res is not None and res.kind == kind:
        return rid
    found = org.resource_named(str(kind), name)
    return found.id if found else None


def apply(org: GenesysTenant, cfg: Config, at: float, client: str | None) -> Imported:
    """Create or update the flow ``cfg`` describes; ``ValueError`` when it cannot be done."""
    flow = org.flow_named(cfg["name"], cfg["type"])
    created = flow is None
    if flow is None:
        division = (cfg.get("division") or {}).get("name")
        home = org.divisions.get(str(division)) or org.divisions["Home"]
        fid = new_uuid()
        flow = Flow(fid, cfg["name"], cfg["type"], dict(home), str(cfg.get("description", "")))
    elif flow.locked_by not in (None, client):
        raise ValueError(f"flow '{flow.name}' is locked by client {flow.locked_by}")
    version = org.add_version(flow, rebind(org, cfg), CHECKIN, at, client)
    if created:
        org.flows[flow.id] = flow
    return Imported(flow, version.id, created)
