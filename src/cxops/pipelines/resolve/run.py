"""``resolve``: the tenant's dependency graph, its problems, and a deterministic ``cxops.lock``.

Steps:

1. Genesys: make sure dependency tracking is ``OPERATIONAL`` (``build.ensure_build``: wait, or
   trigger a build, within a deadline);
2. read every project through the vendor adapter: Genesys walks each flow's versions and the
   consumed resources of the version it exports (paged, concurrent within the transport's
   per-tenant caps); Cognigy reads charts and node references, and the project graph;
3. write the bundles as canonical files under the repository folder and index them;
4. report dependency cycles with their full paths (CX101), missing or deleted dependencies
   (CX105) and version ranges no published version satisfies, alone or together (CX106,
   npm-style semver ranges); Cognigy cycles only the project graph shows are added;
5. write ``cxops.lock`` (``cxops.analysis.lock``: sorted, no timestamps), the same bytes for the
   same tenant content whatever order the vendor listed things in, and checkable with
   ``cxops lock --check`` on the repository.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from cxops.analysis.deps import dependency_findings, range_findings
from cxops.analysis.findings import Finding, sort_findings
from cxops.analysis.incremental import keep_stamps
from cxops.analysis.index import BundleIndex
from cxops.analysis.locate import Locator
from cxops.analysis.lock import LOCK_FILE, build_lock, dumps_lock
from cxops.errors import UsageError
from cxops.model.bundle import Bundle
from cxops.model.layout import BUNDLE_FILE
from cxops.pipelines.progress import Emit, read_project, traffic
from cxops.pipelines.resolve.build import BuildReport, ensure_build
from cxops.pipelines.resolve.cognigy_graph import graph_cycles, project_graph_edges
from cxops.pipelines.resolve.versions import VersionDeps, walk_versions
from cxops.safefile import write_file
from cxops.sinks.git.layout import write_files
from cxops.transport import ConnectionSettings, VendorClient
from cxops.vendors import adapter_for, pick_project

__all__ = ["ResolveOptions", "ResolveReport", "resolve_tenant"]

RESOLVERS = ("genesys", "cognigy")


@dataclass(frozen=True)
class ResolveOptions:
    """``repo``: where bundles and the lock go; ``lock``: another lock path if wanted."""

    repo: Path
    lock: Path | None = None
    build_deadline: float = 300.0
    projects: Collection[str] | None = None  # ids or names; None = every project
    all_versions: bool = False  # Genesys: also walk the dependencies of every flow version

    @property
    def lock_path(self) -> Path:
        """The lock file written (default: ``<repo>/cxops.lock``)."""
        return self.lock or self.repo / LOCK_FILE


@dataclass
class ResolveReport:
    """Findings, the lock written (text and path), counts, and the build check."""

    vendor: str
    lock_path: Path
    lock_text: str = ""
    lock_status: str = "written"
    findings: list[Finding] = field(default_factory=list)
    flows: int = 0
    dependencies: int = 0
    edges: int = 0
    build: BuildReport | None = None
    versions: VersionDeps | None = None

    def summary(self) -> dict[str, object]:
        """Counts for the run record and the JSON output."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        out: dict[str, object] = {
            "vendor": self.vendor,
            "lock": str(self.lock_path),
            "lock_status": self.lock_status,
            "flows": self.flows,
            "dependencies": self.dependencies,
            "findings": counts,
        }
        if self.versions is not None:
            out["flow_versions"] = sum(len(v) for v in self.versions.values())
        if self.build is not None:
            out["build"] = {
                "initial": self.build.initial,
                "triggered": self.build.triggered,
                "seen": list(self.build.seen),
            }
        return out


def _write(repo: Path, bundle: Bundle) -> dict[str, bytes]:
    # Inside the repository, never through a planted link (issue #15); where an export put
    # (or would put) the project (layout 2: docs/git-sink.md).
    return write_files(repo, bundle)[0]


def bundle_findings(files: dict[str, bytes], bundle: Bundle) -> list[Finding]:
    """CX101, CX105 and CX106 for one written bundle, with file line:column."""
    index = BundleIndex()
    meta = next(rel for rel in sorted(files) if rel.rpartition("/")[2] == BUNDLE_FILE)
    index.add_meta(json.loads(files[meta]), file=meta)
    for rel in sorted(files):
        if rel != meta:
            index.add_flow(json.loads(files[rel]), file=rel)
    out = []
    for f in dependency_findings(index) + range_findings(index):
        loc = f.location
        if loc.file in files and loc.pointer is not None and loc.line is None:
            found = Locator(files[loc.file]).locate(loc.pointer)
            if found:
                f = f.at(line=found[0], column=found[1])
        out.append(f)
    return out


async def resolve_tenant(
    client: VendorClient,
    settings: ConnectionSettings,
    options: ResolveOptions,
    emit: Emit | None = None,
) -> ResolveReport:
    """Run steps 1-5 of the module doc against one tenant; ``emit`` hears the progress of
    step 2 (``pipelines/progress.py``)."""
    vendor = settings.vendor
    if vendor not in RESOLVERS:
        raise UsageError(
            f"{vendor}: resolve reads Genesys dependency tracking or the Cognigy project graph",
            hint="for CXone sub-script calls run `cxops validate` on an export",
        )
    report = ResolveReport(vendor, options.lock_path)
    if vendor == "genesys":
        report.build = await ensure_build(client, deadline=options.build_deadline)
    adapter = adapter_for(client, settings)
    bundles = []
    findings: list[Finding] = []
    listed = await adapter.list_projects()
    if options.projects is not None:
        listed = sorted({pick_project(listed, p) for p in options.projects}, key=lambda p: p.id)
    if emit is not None:
        emit("planned", {"projects": [p.key for p in listed], **traffic(client)})
    for project in listed:
        bundle = await read_project(adapter, project, emit, client)
        bundles.append(bundle)
        files = _write(options.repo, bundle)
        found = bundle_findings(files, bundle)
        if vendor == "cognigy":
            edges = await project_graph_edges(client, project.id)
            report.edges += len(edges)
            found += graph_cycles(bundle, edges, found)
        findings += found
    if vendor == "genesys" and options.all_versions:
        report.versions = await walk_versions(client, bundles)
    path = options.lock_path
    previous = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
    lock = keep_stamps(build_lock(bundles), previous)  # an incremental export's stamps stay
    text = dumps_lock(lock)
    if previous == text:
        report.lock_status = "unchanged"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text)
    report.lock_text = text
    report.flows = len(lock["flow"])
    report.dependencies = len(lock["dependency"])
    report.findings = sort_findings(findings)
    return report
