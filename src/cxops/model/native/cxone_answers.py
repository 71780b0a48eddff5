"""Reading CXone Studio's answers that cxops acts on: the save answer, the script history and
search rows. Pure and tolerant (CXone publishes no schema; docs/emulator/cxone.md lists the
public code each reading follows).

- **Save** (``POST scripts``, 200 / 206 / 409)::

      {"errorCount": 1, "results": [{"success": false, "masterId": 0, "libraryId": "",
        "error_code": {"details": {"totalErrors": "1", "totalWarnings": "0",
          "actions": {"5": {"actionType": "HANGUP", "errors": [{"key": "…"}], "warnings": []}}}}}]}

  read from ``results[0]``, or from the top level when there is no ``results`` list (as the
  public MCP server that saves scripts on live tenants does); ``masterId`` or ``masterID``;
  totals as numbers or strings; each problem's ``key`` verbatim (a code such as
  ``BRANCH_NOT_CONNECTED``, or free text). A problem may carry more (``property``, ``line``,
  ``column``): kept in :attr:`SaveProblem.detail`, never required.
- **History** (``GET scripts/historyByName``): ``{name, versions: [...]}`` unpaged, or wrapped as
  ``scriptHistory`` / ``resultSet.scriptHistory`` (the wrapper may hold the object or the list).
- **Search rows**: live when ``status`` is ``CURR`` (or absent: ``fields=`` can drop it).

>>> answer = read_save_answer({"results": [{"success": True, "masterID": "412"}]})
>>> answer.master_id, answer.problems
(412, ())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SaveAnswer",
    "SaveProblem",
    "history_versions",
    "is_live",
    "positive_id",
    "read_save_answer",
    "version_id",
]


def positive_id(value: Any) -> int | None:
    """A masterID from a number or digit string; 0, negatives and junk are no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


@dataclass(frozen=True)
class SaveProblem:
    """One error or warning of a save answer: the action id the answer keys it by (``""`` when
    it names no action), the action's type when given, ``error``/``warning``, the vendor's
    key verbatim, and the item as sent (for optional position fields)."""

    action: str
    action_type: str | None
    severity: str
    key: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """``action 5 (HANGUP): KEY`` (``script: KEY`` when no action is named)."""
        if not self.action or not self.action.isdigit():
            return f"script: {self.key}"
        kind = f" ({self.action_type})" if self.action_type else ""
        return f"action {self.action}{kind}: {self.key}"


@dataclass(frozen=True)
class SaveAnswer:
    """A save answer as read: ``success`` (None when absent), the new ``master_id`` (None when
    absent or 0), the totals as given, and every problem in answer order."""

    success: bool | None
    master_id: int | None
    library_id: str | None
    total_errors: int | None
    total_warnings: int | None
    problems: tuple[SaveProblem, ...]

    @property
    def errors(self) -> list[SaveProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[SaveProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def _item(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        return {}
    results = body.get("results")
    if isinstance(results, list) and results and isinstance(results[0], Mapping):
        return results[0]
    return body


def _key(entry: Any) -> tuple[str, Mapping[str, Any]] | None:
    if isinstance(entry, str) and entry.strip():
        return entry.strip(), {}
    if isinstance(entry, Mapping):
        for name in ("key", "code", "message"):
            value = entry.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip(), entry
    return None


def _details(item: Mapping[str, Any]) -> Mapping[str, Any]:
    code = item.get("error_code")
    if isinstance(code, Mapping):
        details = code.get("details")
        if isinstance(details, Mapping):
            return details
        if isinstance(code.get("actions"), Mapping):
            return code
    details = item.get("details")
    return details if isinstance(details, Mapping) else {}


def read_save_answer(body: Any) -> SaveAnswer:
    """The save answer ``body`` (any JSON) as a :class:`SaveAnswer`; never raises."""
    item = _item(body)
    details = _details(item)
    problems: list[SaveProblem] = []
    actions = details.get("actions")
    for action, entry in (actions or {}).items() if isinstance(actions, Mapping) else ():
        if not isinstance(entry, Mapping):
            continue
        kind = entry.get("actionType")
        for severity, listed in (
            ("error", entry.get("errors")),
            ("warning", entry.get("warnings")),
        ):
            for raw in listed if isinstance(listed, list) else ():
                found = _key(raw)
                if found is not None:
                    problems.append(
                        SaveProblem(
                            str(action),
                            str(kind) if isinstance(kind, str) and kind else None,
                            severity,
                            found[0],
                            found[1],
                        )
                    )
    success = item.get("success")
    library = item.get("libraryId")
    return SaveAnswer(
        success=success if isinstance(success, bool) else None,
        master_id=positive_id(item.get("masterId", item.get("masterID"))),
        library_id=library if isinstance(library, str) else None,
        total_errors=_count(details.get("totalErrors")),
        total_warnings=_count(details.get("totalWarnings")),
        problems=tuple(problems),
    )


def _versions_of(value: Any) -> list[Mapping[str, Any]] | None:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    if isinstance(value, Mapping) and isinstance(value.get("versions"), list):
        return [v for v in value["versions"] if isinstance(v, Mapping)]
    return None


def history_versions(body: Any) -> list[Mapping[str, Any]] | None:
    """The version rows of a ``historyByName`` answer, in answer order (newest first on live
    tenants), or None when the body has none of the known forms."""
    if not isinstance(body, Mapping):
        return _versions_of(body)
    result_set = body.get("resultSet")
    for candidate in (
        body,
        body.get("scriptHistory"),
        result_set.get("scriptHistory") if isinstance(result_set, Mapping) else None,
    ):
        found = _versions_of(candidate)
        if found is not None:
            return found
    return None


def version_id(row: Mapping[str, Any]) -> int | None:
    """The masterID a history row names (``scriptId``; ``masterID``/``masterId`` tolerated)."""
    for name in ("scriptId", "masterID", "masterId"):
        found = positive_id(row.get(name))
        if found is not None:
            return found
    return None


def is_live(row: Mapping[str, Any]) -> bool:
    """A search row is the live script when its ``status`` is ``CURR`` (absent counts as live:
    a ``fields=`` selection can leave it out)."""
    status = row.get("status")
    return status is None or (isinstance(status, str) and status.strip().upper() == "CURR")
