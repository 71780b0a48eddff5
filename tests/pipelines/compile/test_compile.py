"""compile against the emulator over real HTTP: seeded errors at file line:column, saves,
Genesys validate jobs, recorded states, signed webhooks, and a 429 storm."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from cxops.analysis.locate import Locator
from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.fixtures import FLAWS as CXONE_FLAWS
from cxops.emulator.cxone.fixtures import INACTIVE_SCRIPT
from cxops.emulator.genesys.fixtures import FLAWS as GENESYS_FLAWS
from cxops.pipelines.compile import CompileOptions, CompileReport, Recorder, run_compile
from cxops.sinks.webhooks import Relay
from cxops.store import Store
from cxops.transport import TransportOptions
from tests.helpers.layout import flow_file
from tests.pipelines.compile.conn import settings

SECRET_ENV = "CXOPS_TEST_WEBHOOK_SECRET"
# The emulator is local: the default pace (10 requests/s) would only slow the tests down.
FAST = TransportOptions(rate=5000, burst=5000, concurrency=16)


def _compile(emu: EmulatorThread, vendor: str, repo: Path, store: Store | None = None,
             **kw: Any) -> CompileReport:  # fmt: skip
    options = CompileOptions(repo=repo, **kw)
    recorder = Recorder(store, {})
    return asyncio.run(run_compile(settings(emu, vendor), options, recorder, transport=FAST))


def _lines(repo: Path, rel: str) -> list[str]:
    return (repo / rel).read_text(encoding="utf-8").split("\n")


def _node_span(repo: Path, rel: str, index: int) -> tuple[int, int]:
    """First line of node ``index`` and of whatever follows it, by the analysis locator."""
    loc = Locator((repo / rel).read_bytes())
    start = loc.locate(f"/nodes/{index}")
    after = loc.locate(f"/nodes/{index + 1}") or loc.locate("/properties") or (10**9, 0)
    assert start is not None
    return start[0], after[0]


def test_every_seeded_cxone_error_is_found_at_its_line_and_column(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """Compiling all of CXone dev reports exactly the CX201/CX202 flaws of the fixtures, each at
    a line:column of the file cxops wrote that holds the member the vendor complained about."""
    repo = tmp_path / "repo"
    report = _compile(emu, "cxone", repo)
    got = {(f.location.flow, f.location.node, f.code) for f in report.findings}
    want = {
        (f["flow"], f["node"], f["code"]) for f in CXONE_FLAWS if f["code"] in ("CX201", "CX202")
    }
    assert got == want
    assert len(report.findings) == len(want)
    for f in report.findings:
        loc = f.location
        assert loc.file and loc.line and loc.column and loc.node
        lines = _lines(repo, loc.file)
        text = lines[loc.line - 1]
        at = text[loc.column - 1 :]
        doc = json.loads((repo / loc.file).read_text(encoding="utf-8"))
        index = [n["id"] for n in doc["nodes"]].index(loc.node)
        first, after = _node_span(repo, loc.file, index)
        assert first <= loc.line < after, (f.message, loc)
        vendor_code = f.message.split(":", 1)[0]
        assert f.hint and "action" in f.message  # the key's meaning in plain words
        if vendor_code in ("EXPRESSION_SYNTAX", "REQUIRED_PROPERTY_MISSING", "SCRIPT_NOT_FOUND"):
            # The answer names only the action: the value the key is about is pointed at.
            named = {"EXPRESSION_SYNTAX": "Data", "REQUIRED_PROPERTY_MISSING": "Sequence",
                     "SCRIPT_NOT_FOUND": "ScriptName"}[vendor_code]  # fmt: skip
            assert at.startswith('"value": ')
            assert lines[loc.line - 2].strip() == f'"name": "{named}",'
            if vendor_code == "EXPRESSION_SYNTAX":
                assert "IF (hour(now()) < 12 {" in at
        elif vendor_code in ("UNKNOWN_ACTION", "DEPRECATED_ACTION"):
            assert at.startswith('"name": "') and at.split('"')[3] in ("PLAYBACK", "TTS", "SAPI")
        elif vendor_code == "BRANCH_TARGET_MISSING":
            assert at == "{" and '"to": 99' in "\n".join(lines[loc.line : loc.line + 4])
        else:
            assert vendor_code in ("UNREACHABLE_ACTION", "BRANCH_NOT_CONNECTED")
            assert loc.line == first and at == "{"


def _cxone_token(emu: EmulatorThread) -> str:
    response = httpx.post(
        f"{emu.base('cxone', 'dev')}/auth/token",
        data={"grant_type": "password", "username": "cxone-dev-admin-key",
              "password": "cxone-dev-admin-key-secret"},
        auth=("cxone-dev-app", "cxone-dev-app-secret"),
    )  # fmt: skip
    token: str = response.json()["access_token"]
    return token


def test_cxone_compile_saves_back_exactly_what_it_read(emu: EmulatorThread, tmp_path: Path) -> None:
    """Clean and warned scripts are saved once each with their content unchanged (only a new
    masterID); rejected ones are not saved; three saves at a time never meet the save cap."""
    emu.ctx.tenant("cxone", "dev").max_concurrent_saves = 3
    repo = tmp_path / "repo"
    report = _compile(emu, "cxone", repo, concurrency=3)
    saved = [u for u in report.units if u.outcome in ("clean", "warnings")]
    ledger = httpx.get(f"{emu.url}/_emulator/ledger", params={"effect": "cxone.script.save"})
    assert ledger.json()["total"] == len(saved) == 18
    assert {e["resource"] for e in ledger.json()["entries"]} == {u.unit for u in saved}
    seen = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "cxone"}).json()
    assert [e for e in seen["entries"] if e["status"] == 429] == []
    headers = {"Authorization": f"Bearer {_cxone_token(emu)}"}
    for u in saved:
        rel = flow_file(repo, "cxone", u.unit.split(chr(92))[0], u.unit)
        flow = json.loads((repo / rel).read_text(encoding="utf-8"))
        live = httpx.get(
            f"{emu.base('cxone', 'dev')}/inContactAPI/services/v31.0/scripts",
            params={"scriptPath": u.unit},
            headers=headers,
        ).json()
        # The new masterID is the vendor's bookkeeping, not content: the file has none (#14).
        assert str(live["header"]["masterId"]) == u.master_id and "version" not in flow
        assert "masterId" not in flow["properties"]["header"]
        assert set(live["actions"]) == {n["id"] for n in flow["nodes"]}
        for node in flow["nodes"]:
            assert live["actions"][node["id"]] == node["properties"]["action"]
            assert live["properties"].get(node["id"]) == node["properties"].get("properties")
            assert live["branches"].get(node["id"]) == node["properties"].get("branches")


def test_genesys_validate_jobs_map_messages_to_flow_nodes(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """Validate jobs run to completion for every flow; their messages (which a job read carries
    only with expand=messages, so they prove compile asks for them) become CX201 (the deleted
    data action) and CX202 (unreachable actions) on the nodes of the files cxops wrote."""
    emu.ctx.clock.set_speed(200)
    repo = tmp_path / "repo"
    report = _compile(emu, "genesys", repo, concurrency=4)
    assert len(report.units) == 21 and {u.status for u in report.units} == {"Success"}
    got = {(f.location.flow, f.location.node, f.code) for f in report.findings}
    deleted = {(f["flow"], f["node"], "CX201") for f in GENESYS_FLAWS if f["code"] == "CX105"}
    unreachable = {(f["flow"], f["node"], "CX202") for f in GENESYS_FLAWS if f["code"] == "CX104"}
    assert got == deleted | unreachable
    for f in report.findings:
        loc = f.location
        assert loc.file and loc.line and loc.column == 5
        doc = json.loads((repo / loc.file).read_text(encoding="utf-8"))
        index = [n["id"] for n in doc["nodes"]].index(loc.node)
        first, after = _node_span(repo, loc.file, index)
        assert loc.line == first
        assert f'"id": "{loc.node}"' in "\n".join(_lines(repo, loc.file)[first - 1 : after - 1])


def test_each_state_change_is_recorded_and_sent_as_a_signed_webhook(
    emu: EmulatorThread, tmp_path: Path, monkeypatch: Any
) -> None:
    """Every script goes queued → in_progress → done in the store's events, steps (timed, with
    success) and audit; the relay delivers each event, signature verified by the receiver."""
    monkeypatch.setenv(SECRET_ENV, emu.ctx.config.webhook_secret)
    store = Store.open(f"sqlite:///{tmp_path}/state.db")
    hook = f"{emu.url}/_emulator/webhooks/compile"
    store.outbox.register(hook, SECRET_ENV)
    recorder = Recorder(store, {"vendor": "cxone"})
    options = CompileOptions(repo=tmp_path / "repo", units=["Flawed\\Broken_Menu", "IVR_Main"])

    async def go() -> CompileReport:
        async with Relay(store, scale=1e-5).running(poll=0.05):
            return await run_compile(settings(emu, "cxone"), options, recorder)

    report = asyncio.run(go())
    assert [u.unit for u in report.units] == ["Flawed\\Broken_Menu", "Main\\IVR_Main"]
    run = store.runs.get(str(recorder.run_id))
    assert run is not None and run.status == "partial"
    assert run.summary and run.summary["findings"]["error"] == 4
    events = store.outbox.events(run_id=recorder.run_id)
    states = [(e.payload.get("unit"), e.type) for e in events]
    for unit in ("Flawed\\Broken_Menu", "Main\\IVR_Main"):
        mine = [t for u, t in states if u == unit]
        assert mine == ["compile.queued", "compile.in_progress", "compile.done"]
    assert states[-1] == (None, "compile.completed")
    steps = store.steps.for_run(str(recorder.run_id))
    assert sorted(s.status for s in steps) == ["succeeded", "succeeded"]
    assert all(s.ended and s.started and s.ended >= s.started for s in steps)
    assert {s.result["outcome"] for s in steps if s.result} == {"rejected", "clean"}
    actions = [e.action for e in store.audit.iter()]
    assert actions.count("compile.done") == 2 and actions[-1] == "compile.partial"
    received = httpx.get(hook).json()
    assert received["rejected"] == 0
    assert sorted(e["id"] for e in received["events"]) == sorted(e.id for e in events)
    store.close()


def test_429_storm_waits_for_retry_after_and_completes(emu: EmulatorThread, tmp_path: Path) -> None:
    """Genesys answers validate-job registrations and polls with 429 Retry-After: 1 again and
    again; no request arrives before the pause has elapsed, and every flow is still checked.

    One unit at a time, so no other request is on the wire when a 429 is answered and the
    emulator's arrival times alone prove the wait.
    """
    emu.ctx.clock.set_speed(200)
    scenario = {"faults": [
        {"vendor": "genesys", "path": "/api/v2/flows/validate/jobs*", "action": "error",
         "status": 429, "retry_after": 1, "calls": [1, 2, 3, 5, 8, 9]},
    ]}  # fmt: skip
    assert httpx.post(f"{emu.url}/_emulator/scenario", json=scenario).status_code == 200
    names = ["Main Line IVR", "Support Line IVR", "Billing In-Queue", "Authenticate Caller"]
    report = _compile(emu, "genesys", tmp_path / "repo", concurrency=1, units=names)
    assert len(report.units) == 4
    assert all(u.outcome == "clean" and u.status == "Success" for u in report.units)
    rows = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "genesys"}).json()
    entries = sorted(rows["entries"], key=lambda e: e["seq"])
    storms = [e for e in entries if e["status"] == 429]
    assert len(storms) == 6
    for hit in storms:
        after = [e for e in entries if e["seq"] > hit["seq"]]
        assert after and min(e["wall"] for e in after) >= hit["wall"] + 1.0


def test_cxone_save_cap_429s_without_retry_after_are_backed_off_and_retried(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """More saves in flight than the business unit allows: the vendor's 429s (no Retry-After)
    are backed off and retried, and every script is still compiled exactly once."""
    unit = emu.ctx.tenant("cxone", "dev")
    unit.max_concurrent_saves, unit.save_seconds = 2, 0.3
    names = ["Main\\IVR_Main", "Main\\After_Hours", "Common\\Auth_PIN", "Common\\Check_Hours",
             "Sales\\Sales_Menu", "Flawed\\Broken_Menu"]  # fmt: skip
    report = _compile(emu, "cxone", tmp_path / "repo", concurrency=6, units=names)
    assert sorted(u.unit for u in report.units) == sorted(names)
    assert [u.outcome for u in report.units if u.outcome != "clean"] == ["rejected"]
    seen = httpx.get(f"{emu.url}/_emulator/requests", params={"vendor": "cxone"}).json()
    posts = [e for e in seen["entries"] if e["method"] == "POST" and e["path"].endswith("scripts")]
    assert [e for e in posts if e["status"] == 429], "the cap was met"
    assert sorted(e["status"] for e in posts if e["status"] != 429) == [200] * 5 + [409]


def test_a_failed_validate_job_is_a_failed_unit_and_a_failed_run(
    emu: EmulatorThread, tmp_path: Path
) -> None:
    """A validate job that ends in Failure: that flow is `failed` (event and step), the others
    are still checked, and the run ends `failed` with the vendor's reason recorded."""
    emu.ctx.clock.set_speed(200)
    scenario = {"faults": [{"vendor": "genesys", "action": "job_fail", "job": "validate",
                            "reason": "validator unavailable", "calls": [1]}]}  # fmt: skip
    assert httpx.post(f"{emu.url}/_emulator/scenario", json=scenario).status_code == 200
    store = Store.open(f"sqlite:///{tmp_path}/state.db")
    recorder = Recorder(store, {"vendor": "genesys"})
    names = ["Main Line IVR", "Support Line IVR"]
    options = CompileOptions(repo=tmp_path / "repo", units=names, concurrency=1)
    report = asyncio.run(run_compile(settings(emu, "genesys"), options, recorder, transport=FAST))
    assert sorted(u.outcome for u in report.units) == ["clean", "failed"]
    failed = next(u for u in report.units if u.outcome == "failed")
    assert failed.error and "validator unavailable" in failed.error
    run = store.runs.get(str(recorder.run_id))
    assert run is not None and run.status == "failed"
    types = [e.type for e in store.outbox.events(run_id=recorder.run_id)
             if e.payload.get("unit") == failed.unit]  # fmt: skip
    assert types == ["compile.queued", "compile.in_progress", "compile.failed"]
    steps = {s.status for s in store.steps.for_run(str(recorder.run_id))}
    assert steps == {"failed", "succeeded"}
    store.close()


def test_an_inactive_script_is_written_but_never_saved(emu: EmulatorThread, tmp_path: Path) -> None:
    """By default compile lists only live scripts (dev's retired Billing\\Promo_2025 is not
    even written); with include_inactive it is written and reported skipped, never saved, and
    stays inactive, while the live scripts are saved as usual."""
    plain = _compile(emu, "cxone", tmp_path / "plain")
    assert INACTIVE_SCRIPT not in {u.unit for u in plain.units}
    every = _compile(emu, "cxone", tmp_path / "all", include_inactive=True)
    [unit] = [u for u in every.units if u.unit == INACTIVE_SCRIPT]
    assert (unit.outcome, unit.status, unit.findings) == ("skipped", "inactive", [])
    rel = flow_file(tmp_path / "all", "cxone", "Billing", INACTIVE_SCRIPT)
    assert (tmp_path / "all" / rel).is_file() and rel in every.written
    ledger = httpx.get(f"{emu.url}/_emulator/ledger", params={"effect": "cxone.script.save"})
    saved = [e["resource"] for e in ledger.json()["entries"]]
    assert INACTIVE_SCRIPT not in saved and len(saved) == 2 * 18
    unit_state = emu.ctx.tenant("cxone", "dev")
    assert not unit_state.is_active(INACTIVE_SCRIPT)
    assert every.summary()["outcomes"]["skipped"] == 1  # type: ignore[index]
