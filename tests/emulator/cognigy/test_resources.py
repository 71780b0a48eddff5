"""Projects, flows, charts, node details, intents, lexicons, connections and the graph over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.cognigy.conftest import Client, project_id


def _main(c: httpx.Client, pid: str) -> dict[str, Any]:
    items = c.get("/new/v2.0/flows", params={"projectId": pid, "limit": 100}).json()["items"]
    return next(f for f in items if f["name"] == "Main")


def test_chart_has_one_relation_per_node_and_index_fields_only(cognigy: Client) -> None:
    """The chart lists IChartNodeIndexItem_2_0 nodes (no config) and one relation per node."""
    c = cognigy()
    flow = _main(c, project_id(c, "Customer Service"))
    chart = c.get(f"/new/v2.0/flows/{flow['_id']}/chart").json()
    ids = [n["_id"] for n in chart["nodes"]]
    assert sorted(r["node"] for r in chart["relations"]) == sorted(ids)
    linked = {r["next"] for r in chart["relations"] if r["next"]}
    linked |= {k for r in chart["relations"] for k in r["children"]}
    assert linked <= set(ids)
    assert all("config" not in n for n in chart["nodes"])
    starts = [n for n in chart["nodes"] if n["isEntryPoint"]]
    assert [n["type"] for n in starts] == ["start"]


def test_node_listing_pages_the_chart_s_nodes_as_their_reads_give_them(cognigy: Client) -> None:
    """indexChartNodes: every chart node once, in the chart's order, each equal to its own
    readChartNode answer (with config); cursor paging visits them all."""
    c = cognigy()
    flow = _main(c, project_id(c, "Customer Service"))
    base = f"/new/v2.0/flows/{flow['_id']}/chart"
    ids = [n["_id"] for n in c.get(base).json()["nodes"]]
    listed: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 3}
    while True:
        page = c.get(f"{base}/nodes", params=query).json()
        listed += page["items"]
        if not page["nextCursor"]:
            break
        query = {"limit": 3, "next": page["nextCursor"]}
    assert [n["_id"] for n in listed] == ids and len(ids) > 3
    assert listed == [c.get(f"{base}/nodes/{i}").json() for i in ids]
    assert all(isinstance(n["config"], dict) for n in listed)


def test_node_detail_holds_references(cognigy: Client) -> None:
    """executeFlow config names a flow referenceId of the project; lookup cases name intents."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    flow = _main(c, pid)
    refs = {
        f["referenceId"]
        for f in c.get("/new/v2.0/flows", params={"projectId": pid, "limit": 100}).json()["items"]
    }
    chart = c.get(f"/new/v2.0/flows/{flow['_id']}/chart").json()
    details = [
        c.get(f"/new/v2.0/flows/{flow['_id']}/chart/nodes/{n['_id']}").json()
        for n in chart["nodes"]
    ]
    targets = [d["config"]["flowNode"]["flow"] for d in details if d["type"] == "executeFlow"]
    assert targets and set(targets) <= refs
    intents = {i["name"] for i in c.get(f"/new/v2.0/flows/{flow['_id']}/intents").json()["items"]}
    cases = {d["config"]["case"]["value"] for d in details if d["type"] == "case"}
    assert cases == intents and len(intents) == 4
    lexicons = {
        x["referenceId"]
        for x in c.get("/new/v2.0/lexicons", params={"projectId": pid}).json()["items"]
    }
    used = [d["config"]["lexiconId"] for d in details if d["type"] == "addLexiconKeyphrase"]
    assert used and set(used) <= lexicons
    conns = {
        x["referenceId"]
        for x in c.get("/new/v2.0/connections", params={"projectId": pid}).json()["items"]
    }
    http = [d["config"]["basicConnection"] for d in details if d["type"] == "httpRequest"]
    assert http and set(http) <= conns


def test_sentences_of_an_intent(cognigy: Client) -> None:
    """Each intent serves its sample sentences, paged."""
    c = cognigy()
    flow = _main(c, project_id(c, "Billing Assistant"))
    intent = c.get(f"/new/v2.0/flows/{flow['_id']}/intents").json()["items"][0]
    body = c.get(f"/new/v2.0/flows/{flow['_id']}/intents/{intent['_id']}/sentences").json()
    assert body["total"] >= 3 and all(s["text"] for s in body["items"])


def test_graph_lists_flow_dependencies(cognigy: Client) -> None:
    """The project graph has a flowNode dependency for each executeFlow of the main flow."""
    c = cognigy()
    pid = project_id(c, "Customer Service")
    graph = c.get(f"/new/v2.0/projects/{pid}/graph").json()
    assert list(graph) == [pid] and graph[pid]["type"] == "project"
    resources = graph[pid]["resources"]
    kinds = {r["type"] for r in resources}
    assert kinds == {"flow", "lexicon", "connection", "endpoint", "playbook"}
    flow = _main(c, pid)
    entry = next(r for r in resources if r["_id"] == flow["_id"])
    deps = [d for d in entry["dependencies"] if d["type"] == "flowNode"]
    executes = [d for d in deps if d["properties"]["nodeType"] == "executeFlow"]
    flows = {r["_id"] for r in resources if r["type"] == "flow"}
    assert executes and {d["_id"] for d in executes} <= flows
    endpoint = next(r for r in resources if r["type"] == "endpoint")
    assert endpoint["dependencies"] == [{"_id": flow["_id"], "type": "endpointFlow"}]


def test_unknown_ids_are_404_problems(emu: EmulatorThread, cognigy: Client) -> None:
    """Unknown ids answer RFC 7807 404s with the numeric code the client maps."""
    c = cognigy()
    flow = _main(c, project_id(c, "Billing Assistant"))
    for path in (
        "/new/v2.0/projects/nope",
        "/new/v2.0/flows/nope/chart",
        f"/new/v2.0/flows/{flow['_id']}/chart/nodes/nope",
        "/new/v2.0/tasks/nope",
        "/new/v2.0/flows?projectId=nope",
    ):
        r = c.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == 1002  # the client's RESOURCE_NOT_FOUND_ERROR


def test_summary_control(emu: EmulatorThread) -> None:
    """The tenant's summary names its projects and flows."""
    body = httpx.get(emu.base("cognigy", "dev") + "/_emulator/summary").json()
    assert body["summary"].startswith("cognigy/dev: 8 projects (5 flawed)")
