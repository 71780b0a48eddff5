"""Genesys Cloud Architect: the flow document + dependency tracking objects ⇄ bundle.

Native project document (one division)::

    {"division": {...}, "flows": [{"flow": {...Flow entity},
                                   "version": "3.0",            # the version exported
                                   "configuration": {...Architect flow document},
                                   "versions": [{...FlowVersion}],
                                   "consumed": [{...Dependency}]}]}

The configuration is Architect's own document (``GET /flows/{id}/versions/{v}/configuration``,
typed ``object`` by the SDK; shape in docs/emulator/genesys.md): ``initialSequence``,
``manifest``, ``flowSequenceItemList[]`` of sequence items (``__type`` ``State``, ``Task``,
``Menu``...) holding ``actionList[]`` (or, in some documents, a flat ``flowActionItemList[]``
beside them), menu choices holding an ``action``. It has no top-level id: the flow's id is the
entity's.

- Every sequence item and every action is a node (``properties``: the object verbatim, with
  each action it holds replaced by a ``{"$node": id}`` placeholder, so nothing is stored twice).
- Edges: ``startAction`` (item → first action, ``next``); a menu choice (item → its action,
  ``branch``, condition ``digit:<d>`` or the choice's name); ``paths[].nextActionId`` (``next``
  for ``__DEFAULT__``, else ``branch`` with the path label as condition); ``nextAction``; any
  setting of an action that names a sequence item (jump, call task: ``child`` for ``Call...``).
- An action ends the flow (``terminal``) when a path of it has no ``nextActionId`` or nothing
  leaves it at all.
- Refs: typed values ``{"config": {"lit": {"val": <id>, "text": <name>}}, "text", "type"}``
  whose id the ``manifest`` lists (its key gives the kind) or whose type code is known;
  ``Prompt.<name>`` in a typed value's text names a ``userPrompt`` of the manifest. A flow ref
  takes its version range from the action's ``flowVersion`` typed value (a cxops notion).
- The entry is ``initialSequence``. Consumed dependencies (``deleted`` flag included) become
  resources; the versions listed become ``Flow.versions``.

A document cxops cannot read (no item list, an action without an id, a duplicate id) is kept
verbatim with no nodes, and an unknown ``__type`` keeps its node: both are recorded in the
flow's ``properties["_problems"]`` (message naming the flow and the JSON pointer), which the
checks report as ``CX100``; the rest of the export goes on.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from cxops.model.bundle import Bundle, Edge, Flow, Node, Ref, Resource
from cxops.model.errors import ConvertError

__all__ = [
    "ACTION_TYPES",
    "ITEM_TYPES",
    "flow_to_bundle",
    "flow_to_native",
    "ref_kind",
    "to_bundle",
    "to_native",
]

PLACEHOLDER = "$node"
#: Sequence item types (public flow exports; see docs/emulator/genesys.md for the evidence).
ITEM_TYPES = frozenset(
    {"State", "Task", "Menu", "ReusableTask", "LoopTask", "CommonModuleTask", "BotState"}
)
#: Action types cxops knows; any other ``__type`` is a finding (its node is kept).
ACTION_TYPES = frozenset(
    {
        "AskForBooleanAction",
        "AskForIntentAction",
        "AskForSlotAction",
        "CallCommonModuleAction",
        "CallDataAction",
        "CallTaskAction",
        "ChangeStateAction",
        "CollectInputAction",
        "CommunicateAction",
        "DataAction",
        "DecisionAction",
        "DisconnectAction",
        "EndTaskAction",
        "EvaluateScheduleAction",
        "EvaluateScheduleGroupAction",
        "ExitBotFlowAction",
        "ExitLoopAction",
        "GetResponseAction",
        "HoldMusicAction",
        "JumpToMenuAction",
        "JumpToTaskAction",
        "LoopAction",
        "MenuAction",
        "NextLoopAction",
        "PlayAudioAction",
        "SendResponseAction",
        "SetAttributesAction",
        "SwitchAction",
        "TaskAction",
        "TransferExternalAction",
        "TransferMenuAction",
        "TransferPureMatchAction",
        "TransferTaskAction",
        "TransferToAcdAction",
        "TransferToFlowAction",
        "TransferToUserAction",
        "TransferToVoicemailAction",
        "UpdateDataAction",
        "WaitAction",
    }
)
_KINDS = {"DATAACTION": "data_action", "USERPROMPT": "prompt", "QUEUE": "queue"}
#: ``manifest`` key → portable ref kind, the kind ``ref_kind`` gives the matching
#: ``Dependency.type`` (so a ref meets the resource dependency tracking lists); flows:
#: ``commonModule`` and any ``...Flow`` key. Other keys (``ttsVoice``...) make no ref: nothing
#: in dependency tracking would answer for them, and a ref to nothing is a CX105.
_MANIFEST = {
    "dataAction": "data_action",
    "userPrompt": "prompt",
    "queue": "queue",
    "schedule": "schedule",
    "scheduleGroup": "schedulegroup",
}
#: Typed-value type codes seen in public exports (``que``) and the emulator's own.
_CODES = {"que": "queue", "sch": "schedule"}
_PROMPT = re.compile(r"\bPrompt\.([A-Za-z0-9_]+)")
_NOT_SETTINGS = frozenset({"id", "name", "trackingId", "paths", "__type", "nextAction"})


def ref_kind(dependency_type: str) -> str:
    """Portable ref kind of a Genesys ``Dependency.type`` (any ``...FLOW`` is a flow)."""
    if dependency_type.endswith("FLOW"):
        return "flow"
    return _KINDS.get(dependency_type, dependency_type.lower())


def _manifest_kind(key: str) -> str | None:
    if key == "commonModule" or key.lower().endswith("flow"):
        return "flow"
    return _MANIFEST.get(key)


class _Unreadable(Exception):
    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer, self.message = pointer, message


class _Reader:
    """One configuration taken apart into node documents (see the module doc)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.pointers: dict[str, str] = {}
        self.items: list[str] = []
        self.choices: list[tuple[str, str, str | None]] = []  # (item, action, condition)

    def node(self, obj: Any, pointer: str, *, item: bool) -> dict[str, str]:
        if not isinstance(obj, dict):
            raise _Unreadable(pointer, "a sequence item or action must be an object")
        nid = obj.get("id")
        if not isinstance(nid, str) or not nid:
            raise _Unreadable(pointer, "a sequence item or action has no 'id'")
        if nid in self.nodes:
            raise _Unreadable(pointer, f"id '{nid}' is used twice (also at {self.pointers[nid]})")
        self.nodes[nid] = {}  # reserved before the walk, so a nested duplicate is seen
        self.pointers[nid] = pointer
        if item:
            self.items.append(nid)
        self.nodes[nid] = self.walk(obj, pointer, nid if item else None)
        return {PLACEHOLDER: nid}

    def walk(self, obj: Any, pointer: str, item: str | None) -> Any:
        """``obj`` with every action it holds replaced by a placeholder."""
        if isinstance(obj, list):
            return [self.walk(v, f"{pointer}/{i}", item) for i, v in enumerate(obj)]
        if not isinstance(obj, dict):
            return obj
        if PLACEHOLDER in obj:
            raise _Unreadable(pointer, f"the key '{PLACEHOLDER}' is reserved by cxops")
        out: dict[str, Any] = {}
        for key, value in obj.items():
            where = f"{pointer}/{_escape(key)}"
            if key in ("actionList", "flowActionItemList") and isinstance(value, list):
                out[key] = [self.node(a, f"{where}/{i}", item=False) for i, a in enumerate(value)]
            elif key == "action" and isinstance(value, dict) and "__type" in value:
                out[key] = self.node(value, where, item=False)
                if item is not None:
                    self.choices.append((item, str(value.get("id")), _choice(obj)))
            else:
                out[key] = self.walk(value, where, item)
        return out


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _choice(choice: dict[str, Any]) -> str | None:
    digit, name = choice.get("digit"), choice.get("name")
    if isinstance(digit, str) and digit:
        return f"digit:{digit}"
    return str(name) if isinstance(name, str) else None


def _typed_values(obj: Any) -> Iterator[dict[str, Any]]:
    """Every typed value (``{"config": ..., "text"?, "type"?}``) inside ``obj``."""
    if isinstance(obj, list):
        for v in obj:
            yield from _typed_values(v)
    elif isinstance(obj, dict):
        if isinstance(obj.get("config"), dict):
            yield obj
        for v in obj.values():
            yield from _typed_values(v)


def _manifest(config: dict[str, Any]) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """``(id → (kind, name), prompt name → id)`` from the document's ``manifest``."""
    by_id: dict[str, tuple[str, str]] = {}
    prompts: dict[str, str] = {}
    manifest = config.get("manifest")
    for key, rows in manifest.items() if isinstance(manifest, dict) else []:
        kind = _manifest_kind(str(key))
        for row in rows if isinstance(rows, list) and kind else []:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                name = str(row.get("name") or row["id"])
                by_id[row["id"]] = (str(kind), name)
                if key == "userPrompt":
                    prompts[name] = row["id"]
    return by_id, prompts


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        lit = (value.get("config") or {}).get("lit")
        text = value.get("text")
        if isinstance(text, str):
            return text
        if isinstance(lit, dict) and isinstance(lit.get("text"), str):
            return str(lit["text"])
    return None


def _refs(
    action: dict[str, Any], manifest: dict[str, tuple[str, str]], prompts: dict[str, str]
) -> list[Ref]:
    out: dict[tuple[str, str], Ref] = {}
    version = _text(action.get("flowVersion"))
    for key, value in action.items():
        if key in _NOT_SETTINGS:
            continue
        for typed in _typed_values(value):
            lit = typed["config"].get("lit")
            rid = lit.get("val") if isinstance(lit, dict) else None
            if isinstance(rid, str) and rid:
                code = str(typed.get("type") or lit.get("type") or "")
                kind, name = manifest.get(rid, (_CODES.get(code, ""), _text(typed) or rid))
                if kind:
                    ver = version if kind == "flow" else None
                    out[(kind, rid)] = Ref(kind=kind, id=rid, name=name, version=ver)
            for pname in _PROMPT.findall(_text(typed) or ""):
                if pname in prompts:
                    out[("prompt", prompts[pname])] = Ref(
                        kind="prompt", id=prompts[pname], name=pname
                    )
    return list(out.values())


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)


def _action_edges(aid: str, action: dict[str, Any], items: set[str]) -> tuple[list[Edge], bool]:
    edges: list[Edge] = []
    ends = False
    paths = action.get("paths")
    for i, path in enumerate(paths if isinstance(paths, list) else []):
        if not isinstance(path, dict):
            continue
        target = path.get("nextActionId")
        if not isinstance(target, str) or not target:
            ends = True
            continue
        label = path.get("label") if isinstance(path.get("label"), str) else path.get("outputId")
        default = path.get("outputId") == "__DEFAULT__"
        edges.append(
            Edge(
                source=aid,
                target=target,
                kind="next" if default else "branch",
                condition=None if default else (str(label) if label is not None else None),
                properties={"path": i},
            )
        )
    nxt = action.get("nextAction")
    if isinstance(nxt, str) and nxt:
        edges.append(Edge(source=aid, target=nxt, properties={"path": "nextAction"}))
    kind = "child" if str(action.get("__type", "")).startswith("Call") else "next"
    jumps = {
        s
        for key, value in action.items()
        if key not in _NOT_SETTINGS
        for s in _strings(value)
        if s in items
    }
    edges += [
        Edge(source=aid, target=t, kind=kind, properties={"jump": True}) for t in sorted(jumps)
    ]
    return edges, ends or not edges


def _problem(name: str, pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "message": f"flow '{name}': {message} (at {pointer or '/'})"}


def flow_to_bundle(native: dict[str, Any]) -> Flow:
    """One native flow (entity, exported version, configuration, versions, consumed) as a Flow."""
    entity = native.get("flow")
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
        raise ConvertError("a Genesys flow needs its 'flow' entity with an 'id'", pointer="/flow")
    fid = str(entity["id"])
    config = native.get("configuration")
    name = str(
        (config.get("name") if isinstance(config, dict) else None) or entity.get("name") or fid
    )
    rest = {k: v for k, v in native.items() if k != "configuration"}
    versions = sorted({str(v["id"]) for v in native.get("versions") or [] if "id" in v})
    version = native.get("version")
    ftype = (config.get("type") if isinstance(config, dict) else None) or entity.get("type")
    base = {
        "id": fid,
        "name": name,
        "kind": f"genesys.{str(ftype or 'flow').lower()}",
        "version": str(version) if version is not None else None,
        "versions": versions,
    }
    reader = _Reader()
    try:
        if not isinstance(config, dict):
            raise _Unreadable("", "the configuration is not an object")
        if not isinstance(config.get("flowSequenceItemList"), list):
            raise _Unreadable("/flowSequenceItemList", "there is no 'flowSequenceItemList' list")
        key = "flowSequenceItemList"
        listed = [reader.node(item, f"/{key}/{i}", item=True) for i, item in enumerate(config[key])]
        shell: dict[str, Any] = reader.walk({k: v for k, v in config.items() if k != key}, "", None)
        shell[key] = listed
    except _Unreadable as exc:
        problems = [_problem(name, exc.pointer, f"cannot read the flow document: {exc.message}")]
        props = {**rest, "configuration": config, "_layout": "raw", "_problems": problems}
        return Flow(**base, properties=props)
    return _graph(reader, shell, config, rest, base, name)


def _graph(
    reader: _Reader,
    shell: dict[str, Any],
    config: dict[str, Any],
    rest: dict[str, Any],
    base: dict[str, Any],
    name: str,
) -> Flow:
    manifest, prompts = _manifest(config)
    items = set(reader.items)
    nodes: list[Node] = []
    edges: list[Edge] = []
    problems: list[dict[str, str]] = []
    for nid, doc in reader.nodes.items():
        kind = str(doc.get("__type", ""))
        pointer = reader.pointers[nid]
        label = doc.get("name") if isinstance(doc.get("name"), str) else None
        if nid in items:
            if kind not in ITEM_TYPES:
                problems.append(_problem(name, pointer, f"unknown sequence item type '{kind}'"))
            start = doc.get("startAction")
            out = [Edge(source=nid, target=start)] if isinstance(start, str) and start else []
            out += [
                Edge(source=nid, target=a, kind="branch", condition=c)
                for i, a, c in reader.choices
                if i == nid
            ]
            edges += out
            refs = _refs(doc, manifest, prompts)  # a menu's prompt; its actions are placeholders
            nodes.append(
                Node(
                    id=nid,
                    type=f"sequence:{kind}",
                    label=label,
                    terminal=not out,
                    properties=doc,
                    refs=refs,
                )
            )
            continue
        if kind not in ACTION_TYPES:
            problems.append(_problem(name, pointer, f"unknown action type '{kind}'"))
        out, ends = _action_edges(nid, doc, items)
        edges += out
        refs = _refs(doc, manifest, prompts)
        nodes.append(Node(id=nid, type=kind, label=label, terminal=ends, properties=doc, refs=refs))
    start = config.get("initialSequence")
    props: dict[str, Any] = {**rest, "configuration": shell, "_layout": "nodes"}
    if problems:
        props["_problems"] = problems
    return Flow(
        **base,
        entry=[start] if isinstance(start, str) and start else [],
        nodes=nodes,
        edges=edges,
        properties=props,
    )


def _restore(obj: Any, by_id: dict[str, Any]) -> Any:
    if isinstance(obj, list):
        return [_restore(v, by_id) for v in obj]
    if isinstance(obj, dict):
        if len(obj) == 1 and PLACEHOLDER in obj:
            return _restore(by_id[obj[PLACEHOLDER]], by_id)
        return {k: _restore(v, by_id) for k, v in obj.items()}
    return obj


def flow_to_native(flow: Flow) -> dict[str, Any]:
    """Inverse of :func:`flow_to_bundle`."""
    rest = copy.deepcopy(dict(flow.properties))
    layout = rest.pop("_layout")
    rest.pop("_problems", None)
    config = rest.pop("configuration")
    if layout != "raw":
        config = _restore(config, {n.id: n.properties for n in flow.nodes})
    return {**rest, "configuration": config}


def to_bundle(native: dict[str, Any], *, tenant: str) -> Bundle:
    """One division's flows (see module doc) as a Bundle; project = the division name."""
    division = native.get("division") or {}
    flows = [flow_to_bundle(f) for f in native.get("flows") or []]
    exported = {f.id for f in flows}
    resources: dict[tuple[str, str], Resource] = {}
    for f in native.get("flows") or []:
        for dep in f.get("consumed") or []:
            kind = ref_kind(str(dep.get("type", "")))
            rid = str(dep.get("id", ""))
            if (kind == "flow" and rid in exported) or (kind, rid) in resources:
                continue
            version = dep.get("version")
            resources[(kind, rid)] = Resource(
                kind=kind,
                id=rid,
                name=str(dep.get("name") or rid),
                version=str(version) if version is not None else None,
                deleted=bool(dep.get("deleted")),
                properties={"derived": True},
            )
    project = str(division.get("name") or division.get("id") or "default")
    extra = {k: v for k, v in native.items() if k != "flows"}
    extra["_order"] = [f.id for f in flows]
    return Bundle(
        vendor="genesys",
        tenant=tenant,
        project=project,
        flows=flows,
        resources=list(resources.values()),
        properties=extra,
    )


def to_native(bundle: Bundle) -> dict[str, Any]:
    """Inverse of :func:`to_bundle` (resources are derived from ``consumed`` and dropped)."""
    extra = dict(bundle.properties)
    order: list[str] = extra.pop("_order")  # type: ignore[assignment]
    flows = {f.id: flow_to_native(f) for f in bundle.flows}
    return {**extra, "flows": [flows[i] for i in order]}
