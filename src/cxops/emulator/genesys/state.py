"""One Genesys tenant's mutable state: flows and their versions, resources, and test knobs.

Everything a tenant holds lives here so that ``ctx.reset()`` (which rebuilds tenants from the
seed) puts it all back: flows, locks, publish history, running jobs' registrations, bot
sessions, observations, health overrides and the dependency-tracking build.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from cxops.emulator.genesys.configs import Config

# Version types, SDK ``FlowVersion.type``.
PUBLISH, CHECKIN, SAVE = "PUBLISH", "CHECKIN", "SAVE"


@dataclass
class Resource:
    """A data action, prompt or queue a flow can reference (``kind`` is a Dependency type)."""

    kind: str  # DATAACTION | USERPROMPT | QUEUE
    id: str
    name: str
    deleted: bool = False
    category: str | None = None  # data actions: the integration they belong to


@dataclass
class Version:
    """A flow version; times are epoch seconds on the emulator clock (fixtures: in the past)."""

    id: str  # "3.0"
    config: Config
    type: str
    created: float
    published: float | None = None
    client: str | None = None  # who made it (client id), None for fixture history

    @property
    def major(self) -> int:
        """The major number of the version id (``"3.0"`` → 3)."""
        return int(self.id.split(".")[0])


@dataclass
class Flow:
    """A flow with its versions (oldest first), publish history and lock."""

    id: str
    name: str
    type: str
    division: dict[str, str]
    description: str = ""
    versions: list[Version] = field(default_factory=list)  # oldest first
    published: str | None = None  # the published version id
    history: list[str] = field(default_factory=list)  # published version ids, in order
    locked_by: str | None = None  # client id holding the checkout
    operation: dict[str, Any] | None = None  # the last flow action (publish job id etc.)

    def version(self, vid: str) -> Version | None:
        """The version with id ``vid``, if any."""
        return next((v for v in self.versions if v.id == vid), None)

    def latest(self) -> Version:
        """The newest version (checked in, maybe not published)."""
        return self.versions[-1]

    def published_version(self) -> Version | None:
        """The version that runs, if any."""
        return self.version(self.published) if self.published else None

    def next_version_id(self) -> str:
        """The id the next saved version gets (``"<max major + 1>.0"``)."""
        return f"{max((v.major for v in self.versions), default=0) + 1}.0"


@dataclass
class Observation:
    """Active flows for one flow id, draining linearly on the emulator clock."""

    active: int
    drain_per_minute: float
    since: float

    def now(self, at: float) -> int:
        """Active flows at clock time ``at`` (a fraction still counts as one)."""
        left = self.active - self.drain_per_minute * max(0.0, at - self.since) / 60.0
        return max(0, int(left + 0.999999))  # still active until fully drained


@dataclass
class GenesysTenant:
    """A fixture org. ``flows`` is keyed by flow id, ``resources`` by resource id."""

    name: str
    org_id: str = ""
    flows: dict[str, Flow] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    divisions: dict[str, dict[str, str]] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)  # dependency-tracking build status
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # import registrations
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)  # export files by job id
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # text-bot sessions
    observations: dict[str, Observation] = field(default_factory=dict)
    health: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)

    def summary(self) -> str:
        """A short human line, e.g. ``"21 flows, 6 data actions, 8 prompts, 5 queues"``."""
        live = [r for r in self.resources.values() if not r.deleted]
        count = {
            k: sum(1 for r in live if r.kind == k) for k in ("DATAACTION", "USERPROMPT", "QUEUE")
        }
        return (
            f"{len(self.flows)} flows, {count['DATAACTION']} data actions, "
            f"{count['USERPROMPT']} prompts, {count['QUEUE']} queues"
        )

    def flow_named(self, name: str, flow_type: str) -> Flow | None:
        """The flow with this name and type (imports match on both)."""
        return next(
            (f for f in self.flows.values() if f.name == name and f.type == flow_type), None
        )

    def resource_named(self, kind: str, name: str) -> Resource | None:
        """The live resource of this kind and name (imports bind by name)."""
        return next(
            (
                r
                for r in self.resources.values()
                if r.kind == kind and r.name == name and not r.deleted
            ),
            None,
        )

    def add_version(
        self, flow: Flow, config: Config, vtype: str, at: float, client: str | None = None
    ) -> Version:
        """Append a version with a copy of ``config`` bound to this flow and the new id."""
        vid = flow.next_version_id()
        cfg = copy.deepcopy(config)  # the document names the flow and its type, not its id
        cfg.update(name=flow.name, type=flow.type.lower())
        version = Version(vid, cfg, vtype, at, client=client)
        flow.versions.append(version)
        return version

    def publish(self, flow: Flow, vid: str, at: float) -> None:
        """Make ``vid`` the published version and remember it for ``revert``."""
        version = flow.version(vid)
        if version is None:
            raise ValueError(f"flow {flow.id} has no version {vid}")
        if flow.published == vid:  # publishing what runs changes nothing (and keeps revert sane)
            return
        version.type, version.published = PUBLISH, at
        flow.published = vid
        flow.history.append(vid)
