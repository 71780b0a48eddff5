"""One flow a hostile vendor makes unstorable, among good ones: a finding for that flow, the
others exported and committed.

The vendor is :class:`tests.hostile.proxy.HostileVendor` over real HTTP in front of the
emulator's Cognigy tenant. Each case spoils exactly one flow of a five-flow project: a value
RFC 8785 cannot represent (NaN, ``1e400``, an integer beyond 2^53, a 5,000-digit number),
nesting past the depth cap, duplicate keys; or renames it to an id the file layout must carry
(longer than a file name, holding NUL, newlines and escape sequences, path-like). A value case
ends ``partial`` with exit 1: the four good flows committed, the bad one named (escaped) with
what was wrong, as a CX100 finding in ``reports/findings.json``. An id case is stored (the layout
percent-encodes any id, and hashes one too long for a file name) and committed.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxops.cli.export import render_summary
from cxops.emulator import EmulatorThread
from cxops.pipelines.runner import ExportOptions, run_export
from cxops.store import Store
from cxops.transport.settings import resolve_connection
from tests.helpers.layout import flow_file, project_folder
from tests.hostile.proxy import HostileVendor, Rewrite, ServerThread
from tests.hostile.test_vendor import (
    FAST,
    FLOW_LIST,
    PROJECT,
    TARGET,
    _listing_ids,
    api_key,
    project_flows,
)

FLOW_DOC = r"/new/v2\.0/flows/[^/]+$"


def _spoil_one(member: bytes) -> Rewrite:
    """Add ``"hostile": <member>`` to one flow's document (the first one asked for), every
    time that flow is read; the other flows' documents pass untouched."""
    pinned: list[bytes] = []

    def rewrite(body: bytes, hit: int) -> bytes | None:
        flow_id = json.dumps(json.loads(body)["_id"]).encode()
        if not pinned:
            pinned.append(flow_id)
        if flow_id != pinned[0]:
            return None
        return body.replace(b"{", b'{"hostile":' + member + b",", 1)

    return rewrite


# case: the member that spoils one flow, and words the finding must hold.
VALUES: dict[str, tuple[bytes, str]] = {
    "nan": (b"NaN", "NaN"),
    "infinity": (b"1e400", "infinity"),
    "beyond-2p53": (b"9007199254740993", "2**53"),
    "long-digits": (b"9" * 5000, "number of 5000"),
    "deep": (b"[" * 300 + b"]" * 300, "deeper"),
    "duplicate-keys": (b'1,"hostile":2', "duplicate"),
}

# case: the id one flow is renamed to (its ``referenceId``, the portable id, in every answer).
IDS: dict[str, str] = {
    "longer-than-a-file-name": "f" * 3000,
    "nul-newline-escapes": "a\x00b\nc\r\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\x85",
    "path-like": "../../x?y=1#z%2F",
}


@pytest.fixture
def hostile(emu: EmulatorThread) -> Iterator[tuple[HostileVendor, str]]:
    vendor = HostileVendor(emu.url)
    with ServerThread(vendor.app()) as server:
        yield vendor, server.url


def _export(url: str, emu: EmulatorThread, tmp_path: Path) -> tuple[dict[str, Any], str, Path]:
    key = api_key(emu)
    settings = resolve_connection(
        {"vendor": "cognigy", "base_url": f"{url}/cognigy/dev", "api_key": key}, environ={}
    )
    repo = tmp_path / "repo"
    store = f"sqlite:///{tmp_path / 'store.db'}"
    options = ExportOptions(repo=repo, store=store, transport=FAST, project=PROJECT)
    return asyncio.run(run_export(settings, options)), store, repo


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _committed_flows(repo: Path, folder: str) -> list[str]:
    names = _git(repo, "ls-tree", "--name-only", "HEAD", f"{folder}/").split()
    return sorted(n.rpartition("/")[2] for n in names if not n.endswith("/_bundle.json"))


@pytest.mark.parametrize("case", sorted(VALUES))
def test_an_unstorable_flow_is_a_finding_and_the_others_are_committed(
    case: str,
    hostile: tuple[HostileVendor, str],
    emu: EmulatorThread,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One spoilt flow of five: run partial, exit 1, four flows committed, the fifth a CX100
    finding naming it and why; the run recorded partial, the audit log verifying."""
    vendor, url = hostile
    member, words = VALUES[case]
    rule = _spoil_one(member)
    vendor.rules = [(FLOW_DOC, rule)]

    out, store, repo = _export(url, emu, tmp_path)

    assert out["status"] == "partial", out
    (project,) = out["projects"]
    assert project["status"] == "ok", project
    (bad,) = project["unstorable"]
    assert words in bad["error"], bad
    assert project["flows"] == 4
    folder = project_folder(repo, "cognigy", project["key"])
    committed = _committed_flows(repo, folder)
    assert len(committed) == 4, committed
    report = json.loads((repo / "reports/findings.json").read_text())
    mine = [f for f in report["findings"] if f["location"].get("flow") == bad["id"]]
    assert [f["code"] for f in mine] == ["CX100"], mine
    assert words in mine[0]["message"] and "not exported" in mine[0]["message"]
    assert out["findings"]["error"] >= 1
    with Store.open(store) as st:
        (run,) = st.runs.list(kind="export")
        assert run.status == "partial"
        assert st.audit.verify().ok
    assert render_summary({**out, "run": "r"}, [], as_json=False) == 1
    shown = capsys.readouterr().out
    assert bad["id"] in shown and "not exported" in shown


@pytest.mark.parametrize("case", sorted(IDS))
def test_a_hostile_flow_id_is_stored_under_an_encoded_name(
    case: str,
    hostile: tuple[HostileVendor, str],
    emu: EmulatorThread,
    tmp_path: Path,
) -> None:
    """A flow renamed to a hostile id is stored (a file named by the flow's name, layout 2; the
    id verbatim inside) and committed with the others; the commit message shows the id
    escaped."""
    vendor, url = hostile
    hostile_id = IDS[case]
    flows = project_flows(emu)
    real = sorted(f["referenceId"] for f in flows)[0]  # the portable flow id (not in paths)
    quoted, renamed = json.dumps(real).encode(), json.dumps(hostile_id).encode()
    vendor.rules = [(r".*", lambda body, hit: body.replace(quoted, renamed))]

    out, _store, repo = _export(url, emu, tmp_path)

    assert out["status"] == "succeeded", out
    (project,) = out["projects"]
    folder = project_folder(repo, "cognigy", project["key"])
    name = flow_file(repo, "cognigy", project["key"], hostile_id).rpartition("/")[2]
    assert name in _committed_flows(repo, folder)
    stored = json.loads((repo / folder / name).read_text())
    assert stored["id"] == hostile_id
    message = _git(repo, "log", "-1", "--format=%B")
    assert "\x1b" not in message and "\x00" not in message and "\x07" not in message


def test_an_unstorable_flow_on_an_incremental_pass_is_a_finding_too(
    hostile: tuple[HostileVendor, str], emu: EmulatorThread, tmp_path: Path
) -> None:
    """Exported once; then one flow changes on the vendor (its listing row, so its stamp) and
    its document holds NaN: the incremental pass reads that project in full and reports the
    flow as a full pass does, the other four kept and the run partial."""
    vendor, url = hostile
    first, _store, _repo = _export(url, emu, tmp_path)
    assert first["status"] == "succeeded", first
    TARGET[:] = [sorted(f["_id"] for f in project_flows(emu))[0]]
    vendor.rules = [
        (FLOW_LIST, _listing_ids({"description": "edited"})),
        (FLOW_DOC, _spoil_one(b"NaN")),
    ]

    out, store, _repo = _export(url, emu, tmp_path)

    assert out["pass"] == "incremental" and out["status"] == "partial", out
    (bad,) = out["unstorable"]
    assert bad["id"] == TARGET[0] and "NaN" in bad["error"]
    assert out["projects"][0]["flows"] == 4
    with Store.open(store) as st:
        assert [r.status for r in st.runs.list(kind="export")] == ["partial", "succeeded"]
