"""The ``genesys:`` section of ``--tests``: scripted text-bot conversations, and running one
against a bot flow (``POST /textbots/botflows/sessions`` and its turns) with each turn judged."""

from __future__ import annotations

from typing import Any

from cxops.errors import InputError, ProtocolError
from cxops.model.bundle import Flow
from cxops.pipelines.promote.genesys_portable import key_of
from cxops.transport import VendorClient
from cxops.transport.urls import seg
from cxops.vendors.deploy.genesys import API

__all__ = ["CHANNEL", "Conversation", "converse", "load_conversations"]

#: The channel a scripted conversation talks through: ``TextBotFlowLaunchRequest`` requires one
#: (``name`` from the SDK enum Chat/Call/Messaging, ``inputModes``, ``outputModes``,
#: ``userAgent{name}``; official JS SDK typings).
CHANNEL = {
    "name": "Messaging",
    "inputModes": ["Text"],
    "outputModes": ["Text"],
    "userAgent": {"name": "Other"},
}


class Conversation:
    """One scripted text-bot conversation of the ``genesys:`` section of ``--tests``."""

    def __init__(self, doc: dict[str, Any], where: str) -> None:
        self.name = str(doc.get("name") or doc.get("flow") or where)
        self.flow = str(doc.get("flow") or "")
        turns = doc.get("turns")
        if not self.flow or not isinstance(turns, list) or not turns:
            raise InputError(f"--tests genesys.conversations {where}: needs 'flow' and 'turns'")
        for i, turn in enumerate(turns):
            if not isinstance(turn, dict) or ("say" not in turn and i > 0):
                raise InputError(
                    f"--tests genesys.conversations {where} turn {i + 1}: every turn but the "
                    "first needs 'say'"
                )
            if not isinstance(turn.get("expect", []), list):
                raise InputError(f"--tests {where} turn {i + 1}: 'expect' must be a list")
        self.turns: list[dict[str, Any]] = turns

    def covers(self, flow: Flow) -> bool:
        """Whether this conversation talks to ``flow`` (by name or key)."""
        return self.flow in (flow.name, key_of(flow))


def load_conversations(tests: dict[str, Any]) -> tuple[list[Conversation], dict[str, Any]]:
    """The conversations and settings of ``tests["genesys"]`` (none when absent)."""
    section = tests.get("genesys")
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise InputError("--tests: 'genesys' must be a mapping")
    rows = section.get("conversations")
    rows = [] if rows is None else rows
    if not isinstance(rows, list):
        raise InputError("--tests genesys.conversations must be a list")
    convs = [
        Conversation(r if isinstance(r, dict) else {}, f"#{i + 1}") for i, r in enumerate(rows)
    ]
    return convs, section


def _texts(body: dict[str, Any]) -> list[str]:
    segments = ((body.get("prompts") or {}).get("textPrompts") or {}).get("segments") or []
    return [str(s.get("text", "")) for s in segments if isinstance(s, dict)]


def _judge(turn: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """What of ``turn``'s expectations the bot's answer ``body`` missed."""
    texts = _texts(body)
    missing = [f"reply {e!r}" for e in turn.get("expect", []) if not any(e in t for t in texts)]
    kind = body.get("nextActionType")
    if turn.get("next") and kind != turn["next"]:
        missing.append(f"next {turn['next']} (got {kind})")
    ended = body.get("nextActionExit") or body.get("nextActionDisconnect") or {}
    if turn.get("reason") and ended.get("reason") != turn["reason"]:
        missing.append(f"reason {turn['reason']} (got {ended.get('reason')})")
    if turn.get("intent") and ended.get("activeIntent") != turn["intent"]:
        missing.append(f"intent {turn['intent']} (got {ended.get('activeIntent')})")
    return missing


async def converse(client: VendorClient, flow_id: str, conv: Conversation) -> dict[str, Any]:
    """Run ``conv`` against the bot flow ``flow_id`` (its published version)."""
    launch = {
        "flow": {"id": flow_id},
        "externalSessionId": conv.name,
        "language": "en-us",
        "channel": CHANNEL,
    }
    session = await client.send_json("POST", f"{API}/textbots/botflows/sessions", launch)
    if not isinstance(session, dict) or not session.get("id"):
        raise ProtocolError("genesys POST /textbots/botflows/sessions answered without an 'id'")
    url = f"{API}/textbots/botflows/sessions/{seg(session['id'])}/turns"
    # Turns are named as the script lists them (1-based); an opening turn the script does not
    # judge (its first turn already says something) is "opening".
    turns = [(f"turn {n}", t) for n, t in enumerate(conv.turns, 1)]
    if "say" in conv.turns[0]:
        turns.insert(0, ("opening", {}))
    previous: str | None = None
    failed: list[str] = []
    ended = False
    for label, turn in turns:
        if ended:
            failed.append(f"{label}: the bot had ended the session")
            break
        body: dict[str, Any] = {"inputEventType": "NoOp"}
        if "say" in turn:
            said = {"mode": "Text", "alternatives": [{"transcript": {"text": str(turn["say"])}}]}
            body = {"inputEventType": "UserInput", "inputEventUserInput": said}
        if previous:
            body["previousTurn"] = {"id": previous}
        answer = await client.send_json("POST", url, body)
        answer = answer if isinstance(answer, dict) else {}
        previous = str(answer.get("id") or "")
        failed += [f"{label}: {m}" for m in _judge(turn, answer)]
        ended = answer.get("nextActionType") != "WaitForInput"
    return {"conversation": conv.name, "flow": conv.flow, "passed": not failed, "failed": failed}
