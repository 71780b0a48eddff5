"""POST scripts: validate-on-save (200/206/409), masterIDs, history, ledger, concurrency cap."""

from __future__ import annotations

import asyncio
import copy

import httpx

from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.store import CxoneTenant
from tests.emulator.cxone.conftest import Cx, save_problems, save_result


def _ledger_saves(emu: EmulatorThread) -> list[str]:
    rows = httpx.get(
        emu.url + "/_emulator/ledger", params={"vendor": "cxone", "effect": "cxone.script.save"}
    ).json()["entries"]
    return [row["resource"] for row in rows]


def test_clean_save_is_200_and_mints_a_new_master_id_each_time(cx: Cx) -> None:
    """Two saves of a healthy script: 200 twice, three distinct masterIDs, history lists them."""
    script = cx.script("Common\\Auth_PIN")
    before = script["header"]["masterId"]
    first = cx.save(script)
    assert first.status_code == 200, first.text
    assert first.json()["errorCount"] == 0
    result = save_result(first.json())
    assert result["success"] is True and result["libraryId"] == ""
    assert result["error_code"] == {
        "details": {"totalErrors": "0", "totalWarnings": "0", "actions": {}}
    }
    second = cx.save(script)
    assert second.status_code == 200
    ids = [before, result["masterId"], save_result(second.json())["masterId"]]
    assert len(set(ids)) == 3
    history = cx.get("/scripts/historyByName", scriptPath="Common\\Auth_PIN").json()
    assert [v["scriptId"] for v in history["versions"]] == ids[::-1]
    assert history["versions"][0]["modifyUser"] == "cxone-dev-admin-key"
    assert cx.script("Common\\Auth_PIN")["header"]["masterId"] == ids[2]


def test_saved_content_round_trips(cx: Cx) -> None:
    """What a save sends is what the next GET returns (header masterId aside)."""
    script = cx.script("Billing\\Payment_IVR")
    key = next(k for k, a in script["actions"].items() if a["name"] == "PLAY")
    script["actions"][key]["label"] = "Confirm payment"
    assert cx.save(script).status_code == 200
    again = cx.script("Billing\\Payment_IVR")
    for part in ("actions", "properties", "branches"):
        assert again[part] == script[part]


def test_flawed_script_is_409_with_exact_per_action_errors(cx: Cx) -> None:
    """Flawed\\Broken_Menu is refused with four errors and one warning, keyed by action id,
    each a bare code under ``error_code.details.actions`` with the action's type."""
    response = cx.save(cx.script("Flawed\\Broken_Menu"))
    assert response.status_code == 409
    body = response.json()
    assert body["errorCount"] == 1
    result = save_result(body)
    assert result["success"] is False and result["masterId"] == 0
    details = result["error_code"]["details"]
    assert (details["totalErrors"], details["totalWarnings"]) == ("4", "1")
    assert {k: a["actionType"] for k, a in details["actions"].items()} == {
        "2": "SNIPPET", "3": "MENU", "4": "PLAYBACK", "5": "REQAGENT", "7": "PLAY"
    }  # fmt: skip
    assert save_problems(body) == {
        "2": {"errors": ["EXPRESSION_SYNTAX"], "warnings": []},
        "3": {"errors": ["REQUIRED_PROPERTY_MISSING"], "warnings": []},
        "4": {"errors": ["UNKNOWN_ACTION"], "warnings": []},
        "5": {"errors": ["BRANCH_TARGET_MISSING"], "warnings": []},
        "7": {"errors": [], "warnings": ["UNREACHABLE_ACTION"]},
    }
    # A problem is its key only: the live answer names no position inside a value.
    for action in details["actions"].values():
        assert all(set(e) == {"key"} for e in action["errors"] + action["warnings"])


def test_409_leaves_the_stored_script_unchanged(cx: Cx, emu: EmulatorThread) -> None:
    """Breaking a healthy script and saving it is refused; GET and history are as before."""
    good = cx.script("Sales\\Sales_Menu")
    history = cx.get("/scripts/historyByName", scriptPath="Sales\\Sales_Menu").json()
    broken = copy.deepcopy(good)
    key = next(k for k, a in broken["actions"].items() if a["name"] == "MENU")
    for prop in broken["properties"][key].values():
        if prop["name"] in ("Sequence", "Phrase"):
            prop["value"] = ""
    response = cx.save(broken)
    assert response.status_code == 409
    assert save_problems(response.json()) == {
        key: {"errors": ["REQUIRED_PROPERTY_MISSING"], "warnings": []}
    }
    assert cx.script("Sales\\Sales_Menu") == good
    assert cx.get("/scripts/historyByName", scriptPath="Sales\\Sales_Menu").json() == history
    assert _ledger_saves(emu) == []


def test_missing_sub_script_is_409_script_not_found(cx: Cx) -> None:
    """Calling a script that does not exist fails the save on the calling action."""
    body = cx.save(cx.script("Flawed\\Missing_Sub")).json()
    assert save_problems(body) == {"2": {"errors": ["SCRIPT_NOT_FOUND"], "warnings": []}}


def test_warnings_save_as_206(cx: Cx) -> None:
    """Deprecated and unreachable actions save with 206, warnings keyed by action id."""
    legacy = cx.save(cx.script("Flawed\\Legacy_Prompts"))
    assert legacy.status_code == 206
    assert save_problems(legacy.json()) == {
        "2": {"errors": [], "warnings": ["DEPRECATED_ACTION"]},
        "4": {"errors": [], "warnings": ["DEPRECATED_ACTION"]},
        "6": {"errors": [], "warnings": ["BRANCH_NOT_CONNECTED"]},
    }
    orphan = cx.save(cx.script("Flawed\\Orphan_Actions"))
    assert orphan.status_code == 206
    result = save_result(orphan.json())
    assert result["success"] is True and result["error_code"]["details"]["totalWarnings"] == "2"
    assert set(save_problems(orphan.json())) == {"5", "6"}
    assert result["masterId"] == cx.script("Flawed\\Orphan_Actions")["header"]["masterId"]


def test_new_script_saves_and_can_then_be_called(cx: Cx) -> None:
    """Saving a new path creates it; a script calling it then validates clean."""
    caller = cx.script("Flawed\\Missing_Sub")
    callee = cx.script("Support\\Outage_Message")
    callee["header"]["scriptName"] = "Common\\Retired_Survey"
    created = cx.save(callee)
    assert created.status_code == 200
    made = cx.script("Common\\Retired_Survey")["header"]["masterId"]
    assert save_result(created.json())["masterId"] == made
    assert cx.save(caller).status_code == 200


def test_bad_bodies_are_400(cx: Cx) -> None:
    """Not JSON, or no header.scriptName: 400 {message}, nothing stored."""
    headers = cx.headers()
    raw = httpx.post(cx.api + "/scripts", content=b"{nope", headers=headers)
    assert raw.status_code == 400 and "JSON" in raw.json()["message"]
    nameless = httpx.post(
        cx.api + "/scripts", json={"scriptContent": {"actions": {}}}, headers=headers
    )
    assert nameless.status_code == 400 and "scriptName" in nameless.json()["message"]


def test_ledger_records_each_successful_save(cx: Cx, emu: EmulatorThread) -> None:
    """Every 200/206 save is one cxone.script.save entry naming the path; a 409 is none."""
    cx.save(cx.script("Common\\Check_Hours"))
    cx.save(cx.script("Flawed\\Broken_Menu"))
    cx.save(cx.script("Flawed\\Legacy_Prompts"))
    assert _ledger_saves(emu) == ["Common\\Check_Hours", "Flawed\\Legacy_Prompts"]


def test_concurrent_saves_beyond_the_cap_get_429_without_retry_after(
    cx: Cx, emu: EmulatorThread
) -> None:
    """With saves held in flight, the 6th..8th concurrent saves get 429 and no Retry-After."""
    unit: CxoneTenant = emu.ctx.tenant("cxone", "dev")
    unit.save_seconds = 1.0  # hold each save long enough for all eight to overlap
    headers = cx.headers()
    body = {"scriptContent": cx.script("Common\\Log_Call")}

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            return list(
                await asyncio.gather(
                    *(
                        client.post(cx.api + "/scripts", json=body, headers=headers)
                        for _ in range(8)
                    )
                )
            )

    responses = asyncio.run(burst())
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * unit.max_concurrent_saves + [429] * (8 - unit.max_concurrent_saves)
    for refused in (r for r in responses if r.status_code == 429):
        assert "retry-after" not in refused.headers
        assert "at most 5" in refused.json()["message"]
    assert unit.inflight == 0
    assert len(_ledger_saves(emu)) == unit.max_concurrent_saves
    assert cx.save(body["scriptContent"]).status_code == 200  # the cap frees up again


def test_lock_and_unlock_record_lock_info(cx: Cx) -> None:
    """PUT scripts?lockScript=true|false sets and clears header.lockInfo."""
    headers = cx.headers()
    params = {"scriptPath": "Main\\IVR_Main", "lockScript": "true"}
    locked = httpx.put(cx.api + "/scripts", params=params, headers=headers)
    assert locked.status_code == 200
    assert locked.json() == {"errorState": False, "errorMessage": "", "lockUnlockResult": "Locked"}
    assert cx.script("Main\\IVR_Main")["header"]["lockInfo"]["lockedName"] == "cxone-dev-admin-key"
    params["lockScript"] = "false"
    assert httpx.put(cx.api + "/scripts", params=params, headers=headers).status_code == 200
    assert cx.script("Main\\IVR_Main")["header"]["lockInfo"]["lockedName"] == ""


def test_deleting_a_called_script_breaks_its_callers_on_save(cx: Cx, emu: EmulatorThread) -> None:
    """DELETE removes the script; a caller of it is then refused with SCRIPT_NOT_FOUND."""
    headers = cx.headers()
    gone = httpx.delete(
        cx.api + "/scripts", params={"scriptPath": "Common\\Auth_PIN"}, headers=headers
    )
    assert gone.status_code == 204
    assert cx.get("/scripts", scriptPath="Common\\Auth_PIN").status_code == 404
    refused = cx.save(cx.script("Billing\\Billing_Main"))
    assert refused.status_code == 409
    keys = {k for row in save_problems(refused.json()).values() for k in row["errors"]}
    assert keys == {"SCRIPT_NOT_FOUND"}
    rows = httpx.get(emu.url + "/_emulator/ledger", params={"effect": "cxone.script.delete"})
    assert [r["resource"] for r in rows.json()["entries"]] == ["Common\\Auth_PIN"]


def test_promotion_must_follow_sub_script_order(emu: EmulatorThread) -> None:
    """dev's IVR_Main saved into prod fails until the scripts it newly calls are saved first."""
    dev, prod = Cx(emu, "dev"), Cx(emu, "prod")
    main = dev.script("Main\\IVR_Main")
    early = prod.save(main)
    assert early.status_code == 409
    refused = {k for k, row in save_problems(early.json()).items() if row["errors"]}
    targets = {
        next(v["value"] for v in main["properties"][k].values() if v["name"] == "ScriptName")
        for k in refused
    }
    assert targets == {"Common\\Log_Call", "Sales\\Callback_Offer"}
    for path in ("Common\\Log_Call", "Common\\Callback_Queue", "Sales\\Callback_Offer"):
        assert prod.save(dev.script(path)).status_code == 200, path
    promoted = prod.save(main)
    assert promoted.status_code == 200
    live = prod.script("Main\\IVR_Main")
    assert live["header"]["busNo"] != main["header"]["busNo"]  # the target unit's number
    assert live["actions"] == main["actions"] and live["branches"] == main["branches"]
