"""The official Genesys Cloud Python SDK (``PureCloudPlatformClientV2``) judges every answer the
emulator serves on the routes cxops uses: strictly (``strict.problems``: every field in the
model's ``attribute_map``, JSON types as ``swagger_types``, enums within ``allowed_values``) and
through the SDK's own deserializer. A Genesys route without a case here, or a reasoned
exemption, fails ``test_every_route_has_a_contract``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from cxops.emulator import EmulatorThread
from cxops.emulator.genesys.app import create_app
from tests.contract.genesys.strict import deserialize, problems
from tests.emulator.genesys.conftest import client, crawl, flow_id

Case = tuple[str, str]
COVERED: dict[Case, str] = {}  # (method, route) → the SDK model its answer must fit
EXEMPT: dict[Case, str] = {
    ("POST", "/oauth/token"): "the login host's OAuth answer, read by the SDK's own "
    "ApiClient.get_client_credentials_token (tests/emulator/genesys/test_sdk_fidelity.py)",
    ("GET", "/downloads/architect/exports/{job_id}/{name}"): "a presigned download URL (the "
    "export file: Architect's flow document, shape-checked in test_configuration_shape.py)",
    ("PUT", "/uploads/architect/jobs/{job_id}"): "a presigned upload URL: no JSON answer",
    ("DELETE", "/api/v2/flows/{flow_id}"): "delete_flow returns no body (SDK: None)",
    ("POST", "/api/v2/architect/dependencytracking/build"): "202 without a body (SDK: None)",
    ("GET", "/_emulator/summary"): "emulator test control, not a Genesys route",
    ("GET", "/_emulator/observations"): "emulator test control, not a Genesys route",
    ("PUT", "/_emulator/observations"): "emulator test control, not a Genesys route",
    ("PUT", "/_emulator/health"): "emulator test control, not a Genesys route",
    ("DELETE", "/_emulator/health"): "emulator test control, not a Genesys route",
    ("PUT", "/_emulator/dependencytracking"): "emulator test control, not a Genesys route",
    ("PUT", "/_emulator/locks"): "emulator test control, not a Genesys route",
}
for _word in (
    "actions",
    "datatables",
    "executions",
    "export",
    "instances",
    "jobs",
    "lookup",
    "milestones",
    "outcomes",
    "validate",
):
    for _method in ("GET", "PUT", "DELETE"):
        COVERED[(_method, f"/api/v2/flows/{_word}")] = "ErrorBody"  # not served: ErrorBody
CHANNEL = {
    "name": "Messaging",
    "inputModes": ["Text"],
    "outputModes": ["Text"],
    "userAgent": {"name": "GenesysWebWidget"},
}


def covers(*routes: tuple[str, str, str]) -> Callable[[Any], Any]:
    """Declare the (method, route, SDK model) triples a test checks."""
    for method, route, model in routes:
        COVERED[(method, route)] = model
    return lambda fn: fn


def fits(response: httpx.Response, model: str) -> Any:
    """The answer's JSON fits ``model`` strictly and the SDK deserializes it."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    found = problems(body, model)
    assert found == [], f"{response.request.method} {response.request.url.path}: {found}"
    assert deserialize(body, model) is not None
    return body


@pytest.fixture
def dev(emu: EmulatorThread) -> Iterator[httpx.Client]:
    crawl(emu)
    with client(emu) as c:
        yield c


def test_every_route_has_a_contract(emu: EmulatorThread) -> None:
    """Each (method, route) the Genesys emulator serves has a contract case or an exemption with
    its reason; a new route without one fails here."""
    served = {
        (method, route.path)
        for route in create_app(emu.ctx, "dev").routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    missing = sorted(served - set(COVERED) - set(EXEMPT))
    assert missing == [], f"routes without an SDK contract case or a reasoned exemption: {missing}"
    assert not set(COVERED) & set(EXEMPT)
    stale = sorted((set(COVERED) | set(EXEMPT)) - served)
    assert stale == [], f"contract cases for routes the emulator no longer serves: {stale}"


def test_the_strict_check_catches_what_the_sdk_forgives() -> None:
    """A field the model does not have, a wrong JSON type and an unknown enum value are
    problems, though the SDK would deserialize all three without a word."""
    body = {"id": "b", "status": "SPEECHFLOW", "dateStarted": 7, "surprise": True}
    found = problems(body, "DependencyStatus")
    assert any("'surprise' is not in DependencyStatus.attribute_map" in p for p in found)
    assert any("/status: 'SPEECHFLOW' is not an allowed" in p for p in found)
    assert any("/dateStarted: 7 is not a JSON datetime" in p for p in found)
    lenient = deserialize({"id": "b", "status": "SPEECHFLOW", "surprise": True}, "DependencyStatus")
    assert lenient.status == "outdated_sdk_version"  # what the SDK alone would let through
    assert problems({"type": "SPEECHFLOW"}, "Dependency") != []


@covers(
    ("GET", "/api/v2/flows", "FlowEntityListing"),
    ("GET", "/api/v2/flows/{flow_id}", "Flow"),
    ("GET", "/api/v2/flows/divisionviews", "FlowDivisionViewEntityListing"),
    ("GET", "/api/v2/flows/{flow_id}/versions", "FlowVersionEntityListing"),
    ("GET", "/api/v2/flows/{flow_id}/versions/{version_id}", "FlowVersion"),
    ("GET", "/api/v2/flows/{flow_id}/versions/{version_id}/configuration", "object"),
    ("GET", "/api/v2/flows/{flow_id}/latestconfiguration", "object"),
    ("GET", "/api/v2/authorization/divisions", "AuthzDivisionEntityListing"),
)
@pytest.mark.parametrize("tenant", ["dev", "prod"])
def test_flow_reads(emu: EmulatorThread, tenant: str) -> None:
    """Listings (every page of every type), a flow, its versions, configurations, divisions,
    in both fixture orgs."""
    crawl(emu)
    with client(emu, tenant) as dev:
        _flow_reads(dev)


def _flow_reads(dev: httpx.Client) -> None:
    page = fits(dev.get("/api/v2/flows", params={"pageSize": 100}), "FlowEntityListing")
    assert page["total"] == len(page["entities"]) > 5
    fits(dev.get("/api/v2/flows/divisionviews"), "FlowDivisionViewEntityListing")
    fits(dev.get("/api/v2/authorization/divisions"), "AuthzDivisionEntityListing")
    for flow in page["entities"]:
        fid = flow["id"]
        fits(dev.get(f"/api/v2/flows/{fid}"), "Flow")
        versions = fits(dev.get(f"/api/v2/flows/{fid}/versions"), "FlowVersionEntityListing")
        vid = versions["entities"][0]["id"]
        fits(dev.get(f"/api/v2/flows/{fid}/versions/{vid}"), "FlowVersion")
        doc = fits(dev.get(f"/api/v2/flows/{fid}/versions/{vid}/configuration"), "object")
        assert doc == fits(dev.get(f"/api/v2/flows/{fid}/latestconfiguration"), "object")


@covers(
    ("POST", "/api/v2/flows/actions/checkout", "Flow"),
    ("POST", "/api/v2/flows/actions/checkin", "Operation"),
    ("POST", "/api/v2/flows/actions/publish", "Operation"),
    ("POST", "/api/v2/flows/actions/revert", "Flow"),
    ("PUT", "/api/v2/flows/{flow_id}", "Flow"),
)
def test_flow_actions(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Checkout, checkin, publish (and the flow's currentOperation while it runs), revert, an
    update of the flow entity."""
    fid = flow_id(dev, "Order Status Bot")
    fits(dev.post("/api/v2/flows/actions/checkout", params={"flow": fid}), "Flow")
    fits(dev.post("/api/v2/flows/actions/checkin", params={"flow": fid}), "Operation")
    fits(dev.post("/api/v2/flows/actions/publish", params={"flow": fid}), "Operation")
    for _ in range(4):
        fits(dev.get(f"/api/v2/flows/{fid}"), "Flow")  # currentOperation on its way
        emu.ctx.clock.advance(1)
    fits(dev.post("/api/v2/flows/actions/revert", params={"flow": fid}), "Flow")
    entity = dev.get(f"/api/v2/flows/{fid}").json()
    body = {k: entity[k] for k in ("name", "type", "description", "division")}
    fits(dev.put(f"/api/v2/flows/{fid}", json=body), "Flow")


@covers(
    ("POST", "/api/v2/flows/export/jobs", "RegisterArchitectExportJobResponse"),
    ("GET", "/api/v2/flows/export/jobs/{job_id}", "ArchitectExportJobStateResponse"),
    ("POST", "/api/v2/flows/jobs", "RegisterArchitectJobResponse"),
    ("GET", "/api/v2/flows/jobs/{job_id}", "ArchitectJobStateResponse"),
    ("POST", "/api/v2/flows/validate/jobs", "RegisterArchitectValidateJobResponse"),
    ("GET", "/api/v2/flows/validate/jobs/{job_id}", "ArchitectValidateJobStateResponse"),
)
def test_jobs_in_every_state_with_and_without_messages(
    emu: EmulatorThread, dev: httpx.Client
) -> None:
    """Export, import and validate jobs, read at each state, with and without
    expand=messages (validate messages of a flawed flow included)."""
    fid = flow_id(dev, "Flawed - Deleted Data Action")
    flows = {"flows": [{"flow": {"id": fid}}]}
    export = fits(
        dev.post("/api/v2/flows/export/jobs", json=flows), "RegisterArchitectExportJobResponse"
    )
    check = fits(
        dev.post("/api/v2/flows/validate/jobs", json=flows), "RegisterArchitectValidateJobResponse"
    )
    reg = fits(dev.post("/api/v2/flows/jobs", json={}), "RegisterArchitectJobResponse")
    states = set()
    for _ in range(3):
        for expand in ({}, {"expand": "messages"}):
            for url, model in [
                (f"/api/v2/flows/export/jobs/{export['id']}", "ArchitectExportJobStateResponse"),
                (f"/api/v2/flows/validate/jobs/{check['id']}", "ArchitectValidateJobStateResponse"),
                (f"/api/v2/flows/jobs/{reg['id']}", "ArchitectJobStateResponse"),
            ]:
                states.add(fits(dev.get(url, params=expand), model)["status"])
        emu.ctx.clock.advance(2)
    done = dev.get(f"/api/v2/flows/validate/jobs/{check['id']}", params={"expand": "messages"})
    assert fits(done, "ArchitectValidateJobStateResponse")["messages"]
    data = httpx.get(dev.get(f"/api/v2/flows/export/jobs/{export['id']}").json()["downloadUrl"])
    assert httpx.put(reg["presignedUrl"], content=data.content).status_code == 200
    emu.ctx.clock.advance(5)
    for expand in ({}, {"expand": "messages"}):
        fits(dev.get(f"/api/v2/flows/jobs/{reg['id']}", params=expand), "ArchitectJobStateResponse")
    assert {"Registered", "Started", "Success"} <= states


@covers(
    ("GET", "/api/v2/architect/dependencytracking/build", "DependencyStatus"),
    (
        "GET",
        "/api/v2/architect/dependencytracking/consumedresources",
        "ConsumedResourcesEntityListing",
    ),
    (
        "GET",
        "/api/v2/architect/dependencytracking/consumingresources",
        "ConsumingResourcesEntityListing",
    ),
    ("GET", "/api/v2/architect/dependencytracking/object", "DependencyObject"),
)
def test_dependency_tracking_in_every_build_state(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Build status in each state the emulator can be put in and while rebuilding, and every
    flow's consumed and consuming resources and object (Dependency.type within the enum)."""
    base = emu.base("genesys", "dev")
    for status in ("NOTBUILT", "OPERATIONALNEEDSREBUILD", "BUILDINITIALIZING", "OPERATIONAL"):
        assert httpx.put(f"{base}/_emulator/dependencytracking", json={"status": status}).is_success
        fits(dev.get("/api/v2/architect/dependencytracking/build"), "DependencyStatus")
    assert dev.post("/api/v2/architect/dependencytracking/build").status_code == 202
    for _ in range(3):
        fits(dev.get("/api/v2/architect/dependencytracking/build"), "DependencyStatus")
        emu.ctx.clock.advance(2)
    url = "/api/v2/architect/dependencytracking"
    types = {
        "INBOUNDCALL": "INBOUNDCALLFLOW",
        "INQUEUECALL": "INQUEUECALLFLOW",
        "COMMONMODULE": "COMMONMODULEFLOW",
        "DIGITALBOT": "DIGITALBOTFLOW",
    }
    for flow in dev.get("/api/v2/flows", params={"pageSize": 100}).json()["entities"]:
        params = {"id": flow["id"], "objectType": types[flow["type"]]}
        fits(dev.get(f"{url}/consumedresources", params=params), "ConsumedResourcesEntityListing")
        fits(dev.get(f"{url}/consumingresources", params=params), "ConsumingResourcesEntityListing")
        both = {**params, "consumedResources": "true", "consumingResources": "true"}
        fits(dev.get(f"{url}/object", params=both), "DependencyObject")


@covers(
    ("GET", "/api/v2/flows/{flow_id}/versions/{version_id}/health", "FlowHealth"),
    ("POST", "/api/v2/analytics/flows/observations/query", "FlowObservationQueryResponse"),
    ("POST", "/api/v2/textbots/botflows/sessions", "TextBotFlowLaunchResponse"),
    ("POST", "/api/v2/textbots/botflows/sessions/{session_id}/turns", "TextBotFlowTurnResponse"),
)
def test_gate_signals(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Health (healthy, overridden, failed), observations, and a whole bot conversation."""
    fid = flow_id(dev, "Order Status Bot")
    base = emu.base("genesys", "dev")
    health = f"/api/v2/flows/{fid}/versions/2.0/health"
    fits(dev.get(health), "FlowHealth")
    httpx.put(f"{base}/_emulator/health", json={"flowId": fid, "status": "Error"})
    fits(dev.get(health), "FlowHealth")
    httpx.put(f"{base}/_emulator/observations", json={"flows": {fid: {"active": 2}}})
    query = {
        "filter": {"type": "or", "predicates": [{"dimension": "flowId", "value": fid}]},
        "metrics": ["oFlow"],
    }
    fits(
        dev.post("/api/v2/analytics/flows/observations/query", json=query),
        "FlowObservationQueryResponse",
    )
    launch = {"flow": {"id": fid}, "externalSessionId": "c-1", "channel": CHANNEL}
    sid = fits(
        dev.post("/api/v2/textbots/botflows/sessions", json=launch), "TextBotFlowLaunchResponse"
    )["id"]
    turns = f"/api/v2/textbots/botflows/sessions/{sid}/turns"
    previous = fits(dev.post(turns, json={"inputEventType": "NoOp"}), "TextBotFlowTurnResponse")
    for said in ("where is my order", "talk to an agent"):
        body = {
            "previousTurn": {"id": previous["id"]},
            "inputEventType": "UserInput",
            "inputEventUserInput": {
                "mode": "Text",
                "alternatives": [{"transcript": {"text": said}}],
            },
        }
        previous = fits(dev.post(turns, json=body), "TextBotFlowTurnResponse")
    assert previous["nextActionType"] == "Exit"


@covers(("GET", "/api/v2/authorization/subjects/me", "AuthzSubject"))
@pytest.mark.parametrize("who", ["admin", "readonly"])
def test_own_grants(emu: EmulatorThread, who: str) -> None:
    """The caller's grants, with and without full roles (their permission policies), for the
    admin (wildcards) and the read-only client (explicit permissions)."""
    with client(emu, "dev", who) as c:
        slim = fits(c.get("/api/v2/authorization/subjects/me"), "AuthzSubject")
        assert slim["grants"] and all("policies" not in g["role"] for g in slim["grants"])
        full = fits(
            c.get("/api/v2/authorization/subjects/me", params={"includeFullRoles": "true"}),
            "AuthzSubject",
        )
    policies = full["grants"][0]["role"]["policies"]
    granted = {f"{p['domain']}:{p['entityName']}:{a}" for p in policies for a in p["actions"]}
    assert ("architect:*:*" in granted) == (who == "admin")
    assert ("architect:flow:view" in granted) == (who == "readonly")


def test_error_bodies(dev: httpx.Client) -> None:
    """Errors of every kind (unknown route, unknown flow, bad request, refused launch, a fixed
    /flows route the emulator does not serve) are Genesys' ErrorBody."""
    for r in [
        dev.get("/api/v2/nothing"),
        dev.get("/api/v2/flows/not-a-flow"),
        dev.get("/api/v2/flows", params={"pageSize": 1000}),
        dev.post("/api/v2/textbots/botflows/sessions", json={"flow": {"id": "x"}}),
        *(
            dev.request(m, f"/api/v2/flows/{w}")
            for m, w in [("GET", "datatables"), ("PUT", "outcomes"), ("DELETE", "milestones")]
        ),
    ]:
        assert r.status_code >= 400
        fits(r, "ErrorBody")
