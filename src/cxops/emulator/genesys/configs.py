"""Builders of the fixtures' Architect flow documents (the shape is in docs/emulator/genesys.md).

Fixture code names what an action does (``playAudio``, ``callData``...) with plain properties
and refs; these builders write it the way Architect's document does: ``__type`` actions with
``paths[{label, outputId, nextActionId?}]`` and settings as typed values
(``{"config": {"lit" | "exp": ...}, "text", "type"}``), references to queues, data actions,
flows and prompts inside them, sequence items (``State``, ``Task``, ``Menu``) with
``startAction`` and ``actionList``, and the document's ``manifest`` listing what is referenced.
Reads of a finished document are in ``document.py``.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]
Action = dict[str, Any]

# Dependency-tracking object type (SDK ``Dependency.type``) of each flow type (``Flow.type``).
FLOW_OBJECT_TYPES = {
    "INBOUNDCALL": "INBOUNDCALLFLOW",
    "INQUEUECALL": "INQUEUECALLFLOW",
    "COMMONMODULE": "COMMONMODULEFLOW",
    "DIGITALBOT": "DIGITALBOTFLOW",
    "BOT": "BOTFLOW",
}
FLOW_TYPES_BY_OBJECT = {v: k for k, v in FLOW_OBJECT_TYPES.items()}
# The document's own (lower-case) flow type of each ``Flow.type``.
DOCUMENT_TYPES = {t: t.lower() for t in FLOW_OBJECT_TYPES}
FLOW_TYPES_BY_DOCUMENT = {v: k for k, v in DOCUMENT_TYPES.items()}
# ``manifest`` key of each referenced object type; typed-value code of each.
MANIFEST_KEYS = {
    "QUEUE": "queue",
    "DATAACTION": "dataAction",
    "USERPROMPT": "userPrompt",
    "COMMONMODULEFLOW": "commonModule",
    "INBOUNDCALLFLOW": "inboundCallFlow",
    "INQUEUECALLFLOW": "inQueueCallFlow",
    "DIGITALBOTFLOW": "digitalBotFlow",
    "BOTFLOW": "botFlow",
}
OBJECT_TYPES_BY_MANIFEST = {v: k for k, v in MANIFEST_KEYS.items()}
CODES = {"QUEUE": "que", "DATAACTION": "dat", "USERPROMPT": "pro"}  # flows: "flw"
ACTION_TYPES = {
    "playAudio": "PlayAudioAction",
    "callCommonModule": "CallCommonModuleAction",
    "decision": "DecisionAction",
    "disconnect": "DisconnectAction",
    "callData": "CallDataAction",
    "transferToAcd": "TransferToAcdAction",
    "transferToFlow": "TransferToFlowAction",
    "callTask": "CallTaskAction",
    "jumpToTask": "JumpToTaskAction",
    "jumpToMenu": "JumpToMenuAction",
    "endTask": "EndTaskAction",
    "setVariable": "UpdateDataAction",
    "holdMusic": "HoldMusicAction",
    "communicate": "CommunicateAction",
    "askForIntent": "AskForIntentAction",
    "exitBotFlow": "ExitBotFlowAction",
}
ITEM_TYPES = {"state": "State", "task": "Task", "menu": "Menu"}
_LABELS = {"noMatch": ("No Match", "__NOMATCH__")}
VARIABLE_TYPES = {"boolean": "BoolVariable", "string": "StringVariable"}
REFS = "_refs"  # builders' side list of what an action references (popped into the manifest)


def ref(kind: str, rid: str, name: str, flow_version: str | None = None) -> dict[str, Any]:
    """One reference; flows carry ``flowVersion`` (a range or ``None``), resources do not."""
    out: dict[str, Any] = {"type": kind, "id": rid, "name": name}
    if kind in FLOW_TYPES_BY_OBJECT:
        out["flowVersion"] = flow_version
    return out


def lit(text: str, kind: str = "str", val: str | None = None) -> dict[str, Any]:
    """A literal typed value (``val`` holds the id of what a reference names)."""
    inner: dict[str, Any] = {"text": text, "type": kind}
    if val is not None:
        inner["val"] = val
    return {"config": {"lit": inner}, "text": text, "type": kind}


def exp(text: str, kind: str = "bool") -> dict[str, Any]:
    """An expression typed value."""
    return {"config": {"exp": {"text": text}}, "text": text, "type": kind}


def reference(r: dict[str, Any]) -> dict[str, Any]:
    """The typed value that names ``r`` (a ``ref``) in an action's settings."""
    return lit(r["name"], CODES.get(r["type"], "flw"), r["id"])


def audio(prompt: str | None = None, text: str | None = None) -> dict[str, Any]:
    """Audio: a user prompt by name (``Prompt.<name>``) or text to speech."""
    said = f"ToAudioPrompt(Prompt.{prompt})" if prompt else f'ToAudioTTS("{text or ""}")'
    return {
        "defaultAudio": {
            "config": {},
            "text": f"AudioPlaybackOptions({said}, true)",
            "type": "aud",
        },
        "cases": [],
    }


def _settings(kind: str, props: dict[str, Any], refs: list[dict[str, Any]]) -> dict[str, Any]:
    """Real settings of an action from the fixture's shorthand ``props`` and ``refs``."""
    named = {r["type"]: r for r in refs}
    prompt = named.get("USERPROMPT")
    flow = next((r for r in refs if r["type"] in FLOW_TYPES_BY_OBJECT), None)
    out: dict[str, Any] = {}
    if kind in ("playAudio", "holdMusic"):
        out["prompts"] = audio(prompt["name"] if prompt else None, props.get("text"))
        if kind == "holdMusic":
            out["holdDuration"] = lit(f"PT{props.get('seconds', 30)}S", "dur")
    elif kind in ("callCommonModule", "transferToFlow") and flow is not None:
        out["commonModule" if kind == "callCommonModule" else "flow"] = reference(flow)
        if flow.get("flowVersion"):
            out["flowVersion"] = lit(str(flow["flowVersion"]))
    elif kind == "callData":
        out["dataAction"] = reference(named["DATAACTION"])
        inputs = props.get("inputs") or {}
        out["inputs"] = {k: exp(str(v), "str") for k, v in sorted(inputs.items())}
    elif kind == "transferToAcd":
        out["queue"] = reference(named["QUEUE"])
    elif kind == "decision":
        out["expression"] = exp(str(props["expression"]))
    elif kind == "setVariable":
        out["statements"] = [{"variable": props["variable"], "value": exp(props["expression"])}]
    elif kind in ("communicate", "askForIntent"):
        text = str(props.get("text") or props.get("question") or "")
        out["communication" if kind == "communicate" else "question"] = lit(text, "com")
    elif kind == "exitBotFlow":
        out["exitReason"] = lit(str(props.get("reason") or "TriggeredByFlow"))
    return out


def _path(key: str, target: str | None) -> dict[str, Any]:
    label, output = _LABELS.get(key, (key.capitalize(), f"__{key.upper()}__"))
    out: dict[str, Any] = {"label": label, "outputId": output}
    if target is not None:
        out["nextActionId"] = target
    return out


def action(
    aid: str,
    name: str,
    kind: str,
    properties: dict[str, Any] | None = None,
    refs: list[dict[str, Any]] | None = None,
    **paths: str | None,
) -> Action:
    """An action; keyword arguments are its paths (``default=``, ``yes=``, ``success=``...);
    ``call=`` names the task a ``callTask`` runs, ``target=`` the item a jump goes to."""
    out: Action = {"__type": ACTION_TYPES[kind], "id": aid, "name": name}
    out.update(_settings(kind, properties or {}, refs or []))
    if "call" in paths:
        out["taskReference"] = paths.pop("call")
    if "target" in paths:
        out["menuReference" if kind == "jumpToMenu" else "taskReference"] = paths.pop("target")
    if paths:
        out["paths"] = [_path(k, v) for k, v in paths.items()]
    out[REFS] = list(refs or [])
    return out


def intent_path(name: str, target: str) -> dict[str, Any]:
    """A path of ``askForIntent`` (intent names may hold spaces, so no keyword form)."""
    return {"label": name, "outputId": f"__INTENT__{name}", "nextActionId": target}


def container(cid: str, name: str, kind: str, actions: list[Action]) -> dict[str, Any]:
    """A ``State`` or ``Task``; ``actions[0]`` is its ``startAction``."""
    if not actions:
        raise ValueError(f"container {cid} has no actions")
    return {
        "__type": ITEM_TYPES[kind],
        "id": cid,
        "name": name,
        "startAction": actions[0]["id"],
        "variables": [],
        "actionList": actions,
    }


def menu(
    cid: str,
    name: str,
    prompt: dict[str, Any],
    choices: list[tuple[str, str, Action]],
    default: tuple[str, Action],
) -> dict[str, Any]:
    """A ``Menu``: a prompt, digit choices (digit, name, action) and a default choice."""
    rows = [
        {"id": f"{cid}-choice-{digit}", "name": label, "digit": digit, "action": act}
        for digit, label, act in choices
    ]
    return {
        "__type": "Menu",
        "id": cid,
        "name": name,
        "prompts": audio(prompt["name"]),
        REFS: [prompt],
        "menuChoiceList": rows,
        "defaultMenuChoice": {"id": f"{cid}-default", "name": default[0], "action": default[1]},
    }


def _variable(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "__type": VARIABLE_TYPES.get(str(v.get("type")), "StringVariable"),
        "name": v["name"],
        "isInput": False,
        "isOutput": False,
    }


def _finish(obj: Any, manifest: dict[str, dict[str, dict[str, Any]]], counter: list[int]) -> Any:
    """Pop the side lists into ``manifest`` and number every item and action (``trackingId``)."""
    if isinstance(obj, list):
        return [_finish(v, manifest, counter) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for r in obj.get(REFS) or []:
        manifest.setdefault(MANIFEST_KEYS[r["type"]], {})[r["id"]] = {
            "id": r["id"],
            "name": r["name"],
        }
    for key, value in obj.items():
        if key == REFS:
            continue
        out[key] = _finish(value, manifest, counter)
        if key == "name" and "__type" in obj and "id" in obj:
            counter[0] += 1
            out["trackingId"] = counter[0]
    return out


def configuration(
    *,
    flow: dict[str, Any],
    start: str,
    states: list[dict[str, Any]] | None = None,
    tasks: list[dict[str, Any]] | None = None,
    menus: list[dict[str, Any]] | None = None,
    intents: list[dict[str, Any]] | None = None,
    variables: list[dict[str, Any]] | None = None,
) -> Config:
    """A whole flow document; the ``manifest`` lists what the actions reference."""
    manifest: dict[str, dict[str, dict[str, Any]]] = {}
    counter = [0]
    items = _finish([*(states or []), *(tasks or []), *(menus or [])], manifest, counter)
    cfg: Config = {
        "name": flow["name"],
        "description": flow.get("description", ""),
        "type": DOCUMENT_TYPES[flow["type"]],
        "defaultLanguage": "en-us",
        "supportedLanguages": [{"language": "en-us", "isDefault": True}],
        "initialSequence": start,
        "nextTrackingNumber": counter[0] + 1,
        "manifest": {
            key: sorted(rows.values(), key=lambda r: (r["name"], r["id"]))
            for key, rows in sorted(manifest.items())
        },
        "flowMetaData": {"flowDocumentVersion": "1.0"},
        "variables": [_variable(v) for v in variables or []],
        "flowSequenceItemList": items,
    }
    if intents:
        cfg["nluMetaData"] = {"intents": intents}
    return cfg
