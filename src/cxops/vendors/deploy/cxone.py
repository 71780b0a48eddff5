"""NICE CXone Studio write side for promotion: save scripts, restore versions, delete.

Mechanism (VENDORS.md "deploy / promote" and "rollback" rows): deploying a script is saving it
into the target business unit (``POST scripts`` with ``{"scriptContent": …}``): 200 saved clean,
206 saved with warnings, 409 rejected (nothing stored); the answer is batch-shaped (``results[0]``
with ``success``, ``masterId`` and ``error_code.details.actions``), read by
``cxops.model.native.cxone_answers``. Every save mints a new ``masterId`` and keeps the older
versions in ``scripts/historyByName`` (one unpaged answer). Rollback saves a recorded earlier
version again (``GET scripts?scriptId=<masterID>``, then ``POST``) and deletes scripts the
promotion created (``DELETE scripts?scriptPath=``). An **inactive** script of the target is
never saved over (:class:`ScriptInactive`): a save would make it live again.

Asking before repeating: a save is skipped when the target's current version already holds the
script's content (:func:`content_of`: everything but the per-save header stamps), so a re-run
never saves twice; a save whose answer was lost is looked up the same way before it is reported
as failed, and so is one whose answer names no ``masterId``. CXone takes no idempotency key and
a repeated save is a second deployment, so saves are never retried blindly by the transport.

CXone has no published schema: bodies are read tolerantly (docs/emulator/cxone.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cxops.errors import Conflict, CxopsError, NotFound, ProtocolError
from cxops.model.native.cxone import script_property
from cxops.model.native.cxone_answers import (
    SaveProblem,
    history_versions,
    is_live,
    positive_id,
    read_save_answer,
    version_id,
)
from cxops.transport import VendorClient, cxone_pages
from cxops.transport.vendor_errors import json_body

__all__ = [
    "API",
    "STAMPS",
    "CxoneDeployer",
    "Locate",
    "SaveResult",
    "ScriptInactive",
    "ScriptRejected",
    "content_of",
    "same_path",
]

API = "/inContactAPI/services/v31.0"

#: ``locate(problem)`` → where the problem sits in a file, and what it means
#: (``"file:line:col: meaning"``), or None.
Locate = Callable[[SaveProblem], str | None]

#: Header fields every save (or a lock) rewrites; they say which version, not what it does.
STAMPS = frozenset({"masterId", "busNo", "status", "lockInfo"})


def same_path(a: str, b: str) -> bool:
    """Studio compares script paths case-insensitively and takes ``/`` for ``\\``."""

    def norm(p: str) -> str:
        return p.strip().replace("/", "\\").strip("\\").lower()

    return norm(a) == norm(b)


def content_of(script: Mapping[str, Any]) -> dict[str, Any]:
    """What a script *does*: the JSON without the header stamps (:data:`STAMPS`), the path
    compared as Studio does. Two versions with equal content run the same script."""
    out = {k: v for k, v in script.items() if k != "header"}
    header = script.get("header")
    if isinstance(header, Mapping):
        kept = {k: v for k, v in header.items() if k not in STAMPS}
        name = kept.get("scriptName")
        if isinstance(name, str):
            kept["scriptName"] = name.strip().replace("/", "\\").strip("\\").lower()
        out["header"] = kept
    return out


class ScriptInactive(Conflict):
    """The target's script is inactive: cxops never saves over it (it would go live again)."""

    def __init__(self, script: str, *, target: str) -> None:
        super().__init__(
            f"cxone: {script} is inactive on {target}; cxops does not save an inactive script "
            "(the save would make it live again)",
            vendor="cxone",
            hint="reactivate the script in Studio if it should run, or leave it out of the "
            "promotion (--flows)",
        )
        self.script = script


class ScriptRejected(Conflict):
    """CXone refused to save a script (409): ``script`` and its ``problems`` (one line each,
    ``action N (TYPE): KEY``, with the source file's line:column when known)."""

    def __init__(self, script: str, problems: list[str], *, target: str, hint: str) -> None:
        shown = "; ".join(problems[:5]) + (f"; … {len(problems) - 5} more" if problems[5:] else "")
        super().__init__(
            f"cxone: saving {script} into {target} was rejected with "
            f"{len(problems)} error(s): {shown}",
            status=409,
            vendor="cxone",
            hint=hint,
        )
        self.script = script
        self.problems = problems


@dataclass
class SaveResult:
    """What one save did: ``saved`` False when the content was already there."""

    path: str
    saved: bool
    master_id: int | None
    status: int | None = None
    warnings: list[str] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"script": self.path, "saved": self.saved}
        out["master_id"] = self.master_id
        if self.status is not None:
            out["status"] = self.status
        if self.warnings:
            out["warnings"] = self.warnings
        if self.note:
            out["note"] = self.note
        return out


def _master(value: Any) -> int | None:
    return positive_id(value)


class CxoneDeployer:
    """Promotion operations on one CXone business unit through ``client``; see the module doc.

    ``target`` names the environment in error messages.
    """

    def __init__(self, client: VendorClient, target: str = "the target") -> None:
        self.client = client
        self.target = target

    # -- reads ---------------------------------------------------------------------------
    async def current(self, path: str) -> dict[str, Any] | None:
        """The script's current version, or None when the business unit has no such script."""
        try:
            doc = await self.client.get_json(f"{API}/scripts", params={"scriptPath": path})
        except NotFound:
            return None
        return dict(doc)

    async def version(self, master_id: int) -> dict[str, Any]:
        """One stored version by its masterID (current or historical)."""
        doc = await self.client.get_json(f"{API}/scripts", params={"scriptId": str(master_id)})
        return dict(doc)

    async def history(self, path: str) -> list[dict[str, Any]]:
        """Every stored version of the script, as the vendor lists them (newest first), in
        one request: ``historyByName`` takes no paging parameters and has no total, so there
        is nothing to page through; the wrapped forms are read too. ``[]`` when there is no
        such script."""
        try:
            body = await self.client.get_json(
                f"{API}/scripts/historyByName", params={"scriptPath": path}
            )
        except NotFound:
            return []
        rows = history_versions(body)
        if rows is None:
            raise ProtocolError(
                f"cxone GET scripts/historyByName ({path}) answered without 'versions'",
                hint="expected {name, versions} (or it wrapped as scriptHistory)",
            )
        return [dict(r) for r in rows]

    async def masters(self) -> dict[str, int | None]:
        """The current masterID of every live script of the business unit, by path."""
        rows = cxone_pages(self.client, f"{API}/scripts/search", "scriptSearchDetails")
        return {
            str(row["scriptName"]): _master(row.get("masterID"))
            async for row in rows
            if isinstance(row, Mapping) and isinstance(row.get("scriptName"), str) and is_live(row)
        }

    async def inactive(self, path: str) -> bool:
        """True when the business unit lists ``path`` only as inactive (no ``CURR`` row)."""
        rows = [
            row
            async for row in cxone_pages(
                self.client,
                f"{API}/scripts/search",
                "scriptSearchDetails",
                {"scriptName": path, "includeInactive": "true"},
            )
            if isinstance(row, Mapping) and same_path(str(row.get("scriptName", "")), path)
        ]
        return bool(rows) and not any(is_live(r) for r in rows)

    async def holds(self, script: Mapping[str, Any]) -> dict[str, Any] | None:
        """The target's current version when it already has ``script``'s content, else None."""
        path = str(script["header"]["scriptName"])
        live = await self.current(path)
        if live is not None and content_of(live) == content_of(script):
            return live
        return None

    # -- writes --------------------------------------------------------------------------
    async def save(self, script: Mapping[str, Any], *, locate: Locate | None = None) -> SaveResult:
        """Save ``script`` as the target's current version of its path (skipped when it already
        is). A 409 raises :class:`ScriptRejected`; ``locate(action, problem)`` may add where a
        problem sits in a file (``"file:line:col"``) to its line."""
        path = str(script["header"]["scriptName"])
        live = await self.current(path)
        if live is not None and content_of(live) == content_of(script):
            return SaveResult(
                path, False, _master(live["header"].get("masterId")), note="already current"
            )
        if await self.inactive(path):
            raise ScriptInactive(path, target=self.target)
        body = copy.deepcopy(dict(script))
        header = dict(body["header"])
        # The target's own version and unit numbers, as Studio sends them when it saves over
        # the current version; a new script has none yet.
        for key in ("masterId", "busNo"):
            header.pop(key, None)
            if live is not None and key in live.get("header", {}):
                header[key] = live["header"][key]
        header["masterId"] = header.get("masterId", 0)
        header["status"] = "CURR"
        body["header"] = header
        try:
            response = await self.client.request(
                "POST", f"{API}/scripts", json={"scriptContent": body}, accept=(206, 409)
            )
            raw = json_body("cxone", response) if response.content else {}
        except CxopsError:
            # The save may have been stored and its answer lost or mangled: ask before calling
            # it failed (a second save would be a second deployment).
            found = await self.holds(script)
            if found is None:
                raise
            master = _master(found["header"].get("masterId"))
            return SaveResult(path, True, master, note="saved; its answer was lost")
        answer = read_save_answer(raw)
        if response.status_code == 409 or answer.success is False:
            lines = []
            for problem in answer.errors:
                where = locate(problem) if locate is not None else None
                text = problem.describe() + _called(script, problem)
                lines.append(f"{text} ({where})" if where else text)
            raise ScriptRejected(
                path,
                lines or ["rejected without naming an error"],
                target=self.target,
                hint=_hint(script, answer.errors),
            )
        warnings = [p.describe() for p in answer.warnings]
        if answer.master_id is None:
            # Saved (2xx) but the answer names no masterId: read the target to learn it.
            found = await self.holds(script)
            if found is None:
                raise ProtocolError(
                    f"cxone POST scripts ({path}) answered {response.status_code} without a "
                    "'masterId', and the target does not hold the script's content",
                    hint="check the script's history in Studio before running again",
                )
            master = _master(found["header"].get("masterId"))
            return SaveResult(
                path,
                True,
                master,
                status=response.status_code,
                warnings=warnings,
                note="saved; its answer named no masterId (read from the target)",
            )
        return SaveResult(
            path, True, answer.master_id, status=response.status_code, warnings=warnings
        )

    async def restore(self, path: str, master_id: int) -> SaveResult:
        """Make version ``master_id`` (from the script's history) current again by saving it;
        nothing is saved when the current version is that one or has its content."""
        live = await self.current(path)
        if live is not None and _master(live["header"].get("masterId")) == master_id:
            return SaveResult(path, False, master_id, note="already at that version")
        listed = {version_id(v) for v in await self.history(path)}
        if master_id not in listed:
            raise NotFound(
                f"cxone: version {master_id} of {path} is not in its history on {self.target}",
                vendor="cxone",
                hint="restore the script by hand from Studio's version history",
            )
        old = await self.version(master_id)
        old["header"] = {**old.get("header", {}), "scriptName": path}
        result = await self.save(old)
        return replace(result, note=f"restored version {master_id}") if result.saved else result

    async def delete(self, path: str) -> bool:
        """Delete the script (and its history); False when it was already gone."""
        try:
            await self.client.request("DELETE", f"{API}/scripts", params={"scriptPath": path})
        except NotFound:
            return False
        return True


def _callee(script: Mapping[str, Any], problem: SaveProblem) -> str | None:
    """The script a SCRIPT_NOT_FOUND action calls (its ``ScriptName`` in the saved script: the
    answer names only the action)."""
    props = script.get("properties")
    if problem.key.upper() != "SCRIPT_NOT_FOUND" or not isinstance(props, Mapping):
        return None
    return script_property(props.get(problem.action), "ScriptName")


def _called(script: Mapping[str, Any], problem: SaveProblem) -> str:
    name = _callee(script, problem)
    return f" (calls {name})" if name else ""


def _hint(script: Mapping[str, Any], errors: list[SaveProblem]) -> str:
    """Name the callees a SCRIPT_NOT_FOUND is about (the answer names only the action: the
    called path is that action's ``ScriptName`` in the script being saved)."""
    missing = sorted({name for p in errors if (name := _callee(script, p))})
    if missing:
        return (
            "it calls script(s) the target does not have: "
            + ", ".join(missing)
            + "; promote their folder first"
        )
    return "fix the script in the source (cxops compile shows each error at its line) and retry"
