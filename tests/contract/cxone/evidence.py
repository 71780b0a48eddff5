"""The CXone answers cxops reads, as JSON Schemas written from public code that runs against
live tenants (no official CXone client exists on any registry). Every object is closed
(``additionalProperties: false``): a field the evidence does not show is drift.

Sources (read, not copied; docs/emulator/cxone.md lists them per shape):
- T: ``calljacob/nice-cxone-api``, TypeScript typings generated from NICE's Admin and
  Authentication API documents (``src/services/admin/AdminGeneralService.ts``: ``getScript``,
  ``createScript``, ``getSearchScript``, ``getScriptHistory``, ``deleteScript``;
  ``src/services/auth/AuthenticationGlobalauthenticationService.ts``: ``getToken``,
  ``getCXoneConfig``).
- M: ``outboundani/cxone-mcp``, an MCP server whose calls are "all verified live"
  (``src/scripts.js`` ``formatSaveReport``: ``results[0].error_code.details`` with
  ``totalErrors``, ``totalWarnings``, ``actions{id:{actionType, errors[{key}],
  warnings[{key}]}}``, ``masterId``, ``libraryId``; ``test/scripts.test.js``: totals as
  strings; ``src/tools.js``: history wrapped as ``scriptHistory`` / ``resultSet.scriptHistory``,
  search rows filtered on ``status === 'CURR'``; ``src/cxone.js``: no reliable Retry-After).
"""

from __future__ import annotations

from typing import Any


def obj(
    required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A closed object: exactly ``required`` plus any of ``optional``."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
        **extra,
    }


ANY: dict[str, Any] = {}
INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
COUNT = {"type": ["integer", "string"], "pattern": "^[0-9]+$"}  # M: totals sent as strings

# T getToken: access_token, token_type, issued_token_type?, refresh_token, expires_in, id_token.
TOKEN = obj(
    {"access_token": STR, "token_type": STR, "refresh_token": STR, "expires_in": INT,
     "id_token": STR},
    {"issued_token_type": STR},
)  # fmt: skip

# T getCXoneConfig.
DISCOVERY = obj(
    {"private": BOOL, "ui_endpoint": STR, "auth_endpoint": STR, "api_endpoint": STR,
     "domain": STR, "uhDomain": STR},
    {"area": STR, "cluster": STR, "acdDomain": STR, "tenantId": STR, "globaldomain": STR},
)  # fmt: skip

# T getSearchScript (rows: masterID, busNo, scriptName, status, mediaType, modifyDate, mUser,
# actions?).
SEARCH_ROW = obj(
    {"masterID": INT, "busNo": INT, "scriptName": STR, "status": STR, "mediaType": INT,
     "modifyDate": STR, "mUser": STR},
    {"actions": {"type": "array"}},
)  # fmt: skip
LINKS = obj({}, {"self": {"type": ["string", "null"]}, "next": {"type": ["string", "null"]},
                 "previous": {"type": ["string", "null"]}})  # fmt: skip
SEARCH = obj(
    {"scriptSearchDetails": {"type": "array", "items": SEARCH_ROW}},
    {"totalRecords": INT, "busNo": INT, "_links": LINKS, "scriptName": STR},
)

# T getScriptHistory: {name, versions[{scriptId, modifyDate, modifyUser, status}]}; no paging.
HISTORY_PLAIN = obj(
    {
        "name": STR,
        "versions": {
            "type": "array",
            "items": obj({"scriptId": INT, "modifyDate": STR, "modifyUser": STR, "status": STR}),
        },
    }
)
# M tools.js: ``res.scriptHistory || res.resultSet?.scriptHistory || res``.
HISTORY = {
    "oneOf": [
        HISTORY_PLAIN,
        obj({"scriptHistory": HISTORY_PLAIN}),
        obj({"resultSet": obj({"scriptHistory": HISTORY_PLAIN})}),
    ]
}

# T createScript: {errorCount?, results?[{success?, libraryId?}]}; M adds masterId and
# error_code.details.
_KEYS = {"type": "array", "items": obj({"key": STR})}
SAVE_RESULT = obj(
    {
        "success": BOOL,
        "masterId": INT,
        "libraryId": STR,
        "error_code": obj(
            {
                "details": obj(
                    {
                        "totalErrors": COUNT,
                        "totalWarnings": COUNT,
                        "actions": {
                            "type": "object",
                            "additionalProperties": obj(
                                {"actionType": STR, "errors": _KEYS, "warnings": _KEYS}
                            ),
                        },
                    }
                )
            }
        ),
    }
)
SAVE = obj({"errorCount": INT, "results": {"type": "array", "items": SAVE_RESULT,
                                           "minItems": 1, "maxItems": 1}})  # fmt: skip

# T getScript: header fields, actions{id:{actionId, libraryId, name, version, label,
# dependencyOrder, implType, x, y}}, properties{id:{n:{...}}}, branches{id:[...]}.
SCRIPT = obj(
    {
        "header": obj(
            {"masterId": INT, "scriptName": STR, "busNo": INT, "mediaType": INT,
             "mediaTypeName": STR, "purposeType": STR, "variableRedaction": STR,
             "libraryId": STR, "lockInfo": obj({"lockedName": STR, "lockedId": STR,
                                                "lockedDate": STR}),
             "nextActionId": INT, "status": STR, "lastSavedIn": STR}
        ),
        "actions": {
            "type": "object",
            "additionalProperties": obj(
                {"actionId": INT, "libraryId": STR, "name": STR, "version": INT, "label": STR,
                 "dependencyOrder": STR, "implType": STR, "x": INT, "y": INT}
            ),
        },
        "properties": {"type": "object"},
        "branches": {"type": "object",
                     "additionalProperties": {"type": "array", "items": {"type": "object"}}},
    }
)  # fmt: skip
