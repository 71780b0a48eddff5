"""The export repositories ``cxops serve --repo DIR`` reads: projects, flows and findings.

Only the folders given on the command line are read (a path recorded in a run is used only
when it is one of them), through the layout cxops writes (``cxops.model.layout``) and the
strict parser, so a hand-edited file cannot smuggle more into a page than ``cxops validate``
accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cxops.model.bundle import Bundle, Flow
from cxops.model.layout import BUNDLE_FILE, bundle_from_files
from cxops.model.parse import parse_json

__all__ = ["ProjectFiles", "Repos"]

FINDINGS = "reports/findings.json"


@dataclass(frozen=True)
class ProjectFiles:
    """One project folder of one repository."""

    repo: Path
    vendor: str
    project_id: str
    name: str
    tenant: str | None
    content_hash: str | None
    folder: Path

    def flow_files(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.json") if p.name != BUNDLE_FILE)


def _read(path: Path) -> Any:
    return parse_json(path.read_bytes())


@lru_cache(maxsize=64)
def _flow(path: Path, mtime: float) -> Flow:
    return Flow.model_validate(_read(path), strict=True)


class Repos:
    """Every project of the repositories, found by vendor and id or by name."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        self.roots = tuple(r.resolve() for r in roots)

    def holds(self, path: str | None) -> Path | None:
        """The repository root ``path`` names, when it is one this server was given."""
        if not path:
            return None
        try:
            wanted = Path(path).resolve()
        except OSError:
            return None
        return wanted if wanted in self.roots else None

    def projects(self, repo: Path | None = None) -> list[ProjectFiles]:
        """Projects of one repository (all of them by default), by vendor and name."""
        out = []
        for root in [repo] if repo else self.roots:
            for meta_path in sorted((root / "flows").glob(f"*/*/{BUNDLE_FILE}")):
                try:
                    meta = _read(meta_path)
                except Exception:
                    continue
                props = meta.get("properties") or {}
                named = props.get("project")
                named = named if isinstance(named, dict) else {}
                pid = str(meta.get("project") or unquote(meta_path.parent.name))
                out.append(
                    ProjectFiles(
                        root,
                        meta_path.parent.parent.name,
                        pid,
                        str(named.get("name") or pid),
                        meta.get("tenant"),
                        meta.get("content_hash"),
                        meta_path.parent,
                    )
                )
        return sorted(out, key=lambda p: (p.vendor, p.name.lower(), str(p.repo)))

    def find(self, vendor: str, project: str, repo: Path | None = None) -> ProjectFiles | None:
        """A project by vendor and id or name (first repository that has it)."""
        for p in self.projects(repo):
            if p.vendor == vendor and project in (p.project_id, p.name):
                return p
        return None

    def flows(self, project: ProjectFiles) -> list[Flow]:
        """The project's flows, parsed (cached by file and modification time)."""
        out = []
        for path in project.flow_files():
            try:
                out.append(_flow(path, path.stat().st_mtime))
            except Exception:
                continue
        return out

    def bundle(self, project: ProjectFiles) -> Bundle:
        """The whole bundle of a project, as ``cxops validate`` reads it."""
        meta = _read(project.folder / BUNDLE_FILE)
        docs = [_read(p) for p in project.flow_files()]
        return bundle_from_files(meta, docs)

    def names(self, vendor: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
        """Flow id → name and (flow id, node id) → node label over every repository."""
        flows: dict[str, str] = {}
        nodes: dict[tuple[str, str], str] = {}
        for p in self.projects():
            if p.vendor != vendor:
                continue
            for flow in self.flows(p):
                flows.setdefault(flow.id, flow.name)
                for node in flow.nodes:
                    nodes.setdefault((flow.id, node.id), node.label or node.type or node.id)
        return flows, nodes

    def findings(self, repo: Path) -> list[dict[str, Any]]:
        """The findings report an export left in ``repo`` (empty when there is none)."""
        path = repo / FINDINGS
        if not path.is_file():
            return []
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        found = doc.get("findings") if isinstance(doc, dict) else None
        return [f for f in found or [] if isinstance(f, dict)]
