"""The bodies of ``POST scripts`` and ``GET scripts/historyByName``, in the shapes public clients
read from live tenants (sources in docs/emulator/cxone.md):

- save: ``{errorCount, results: [{success, masterId, libraryId, error_code: {details:
  {totalErrors, totalWarnings, actions: {"<actionId>": {actionType, errors: [{key}],
  warnings: [{key}]}}}}}]}`` (a batch-shaped answer, like CXone's other create endpoints);
- history: ``{name, versions: [{scriptId, modifyDate, modifyUser, status}]}``, not paged,
  optionally wrapped as ``scriptHistory`` or ``resultSet.scriptHistory``.

A problem is only its ``key`` (the code): the live answer says nothing about where inside an
action's values the problem is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxops.emulator.cxone.store import CxoneTenant
from cxops.emulator.cxone.validate import ERROR, WARNING, Problem

__all__ = ["history_answer", "save_answer"]


def _action_type(script: Mapping[str, Any], key: str) -> str:
    action = (script.get("actions") or {}).get(key)
    return str(action.get("name", "")) if isinstance(action, Mapping) else ""


def save_answer(
    script: Mapping[str, Any], problems: list[Problem], master_id: int
) -> dict[str, Any]:
    """The save answer for ``script`` with ``problems``; ``master_id`` 0 when nothing was
    stored (a rejection). Totals are strings, as in the public client's recorded answers."""
    actions: dict[str, dict[str, Any]] = {}
    for p in problems:
        row = actions.setdefault(
            p.key, {"actionType": _action_type(script, p.key), "errors": [], "warnings": []}
        )
        row["errors" if p.severity == ERROR else "warnings"].append({"key": p.code})
    errors = sum(p.severity == ERROR for p in problems)
    warnings = sum(p.severity == WARNING for p in problems)
    header = script.get("header") or {}
    library = header.get("libraryId") if isinstance(header, Mapping) else None
    return {
        "errorCount": 1 if errors else 0,  # failed items of the batch, as other batch answers
        "results": [
            {
                "success": not errors,
                "masterId": master_id,
                "libraryId": library if isinstance(library, str) else "",
                "error_code": {
                    "details": {
                        "totalErrors": str(errors),
                        "totalWarnings": str(warnings),
                        "actions": actions,
                    }
                },
            }
        ],
    }


def history_answer(unit: CxoneTenant, path: str) -> dict[str, Any]:
    """Every version of the script at ``path`` (a stored spelling), newest first, wrapped as
    the tenant's ``history_wrap`` says."""
    body = {
        "name": path,
        "versions": [
            {
                "scriptId": v.master_id,
                "modifyDate": v.modify_date,
                "modifyUser": v.modify_user,
                "status": unit.status(path, v),
            }
            for v in reversed(unit.scripts[path])
        ],
    }
    if unit.history_wrap == "scriptHistory":
        return {"scriptHistory": body}
    if unit.history_wrap == "resultSet.scriptHistory":
        return {"resultSet": {"scriptHistory": body}}
    return body
