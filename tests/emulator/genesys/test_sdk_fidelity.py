"""The official Genesys Cloud Python SDK, pointed at the emulator, reads what it serves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread

sdk = pytest.importorskip(
    "PureCloudPlatformClientV2",
    reason="PureCloudPlatformClientV2 (dev extra) is not installed: fidelity cannot be checked",
)


def _client(emu: EmulatorThread, who: str = "admin") -> Any:
    base = emu.base("genesys", "dev")
    client = sdk.ApiClient(host=base)
    # The SDK derives the login host from the API host; on the emulator both are one mount.
    return client.get_client_credentials_token(f"genesys-dev-{who}", f"genesys-dev-{who}-secret")


def test_sdk_lists_flows_page_by_page(emu: EmulatorThread) -> None:
    """get_flows pages through every flow into Flow models with their versions filled in."""
    api = sdk.ArchitectApi(_client(emu))
    seen: list[Any] = []
    page = 1
    while True:
        listing = api.get_flows(page_number=page, page_size=7)
        seen.extend(listing.entities)
        assert listing.page_count == -(-listing.total // 7)
        if listing.next_uri is None:
            break
        page += 1
    assert len(seen) == listing.total == len(emu.ctx.tenant("genesys", "dev").flows)
    for flow in seen:
        assert flow.id and flow.name and flow.type and flow.division.name
        assert flow.checked_in_version.id and flow.self_uri == f"/api/v2/flows/{flow.id}"
    published = [f for f in seen if f.published_version is not None]
    assert published and all(f.published_version.date_published for f in published)
    both = api.get_flows(type=["DIGITALBOT", "INQUEUECALL"], page_size=100).entities
    assert {f.type for f in both} == {"DIGITALBOT", "INQUEUECALL"}  # the SDK comma-joins lists


def test_sdk_pages_versions_and_reads_a_configuration(emu: EmulatorThread) -> None:
    """get_flow_versions pages FlowVersion models; the configuration comes back as a document."""
    api = sdk.ArchitectApi(_client(emu))
    flow = api.get_flows(name="Main Line IVR").entities[0]
    ids: list[str] = []
    page = 1
    while True:
        listing = api.get_flow_versions(flow.id, page_number=page, page_size=1)
        ids.extend(v.id for v in listing.entities)
        for version in listing.entities:
            assert version.date_created > 0 and version.configuration_uri and version.type
        if listing.next_uri is None:
            break
        page += 1
    assert ids == ["4.0", "3.0", "2.0", "1.0"]
    config = api.get_flow_version_configuration(flow.id, "4.0")
    assert config["name"] == flow.name and config["initialSequence"] and "id" not in config


def test_sdk_reads_dependency_tracking(emu: EmulatorThread) -> None:
    """Build status and consumed resources deserialize into DependencyStatus and Dependency."""
    api = sdk.ArchitectApi(_client(emu))
    status = api.get_architect_dependencytracking_build()
    assert status.status == "OPERATIONAL" and status.date_completed is not None
    flow = api.get_flows(name="Main Line IVR").entities[0]
    consumed = api.get_architect_dependencytracking_consumedresources(
        flow.id, flow.published_version.id, "INBOUNDCALLFLOW", page_size=100
    )
    kinds = {d.type for d in consumed.entities}
    assert {"COMMONMODULEFLOW", "DATAACTION", "USERPROMPT", "QUEUE"} <= kinds
    assert all(d.id and d.name and d.self_uri for d in consumed.entities)
    module = next(d for d in consumed.entities if d.name == "Authenticate Caller")
    consuming = api.get_architect_dependencytracking_consumingresources(
        module.id, "COMMONMODULEFLOW"
    )
    assert flow.id in {d.id for d in consuming.entities}


def test_sdk_runs_an_export_job_to_completion(emu: EmulatorThread) -> None:
    """post_flows_export_jobs then get_flows_export_job reach Success with a downloadUrl."""
    emu.ctx.clock.set_speed(50)
    api = sdk.ArchitectApi(_client(emu))
    flow = api.get_flows(name="Support Line IVR").entities[0]
    body = sdk.RegisterArchitectExportJob()
    ref = sdk.ArchitectFlowReference()
    ref.id = flow.id
    details = sdk.ExportDetails()
    details.flow = ref
    details.export_type = "Architect"
    body.flows = [details]
    job = api.post_flows_export_jobs(body)
    assert job.id and job.status == "Registered" and job.total_flows == 1
    emu.ctx.clock.advance(10)
    state = api.get_flows_export_job(job.id)
    assert state.status == "Success" and state.command == "Export"
    assert state.download_url and state.id == job.id


def test_sdk_publishes_and_reads_the_operation(emu: EmulatorThread) -> None:
    """post_flows_actions_publish returns an Operation; the flow's currentOperation completes."""
    api = sdk.ArchitectApi(_client(emu))
    flow = api.get_flows(name="Order Status Bot").entities[0]
    op = api.post_flows_actions_publish(flow.id)
    assert op.action_name == "PUBLISH" and op.action_status == "STARTED" and op.complete is False
    emu.ctx.clock.advance(10)
    after = api.get_flow(flow.id)
    assert after.current_operation.action_status == "SUCCESS" and after.current_operation.complete
    assert after.published_version.id == "3.0"


def test_sdk_reads_gate_signals(emu: EmulatorThread) -> None:
    """Health, a text-bot turn and flow observations deserialize into the SDK's models."""
    client = _client(emu)
    api = sdk.ArchitectApi(client)
    flow = api.get_flows(name="Order Status Bot").entities[0]
    health = api.get_flow_version_health(flow.id, flow.published_version.id)
    assert health.language_info["en-us"].status == "Completed"
    assert all(i.language_health["en-us"].overall_score > 0 for i in health.intents)

    bots = sdk.TextbotsApi(client)
    launch = sdk.TextBotFlowLaunchRequest()
    launch.flow = sdk.TextBotFlow()
    launch.flow.id = flow.id
    launch.external_session_id = "sdk-1"
    launch.channel = sdk.TextBotChannel()
    launch.channel.name = "Messaging"
    launch.channel.input_modes = ["Text"]
    launch.channel.output_modes = ["Text"]
    launch.channel.user_agent = sdk.TextBotUserAgent()
    launch.channel.user_agent.name = "GenesysWebWidget"
    session = bots.post_textbots_botflows_sessions(launch)
    turn = sdk.TextBotFlowTurnRequest()
    turn.input_event_type = "NoOp"
    reply = bots.post_textbots_botflows_session_turns(session.id, turn)
    assert reply.next_action_type == "WaitForInput"
    assert reply.prompts.text_prompts.segments[0].text.startswith("Hi")

    httpx.put(
        f"{emu.base('genesys', 'dev')}/_emulator/observations",
        json={"flows": {flow.id: {"active": 3}}},
    )
    predicate = sdk.FlowObservationQueryPredicate()
    predicate.type = "dimension"
    predicate.dimension = "flowId"
    predicate.value = flow.id
    query = sdk.FlowObservationQuery()
    query.filter = sdk.FlowObservationQueryFilter()
    query.filter.type = "and"
    query.filter.predicates = [predicate]
    query.metrics = ["oFlow"]
    result = sdk.AnalyticsApi(client).post_analytics_flows_observations_query(query)
    (group,) = result.results
    assert group.group == {"flowId": flow.id} and group.data[0].stats.count == 3
