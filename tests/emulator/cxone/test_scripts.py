"""Script search, get and history over real HTTP, with skip/top paging to the end."""

from __future__ import annotations

from cxops.emulator import EmulatorThread
from cxops.emulator.cxone.store import CxoneTenant
from tests.emulator.cxone.conftest import Cx


def _unit(emu: EmulatorThread, tenant: str = "dev") -> CxoneTenant:
    unit: CxoneTenant = emu.ctx.tenant("cxone", tenant)
    return unit


def test_search_pages_to_the_end_with_skip_and_top(cx: Cx, emu: EmulatorThread) -> None:
    """Pages of 3 walk every current script once, in name order, and _links.next ends."""
    expected = _unit(emu).paths()
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


def test_search_filters_by_search_string_and_empty_is_204(cx: Cx) -> None:
    """searchString matches inside the path, case-insensitively; no match is 204 No Content."""
    rows = cx.get("/scripts/search", searchString="flawed\\").json()["scriptSearchDetails"]
    assert rows and all(r["scriptName"].startswith("Flawed\\") for r in rows)
    empty = cx.get("/scripts/search", searchString="no-such-script")
    assert empty.status_code == 204 and empty.content == b""


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


def test_history_pages_newest_first(cx: Cx) -> None:
    """historyByName lists CURR first then HIST, and pages with skip/top."""
    whole = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main").json()
    assert whole["name"] == "Main\\IVR_Main"
    statuses = [v["status"] for v in whole["versions"]]
    assert statuses == ["CURR"] + ["HIST"] * (len(statuses) - 1)
    second = cx.get("/scripts/historyByName", scriptPath="Main\\IVR_Main", skip=1, top=1).json()
    assert second["versions"] == whole["versions"][1:2]
    assert second["_links"]["previous"] is not None
