"""Where an export put a project or a flow (layout 2 names them; tests find them by id)."""

from __future__ import annotations

import json
from pathlib import Path

from cxops.sinks.git.layout import stored_folders

__all__ = ["flow_file", "project_folder"]


def project_folder(root: Path, vendor: str, project: str) -> str:
    """The folder (relative to ``root``) that holds ``project`` of ``vendor``."""
    return stored_folders(root, vendor)[project]


def flow_file(root: Path, vendor: str, project: str, flow_id: str) -> str:
    """The file (relative to ``root``) that holds the flow ``flow_id`` of that project."""
    folder = project_folder(root, vendor, project)
    for path in sorted((root / folder).glob("*.json")):
        if path.name != "_bundle.json" and json.loads(path.read_bytes()).get("id") == flow_id:
            return f"{folder}/{path.name}"
    raise AssertionError(f"no file of flow {flow_id!r} in {folder}")
