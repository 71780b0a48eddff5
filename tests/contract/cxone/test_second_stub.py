"""cxops against a second, independent CXone picture (tests/contract/cxone/stub.py, written
from the public evidence, answering the forms the emulator does not): compile maps its
top-level save answers and free-text keys to CX201/CX202 at line:column of the written files,
never saves its retired script; a promotion save records the masterID and a restore finds the
recorded version in its list-wrapped, 150-row history in one request."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxops.pipelines.compile import CompileOptions, Recorder, run_compile
from cxops.transport import ConnectionSettings, TransportOptions, VendorClient, connect
from cxops.vendors.deploy.cxone import CxoneDeployer, ScriptInactive, content_of
from tests.contract.cxone.stub import StubTenant, create_stub

FAST = TransportOptions(rate=5000, burst=5000, concurrency=8)
SETTINGS = ConnectionSettings(
    vendor="cxone",
    auth_url="http://stub.test",
    tenant_id="11eb0001-stub",  # no base URL: the API host comes from discovery
    client_id="app",
    client_secret="app-secret",
    access_key_id="key",
    access_key_secret="key-secret",
)


def _script(path: str, *actions: tuple[str, dict[str, str]], wire: bool = True) -> dict[str, Any]:
    """A script of ``actions`` in order, each connected to the next (unless ``wire`` is off)."""
    acts, props, branches = {}, {}, {}
    for i, (kind, values) in enumerate(actions, start=1):
        acts[str(i)] = {"actionId": i, "libraryId": "", "name": kind, "version": 1,
                        "label": f"{kind.title()} {i}", "dependencyOrder": str(i - 1),
                        "implType": "0", "x": 96 * i, "y": 96}  # fmt: skip
        props[str(i)] = {str(n): {"name": k, "value": v} for n, (k, v) in enumerate(values.items())}
        if wire and i < len(actions):
            branches[str(i)] = [{"to": i + 1, "label": "", "type": "default", "index": 0}]
    header = {"masterId": 0, "scriptName": path, "busNo": 4600001, "mediaType": 4,
              "nextActionId": len(actions) + 1, "status": "CURR"}  # fmt: skip
    return {"header": header, "actions": acts, "properties": props, "branches": branches}


def _tenant() -> StubTenant:
    t = StubTenant()
    t.put(_script("Main\\Clean", ("BEGIN", {}), ("PLAY", {"Phrase": "Hello"}), ("HANGUP", {})))
    warned = _script("Main\\Warned", ("BEGIN", {}), ("TTS", {"Text": "Hi"}), ("PLAY", {}))
    t.put(warned)
    broken = _script("Main\\Broken", ("BEGIN", {}), ("IF", {"Expression": "(A > 1"}),
                     ("PLAYBACK", {"File": "x.wav"}), ("HANGUP", {}))  # fmt: skip
    t.put(broken)
    t.put(_script("Main\\Retired", ("BEGIN", {}), ("HANGUP", {})), active=False)
    return t


@pytest.fixture
async def stub() -> AsyncIterator[tuple[StubTenant, VendorClient]]:
    tenant = _tenant()
    client = await connect(SETTINGS, FAST, transport=httpx.ASGITransport(app=create_stub(tenant)))
    async with client:
        yield tenant, client


async def test_compile_maps_the_other_answer_form_to_findings_in_the_written_file(
    stub: tuple[StubTenant, VendorClient], tmp_path: Path
) -> None:
    """Broken is refused (top-level answer, no masterID): its syntax error lands on the IF's
    Expression value, the free-text 'action-not-available' on the action; Warned's warnings
    land on TTS's type name and the unwired PLAY; Clean and Warned are saved once, the retired
    script (listed by the default search as INAC) is neither written nor saved."""
    tenant, client = stub
    report = await run_compile(
        SETTINGS, CompileOptions(repo=tmp_path), Recorder(None, {}), client=client
    )
    outcomes = {u.unit: (u.outcome, u.status) for u in report.units}
    assert outcomes == {"Main\\Broken": ("rejected", "409"), "Main\\Clean": ("clean", "200"),
                        "Main\\Warned": ("warnings", "206")}  # fmt: skip
    assert sorted(tenant.saves) == ["Main\\Clean", "Main\\Warned"]
    saved = {u.unit: u.master_id for u in report.units if u.master_id}
    assert saved == {p: str(tenant.find(p).versions[-1][0]) for p in saved}  # type: ignore[union-attr]
    got = {}
    for f in report.findings:
        loc = f.location
        lines = (tmp_path / str(loc.file)).read_text(encoding="utf-8").split("\n")
        got[(loc.flow, loc.node, f.code, f.message.split(":")[0])] = (
            lines[int(loc.line or 0) - 1][int(loc.column or 0) - 1 :],
            lines[int(loc.line or 0) - 2].strip(),
        )
    assert set(got) == {
        ("Main\\Broken", "2", "CX201", "EXPRESSION_SYNTAX"),
        ("Main\\Broken", "3", "CX201", "action-not-available"),
        ("Main\\Warned", "2", "CX202", "DEPRECATED_ACTION"),
        ("Main\\Warned", "3", "CX202", "not wired"),
    }
    at, before = got[("Main\\Broken", "2", "CX201", "EXPRESSION_SYNTAX")]
    assert at.startswith('"value": "(A > 1"') and before == '"name": "Expression",'
    assert got[("Main\\Warned", "2", "CX202", "DEPRECATED_ACTION")][0] == '"name": "TTS",'
    assert got[("Main\\Broken", "3", "CX201", "action-not-available")][0] == "{"
    written = {p for p in report.written if p.startswith("flows/cxone/main/main-")}
    retired = "flows/cxone/main/main-retired.json"  # layout 2: by name (issue #16)
    assert retired not in written and not (tmp_path / retired).exists()
    assert len(written) == 3


async def test_a_save_records_the_master_id_and_restore_reads_the_list_wrapped_history(
    stub: tuple[StubTenant, VendorClient],
) -> None:
    """Clean saved 149 more times (150 versions); a promotion save answers masterID at the top
    level and is recorded; restoring the version before it (a history of 151 rows wrapped as
    scriptHistory: [...]) takes one history request and gives the old content back."""
    tenant, client = stub
    first = tenant.find("Main\\Clean")
    assert first is not None
    base = copy.deepcopy(first.versions[-1][1])
    for n in range(149):
        older = copy.deepcopy(base)
        older["properties"]["2"]["0"]["value"] = f"Hello (revision {n})"
        tenant.put(older)
    recorded_id, recorded = first.versions[-1]
    assert len(first.versions) == 150
    dep = CxoneDeployer(client, "stub")
    changed = copy.deepcopy(base)
    changed["properties"]["2"]["0"]["value"] = "Hello from dev"
    result = await dep.save(changed)
    assert result.saved and result.master_id == first.versions[-1][0] != recorded_id
    tenant.requests.clear()
    back = await dep.restore("Main\\Clean", recorded_id)
    assert back.saved and back.note == f"restored version {recorded_id}"
    assert tenant.requests.count("GET historyByName") == 1
    assert content_of(first.versions[-1][1]) == content_of(recorded)
    assert len(first.versions) == 152


async def test_an_unreadable_save_answer_is_looked_up_and_a_retired_script_never_saved(
    stub: tuple[StubTenant, VendorClient],
) -> None:
    """A save stored but answered with an HTML page counts once it is found on the target; a
    save over the retired (INAC) script is refused before any POST."""
    tenant, client = stub
    dep = CxoneDeployer(client, "stub")
    stored = tenant.find("Main\\Clean")
    assert stored is not None
    changed = copy.deepcopy(stored.versions[-1][1])
    changed["properties"]["2"]["0"]["value"] = "Hello again"
    tenant.garble_next_save = True
    result = await dep.save(changed)
    assert result.saved and result.master_id == stored.versions[-1][0]
    assert "lost" in (result.note or "") and tenant.saves == ["Main\\Clean"]
    retired = tenant.find("Main\\Retired")
    assert retired is not None
    revived = copy.deepcopy(retired.versions[-1][1])
    revived["actions"]["1"]["label"] = "Begin again"
    with pytest.raises(ScriptInactive, match="inactive"):
        await dep.save(revived)
    assert tenant.saves == ["Main\\Clean"] and not retired.active
