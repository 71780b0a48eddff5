"""What CXone Studio's save-validation keys mean, in plain words, and which member of an action
each one is about. Pure.

The live save answer names only the action and a key (``{"key": "EXPRESSION_SYNTAX"}``; public
clients relay free-text keys too), never a property or a position. So cxops decides from the key
and the action which value it concerns: the expression property of the action's type for a
syntax error, the ``ScriptName`` of a call, the first blank property for a missing one, the
branch that leads nowhere, the action's type name for an unknown or deprecated type; anything
else is the action itself. docs/compile.md has the table.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXPRESSION_PROPERTY", "REFUSED", "Meaning", "meaning_of"]

#: cxops' own key for a save refused (409, or ``success: false``) without any problem named.
REFUSED = "SAVE_REFUSED"


@dataclass(frozen=True)
class Meaning:
    """A key's meaning (completes "the action …" or "the script …"), a hint a person can act
    on, and what it points at: ``expression``, ``script_name``, ``blank_property``,
    ``missing_branch``, ``type`` or ``action``."""

    text: str
    hint: str
    target: str = "action"


#: Which property holds code to parse, per action type (Studio action help pages: SNIPPET
#: ``Data``, IF ``Expression``, CASE ``Value``, ASSIGN ``Value``).
EXPRESSION_PROPERTY = {"SNIPPET": "Data", "IF": "Expression", "CASE": "Value", "ASSIGN": "Value"}

_MEANINGS = {
    REFUSED: Meaning(
        "was refused by Studio without naming a problem",
        "save the script in Studio to see why it is refused",
    ),
    "BRANCH_NOT_CONNECTED": Meaning(
        "has a branch that is not connected to any action, so a contact that takes it stops there",
        "connect the branch to the next action in Studio, or end the path with HANGUP or END",
    ),
    "UNREACHABLE_ACTION": Meaning(
        "cannot be reached from BEGIN or an event handler, so it never runs",
        "connect a branch to it, or delete it if it is left over",
    ),
    "EXPRESSION_SYNTAX": Meaning(
        "holds an expression or snippet code that does not parse (an unclosed bracket or "
        "string, for example); Studio does not say where inside the value",
        "fix the code in the value shown (Studio's snippet editor checks it as you type)",
        "expression",
    ),
    "REQUIRED_PROPERTY_MISSING": Meaning(
        "is missing a property it needs",
        "fill in the empty property of the action in Studio",
        "blank_property",
    ),
    "UNKNOWN_ACTION": Meaning(
        "has an action type Studio does not know",
        "replace the action with one of a current type",
        "type",
    ),
    "DEPRECATED_ACTION": Meaning(
        "uses a deprecated action type, which may stop working",
        "replace it with the current action (for TTS and SAPI: PLAY with a TTS sequence)",
        "type",
    ),
    "MULTIPLE_BEGIN": Meaning(
        "is a second BEGIN action; a script starts at exactly one",
        "delete the extra BEGIN and connect what followed it",
        "type",
    ),
    "NO_BEGIN": Meaning(
        "has no BEGIN action, so it cannot start",
        "add a BEGIN action and connect it",
    ),
    "BRANCH_TARGET_MISSING": Meaning(
        "has a branch that leads to an action that is not in the script",
        "reconnect the branch to an action of the script",
        "missing_branch",
    ),
    "SCRIPT_NOT_FOUND": Meaning(
        "runs a script that does not exist in this business unit",
        "save (or promote) the called script first, or correct the ScriptName",
        "script_name",
    ),
}


def meaning_of(key: str) -> Meaning:
    """The meaning of a save-validation key; a key cxops does not know is quoted as is."""
    found = _MEANINGS.get(key.strip().upper())
    if found is not None:
        return found
    return Meaning(
        f"was reported by Studio as '{key}'",
        "open the action in Studio: the key is Studio's own wording",
    )
