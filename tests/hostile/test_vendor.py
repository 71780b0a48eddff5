"""A hostile vendor over real HTTP: every bad answer ends in findings or a partial-failure report.

The vendor is :class:`tests.hostile.proxy.HostileVendor` (our own small Starlette app in front
of the emulator, which only supplies ordinary answers). Each case rewrites one kind of answer of
a Cognigy tenant: oversized, non-finite, too deep, over-long integers, NUL and escape sequences
in names, path-like ids, broken JSON once or always. The export must finish (no run left
running), report the project it could not take (or, for a value cxops cannot store, the one
flow it left out), keep everything it writes inside the
repository, stay under 2 GB of memory, and send the API key only under the API prefix.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store
from cxops.transport.settings import resolve_connection
from tests.hostile.proxy import HostileVendor, Rewrite, ServerThread
from tests.hostile.test_corpus import _listing

FLOW_DOC = r"/new/v2\.0/flows/[^/]+$"
FLOW_LIST = r"/new/v2\.0/flows$"
PROJECT = "Flawed - Flow Cycle"  # a five-flow Cognigy fixture project
FAST = {"rate": 5000.0, "burst": 5000.0, "concurrency": 32, "backoff_initial": 0.01}


def _inject(member: bytes) -> Rewrite:
    """Rewrite the first answer only: ``{"hostile": <member>, ...the original}``."""

    def rewrite(body: bytes, hit: int) -> bytes | None:
        return body.replace(b"{", b'{"hostile":' + member + b",", 1) if hit == 1 else None

    return rewrite


def _huge(body: bytes, hit: int) -> AsyncIterator[bytes] | None:
    """600 MB of one JSON string, streamed without a Content-Length."""
    if hit != 1:
        return None

    async def stream() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        chunk = b"x" * (4 * 1024 * 1024)
        for _ in range(150):
            yield chunk
        yield b'"}'

    return stream()


def _broken(times: int) -> Rewrite:
    def rewrite(body: bytes, hit: int) -> bytes | None:
        return body[: len(body) // 2] if hit <= times else None

    return rewrite


#: The ``_id`` of the project's first flow, set by the test before the export (see below).
TARGET: list[str] = []


def _listing_ids(change: dict[str, Any]) -> Rewrite:
    """Rewrite one flow of the project (``TARGET``) in every flow listing (``_id``/``name``):
    the tenant-wide listing that reads change stamps (#19) and the project's own alike."""

    def rewrite(body: bytes, hit: int) -> bytes | None:
        doc = json.loads(body)
        mine = [item for item in doc.get("items", []) if item.get("_id") in TARGET]
        for item in mine:
            item.update(change)
        return json.dumps(doc).encode() if mine else None

    return rewrite


def _names(body: bytes, hit: int) -> bytes | None:
    doc = json.loads(body)
    doc["name"] = "evil\u0000name\n\x1b]0;pwned\x07\x1b[31mred\r"
    return json.dumps(doc).encode()


# case: (rules, the run's status, words in the project's error, or for a partial run in the
# error of the one flow left out: see test_unstorable.py).
CASES: dict[str, tuple[list[tuple[str, Rewrite]], str, str]] = {
    "oversized": ([(FLOW_DOC, _huge)], "failed", "cap per answer"),
    "infinity": ([(FLOW_DOC, _inject(b"1e400"))], "partial", "infinity"),
    "nan": ([(FLOW_DOC, _inject(b"NaN"))], "partial", "NaN"),
    "bigint": ([(FLOW_DOC, _inject(b"9" * 5000))], "partial", "number of 5000"),
    "beyond-2p53": ([(FLOW_DOC, _inject(b"9007199254740993"))], "partial", "2**53"),
    "deep": ([(FLOW_DOC, _inject(b"[" * 100_000 + b"]" * 100_000))], "partial", "deeper"),
    "duplicate-keys": ([(FLOW_DOC, _inject(b'1,"hostile":2'))], "partial", "duplicate"),
    "broken-always": ([(FLOW_DOC, _broken(99))], "failed", "not JSON"),
    "broken-twice": ([(FLOW_DOC, _broken(2))], "succeeded", ""),
    "path-like-id": (
        [(FLOW_LIST, _listing_ids({"_id": "../../../../_emulator/summary"}))],
        "failed",
        "outside the API prefix",
    ),
    "query-like-id": (
        [(FLOW_LIST, _listing_ids({"_id": "x?projectId=other#frag"}))],
        "failed",
        "",
    ),
    "nul-and-escapes-in-names": ([(FLOW_DOC, _names)], "succeeded", ""),
}


def _max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


@pytest.fixture
def hostile(emu: EmulatorThread) -> Iterator[tuple[HostileVendor, str]]:
    vendor = HostileVendor(emu.url)
    with ServerThread(vendor.app()) as server:
        yield vendor, server.url


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_answer_ends_in_a_report_never_a_crash(
    case: str,
    hostile: tuple[HostileVendor, str],
    emu: EmulatorThread,
    tmp_path: Path,
) -> None:
    """The export finishes: the bad project reported (or the answer survived), no crash."""
    vendor, url = hostile
    rules, expected, words = CASES[case]
    vendor.rules = rules
    TARGET[:] = [sorted(f["_id"] for f in project_flows(emu))[0]]
    key = api_key(emu)
    settings = resolve_connection(
        {"vendor": "cognigy", "base_url": f"{url}/cognigy/dev", "api_key": key}, environ={}
    )
    root = tmp_path / "around"
    repo = root / "repo"
    root.mkdir()
    (root / "outside.txt").write_text("canary\n")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    options = ExportOptions(repo=repo, store=store, transport=FAST, project=PROJECT)
    before = {k: v for k, v in _listing(root).items() if not k.startswith("repo")}

    out = asyncio.run(run_export(settings, options))

    assert out["status"] == expected, out
    if expected == "failed":
        errors = [p["error"] for p in out["projects"] if p["status"] != "ok"]
        assert len(errors) == 1 and words in errors[0], errors
    if expected == "partial":
        errors = [f["error"] for f in out["unstorable"]]
        assert len(errors) == 1 and words in errors[0], errors
    with Store.open(store) as st:
        assert [r.status for r in st.runs.list(kind="export")] == [expected]
        assert st.audit.verify().ok
    # Nothing written beside the repository; inside it, no file through a link.
    after = {k: v for k, v in _listing(root).items() if not k.startswith("repo")}
    assert after == before
    for dirpath, _dirs, files in os.walk(repo):
        for name in files:
            assert not Path(dirpath, name).is_symlink()
    # The API key went only to the tenant's API, whatever the ids said.
    assert vendor.seen, "the export never reached the hostile vendor"
    for seen in vendor.seen:
        if seen.credentials:
            assert seen.raw_path.startswith("/cognigy/dev/new/"), seen
            assert "/.." not in seen.raw_path and "_emulator" not in seen.raw_path, seen
    assert key not in json.dumps(out)
    assert _max_rss_bytes() < 2 * 1024**3


def api_key(emu: EmulatorThread) -> str:
    """The read-only API key of the emulator's Cognigy tenant ``dev``."""
    info = httpx.get(f"{emu.url}/_emulator/info").json()["vendors"]["cognigy"]["dev"]
    return str(info["credentials"]["readonly"]["api_key"])


def project_flows(emu: EmulatorThread) -> list[dict[str, Any]]:
    """The flow listing of ``PROJECT``, asked of the emulator directly."""
    api = f"{emu.url}/cognigy/dev/new/v2.0"
    head = {"X-API-Key": api_key(emu)}
    projects = httpx.get(f"{api}/projects", headers=head).json()["items"]
    (pid,) = [p["_id"] for p in projects if p["name"] == PROJECT]
    items: list[dict[str, Any]] = httpx.get(
        f"{api}/flows", params={"projectId": pid}, headers=head
    ).json()["items"]
    return items
