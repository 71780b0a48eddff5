"""Routes of their own: unknown routes answer Genesys' ErrorBody, fixed /flows/<word> paths are
never taken for flow ids, /flows/divisionviews lists flows."""

from __future__ import annotations

import httpx

from tests.emulator.genesys.conftest import flow_id

ERROR_KEYS = {"message", "code", "status", "contextId", "details", "errors"}


def test_unknown_routes_answer_the_json_error_body(dev: httpx.Client) -> None:
    """A path or a method the emulator does not serve is a JSON ErrorBody, not plain text."""
    for method, path, status in [
        ("GET", "/api/v2/nothing/here", 404),
        ("GET", "/api/v2/flows/some-id/nonsense", 404),
        ("PATCH", "/api/v2/flows", 405),
    ]:
        r = dev.request(method, path)
        assert r.status_code == status, (path, r.text)
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert set(body) >= ERROR_KEYS and body["status"] == status, body


def test_fixed_sub_paths_are_not_flow_ids(dev: httpx.Client) -> None:
    """/flows/datatables, /flows/outcomes... are Architect routes of their own: the answer never
    says that a flow called 'datatables' was not found."""
    for word in ("datatables", "outcomes", "milestones", "executions", "instances", "lookup"):
        for method in ("GET", "DELETE"):
            r = dev.request(method, f"/api/v2/flows/{word}")
            assert r.status_code == 404 and "Flow '" not in r.json()["message"], r.text
            assert "does not serve" in r.json()["message"]


def test_division_views_list_flows_with_their_division(dev: httpx.Client) -> None:
    """/flows/divisionviews is served (not a flow id) and filters by type and name."""
    r = dev.get("/api/v2/flows/divisionviews", params={"type": "DIGITALBOT", "pageSize": 100})
    assert r.status_code == 200, r.text
    rows = r.json()["entities"]
    assert {f["name"] for f in rows} == {"Order Status Bot", "Billing Assistant Bot"}
    assert all(f["division"]["name"] == "Digital Channels" for f in rows)
    one = dev.get("/api/v2/flows/divisionviews", params={"name": "Main Line IVR"}).json()
    assert [f["id"] for f in one["entities"]] == [flow_id(dev, "Main Line IVR")]
