"""Text-bot sessions over bot flows (SDK ``TextbotsApi``).

- ``POST /api/v2/textbots/botflows/sessions`` (``post_textbots_botflows_sessions``, body
  ``TextBotFlowLaunchRequest{flow:{id}, externalSessionId, language, channel}``) →
  ``TextBotFlowLaunchResponse{id}``; the session runs the flow's published version.
- ``POST .../sessions/{id}/turns`` (``TextBotFlowTurnRequest{previousTurn, inputEventType,
  inputEventUserInput}``) → ``TextBotFlowTurnResponse{id, previousTurn, prompts,
  nextActionType, nextActionWaitForInput | nextActionExit | nextActionDisconnect}``.

Replies are deterministic: the configuration is walked from ``startUpRef``; ``communicate``
texts are sent, ``askForIntent`` waits for input; an utterance picks the intent with the most
similar sample (exact match, else word overlap of at least one half), anything else takes the
``noMatch`` path. Data actions take their ``success`` path and decisions their ``yes`` path.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.emulator.context import new_uuid
from cxops.emulator.genesys.common import Api, ok
from cxops.emulator.genesys.configs import Config, actions, entry_of
from cxops.emulator.tokens import Principal

EXECUTE = "textbots:botFlowSession:execute"
BOT_TYPES = {"DIGITALBOT", "BOT"}
MAX_STEPS = 200  # a configuration that loops without waiting ends the session with an error
FOLLOW = {"callData": "success", "decision": "yes"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def match_intent(cfg: Config, utterance: str) -> str | None:
    """The intent whose sample utterance is most like ``utterance`` (ties: first defined)."""
    said = _words(utterance)
    best, best_score = None, 0.0
    for intent in cfg.get("intents") or []:
        for sample in intent.get("utterances") or []:
            words = _words(sample)
            score = 1.0 if words == said else len(words & said) / max(1, len(words | said))
            if score > best_score:
                best, best_score = intent.get("name"), score
    return best if best_score >= 0.5 else None


def _next(act: dict[str, Any], name: str) -> str | None:
    for path in act.get("paths") or []:
        if path.get("name") == name:
            return path.get("next")  # type: ignore[no-any-return]
    return None


def walk(cfg: Config, target: str | None, texts: list[str]) -> dict[str, Any]:
    """Run from ``target`` until the bot waits or ends; ``texts`` collects what it says."""
    by_id = {a["id"]: a for a in actions(cfg)}
    at = entry_of(cfg, target) if target else None
    for _ in range(MAX_STEPS):
        act = by_id.get(at or "")
        if act is None:
            return {"type": "Exit", "reason": "TriggeredByFlow", "at": None}
        kind, props = act["type"], act.get("properties") or {}
        if kind == "communicate" or (kind == "playAudio" and props.get("text")):
            texts.append(str(props.get("text", "")))
        if kind == "askForIntent":
            texts.append(str(props.get("question", "")))
            return {"type": "WaitForInput", "at": act["id"]}
        if kind in ("exitBotFlow", "disconnect", "transferToAcd"):
            reason = props.get("reason") or "TriggeredByFlow"
            return {"type": "Exit", "reason": reason, "at": act["id"]}
        nxt = _next(act, FOLLOW.get(kind, "default"))
        at = entry_of(cfg, nxt) if nxt else None
    return {"type": "Exit", "reason": "Error", "at": None}


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
        fid = (body.get("flow") or {}).get("id") if isinstance(body, dict) else None
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
            outcome = walk(cfg, str(cfg.get("startUpRef")), texts)
        else:
            asked = next(a for a in actions(cfg) if a["id"] == session["at"])
            said = _utterance(body) if event == "UserInput" else ""
            intent = match_intent(cfg, said) if said else None
            if intent is not None:
                session["intent"] = intent
            path = f"intent:{intent}" if intent else "noMatch"
            outcome = walk(cfg, _next(asked, path), texts)
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
