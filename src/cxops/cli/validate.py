"""``cxops validate PATH...``: run every check on bundles or export repositories.

Also home of the on-disk bundle reader that ``diff`` and ``lock`` share (the CLI does the I/O;
``cxops.model`` and ``cxops.analysis`` stay pure). A PATH is a single-file bundle (``*.json``),
a project folder holding ``_bundle.json`` and one file per flow, or any folder above such
project folders (an export repository: ``flows/<vendor>/<project>/``). See docs/analysis.md.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from cxops._version import __version__
from cxops.analysis.checks import DEFAULT_MAX_NODES, CheckOptions, flow_findings
from cxops.analysis.findings import Finding, Severity, sort_findings
from cxops.analysis.index import BundleIndex
from cxops.analysis.locate import Locator, line_column
from cxops.analysis.render import render, render_text
from cxops.analysis.scope import check_together
from cxops.cli.common import Output, output_options
from cxops.errors import InputError, UsageError
from cxops.model.bundle import Bundle
from cxops.model.errors import ModelError, ParseError
from cxops.model.layout import BUNDLE_FILE, bundle_from_files
from cxops.model.parse import DEFAULT_MAX_BYTES, parse_json


@dataclass
class Source:
    """One bundle on disk: a single file, or a project folder (meta file + flow files)."""

    label: str
    meta: Path
    flows: list[Path] = field(default_factory=list)
    single: bool = True


def _label(path: Path, root: Path | None = None) -> str:
    base = root or Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(path: Path) -> list[Source]:
    """The bundles under a path (see module doc), in a stable order."""
    if path.is_file():
        if path.name == BUNDLE_FILE:
            return discover(path.parent)
        meta = path.parent / BUNDLE_FILE
        if meta.is_file():  # one flow file of a project folder: check it in its project
            return [Source(_label(path), meta, [path], single=False)]
        return [Source(_label(path), path)]
    if not path.is_dir():
        raise UsageError(f"{path} does not exist")
    metas = sorted(path.rglob(BUNDLE_FILE))
    if metas:
        return [
            Source(
                _label(m.parent),
                m,
                sorted(p for p in m.parent.glob("*.json") if p.name != BUNDLE_FILE),
                single=False,
            )
            for m in metas
        ]
    files = sorted(p for p in path.glob("*.json"))
    if not files:
        raise UsageError(
            f"no bundle under {path}",
            hint="give a bundle .json file or a folder with flows/<vendor>/<project>/",
        )
    return [Source(_label(p), p) for p in files]


def read_json(path: Path, max_bytes: int) -> Any:
    """Parse one file with the bounded parser; refuse oversize files before reading them."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(
            f"file is {size} bytes, over the {max_bytes}-byte cap",
            offset=max_bytes,
            reason="too_large",
            hint="split the export, or raise --max-bytes",
        )
    return parse_json(path.read_bytes(), max_bytes=max_bytes)


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Loading builds millions of small objects that are never cyclic; the collector's passes
    # over them cost 3-5x the load itself (DESIGN.md), so pause it while loading.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Below this many flow files, forking workers costs more than it saves.
PARALLEL_MIN_FILES = 256


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def index_source(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    options: CheckOptions | None = None,
) -> BundleIndex:
    """Stream a bundle from disk into a BundleIndex; unreadable files become CX100.

    Big project folders are parsed by worker processes, each indexing a contiguous run of the
    sorted flow files; the parts are merged in file order, so the result does not depend on the
    number of workers. With ``options``, the flow files' flows come back settled: checked on
    their own (``checks.flow_findings``, positions filled) by whoever indexed them, so only
    their findings and what the checks across flows read cross between processes.
    """
    index = BundleIndex()
    with _gc_paused():
        meta_label = _label(source.meta)
        meta = _read_or_report(index, source.meta, meta_label, max_bytes)
        if meta is not _UNREADABLE:
            if source.single:
                index.add_bundle(meta, file=meta_label)
            else:
                index.add_meta(meta, file=meta_label)
        base = meta_label.rsplit("/", 1)[0] if "/" in meta_label else ""
        labels = [f"{base}/{p.name}" if base else p.name for p in source.flows]
        jobs = list(zip(source.flows, labels, strict=True))
        count = workers or _workers()
        if count > 1 and len(jobs) >= PARALLEL_MIN_FILES and _FORK is not None:
            size = -(-len(jobs) // (count * 8))  # small runs: workers finish together
            chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
            with ProcessPoolExecutor(count, mp_context=_FORK) as pool:
                parts = pool.map(
                    _index_files,
                    chunks,
                    repeat(max_bytes),
                    repeat(index.vendor),
                    repeat(index.project),
                    repeat(options),
                )
                for part in parts:
                    index.merge(part)
        else:
            index.merge(_index_files(jobs, max_bytes, index.vendor, index.project, options))
    return index


def _fork_context() -> BaseContext | None:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork run sequentially
        return None


_FORK = _fork_context()


def _index_files(
    jobs: list[tuple[Path, str]],
    max_bytes: int,
    vendor: str | None,
    project: str | None,
    options: CheckOptions | None = None,
) -> BundleIndex:
    """Index some flow files (in a worker process, or inline for small bundles); with
    ``options``, check their flows here and hand back the part settled (see index_source)."""
    part = BundleIndex(vendor, project)
    with _gc_paused():
        for path, label in jobs:
            doc = _read_or_report(part, path, label, max_bytes)
            if doc is not _UNREADABLE:
                part.add_flow(doc, pointer="", file=label)
            del doc
        if options is not None:
            part.problems = add_positions(part.problems)
            part.settle(add_positions(flow_findings(part, options)))
    return part


#: What ``_read_or_report`` returns for a file it reported (a file holding ``null`` parses to
#: None, and must still be checked: a bundle that is ``null`` is a CX100, not "no findings").
_UNREADABLE: Any = object()


def _read_or_report(index: BundleIndex, path: Path, label: str, max_bytes: int) -> Any:
    try:
        return read_json(path, max_bytes)
    except ParseError as exc:
        where: dict[str, Any] = {}
        if exc.reason != "too_large":
            with path.open("rb") as fh:
                head = fh.read(exc.offset + 1)
            where = dict(zip(("line", "column"), line_column(head, exc.offset), strict=True))
        index.problems.append(
            Finding.make(
                "CX100",
                exc.message,
                index.loc(file=_label(path), pointer=None, **where),
                hint=exc.hint or "fix the file at the offset shown; cxops reads strict I-JSON",
            )
        )
    except OSError as exc:
        index.add_problem(f"cannot read: {exc.strerror}", file=label)
    return _UNREADABLE


def read_bundle(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Bundle:
    """The full, validated Bundle (for diff and lock); a bad file is an InputError (CX100)."""
    try:
        meta = read_json(source.meta, max_bytes)
        if not isinstance(meta, dict):
            raise InputError(
                f"CX100 {source.label}: a bundle must be a JSON object, not {_json_type(meta)}",
                hint="run `cxops validate` on it for every problem",
            )
        if source.single:
            return Bundle.model_validate(meta, strict=True)
        flows = [read_json(p, max_bytes) for p in source.flows]
        return bundle_from_files(meta, flows)
    except ParseError as exc:
        raise InputError(f"CX100 {source.label}: {exc.message}", hint=exc.hint) from None
    except ModelError as exc:
        raise InputError(f"CX100 {source.label}: {exc.message}", hint=exc.hint) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"])
        raise InputError(
            f"CX100 {source.label}: not a cxops bundle: {where}: {first['msg']}",
            hint="run `cxops validate` on it for every problem",
        ) from None


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def add_positions(findings: list[Finding]) -> list[Finding]:
    """Fill line:column from the JSON pointer, for findings in files cxops wrote."""
    locators: dict[str, Locator | None] = {}
    out = []
    for f in findings:
        loc = f.location
        if loc.file and loc.pointer is not None and loc.line is None:
            if loc.file not in locators:
                try:
                    locators[loc.file] = Locator(Path(loc.file).read_bytes())
                except OSError:
                    locators[loc.file] = None
            locator = locators[loc.file]
            found = locator.locate(loc.pointer) if locator else None
            if found:
                f = f.at(line=found[0], column=found[1])
        out.append(f)
    return out


def collect(
    paths: list[Path], *, max_nodes: int, max_bytes: int, workers: int | None = None
) -> list[Finding]:
    """Findings of every bundle under the paths, positions filled, sorted.

    ``workers=1`` keeps everything in this process (callers with threads of their own, such as
    a web server, should pass it: the parallel loader forks).
    """
    findings: list[Finding] = []
    for path in paths:
        # One path is one tenant's export: its projects are checked together where the
        # platform's references cross projects (cxops.analysis.scope).
        options = CheckOptions(max_nodes=max_nodes)
        indexes = [
            index_source(s, max_bytes=max_bytes, workers=workers, options=options)
            for s in discover(path)
        ]
        findings += check_together(indexes, options)
    return sort_findings(add_positions(findings))


@output_options("text", "json", "sarif", "junit", report=True)
def validate(
    paths: list[Path] = typer.Argument(..., help="Bundle files or folders (export repositories)."),
    max_nodes: int = typer.Option(
        DEFAULT_MAX_NODES, "--max-nodes", min=1, help="Node limit per flow (CX102)."
    ),
    jobs: int = typer.Option(
        0, "--jobs", min=0, help="Worker processes for big exports (0: one per CPU, at most 4)."
    ),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, "--max-bytes", min=1, help="Refuse files larger than this (CX100)."
    ),
    *,
    out: Output,
) -> None:
    """Check flows for cycles, dangling edges, unreachable nodes, missing resources and more.

    Exit 1 when any finding is an error.

    Example: cxops validate . --format sarif --output cxops.sarif
    """
    findings = collect(paths, max_nodes=max_nodes, max_bytes=max_bytes, workers=jobs or None)
    if out.format == "text":
        render_text(findings, out.console())
    else:
        out.write(render(findings, out.format, tool_version=__version__))
    if any(f.severity is Severity.error for f in findings):
        raise typer.Exit(1)
