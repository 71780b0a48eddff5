"""Script search, get and history over real HTTP, with skip/top paging to the end."""

from __future__ import annotations

from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.fixtures import LONG_HISTORY
from cxops.emulator.cxone.store import CxoneTenant
from tests.emulator.cxone.conftest import Cx


def _unit(emu: EmulatorThread, tenant: str = "dev") -> CxoneTenant:
    unit: CxoneTenant = emu.ctx.tenant("cxone", tenant)
    return unit


def test_search_pages_to_the_end_with_skip_and_top(cx: Cx, emu: EmulatorThread) -> None:
    """Pages of 3 walk every live script once, in name order, and _links.next ends."""
    expected = [p for p in _unit(emu).paths() if _unit(emu).is_active(p)]
    seen: list[str] = []
    skip = 0
    while True:
        page = cx.get("/scripts/search", skip=skip, top=3).json()
        assert page["totalRecords"] == len(expected)
        rows = page["scriptSearchDetails"]
        assert len(rows) <= 3
        seen += [row["scriptName"] for row in rows]
        assert all(row["status"] == "CURR" for row in rows)
        if page["_links"]["next"] is None:
            break
        skip += 3
    assert seen == expected
    assert len(expected) >= 10


def test_search_top_is_capped_at_100_and_bad_values_are_400(cx: Cx) -> None:
    """top=500 returns at most 100 rows; a negative skip or top=0 is a 400 {message}."""
    page = cx.get("/scripts/search", top=500).json()
    assert len(page["scriptSearchDetails"]) == min(100, page["totalRecords"])
    assert "top=100" in page["_links"]["self"]
    for params in ({"skip": -1}, {"top": 0}, {"top": "many"}):
        response = cx.get("/scripts/search", **params)
        assert response.status_code == 400, params
        assert "message" in response.json()


def test_search_filters_by_script_name_and_empty_is_204(cx: Cx) -> None:
    """scriptName matches inside the path, case-insensitively; no match is 204 No Content."""
    page = cx.get("/scripts/search", scriptName="flawed\\").json()
    assert set(page) == {"totalRecords", "busNo", "_links", "scriptSearchDetails"}
    rows = page["scriptSearchDetails"]
    assert rows and all(r["scriptName"].startswith("Flawed\\") for r in rows)
    assert all(
        set(r) == {"masterID", "busNo", "scriptName", "status", "mediaType", "modifyDate", "mUser"}
        for r in rows
    )
    empty = cx.get("/scripts/search", scriptName="no-such-script")
    assert empty.status_code == 204 and empty.content == b""
    assert cx.get("/scripts/search", mediaType=4).json()["totalRecords"] >= 10
    assert cx.get("/scripts/search", mediaType=3).status_code == 204  # no chat scripts


def test_inactive_scripts_are_listed_only_on_request(cx: Cx, emu: EmulatorThread) -> None:
    """Billing\\Promo_2025 is retired: the default search leaves it out; includeInactive=true
    lists it with a status that is not CURR; a save makes it live again."""
    default = cx.get("/scripts/search", scriptName="billing\\").json()["scriptSearchDetails"]
    assert "Billing\\Promo_2025" not in {r["scriptName"] for r in default}
    assert {r["status"] for r in default} == {"CURR"}
    every = cx.get("/scripts/search", scriptName="billing\\", includeInactive="true").json()
    rows = {r["scriptName"]: r["status"] for r in every["scriptSearchDetails"]}
    assert rows["Billing\\Promo_2025"] not in ("CURR", "HIST")
    assert every["totalRecords"] == len(default) + 1
    assert cx.get("/scripts/search", includeInactive="maybe").status_code == 400
    assert cx.save(cx.script("Billing\\Promo_2025")).status_code == 200
    assert _unit(emu).is_active("Billing\\Promo_2025")


def test_get_script_by_path_and_by_master_id(cx: Cx, emu: EmulatorThread) -> None:
    """A script comes back as {header, actions, properties, branches}, by path or masterID."""
    script = cx.script("main/ivr_main")  # forward slashes and case are tolerated
    assert set(script) == {"header", "actions", "properties", "branches"}
    header = script["header"]
    assert header["scriptName"] == "Main\\IVR_Main" and header["status"] == "CURR"
    first = next(iter(script["actions"].values()))
    assert {"actionId", "name", "label", "libraryId", "x", "y"} <= set(first)
    for rows in script["branches"].values():
        for row in rows:
            assert {"to", "label", "type", "index"} == set(row)
            assert str(row["to"]) in script["actions"]
    old = _unit(emu).scripts["Main\\IVR_Main"][0].master_id
    by_id = cx.get("/scripts", scriptId=old).json()
    assert by_id["header"]["masterId"] == old and by_id["header"]["status"] == "HIST"
    assert by_id["actions"] != script["actions"]  # dev changed IVR_Main since


def test_unknown_script_is_404_and_missing_query_is_400(cx: Cx) -> None:
    """An unknown path or id is 404 {message}; neither scriptPath nor scriptId is 400."""
    assert cx.get("/scripts", scriptPath="Nope\\Nothing").status_code == 404
    assert cx.get("/scripts", scriptId=1).status_code == 404
    assert cx.get("/scripts").status_code == 400
    assert cx.get("/scripts/historyByName", scriptPath="Nope\\Nothing").status_code == 404


def test_sub_script_calls_name_stored_scripts(cx: Cx) -> None:
    """RUNSUB/SPAWN/RUNSCRIPT carry ScriptName properties that resolve to stored scripts."""
    script = cx.script("Main\\IVR_Main")
    calls = set()
    for key, action in script["actions"].items():
        if action["name"] in ("RUNSUB", "SPAWN", "RUNSCRIPT"):
            props = {p["name"]: p["value"] for p in script["properties"][key].values()}
            calls.add((action["name"], props["ScriptName"]))
    assert ("RUNSUB", "Common\\Auth_PIN") in calls
    assert ("SPAWN", "Common\\Log_Call") in calls
    for _kind, path in calls:
        assert cx.get("/scripts", scriptPath=path).status_code == 200, path


def test_history_is_one_unpaged_answer_newest_first(cx: Cx) -> None:
    """historyByName lists CURR first then HIST, all at once: skip/top change nothing, and
    prod's Billing_Main answers its 150 versions in one body."""
    whole = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main").json()
    assert set(whole) == {"name", "versions"} and whole["name"] == "Main\\IVR_Main"
    assert all(
        set(v) == {"scriptId", "modifyDate", "modifyUser", "status"} for v in whole["versions"]
    )
    statuses = [v["status"] for v in whole["versions"]]
    assert statuses == ["CURR"] + ["HIST"] * (len(statuses) - 1)
    paged = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main", skip=1, top=1).json()
    assert paged == whole
    tenant, path, count = LONG_HISTORY
    long = Cx(cx.emu, tenant).get("/scripts/historyByName", scriptPath=path).json()
    assert len(long["versions"]) == count
    assert len({v["scriptId"] for v in long["versions"]}) == count


def test_history_wrapped_forms_are_a_tenant_option(cx: Cx, emu: EmulatorThread) -> None:
    """A tenant may wrap the history as scriptHistory or resultSet.scriptHistory."""
    plain = cx.get("/scripts/historyByName", scriptPath="Common\\Auth_PIN").json()
    _unit(emu).history_wrap = "scriptHistory"
    assert cx.get("/scripts/historyByName", scriptPath="Common\\Auth_PIN").json() == {
        "scriptHistory": plain
    }
    _unit(emu).history_wrap = "resultSet.scriptHistory"
    assert cx.get("/scripts/historyByName", scriptPath="Common\\Auth_PIN").json() == {
        "resultSet": {"scriptHistory": plain}
    }
