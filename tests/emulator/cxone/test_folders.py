"""GET script-folders: one folder's sub-folders and scripts, paged with skip/top."""

from __future__ import annotations

from tests.emulator.cxone.conftest import Cx


def test_root_lists_the_folders(cx: Cx) -> None:
    """The root of dev holds the six folders and no loose scripts."""
    body = cx.get("/script-folders").json()
    names = [(row["scriptName"], row["isFolder"]) for row in body["scriptList"]]
    assert names == [
        (name, True) for name in ("Billing", "Common", "Flawed", "Main", "Sales", "Support")
    ]
    assert body["totalRecords"] == 6


def test_a_folder_lists_its_scripts_with_versions_and_dates(cx: Cx) -> None:
    """Main holds its scripts with masterID, dates, author and lock state."""
    rows = cx.get("/script-folders", folder="main").json()["scriptList"]
    by_name = {row["scriptName"]: row for row in rows}
    assert set(by_name) == {"Main\\After_Hours", "Main\\Emergency_Closure", "Main\\IVR_Main"}
    main = by_name["Main\\IVR_Main"]
    assert main["isFolder"] is False and main["status"] == "CURR"
    assert main["masterID"] == cx.script("Main\\IVR_Main")["header"]["masterId"]
    assert main["createDate"] < main["modifyDate"]  # dev changed IVR_Main after creating it
    assert main["scriptLockingType"] == "Unlocked"


def test_folder_pages_to_the_end_and_unknown_folder_is_404(cx: Cx) -> None:
    """Pages of 2 over Common cover every script once; an unknown folder is 404."""
    whole = cx.get("/script-folders", folder="Common").json()
    seen, skip = [], 0
    while True:
        page = cx.get("/script-folders", folder="Common", skip=skip, top=2).json()
        seen += [row["scriptName"] for row in page["scriptList"]]
        if page["_links"]["next"] is None:
            break
        skip += 2
    assert seen == [row["scriptName"] for row in whole["scriptList"]]
    assert len(seen) == whole["totalRecords"] >= 5
    assert cx.get("/script-folders", folder="Nowhere").status_code == 404
