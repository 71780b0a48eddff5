"""One CXone business unit: its Studio scripts, every saved version, and the save limits.

A script path (``Main\\IVR_Main``) maps to its versions, oldest first; the last is the current
one (``CURR``), the others are history (``HIST``). Each version has its own ``masterID``, minted
from one counter per business unit. Paths compare case-insensitively and accept ``/`` for ``\\``
(Windows-style folder paths, as Studio shows them).

A script may be **inactive** (retired in Studio): its current version's status is then
:data:`INACTIVE` instead of ``CURR``, search leaves it out unless ``includeInactive=true``, and a
save makes it live again (docs/emulator/cxone.md, "Inactive scripts").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


def normalize_path(path: str) -> str:
    """``Main/IVR_Main`` and ``\\Main\\IVR_Main`` both become ``Main\\IVR_Main``."""
    return path.strip().replace("/", "\\").strip("\\")


#: The status of an inactive script's current version (**Chosen**: clients only rely on "not
#: ``CURR``", as public clients filter search rows on ``status === 'CURR'``).
INACTIVE = "INACTIVE"
#: ``history_wrap`` values: how ``scripts/historyByName`` wraps ``{name, versions}`` (some
#: tenants answer ``scriptHistory`` or ``resultSet.scriptHistory``; docs/emulator/cxone.md).
HISTORY_WRAPS = ("", "scriptHistory", "resultSet.scriptHistory")


@dataclass
class Version:
    """One saved version of a script."""

    master_id: int
    script: dict[str, Any]
    modify_date: str
    modify_user: str


@dataclass
class CxoneTenant:
    """A business unit. ``max_concurrent_saves`` and ``save_seconds`` model Studio's save
    service: at most that many validations run at once; each takes ``save_seconds`` emulated
    seconds (tests may change both; a reset restores them)."""

    name: str
    bus_no: int = 4600000
    next_master: int = 100000
    scripts: dict[str, list[Version]] = field(default_factory=dict)
    max_concurrent_saves: int = 5
    save_seconds: float = 0.05
    inflight: int = 0
    #: How ``scripts/historyByName`` is wrapped (one of :data:`HISTORY_WRAPS`; tests set it).
    history_wrap: str = ""
    #: Stored spellings of the inactive scripts' paths.
    inactive: set[str] = field(default_factory=set)
    #: The test-call hook (``testcalls.py``): outcomes set by tests, by lower-cased script path
    #: (``"*"`` for every script), and every call received, oldest first.
    test_call_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    test_calls: list[dict[str, Any]] = field(default_factory=list)
    _index: dict[str, str] = field(default_factory=dict, repr=False)

    def resolve(self, path: str) -> str | None:
        """The stored spelling of ``path``, or ``None`` when there is no such script."""
        return self._index.get(normalize_path(path).lower())

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def current(self, path: str) -> Version | None:
        stored = self.resolve(path)
        return self.scripts[stored][-1] if stored is not None else None

    def by_master(self, master_id: int) -> tuple[str, Version] | None:
        """The script path and version that carry ``master_id``."""
        for path, versions in self.scripts.items():
            for version in versions:
                if version.master_id == master_id:
                    return path, version
        return None

    def status(self, path: str, version: Version) -> str:
        if self.scripts[path][-1] is not version:
            return "HIST"
        return INACTIVE if path in self.inactive else "CURR"

    def is_active(self, path: str) -> bool:
        """True for a stored script that is not retired (``path`` is a stored spelling)."""
        return path in self.scripts and path not in self.inactive

    def deactivate(self, path: str) -> None:
        """Retire the script at ``path`` (any spelling): it leaves the default search."""
        stored = self.resolve(path)
        if stored is None:
            raise KeyError(path)
        self.inactive.add(stored)

    def document(self, path: str, version: Version) -> dict[str, Any]:
        """The script JSON as ``GET scripts`` serves it (a copy; callers may change it)."""
        script = copy.deepcopy(version.script)
        script["header"]["status"] = self.status(path, version)
        return script

    def commit(self, script: dict[str, Any], when: str, user: str) -> Version:
        """Store ``script`` as the new current version of its path, with a new masterID."""
        path = self.resolve(script["header"]["scriptName"]) or normalize_path(
            script["header"]["scriptName"]
        )
        stored = copy.deepcopy(script)
        header = stored["header"]
        master_id = self.next_master
        self.next_master += 1
        ids = [int(k) for k in stored.get("actions") or {} if str(k).isdigit()]
        next_action = max(ids, default=0) + 1
        header.update(masterId=master_id, scriptName=path, busNo=self.bus_no, status="CURR")
        if not isinstance(header.get("nextActionId"), int) or header["nextActionId"] < next_action:
            header["nextActionId"] = next_action
        for part in ("actions", "properties", "branches"):
            stored.setdefault(part, {})
        version = Version(master_id, stored, when, user)
        self.scripts.setdefault(path, []).append(version)
        self._index[path.lower()] = path
        self.inactive.discard(path)  # a save makes the saved version the live one (Chosen)
        return version

    def remove(self, path: str) -> None:
        """Delete the script at ``path`` (a stored spelling) with all its versions."""
        del self.scripts[path]
        del self._index[path.lower()]
        self.inactive.discard(path)

    def paths(self) -> list[str]:
        return sorted(self.scripts, key=str.lower)

    def summary(self) -> str:
        """One line for people: how many scripts, folders, versions and the masterID range."""
        folders = {p.rsplit("\\", 1)[0] if "\\" in p else "(root)" for p in self.scripts}
        versions = sum(len(v) for v in self.scripts.values())
        retired = f" ({len(self.inactive)} inactive)" if self.inactive else ""
        return (
            f"cxone/{self.name}: business unit {self.bus_no}, {len(self.scripts)} scripts"
            f"{retired} in {len(folders)} folders ({', '.join(sorted(folders))}), {versions} "
            f"versions, next masterID {self.next_master}"
        )
