"""Read-only walks of an Architect flow document (built by ``configs.py``), shared by
dependency tracking, validation, imports, health and the text-bot runner.

Written from the document's own rules, independently of cxops' converter in ``model/``:
actions live in sequence items' ``actionList``, in menu choices' ``action`` and, in some
documents, in a flat ``flowActionItemList``; ``paths[].nextActionId`` names the next action, a
path without it ends the branch; ``taskReference``/``menuReference`` name a sequence item;
references are typed values whose ``lit.val`` is an id the ``manifest`` lists.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from cxops.emulator.genesys.configs import FLOW_TYPES_BY_OBJECT, OBJECT_TYPES_BY_MANIFEST, Config

Action = dict[str, Any]
JUMP_KEYS = ("taskReference", "menuReference")
_PROMPT = re.compile(r"Prompt\.([A-Za-z0-9_]+)")


def items(cfg: Config) -> list[dict[str, Any]]:
    """The sequence items (``State``, ``Task``, ``Menu``...), in document order."""
    return [i for i in cfg.get("flowSequenceItemList") or [] if isinstance(i, dict)]


def choices(item: dict[str, Any]) -> list[dict[str, Any]]:
    """A menu's choices, the default one last."""
    rows = [c for c in item.get("menuChoiceList") or [] if isinstance(c, dict)]
    default = item.get("defaultMenuChoice")
    return rows + ([default] if isinstance(default, dict) else [])


def actions(cfg: Config) -> Iterator[Action]:
    """Every action, in document order."""
    for item in items(cfg):
        yield from item.get("actionList") or []
        for choice in choices(item):
            if isinstance(choice.get("action"), dict):
                yield choice["action"]
    yield from cfg.get("flowActionItemList") or []


def by_id(cfg: Config) -> dict[str, dict[str, Any]]:
    """Every sequence item and action by id."""
    out: dict[str, dict[str, Any]] = {str(i.get("id")): i for i in items(cfg)}
    out.update({str(a.get("id")): a for a in actions(cfg)})
    return out


def _typed(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, list):
        for v in obj:
            yield from _typed(v)
    elif isinstance(obj, dict):
        if isinstance(obj.get("config"), dict):
            yield obj
        for v in obj.values():
            yield from _typed(v)


def manifest(cfg: Config) -> dict[str, tuple[str, str]]:
    """id → (object type, name) of everything the manifest lists."""
    out: dict[str, tuple[str, str]] = {}
    for key, rows in (cfg.get("manifest") or {}).items():
        kind = OBJECT_TYPES_BY_MANIFEST.get(key)
        if kind is None:
            continue
        for row in rows:
            out[str(row["id"])] = (kind, str(row.get("name")))
    return out


def refs_of(obj: dict[str, Any], listed: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """What one action or item references: ``{type, id, name, flowVersion?}``."""
    prompts = {name: rid for rid, (kind, name) in listed.items() if kind == "USERPROMPT"}
    version = (obj.get("flowVersion") or {}).get("text")
    out: dict[str, dict[str, Any]] = {}
    for key, value in obj.items():
        if key in ("paths", "actionList", "menuChoiceList", "defaultMenuChoice"):
            continue
        for typed in _typed(value):
            rid = (typed["config"].get("lit") or {}).get("val")
            if isinstance(rid, str) and rid in listed:
                kind, name = listed[rid]
                row: dict[str, Any] = {"type": kind, "id": rid, "name": name}
                if kind in FLOW_TYPES_BY_OBJECT:
                    row["flowVersion"] = version
                out[rid] = row
            for pname in _PROMPT.findall(str(typed.get("text") or "")):
                if pname in prompts:
                    out[prompts[pname]] = {
                        "type": "USERPROMPT",
                        "id": prompts[pname],
                        "name": pname,
                    }
    return list(out.values())


def all_refs(cfg: Config) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(action or menu, ref)`` for every reference of the document."""
    listed = manifest(cfg)
    for obj in [*items(cfg), *actions(cfg)]:
        for r in refs_of(obj, listed):
            yield obj, r


def next_of(act: Action, output: str) -> str | None:
    """Where the path with ``outputId`` (or label) ``output`` leads (None: ends or absent)."""
    for path in act.get("paths") or []:
        if output in (path.get("outputId"), path.get("label")):
            return path.get("nextActionId")  # type: ignore[no-any-return]
    return None


def start_of(cfg: Config, target: str | None) -> str | None:
    """The action a jump to ``target`` runs: an item's ``startAction``, or the action itself."""
    node = by_id(cfg).get(target or "")
    if node is None:
        return None
    if "actionList" in node or "startAction" in node:
        start = node.get("startAction")
        return str(start) if start else None
    return str(node["id"])


def successors(cfg: Config, node: dict[str, Any]) -> list[str]:
    """Ids a node leads to: paths, ``startAction``, menu choices, jumps and task calls."""
    out = [str(p["nextActionId"]) for p in node.get("paths") or [] if p.get("nextActionId")]
    if node.get("startAction"):
        out.append(str(node["startAction"]))
    out += [str(c["action"]["id"]) for c in choices(node) if isinstance(c.get("action"), dict)]
    out += [str(node[k]) for k in JUMP_KEYS if node.get(k)]
    return out


def reachable(cfg: Config) -> set[str]:
    """Ids of items and actions reachable from ``initialSequence`` (breadth-first)."""
    nodes = by_id(cfg)
    seen: set[str] = set()
    todo = deque([str(cfg.get("initialSequence", ""))])
    while todo:
        nid = todo.popleft()
        if nid in seen or nid not in nodes:
            continue
        seen.add(nid)
        todo.extend(successors(cfg, nodes[nid]))
    return seen


def said(act: Action) -> str | None:
    """What a bot action says (``communication`` or ``question`` text), if anything."""
    for key in ("communication", "question"):
        value = act.get(key)
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            return str(value["text"])
    return None


def intents(cfg: Config) -> list[dict[str, Any]]:
    """The bot flow's intents (``nluMetaData.intents``: id, name, utterances)."""
    return list((cfg.get("nluMetaData") or {}).get("intents") or [])


def swap_ids(doc: Any, ids: dict[str, str]) -> Any:
    """``doc`` with every string that is a key of ``ids`` replaced (imports re-bind ids)."""
    if isinstance(doc, dict):
        return {k: swap_ids(v, ids) for k, v in doc.items()}
    if isinstance(doc, list):
        return [swap_ids(v, ids) for v in doc]
    return ids.get(doc, doc) if isinstance(doc, str) else doc
