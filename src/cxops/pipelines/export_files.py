"""What an export leaves in the repository besides the flows: checks, findings report and lock.

After the projects are written, the whole ``flows/`` tree of the repository is read back (the
files cxops wrote, so findings carry ``file`` and ``line:column``), checked, and summarised into
``reports/findings.json`` and ``cxops.lock``. Both cover every bundle in the repository, not only
this run's projects, so exporting one project never drops the others from the lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxops.analysis.checks import CheckOptions
from cxops.analysis.findings import Finding, sort_findings
from cxops.analysis.index import BundleIndex
from cxops.analysis.locate import Locator, line_column
from cxops.analysis.lock import build_lock, dumps_lock
from cxops.analysis.render import render_json, summary
from cxops.analysis.scope import check_together
from cxops.model.bundle import Bundle
from cxops.model.errors import ParseError
from cxops.model.layout import BUNDLE_FILE, bundle_from_files
from cxops.model.parse import parse_json

__all__ = ["FINDINGS_FILE", "LOCK_FILE", "RepoCheck", "check_repository"]

FINDINGS_FILE = "reports/findings.json"
LOCK_FILE = "cxops.lock"


@dataclass
class RepoCheck:
    """Findings over the repository, their per-project counts, and the lock text."""

    findings: list[Finding]
    per_project: dict[str, dict[str, int]]
    lock_text: str
    report_text: str

    @property
    def counts(self) -> dict[str, int]:
        """Findings by severity over the whole repository."""
        return summary(self.findings)


def _position(finding: Finding, files: dict[str, bytes]) -> Finding:
    loc = finding.location
    data = files.get(loc.file or "")
    if data is None or loc.pointer is None or loc.line is not None:
        return finding
    offset = Locator(data).offset(loc.pointer)
    if offset is None:
        return finding
    line, column = line_column(data, offset)
    return finding.at(line=line, column=column)


def _index_project(
    root: Path, meta_path: Path, files: dict[str, bytes]
) -> tuple[BundleIndex, Bundle | None]:
    """Index one project folder (its bytes kept in ``files`` for line:column) and rebuild it."""
    index = BundleIndex()
    docs: list[Any] = []
    meta: Any = None
    for path in [meta_path, *sorted(p for p in meta_path.parent.glob("*.json") if p != meta_path)]:
        label = path.relative_to(root).as_posix()
        data = files[label] = path.read_bytes()
        try:
            doc = parse_json(data)
        except ParseError as exc:
            index.add_problem(f"{exc.message} (offset {exc.offset})", file=label)
            continue
        if path == meta_path:
            meta = doc
            index.add_meta(doc, file=label)
        else:
            docs.append(doc)
            index.add_flow(doc, file=label)
    try:
        bundle = bundle_from_files(meta, docs) if isinstance(meta, dict) else None
    except ValueError:  # pydantic's ValidationError: the checks already say what is wrong
        bundle = None
    return index, bundle


def check_repository(root: Path, *, max_nodes: int, also: Iterable[Finding] = ()) -> RepoCheck:
    """Check every bundle under ``root/flows`` and build the findings report and the lock.

    A repository holds one tenant, so projects whose references cross folders or divisions
    (CXone, Genesys) are checked together (``cxops.analysis.scope``). ``also`` adds findings
    about what is not in the files (flows the export could not store, ``unstorable.py``).
    """
    files: dict[str, bytes] = {}
    indexes: list[BundleIndex] = []
    bundles: list[Bundle] = []
    for meta_path in sorted((root / "flows").rglob(BUNDLE_FILE)):
        index, bundle = _index_project(root, meta_path, files)
        indexes.append(index)
        if bundle is not None:
            bundles.append(bundle)
    checked = check_together(indexes, CheckOptions(max_nodes=max_nodes))
    findings = [_position(f, files) for f in checked]
    findings = sort_findings([*findings, *also])
    per_project: dict[str, Counter[str]] = {}
    for f in findings:
        key = f"{f.location.vendor}/{f.location.project}"
        per_project.setdefault(key, Counter())[f.severity.value] += 1
    return RepoCheck(
        findings=findings,
        per_project={k: dict(v) for k, v in sorted(per_project.items())},
        lock_text=dumps_lock(build_lock(bundles)),
        report_text=render_json(findings),
    )
