"""Build Studio script JSON (``header``, ``actions``, ``properties``, ``branches``) for fixtures.

The shapes follow the POST ``/scripts`` payloads in NICE's public Playwright test framework
(see docs/emulator/cxone.md): actions keyed by action id, properties keyed by position as
``{"name", "value"}``, branches as ``{"to", "label", "type", "index"}`` lists.
"""

from __future__ import annotations

import uuid
from typing import Any

# libraryId values as they appear in public Studio payloads; other types get a stable UUID.
_LIBRARY_IDS = {
    "BEGIN": "B2F794C5-0232-40E7-9830-76D573BF57D7",
    "MENU": "DAEE9C00-12CE-4222-A42E-307C37D53B7F",
    "PLAY": "B1B9A2DD-65B6-4626-9CF5-9CFA69CF59E2",
    "ASSIGN": "9015C095-98D9-441F-BF92-E90F5C5ED8C8",
    "END": "93FB8888-30CF-4DF3-8ED9-1F2986819080",
    "REQAGENT": "689A4A1B-FA0D-47B3-9A02-CBEB4735F08F",
    "SNIPPET": "B333DA63-33C8-4297-A58A-E9546CF7F0F2",
    "WAIT": "5BF67B1C-9736-434D-9B6F-0D856AEA8F16",
    "MUSIC": "DBCC742B-28D8-42D1-9D95-0D9ABF20B04B",
}
_NAMESPACE = uuid.UUID("6f1c7c55-0d7e-4f55-9a43-2f3a0c1e7b01")


def library_id(kind: str) -> str:
    """The ``libraryId`` Studio stores for an action type (stable for unknown types too)."""
    return _LIBRARY_IDS.get(kind) or str(uuid.uuid5(_NAMESPACE, kind)).upper()


class ScriptBuilder:
    """Add actions and connections, then :meth:`build` the script JSON.

    >>> b = ScriptBuilder("Common\\\\Hello")
    >>> begin = b.add("BEGIN", "Begin")
    >>> bye = b.add("HANGUP", "Hang up")
    >>> b.link(begin, bye)
    >>> sorted(b.build(100, 1)["actions"])
    ['1', '2']
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._actions: dict[int, tuple[str, str]] = {}
        self._props: dict[int, list[tuple[str, Any]]] = {}
        self._branches: dict[int, list[dict[str, Any]]] = {}

    def add(self, kind: str, label: str, *, at: int | None = None, **props: Any) -> int:
        """Add an action of type ``kind`` with ``props`` (in order); returns its action id."""
        action_id = at if at is not None else max(self._actions, default=0) + 1
        if action_id in self._actions:
            raise ValueError(f"action {action_id} already exists in {self.path}")
        self._actions[action_id] = (kind, label)
        self._props[action_id] = list(props.items())
        return action_id

    def link(self, source: int, target: int, label: str = "", kind: str | None = None) -> None:
        """Connect ``source`` to ``target``; a label makes it a result ``branch``."""
        rows = self._branches.setdefault(source, [])
        rows.append(
            {
                "to": target,
                "label": label,
                "type": kind or ("branch" if label else "default"),
                "index": len(rows),
            }
        )

    def build(self, master_id: int, bus_no: int, media: tuple[int, str] = (4, "Phone")) -> Any:
        """The script JSON with ``header.masterId`` = ``master_id``."""
        actions: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for order, action_id in enumerate(sorted(self._actions)):
            kind, label = self._actions[action_id]
            actions[str(action_id)] = {
                "actionId": action_id,
                "libraryId": library_id(kind),
                "name": kind,
                "version": 1,
                "label": label,
                "dependencyOrder": str(order),
                "implType": "0",
                "x": 96 + 176 * ((action_id - 1) % 6),
                "y": 96 + 128 * ((action_id - 1) // 6),
            }
            properties[str(action_id)] = {
                str(i): {"name": name, "value": value}
                for i, (name, value) in enumerate(self._props[action_id])
            }
        return {
            "header": {
                "masterId": master_id,
                "scriptName": self.path,
                "busNo": bus_no,
                "mediaType": media[0],
                "mediaTypeName": media[1],
                "purposeType": "General",
                "variableRedaction": "",
                "libraryId": "",
                "lockInfo": {"lockedName": "", "lockedId": "", "lockedDate": ""},
                "nextActionId": max(self._actions, default=0) + 1,
                "status": "CURR",
                "lastSavedIn": "Studio",
            },
            "actions": actions,
            "properties": properties,
            "branches": {str(k): v for k, v in sorted(self._branches.items())},
        }
