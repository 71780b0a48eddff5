"""``compile``: write the flows as canonical files, then have the vendor check each one.

Steps, in order:

1. read every project of the tenant through the vendor adapter (one bundle each);
2. write the bundle files (``cxops.model.layout``) under the repository folder, so every
   line:column below refers to a file cxops wrote, byte for byte;
3. queue the units (CXone scripts, Genesys flows; ``scripts`` narrows them by id or name) and
   run them ``concurrency`` at a time: CXone save-and-validate, Genesys validate jobs polled to
   completion; each state change is recorded (``record.Recorder``). CXone lists only live
   scripts unless ``include_inactive``; an inactive script is written but never saved (its
   unit is ``skipped``);
4. return every finding (CX201/CX202), sorted, with the per-unit results.

Cognigy has no vendor-side compile (client-side rules only, see VENDORS.md): use
``cxops validate`` for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from cxops.analysis.findings import Finding, sort_findings
from cxops.errors import CxopsError, UsageError
from cxops.model.bundle import Bundle
from cxops.model.layout import BUNDLE_FILE, flow_file_names
from cxops.pipelines.compile.mapping import FlowFile
from cxops.pipelines.compile.record import Recorder
from cxops.pipelines.compile.units import (
    UnitResult,
    save_cxone_script,
    skip_inactive_script,
    validate_genesys_flow,
)
from cxops.pipelines.progress import Emit, read_project, traffic
from cxops.sinks.git.layout import write_files
from cxops.transport import ConnectionSettings, JobEvent, TransportOptions, VendorClient
from cxops.vendors import adapter_for
from cxops.vendors.cxone import CxoneAdapter

__all__ = ["CompileOptions", "CompileReport", "compile_tenant", "write_bundles"]

COMPILERS = ("cxone", "genesys")


@dataclass(frozen=True)
class CompileOptions:
    """What to compile and how: ``units`` None = all; ``repo`` = where files are written."""

    repo: Path
    units: Collection[str] | None = None
    concurrency: int = 3
    job_deadline: float = 600.0
    include_inactive: bool = False
    save: bool = False


@dataclass
class CompileReport:
    """The outcome: findings (sorted), per-unit results, files written, the run id."""

    vendor: str
    repo: Path
    findings: list[Finding] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    run_id: str | None = None

    def summary(self) -> dict[str, object]:
        """Counts for the run record and the JSON output."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        outcomes: dict[str, int] = {}
        for u in self.units:
            outcomes[u.outcome] = outcomes.get(u.outcome, 0) + 1
        return {
            "vendor": self.vendor,
            "units": len(self.units),
            "outcomes": dict(sorted(outcomes.items())),
            "findings": counts,
            "checks": {
                "passed": sum(u.outcome in ("clean", "warnings") for u in self.units),
                "failed": sum(u.outcome in ("rejected", "failed") for u in self.units),
            },
        }


def write_bundles(repo: Path, bundles: list[Bundle]) -> tuple[dict[str, FlowFile], list[str]]:
    """Write every bundle file under ``repo`` (only files whose bytes changed); return the flow
    files by flow id and the paths written (relative, ``/``-separated)."""
    files: dict[str, FlowFile] = {}
    written: list[str] = []
    for bundle in bundles:
        # Inside the repository, never through a planted link (issue #15); where an export
        # put (or would put) the project (layout 2: docs/git-sink.md).
        contents, changed = write_files(repo, bundle)
        written += changed
        names = flow_file_names(bundle.flows)
        base = next(rel for rel in contents if rel.endswith(f"/{BUNDLE_FILE}")).rpartition("/")[0]
        for flow in bundle.flows:
            rel = f"{base}/{names[flow.id]}"
            files[flow.id] = FlowFile(bundle.vendor, bundle.project, flow, rel, contents[rel])
    return files, written


def _select(files: dict[str, FlowFile], wanted: Collection[str] | None) -> list[FlowFile]:
    chosen = sorted(files.values(), key=lambda f: f.flow.id)
    if wanted is None:
        return chosen
    out, missing = [], []
    for item in wanted:
        hits = [f for f in chosen if item in (f.flow.id, f.flow.name)]
        hits = hits or [f for f in chosen if f.flow.id.rpartition("\\")[2] == item]
        if not hits:
            missing.append(item)
        out += [h for h in hits if h not in out]
    if missing:
        raise UsageError(
            "no script or flow " + ", ".join(repr(m) for m in missing),
            hint="pass script paths (Folder\\Name) or flow ids/names as the vendor lists them",
        )
    return sorted(out, key=lambda f: f.flow.id)


async def compile_tenant(
    client: VendorClient,
    settings: ConnectionSettings,
    options: CompileOptions,
    recorder: Recorder,
    *,
    on_unit: Callable[[UnitResult], None] | None = None,
    emit: Emit | None = None,
) -> CompileReport:
    """Run steps 1-4 of the module doc against one tenant; see there. ``emit`` hears the
    progress of steps 1 and 3 (``pipelines/progress.py``)."""
    vendor = settings.vendor
    if vendor not in COMPILERS:
        raise UsageError(
            f"{vendor} has no vendor-side compile",
            hint="Cognigy rules are client-side: run `cxops validate` on an export",
        )
    if options.include_inactive and vendor != "cxone":
        raise UsageError("--include-inactive is for CXone scripts only")
    if vendor == "cxone" and settings.protected and not options.save:
        # CXone validates only by saving (a new masterID per script): on a tenant the user
        # marked protected, that write needs asking for (issue #14).
        raise UsageError(
            f"profile {settings.profile} is protected: compiling on CXone saves every script "
            "that passes (CXone validates only by saving)",
            hint="pass --save to save them anyway, or compile on an unprotected tenant",
        )
    adapter = adapter_for(client, settings)
    if isinstance(adapter, CxoneAdapter):
        adapter.include_inactive = options.include_inactive
    projects = await adapter.list_projects()
    if emit is not None:
        emit("planned", {"projects": [p.key for p in projects], **traffic(client)})
    bundles = [await read_project(adapter, p, emit, client) for p in projects]
    inactive = adapter.inactive if isinstance(adapter, CxoneAdapter) else set()
    files, written = write_bundles(options.repo, bundles)
    chosen = _select(files, options.units)
    report = CompileReport(vendor, options.repo, written=written, run_id=recorder.run_id)
    for f in chosen:
        recorder.state(vendor, f.flow.id, "queued", {"file": f.path})
    gate = asyncio.Semaphore(max(1, options.concurrency))
    checked = 0

    def count(step: int) -> None:
        nonlocal checked
        checked += step
        if emit is not None:
            emit("units", {"done": checked, "total": len(chosen), **traffic(client)})

    async def one(file: FlowFile) -> UnitResult:
        async with gate:
            recorder.state(vendor, file.flow.id, "in_progress", {"file": file.path})
            try:
                if vendor == "cxone" and file.flow.id in inactive:
                    result = skip_inactive_script(file)
                elif vendor == "cxone":
                    result = await save_cxone_script(client, file)
                else:
                    result = await validate_genesys_flow(
                        client, file, files, deadline=options.job_deadline, on_event=_ignore
                    )
            except CxopsError as exc:
                result = UnitResult(vendor, file.flow.id, "failed", type(exc).__name__, 0.0,
                                    error=exc.message)  # fmt: skip
                recorder.state(vendor, file.flow.id, "failed", result.detail())
            else:
                recorder.state(vendor, file.flow.id, "done", result.detail())
            if on_unit is not None:
                on_unit(result)
            count(1)
            return result

    count(0)
    report.units = list(await asyncio.gather(*(one(f) for f in chosen)))
    report.findings = sort_findings([f for u in report.units for f in u.findings])
    return report


def _ignore(event: JobEvent) -> None:
    """Job progress is not a state change of ours; the poller's events are not recorded."""


async def run_compile(
    settings: ConnectionSettings,
    options: CompileOptions,
    recorder: Recorder,
    *,
    client: VendorClient | None = None,
    transport: TransportOptions | None = None,
    on_unit: Callable[[UnitResult], None] | None = None,
    emit: Emit | None = None,
) -> CompileReport:
    """Open a client (unless given; ``transport`` tunes it), compile, and finish the run record.

    The run ends ``succeeded`` when no unit failed and nothing is an error, ``failed`` when a
    unit could not be checked (the vendor or network failed us) and ``partial`` otherwise.
    """
    from cxops.transport import open_client

    try:
        if client is None:
            async with open_client(settings, transport) as own:
                report = await compile_tenant(
                    own, settings, options, recorder, on_unit=on_unit, emit=emit
                )
        else:
            report = await compile_tenant(
                client, settings, options, recorder, on_unit=on_unit, emit=emit
            )
    except CxopsError as exc:
        recorder.finish("failed", {"vendor": settings.vendor}, error=exc.message)
        raise
    summary = report.summary()
    failed = any(u.outcome == "failed" for u in report.units)
    errors = any(f.severity.value == "error" for f in report.findings)
    recorder.finish("failed" if failed else "partial" if errors else "succeeded", summary)
    return report
