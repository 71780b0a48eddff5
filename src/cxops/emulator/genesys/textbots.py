"""Text-bot sessions over bot flows (SDK ``TextbotsApi``).

- ``POST /api/v2/textbots/botflows/sessions`` (``post_textbots_botflows_sessions``, body
  ``TextBotFlowLaunchRequest{flow:{id}, externalSessionId, language, channel}``) →
  ``TextBotFlowLaunchResponse{id}``; the session runs the flow's published version.
- ``POST .../sessions/{id}/turns`` (``TextBotFlowTurnRequest{previousTurn, inputEventType,
  inputEventUserInput}``) → ``TextBotFlowTurnResponse{id, previousTurn, prompts,
  nextActionType, nextActionWaitForInput | nextActionExit | nextActionDisconnect}``.

A launch without ``externalSessionId`` or a complete ``channel`` is a 400, as on a real org.
Replies are deterministic: the document is walked from ``initialSequence``;
``CommunicateAction`` texts are sent, ``AskForIntentAction`` waits for input; an utterance picks
the intent (``nluMetaData.intents``) with the most similar sample (exact match, else word
overlap of at least one half), anything else takes the ``__NOMATCH__`` path. Data actions take
their ``__SUCCESS__`` path and decisions their ``__YES__`` path.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys.common import Api, ok
from cxops.emulator.genesys.configs import Config
from cxops.emulator.genesys.document import actions, by_id, intents, next_of, said, start_of
from cxops.emulator.tokens import Principal

EXECUTE = "textbots:botFlowSession:execute"
BOT_TYPES = {"DIGITALBOT", "BOT"}
MAX_STEPS = 200  # a document that loops without waiting ends the session with an error
FOLLOW = {"CallDataAction": "__SUCCESS__", "DecisionAction": "__YES__"}
EXITS = ("ExitBotFlowAction", "DisconnectAction", "TransferToAcdAction")
CHANNEL_NAMES = {"Chat", "Call", "Messaging"}  # TextBotChannel.name enum


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def match_intent(cfg: Config, utterance: str) -> str | None:
    """The intent whose sample utterance is most like ``utterance`` (ties: first defined)."""
    heard = _words(utterance)
    best, best_score = None, 0.0
    for intent in intents(cfg):
        for sample in intent.get("utterances") or []:
            words = _words(sample)
            score = 1.0 if words == heard else len(words & heard) / max(1, len(words | heard))
            if score > best_score:
                best, best_score = intent.get("name"), score
    return best if best_score >= 0.5 else None


def walk(cfg: Config, target: str | None, texts: list[str]) -> dict[str, Any]:
    """Run from ``target`` (an item or action) until the bot waits or ends; ``texts`` collects
    what it says."""
    nodes = by_id(cfg)
    at = start_of(cfg, target)
    for _ in range(MAX_STEPS):
        act = nodes.get(at or "")
        if act is None:
            return {"type": "Exit", "reason": "TriggeredByFlow", "at": None}
        kind, text = act.get("__type"), said(act)
        if kind in ("CommunicateAction", "AskForIntentAction") and text is not None:
            texts.append(text)
        if kind == "AskForIntentAction":
            return {"type": "WaitForInput", "at": act["id"]}
        if kind in EXITS:
            reason = (act.get("exitReason") or {}).get("text") or "TriggeredByFlow"
            return {"type": "Exit", "reason": reason, "at": act["id"]}
        if kind in ("JumpToTaskAction", "JumpToMenuAction"):
            at = start_of(cfg, act.get("taskReference") or act.get("menuReference"))
            continue
        at = next_of(act, FOLLOW.get(str(kind), "__DEFAULT__"))
    return {"type": "Exit", "reason": "Error", "at": None}


def launch_problem(body: Any) -> str | None:
    """Why a ``TextBotFlowLaunchRequest`` would be refused (``externalSessionId`` and
    ``channel{name, inputModes, outputModes, userAgent{name}}`` are required: official JS
    SDK typings of ``TextBotFlowLaunchRequest`` and ``TextBotChannel``)."""
    if not isinstance(body, dict):
        return "The request body must be a TextBotFlowLaunchRequest object."
    if not isinstance(body.get("externalSessionId"), str) or not body["externalSessionId"]:
        return "externalSessionId is required."
    channel = body.get("channel")
    if not isinstance(channel, dict):
        return "channel is required."
    if channel.get("name") not in CHANNEL_NAMES:
        return f"channel.name must be one of {sorted(CHANNEL_NAMES)}."
    for key in ("inputModes", "outputModes"):
        modes = channel.get(key)
        if not isinstance(modes, list) or not modes or not all(isinstance(m, str) for m in modes):
            return f"channel.{key} must list one or more modes (e.g. Text)."
    agent = channel.get("userAgent")
    if not isinstance(agent, dict) or not agent.get("name"):
        return "channel.userAgent.name is required."
    return None


def turn_body(
    turn: str,
    previous: str | None,
    texts: list[str],
    outcome: dict[str, Any],
    cfg: Config,
    intent: str | None,
) -> dict[str, Any]:
    """``TextBotFlowTurnResponse`` JSON."""
    body: dict[str, Any] = {
        "id": turn,
        "prompts": {
            "outputLanguage": "en-us",
            "textPrompts": {"segments": [{"text": t, "type": "Text"} for t in texts]},
        },
        "nextActionType": outcome["type"],
    }
    if previous:
        body["previousTurn"] = {"id": previous}
    names = {a["id"]: a.get("name") for a in actions(cfg)}
    location = {"actionName": names.get(outcome.get("at")), "sequenceName": "Main"}
    if outcome["type"] == "WaitForInput":
        body["nextActionWaitForInput"] = {
            "modeConstraints": {
                "text": {"languagePreferences": ["en-us"], "noInputTimeoutMilliseconds": 30000}
            }
        }
    elif outcome["type"] == "Exit":
        exit_body: dict[str, Any] = {
            "reason": outcome["reason"],
            "flowLocation": location,
            "outputData": {"variables": {}},
            "flowOutcomes": [],
        }
        if intent:
            exit_body["activeIntent"] = intent
        body["nextActionExit"] = exit_body
    else:
        body["nextActionDisconnect"] = {"reason": outcome["reason"], "flowLocation": location}
    return body


def routes(api: Api) -> list[Route]:
    """The text-bot session routes of one tenant."""

    async def launch(request: Request) -> Response:
        who = api.auth(request, EXECUTE)
        if not isinstance(who, Principal):
            return who
        try:
            body = await request.json()
        except ValueError:
            body = None
        problem = launch_problem(body)
        if problem is not None:
            return api.error(400, problem, "bad.request")
        fid = (body.get("flow") or {}).get("id")
        flow = api.org.flows.get(str(fid))
        if flow is None:
            return api.error(400, f"Bot flow '{fid}' not found.", "bad.request")
        if flow.type not in BOT_TYPES:
            return api.error(400, f"Flow '{flow.name}' is not a bot flow.", "bad.request")
        version = flow.published_version()
        if version is None:
            return api.error(400, f"Flow '{flow.name}' has no published version.", "bad.request")
        sid = new_uuid()
        api.org.sessions[sid] = {
            "flow": flow.id,
            "config": version.config,
            "at": None,
            "turn": None,
            "ended": False,
            "intent": None,
            "client": who.client,
        }
        return ok({"id": sid})

    async def take_turn(request: Request) -> Response:
        who = api.auth(request, EXECUTE)
        if not isinstance(who, Principal):
            return who
        session = api.org.sessions.get(request.path_params["session_id"])
        if session is None:
            return api.error(404, "Bot session not found.", "not.found")
        if session["ended"]:
            return api.error(400, "The bot session has ended.", "bad.request")
        try:
            body = await request.json()
        except ValueError:
            return api.error(400, "The turn request is not JSON.", "bad.request")
        previous = ((body or {}).get("previousTurn") or {}).get("id")
        if session["turn"] is not None and previous != session["turn"]:
            return api.error(400, "previousTurn does not name the last turn.", "bad.request")
        cfg: Config = session["config"]
        event = (body or {}).get("inputEventType") or "NoOp"
        texts: list[str] = []
        if event in ("UserDisconnect", "ClientSessionExpired"):
            reason = "TriggeredByUser" if event == "UserDisconnect" else "SessionExpired"
            outcome: dict[str, Any] = {"type": "Disconnect", "reason": reason, "at": session["at"]}
        elif event == "Error":
            outcome = {"type": "Exit", "reason": "Error", "at": session["at"]}
        elif session["turn"] is None or session["at"] is None:
            outcome = walk(cfg, str(cfg.get("initialSequence")), texts)
        else:
            asked = next(a for a in actions(cfg) if a["id"] == session["at"])
            said = _utterance(body) if event == "UserInput" else ""
            intent = match_intent(cfg, said) if said else None
            if intent is not None:
                session["intent"] = intent
            path = f"__INTENT__{intent}" if intent else "__NOMATCH__"
            outcome = walk(cfg, next_of(asked, path), texts)
        turn = new_uuid()
        session.update(turn=turn, at=outcome.get("at"), ended=outcome["type"] != "WaitForInput")
        return ok(turn_body(turn, previous, texts, outcome, cfg, session["intent"]))

    return [
        Route("/api/v2/textbots/botflows/sessions", launch, methods=["POST"]),
        Route("/api/v2/textbots/botflows/sessions/{session_id}/turns", take_turn, methods=["POST"]),
    ]


def _utterance(body: Any) -> str:
    alternatives = ((body or {}).get("inputEventUserInput") or {}).get("alternatives") or []
    for alt in alternatives:
        text = ((alt or {}).get("transcript") or {}).get("text")
        if text:
            return str(text)
    return ""
