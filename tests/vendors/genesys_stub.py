"""A second, independent picture of a Genesys Cloud org, written from the evidence (the SDK's
models and public Architect flow exports), not from cxops' emulator: a few hand-written
Architect documents in the styles public exports show (Task/Menu items, ``menuChoiceList``
actions, ``TransferMenuAction`` with ``menuReference``, ``TransferPureMatchAction`` with
``queues``, a flat ``flowActionItemList``, ``nextAction`` shorthand), with the four flaws the
checks must find (a module cycle, an endless hold loop, an unreachable action, a deleted data
action) and one document with an unknown action type and a ``nextActionId`` naming nothing.

Served over real HTTP (uvicorn in a thread): ``POST /oauth/token``, ``GET /api/v2/flows``,
``/flows/{id}/versions``, ``.../configuration``, dependency tracking ``build`` and
``consumedresources``. ``order`` reverses every listing, to check that nothing depends on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from cxops.emulator.server import bind

DIVISION = {"id": "0f4b9a52-5d1e-4a39-8a55-5d0c5a1b0001", "name": "Support"}
MODULE_A, MODULE_B = "6a1d4c44-0000-4000-8000-00000000000a", "6a1d4c44-0000-4000-8000-00000000000b"
HOTLINE, HOLD = "6a1d4c44-0000-4000-8000-00000000000c", "6a1d4c44-0000-4000-8000-00000000000d"
OLD_CRM, MYSTERY = "6a1d4c44-0000-4000-8000-00000000000e", "6a1d4c44-0000-4000-8000-00000000000f"
QUEUE = {"id": "11111111-1111-4111-8111-111111111111", "name": "Acme Sales"}
GONE = {"id": "44444444-4444-4444-8444-444444444444", "name": "Legacy Lookup"}
PROMPT = {"id": "55555555-5555-4555-8555-555555555555", "name": "salesGreeting"}


def _lit(text: str, kind: str, val: str) -> dict[str, Any]:
    return {"config": {"lit": {"text": text, "type": kind, "val": val}}, "text": text, "type": kind}


def _tts(text: str) -> dict[str, Any]:
    said = f'AudioPlaybackOptions(ToAudioTTS("{text}"), true)'
    return {"defaultAudio": {"config": {}, "text": said, "type": "aud"}, "cases": []}


def _default(target: str) -> list[dict[str, Any]]:
    return [{"nextActionId": target, "label": "Default", "outputId": "__DEFAULT__"}]


def _module(name: str, calls: tuple[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "description": "",
        "type": "commonmodule",
        "defaultLanguage": "en-US",
        "supportedLanguages": [{"language": "en-US"}],
        "initialSequence": "task-1",
        "nextTrackingNumber": 5,
        "manifest": {"commonModule": [{"name": calls[1], "id": calls[0]}]},
        "flowMetaData": {"flowDocumentVersion": "2.0"},
        "variables": [],
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "task-1",
                "name": "Main",
                "trackingId": 1,
                "startAction": "call",
                "actionList": [
                    {
                        "__type": "CallCommonModuleAction",
                        "id": "call",
                        "name": f"Call {calls[1]}",
                        "trackingId": 2,
                        "commonModule": _lit(calls[1], "cmm", calls[0]),
                        "paths": _default("end"),
                    },
                    {"__type": "EndTaskAction", "id": "end", "name": "End", "trackingId": 3},
                ],
            }
        ],
    }


def _hotline() -> dict[str, Any]:
    return {
        "name": "Hotline",
        "description": "Front door",
        "type": "inboundcall",
        "defaultLanguage": "en-US",
        "supportedLanguages": [{"language": "en-US"}],
        "initialSequence": "opening",
        "nextTrackingNumber": 40,
        "manifest": {
            "queue": [QUEUE],
            "userPrompt": [PROMPT],
            "commonModule": [{"name": "Greeting A", "id": MODULE_A}],
        },
        "variables": [{"__type": "BoolVariable", "name": "Flow.known", "isInput": False}],
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "opening",
                "name": "Opening Checks",
                "trackingId": 10,
                "startAction": "greet",
                "actionList": [
                    {
                        "__type": "CallCommonModuleAction",
                        "id": "greet",
                        "name": "Greeting",
                        "trackingId": 11,
                        "commonModule": _lit("Greeting A", "cmm", MODULE_A),
                        "paths": _default("hours"),
                    },
                    {
                        "__type": "EvaluateScheduleAction",
                        "id": "hours",
                        "name": "Evaluate Schedule",
                        "trackingId": 12,
                        "paths": [
                            {
                                "nextActionId": "to-menu",
                                "label": "Active",
                                "outputId": "__ACTIVE__",
                            },
                            {
                                "nextActionId": "closed",
                                "label": "Inactive",
                                "outputId": "__INACTIVE__",
                            },
                        ],
                    },
                    {
                        "__type": "TransferMenuAction",
                        "id": "to-menu",
                        "name": "Go To Main Menu",
                        "trackingId": 13,
                        "menuReference": "main-menu",
                        "menuName": "Main Menu",
                    },
                    {
                        "__type": "PlayAudioAction",
                        "id": "closed",
                        "name": "Closed Message",
                        "trackingId": 14,
                        "nextAction": "bye",
                        "prompts": _tts("We are closed."),
                    },
                    {"__type": "DisconnectAction", "id": "bye", "name": "Bye", "trackingId": 15},
                    {
                        "__type": "PlayAudioAction",
                        "id": "orphan",
                        "name": "Orphaned Announcement",
                        "trackingId": 16,
                        "prompts": _tts("Nothing leads here."),
                    },
                ],
            },
            {
                "__type": "Menu",
                "id": "main-menu",
                "name": "Main Menu",
                "trackingId": 20,
                "prompts": {
                    "defaultAudio": {
                        "config": {},
                        "text": "ToAudioPrompt(Prompt.salesGreeting)",
                        "type": "aud",
                    },
                    "cases": [],
                },
                "menuChoiceList": [
                    {
                        "id": "choice-1",
                        "name": "Sales",
                        "digit": "1",
                        "action": {
                            "__type": "TransferPureMatchAction",
                            "id": "to-sales",
                            "name": "Transfer to Sales",
                            "trackingId": 21,
                            "queues": [_lit(QUEUE["name"], "que", QUEUE["id"])],
                            "paths": [{"label": "Failure", "outputId": "__FAILURE__"}],
                        },
                    }
                ],
                "defaultMenuChoice": {
                    "id": "choice-default",
                    "name": "No Valid Selection",
                    "action": {
                        "__type": "DisconnectAction",
                        "id": "hang",
                        "name": "Hang Up",
                        "trackingId": 22,
                    },
                },
            },
        ],
    }


def _hold() -> dict[str, Any]:
    """An in-queue flow whose actions are listed flat: a hold loop with no way out."""
    return {
        "name": "Hold Forever",
        "type": "inqueuecall",
        "initialSequence": "loop-task",
        "manifest": {},
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "loop-task",
                "name": "Hold",
                "trackingId": 1,
                "startAction": "say-hold",
            },
        ],
        "flowActionItemList": [
            {
                "__type": "PlayAudioAction",
                "id": "say-hold",
                "name": "Please Hold",
                "trackingId": 2,
                "prompts": _tts("Please hold."),
                "paths": _default("music"),
            },
            {
                "__type": "HoldMusicAction",
                "id": "music",
                "name": "Hold Music",
                "trackingId": 3,
                "paths": _default("say-hold"),
            },
        ],
    }


def _old_crm() -> dict[str, Any]:
    return {
        "name": "Old CRM Line",
        "type": "inboundcall",
        "initialSequence": "t",
        "manifest": {"dataAction": [GONE]},
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "t",
                "name": "Lookup",
                "trackingId": 1,
                "startAction": "lookup",
                "actionList": [
                    {
                        "__type": "CallDataAction",
                        "id": "lookup",
                        "name": "Legacy Lookup",
                        "trackingId": 2,
                        "dataAction": _lit(GONE["name"], "dat", GONE["id"]),
                        "paths": [
                            {"nextActionId": "end", "label": "Success", "outputId": "__SUCCESS__"},
                            {"nextActionId": "end", "label": "Failure", "outputId": "__FAILURE__"},
                        ],
                    },
                    {"__type": "DisconnectAction", "id": "end", "name": "End", "trackingId": 3},
                ],
            }
        ],
    }


def _mystery() -> dict[str, Any]:
    return {
        "name": "Mystery Line",
        "type": "inboundcall",
        "initialSequence": "t",
        "flowSequenceItemList": [
            {
                "__type": "Task",
                "id": "t",
                "name": "Odd",
                "trackingId": 1,
                "startAction": "holo",
                "actionList": [
                    {
                        "__type": "HologramAction",
                        "id": "holo",
                        "name": "Hologram",
                        "trackingId": 2,
                        "paths": _default("vanished"),
                    },
                ],
            }
        ],
    }


def _dep(kind: str, obj: dict[str, str], *, deleted: bool = False) -> dict[str, Any]:
    return {
        "id": obj["id"],
        "name": obj["name"],
        "type": kind,
        "deleted": deleted,
        "updated": False,
        "stateUnknown": False,
    }


def _calls(fid: str, name: str) -> dict[str, Any]:
    return _dep("COMMONMODULEFLOW", {"id": fid, "name": name}) | {"version": "1.0"}


# id → (name, Flow.type, document, consumed Dependency list)
FLOWS: dict[str, tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = {
    MODULE_A: (
        "Greeting A",
        "COMMONMODULE",
        _module("Greeting A", (MODULE_B, "Greeting B")),
        [_calls(MODULE_B, "Greeting B")],
    ),
    MODULE_B: (
        "Greeting B",
        "COMMONMODULE",
        _module("Greeting B", (MODULE_A, "Greeting A")),
        [_calls(MODULE_A, "Greeting A")],
    ),
    HOTLINE: (
        "Hotline",
        "INBOUNDCALL",
        _hotline(),
        [_calls(MODULE_A, "Greeting A"), _dep("QUEUE", QUEUE), _dep("USERPROMPT", PROMPT)],
    ),
    HOLD: ("Hold Forever", "INQUEUECALL", _hold(), []),
    OLD_CRM: ("Old CRM Line", "INBOUNDCALL", _old_crm(), [_dep("DATAACTION", GONE, deleted=True)]),
    MYSTERY: ("Mystery Line", "INBOUNDCALL", _mystery(), []),
}


def _version(fid: str) -> dict[str, Any]:
    return {
        "id": "1.0",
        "name": FLOWS[fid][0],
        "commitVersion": "1.0",
        "type": "PUBLISH",
        "configurationUri": f"/api/v2/flows/{fid}/versions/1.0/configuration",
        "datePublished": "2026-03-02T08:00:00.000Z",
        "selfUri": f"/api/v2/flows/{fid}/versions/1.0",
    }


def _flow(fid: str) -> dict[str, Any]:
    name, kind, _, _ = FLOWS[fid]
    return {
        "id": fid,
        "name": name,
        "division": DIVISION,
        "type": kind,
        "active": True,
        "publishedVersion": _version(fid),
        "checkedInVersion": _version(fid),
        "selfUri": f"/api/v2/flows/{fid}",
    }


def _page(items: list[dict[str, Any]], request: Request) -> JSONResponse:
    number = int(request.query_params.get("pageNumber", 1))
    size = int(request.query_params.get("pageSize", 25))
    count = max(1, -(-len(items) // size))
    return JSONResponse(
        {
            "entities": items[(number - 1) * size : number * size],
            "pageSize": size,
            "pageNumber": number,
            "total": len(items),
            "pageCount": count,
        }
    )


def create_app(*, reverse: bool = False) -> Starlette:
    """The stub org; ``reverse`` serves every listing in the opposite order."""

    def order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items[::-1] if reverse else items

    def authed(request: Request) -> bool:
        return request.headers.get("authorization") == "Bearer stub-token"

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse(
            {
                "message": message,
                "code": "not.found" if status == 404 else "bad.request",
                "status": status,
                "contextId": "stub",
                "details": [],
                "errors": [],
            },
            status,
        )

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("grant_type") != "client_credentials" or "authorization" not in request.headers:
            return JSONResponse({"error": "invalid_client"}, 400)
        return JSONResponse(
            {"access_token": "stub-token", "token_type": "bearer", "expires_in": 86399}
        )

    async def flows(request: Request) -> JSONResponse:
        if not authed(request):
            return error(401, "auth")
        return _page(order([_flow(fid) for fid in FLOWS]), request)

    async def versions(request: Request) -> JSONResponse:
        fid = request.path_params["fid"]
        if not authed(request) or fid not in FLOWS:
            return error(404, "no such flow")
        return _page([_version(fid)], request)

    async def configuration(request: Request) -> JSONResponse:
        fid = request.path_params["fid"]
        if not authed(request) or fid not in FLOWS or request.path_params["vid"] != "1.0":
            return error(404, "no such version")
        return JSONResponse(FLOWS[fid][2])

    async def build(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "id": "b",
                "name": "Dependency Tracking Build",
                "status": "OPERATIONAL",
                "dateStarted": "2026-03-02T08:00:00.000Z",
                "dateCompleted": "2026-03-02T08:01:00.000Z",
                "failedObjects": [],
            }
        )

    async def consumed(request: Request) -> JSONResponse:
        fid = request.query_params.get("id", "")
        if not authed(request) or fid not in FLOWS:
            return error(404, "no such object")
        return _page(order(list(FLOWS[fid][3])), request)

    root = "/api/v2/architect/dependencytracking"
    return Starlette(
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route("/api/v2/flows", flows),
            Route("/api/v2/flows/{fid}/versions", versions),
            Route("/api/v2/flows/{fid}/versions/{vid}/configuration", configuration),
            Route(f"{root}/build", build),
            Route(f"{root}/consumedresources", consumed),
        ]
    )


class StubServer:
    """The stub on loopback (uvicorn in a thread); ``url`` is its base URL; ``wrap`` puts an
    ASGI middleware in front of it (e.g. one that drops a field from an answer)."""

    def __init__(
        self, *, reverse: bool = False, wrap: Callable[[ASGIApp], ASGIApp] | None = None
    ) -> None:
        self._sock = bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        app: ASGIApp = create_app(reverse=reverse)
        config = uvicorn.Config(wrap(app) if wrap else app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> StubServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the Genesys stub did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    def flags(self) -> list[str]:
        """The connection flags of the stub org."""
        return [
            "--vendor",
            "genesys",
            "--base-url",
            self.url,
            "--auth-url",
            self.url,
            "--client-id",
            "stub-id",
            "--client-secret",
            "stub-secret",
        ]
