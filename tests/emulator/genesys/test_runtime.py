"""Gate signals: bot-flow health, text-bot conversations and active-flow observations."""

from __future__ import annotations

from typing import Any

import httpx

from cxops.emulator import EmulatorThread
from tests.emulator.genesys.conftest import flow_id


def _intent_scores(health: dict[str, Any]) -> list[float]:
    return [i["languageHealth"]["en-us"]["overallScore"] for i in health["intents"]]


def test_health_of_a_bot_version_and_its_override(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Bot versions report per-intent health; the test control can make a version unhealthy."""
    fid = flow_id(dev, "Order Status Bot")
    health = dev.get(f"/api/v2/flows/{fid}/versions/2.0/health").json()
    assert health["flowVersionInfo"]["flowVersion"]["id"] == "2.0"
    assert health["languageInfo"]["en-us"]["status"] == "Completed"
    assert len(health["intents"]) == 3 and min(_intent_scores(health)) > 0.8
    r = httpx.put(
        f"{emu.base('genesys', 'dev')}/_emulator/health",
        json={"flowId": fid, "versionId": "2.0", "overallScore": 0.2, "issueCount": 7},
    )
    assert r.status_code == 200
    bad = dev.get(f"/api/v2/flows/{fid}/versions/2.0/health").json()
    assert _intent_scores(bad) == [0.2, 0.2, 0.2]
    assert min(_intent_scores(dev.get(f"/api/v2/flows/{fid}/versions/1.0/health").json())) > 0.8
    ivr = flow_id(dev, "Main Line IVR")
    assert dev.get(f"/api/v2/flows/{ivr}/versions/4.0/health").status_code == 400


CHANNEL: dict[str, Any] = {
    "channel": {
        "name": "Messaging",
        "inputModes": ["Text"],
        "outputModes": ["Text"],
        "userAgent": {"name": "GenesysWebWidget"},
    }
}


def _say(dev: httpx.Client, sid: str, previous: str | None, text: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"inputEventType": "NoOp"}
    if previous:
        body["previousTurn"] = {"id": previous}
    if text is not None:
        body["inputEventType"] = "UserInput"
        body["inputEventUserInput"] = {
            "mode": "Text",
            "alternatives": [{"transcript": {"text": text, "confidence": 1.0}}],
        }
    r = dev.post(f"/api/v2/textbots/botflows/sessions/{sid}/turns", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _texts(turn: dict[str, Any]) -> list[str]:
    return [s["text"] for s in turn["prompts"]["textPrompts"]["segments"]]


def test_bot_conversation_matches_intents_and_falls_back(dev: httpx.Client) -> None:
    """A sample utterance gets its intent's reply, nonsense the fallback, an agent ask exits."""
    fid = flow_id(dev, "Order Status Bot")
    launch = dev.post(
        "/api/v2/textbots/botflows/sessions",
        json={"flow": {"id": fid}, "externalSessionId": "t-1", "language": "en-us", **CHANNEL},
    )
    sid = launch.json()["id"]
    first = _say(dev, sid, None, None)
    assert _texts(first) == ["Hi, I am the order assistant.", "How can I help you today?"]
    assert first["nextActionType"] == "WaitForInput"
    status = _say(dev, sid, first["id"], "Where is my order?")
    assert _texts(status)[0].startswith("Your order is on its way")
    assert status["previousTurn"]["id"] == first["id"]
    lost = _say(dev, sid, status["id"], "purple elephants dancing")
    assert _texts(lost)[0].startswith("Sorry, I did not understand")
    bye = _say(dev, sid, lost["id"], "talk to an agent")
    assert bye["nextActionType"] == "Exit"
    assert bye["nextActionExit"]["reason"] == "AgentRequestedByUser"
    assert bye["nextActionExit"]["activeIntent"] == "Talk to Agent"
    ended = dev.post(
        f"/api/v2/textbots/botflows/sessions/{sid}/turns",
        json={"previousTurn": {"id": bye["id"]}, "inputEventType": "NoOp"},
    )
    assert ended.status_code == 400


def test_bot_sessions_need_a_published_bot_flow(dev: httpx.Client) -> None:
    """Launching a session on an IVR is refused."""
    r = dev.post(
        "/api/v2/textbots/botflows/sessions",
        json={"flow": {"id": flow_id(dev, "Main Line IVR")}, "externalSessionId": "x", **CHANNEL},
    )
    assert r.status_code == 400 and "not a bot flow" in r.json()["message"]


def test_a_launch_without_channel_or_external_session_id_is_a_400(dev: httpx.Client) -> None:
    """TextBotFlowLaunchRequest needs externalSessionId and a complete channel (JS SDK typings),
    and a real org refuses a launch without them: so does the emulator, in Genesys' ErrorBody."""
    fid = flow_id(dev, "Order Status Bot")
    full = {"flow": {"id": fid}, "externalSessionId": "t-2", **CHANNEL}
    assert dev.post("/api/v2/textbots/botflows/sessions", json=full).status_code == 200
    partial_agent = {**CHANNEL["channel"], "userAgent": {}}
    for body, word in [
        ({k: v for k, v in full.items() if k != "channel"}, "channel"),
        ({k: v for k, v in full.items() if k != "externalSessionId"}, "externalSessionId"),
        ({**full, "channel": {**CHANNEL["channel"], "inputModes": []}}, "inputModes"),
        ({**full, "channel": partial_agent}, "userAgent"),
    ]:
        r = dev.post("/api/v2/textbots/botflows/sessions", json=body)
        assert r.status_code == 400 and word in r.json()["message"], (word, r.text)
        assert {"message", "code", "status", "contextId"} <= set(r.json())


def test_observations_drain_per_emulated_minute(emu: EmulatorThread, dev: httpx.Client) -> None:
    """Active flows set by the test control drain on the clock and leave the results at zero."""
    fid, other = flow_id(dev, "Main Line IVR"), flow_id(dev, "Support Line IVR")
    r = httpx.put(
        f"{emu.base('genesys', 'dev')}/_emulator/observations",
        json={"flows": {fid: {"active": 10, "drainPerMinute": 4}}},
    )
    assert r.status_code == 200
    query = {
        "filter": {
            "type": "or",
            "predicates": [
                {"type": "dimension", "dimension": "flowId", "operator": "matches", "value": fid},
                {"type": "dimension", "dimension": "flowId", "operator": "matches", "value": other},
            ],
        },
        "metrics": ["oFlow"],
    }

    def active() -> dict[str, int]:
        body = dev.post("/api/v2/analytics/flows/observations/query", json=query).json()
        return {g["group"]["flowId"]: g["data"][0]["stats"]["count"] for g in body["results"]}

    assert active() == {fid: 10}
    emu.ctx.clock.advance(60)
    assert active() == {fid: 6}
    emu.ctx.clock.advance(120)
    assert active() == {}
