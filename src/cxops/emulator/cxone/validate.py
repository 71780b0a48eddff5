"""Studio's validate-on-save, computed from the script and the business unit's stored scripts.

:func:`validate` returns every problem of a script, errors and warnings, sorted by action id and
code, so the same script always gives the same answer. Problems are keyed by action id (the keys
of ``actions``), or ``"header"`` for the script as a whole. Codes and rules are listed in
docs/emulator/cxone.md; the rules come from the Studio action help pages (required inputs,
"scripts called by Runsub/Spawn/Runscript must exist to save") and cxops' VENDORS.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxops.emulator.cxone.expressions import SyntaxProblem, check_code, check_template

ERROR, WARNING = "Error", "Warning"

# Action type -> alternatives, one of which must be a non-blank property ("" = no requirement).
REQUIRED: dict[str, tuple[str, ...]] = {
    "BEGIN": (),
    "MENU": ("Sequence", "Phrase"),
    "PLAY": ("Sequence", "Phrase"),
    "ASSIGN": ("Variable",),
    "IF": ("Expression",),
    "CASE": ("Value",),
    "SNIPPET": (),
    "RUNSUB": ("ScriptName",),
    "SPAWN": ("ScriptName",),
    "RUNSCRIPT": ("ScriptName",),
    "REQAGENT": ("Skill",),
    "TRANSFER": ("PhoneNumber",),
    "WAIT": ("Seconds",),
    "MUSIC": ("MusicFile",),
    "RETURN": (),
    "HANGUP": (),
    "END": (),
    "ONRELEASE": (),
    "TTS": (),
    "SAPI": (),
}
DEPRECATED = {"TTS": "use PLAY with a TTS sequence", "SAPI": "use PLAY with a TTS sequence"}
CALLS = frozenset({"RUNSUB", "SPAWN", "RUNSCRIPT"})
# Actions that end the script (or leave it): nothing has to follow them.
ENDS = frozenset({"HANGUP", "END", "RETURN", "RUNSCRIPT"})
ENTRIES = frozenset({"BEGIN", "ONRELEASE"})
# Property -> checker, per action type: which values Studio compiles.
_EXPRESSIONS: dict[str, tuple[str, Callable[[str], SyntaxProblem | None]]] = {
    "SNIPPET": ("Data", check_code),
    "IF": ("Expression", check_code),
    "CASE": ("Value", check_code),
    "ASSIGN": ("Value", check_template),
}


@dataclass(frozen=True)
class Problem:
    """One validation finding, as the save answer lists it."""

    key: str  # action id, or "header"
    code: str
    severity: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_id = int(self.key) if self.key.isdigit() else None
        return {
            "actionId": action_id,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            **self.extra,
        }


def properties_of(script: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``{name: value}`` of one action (Studio stores them by position)."""
    raw = (script.get("properties") or {}).get(key) or {}
    out: dict[str, Any] = {}
    if isinstance(raw, dict):
        for entry in raw.values():
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                out[entry["name"]] = entry.get("value")
    return out


def calls_of(script: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(action id, action type, called script path)`` for every sub-script call."""
    out = []
    for key, action in sorted(_actions(script).items(), key=lambda kv: _order(kv[0])):
        kind = str(action.get("name", "")).upper()
        target = properties_of(script, key).get("ScriptName")
        if kind in CALLS and isinstance(target, str) and target.strip():
            out.append((key, kind, target.strip()))
    return out


def _actions(script: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    raw = script.get("actions") or {}
    return {str(k): v for k, v in raw.items() if isinstance(v, dict)}


def _order(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


def _branches(script: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    rows = (script.get("branches") or {}).get(key)
    # Tolerate junk (a number, a string, an object) where the list of connections belongs.
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _describe(key: str, action: dict[str, Any]) -> str:
    label = action.get("label")
    kind = action.get("name", "?")
    return f"{kind} '{label}'" if label else f"{kind} action {key}"


def _check_action(
    key: str, action: dict[str, Any], script: Mapping[str, Any], exists: Callable[[str], bool]
) -> list[Problem]:
    out: list[Problem] = []
    kind = str(action.get("name", "")).upper()
    props = properties_of(script, key)
    what = _describe(key, action)
    if kind not in REQUIRED:
        return [Problem(key, "UNKNOWN_ACTION", ERROR, f"Action {key} has unknown type '{kind}'")]
    needed = REQUIRED[kind]
    if needed and all(_blank(props.get(name)) for name in needed):
        out.append(
            Problem(
                key,
                "REQUIRED_PROPERTY_MISSING",
                ERROR,
                f"{what} is missing required property {' or '.join(needed)}",
                {"property": needed[0]},
            )
        )
    if kind in _EXPRESSIONS:
        name, check = _EXPRESSIONS[kind]
        value = props.get(name)
        found = check(value) if isinstance(value, str) else None
        if found is not None:
            out.append(
                Problem(
                    key,
                    "EXPRESSION_SYNTAX",
                    ERROR,
                    f"{what}: {found.message} in {name} at line {found.line}, "
                    f"column {found.column}",
                    {"property": name, "line": found.line, "column": found.column},
                )
            )
    target = props.get("ScriptName")
    if kind in CALLS and isinstance(target, str) and target.strip() and not exists(target):
        out.append(
            Problem(
                key,
                "SCRIPT_NOT_FOUND",
                ERROR,
                f"{what} calls script '{target.strip()}', which does not exist",
                {"property": "ScriptName", "script": target.strip()},
            )
        )
    if kind not in ENDS and not _branches(script, key):
        # A public client relays a live warning "not wired" on an unconnected action; the
        # code name is the one cxops' issue #13 reports (docs/emulator/cxone.md).
        out.append(
            Problem(
                key,
                "BRANCH_NOT_CONNECTED",
                WARNING,
                f"{what} has no connected branch: the contact stops there",
            )
        )
    if kind in DEPRECATED:
        out.append(
            Problem(
                key,
                "DEPRECATED_ACTION",
                WARNING,
                f"{what} uses deprecated action type {kind}: {DEPRECATED[kind]}",
            )
        )
    return out


def _reachable(script: Mapping[str, Any], actions: dict[str, dict[str, Any]]) -> set[str]:
    starts = [k for k, a in actions.items() if str(a.get("name", "")).upper() in ENTRIES]
    seen, queue = set(starts), deque(starts)
    while queue:
        for row in _branches(script, queue.popleft()):
            target = str(row.get("to"))
            if target in actions and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def validate(script: Mapping[str, Any], exists: Callable[[str], bool]) -> list[Problem]:
    """Every problem of ``script``; ``exists(path)`` says whether a called script is stored."""
    actions = _actions(script)
    out: list[Problem] = []
    begins = sorted(
        (k for k, a in actions.items() if str(a.get("name", "")).upper() == "BEGIN"), key=_order
    )
    if not begins:
        out.append(Problem("header", "NO_BEGIN", ERROR, "Script has no BEGIN action"))
    for extra in begins[1:]:
        out.append(
            Problem(extra, "MULTIPLE_BEGIN", ERROR, f"Action {extra} is a second BEGIN action")
        )
    for key, action in actions.items():
        out.extend(_check_action(key, action, script, exists))
        for index, row in enumerate(_branches(script, key)):
            target = str(row.get("to"))
            if target not in actions:
                label = row.get("label") or row.get("type") or "default"
                out.append(
                    Problem(
                        key,
                        "BRANCH_TARGET_MISSING",
                        ERROR,
                        f"Branch '{label}' of action {key} goes to action {target}, "
                        "which does not exist",
                        {"branch": index},
                    )
                )
    for key in sorted((script.get("branches") or {}).keys(), key=lambda k: _order(str(k))):
        if str(key) not in actions:
            out.append(
                Problem(
                    str(key),
                    "BRANCH_TARGET_MISSING",
                    ERROR,
                    f"Branches are listed for action {key}, which does not exist",
                )
            )
    if begins:
        reached = _reachable(script, actions)
        for key, action in actions.items():
            if key not in reached:
                out.append(
                    Problem(
                        key,
                        "UNREACHABLE_ACTION",
                        WARNING,
                        f"{_describe(key, action)} cannot be reached from BEGIN",
                    )
                )
    return sorted(out, key=lambda p: (_order(p.key), p.code, p.message))


def shape_error(body: Any) -> str | None:
    """Why ``body`` is not a script JSON at all (a 400, not a validation result), else None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    header = body.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("scriptName"), str):
        return "Script header.scriptName is required"
    if not header["scriptName"].replace("/", "\\").strip().strip("\\"):
        return "Script header.scriptName is required"
    for part in ("actions", "properties", "branches"):
        if part in body and not isinstance(body[part], dict):
            return f"Script {part} must be an object keyed by action id"
    return None
