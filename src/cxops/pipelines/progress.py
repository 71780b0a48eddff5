"""Progress of a command that waits, as pure data: events in, a tally out (issue #16).

The pipelines say what happened, never how it looks: each event is a name and a JSON-ready
dict, sent through ``record.notify`` (export and promote, DBOS workflows: the observers of the
process that runs them) or a plain callback (:data:`Emit`: resolve, compile). The CLI feeds
them to a :class:`Tally` and renders it (``cli/progress.py``). Events:

``planned``        ``projects``: the project keys about to be read
``progress``       ``project``, ``stage`` (``flows``...), ``done``, ``total``
``project_done``   ``project``, ``flows`` (how many the project had)
``project_failed`` ``project``, ``error``
``units``          ``done``, ``total`` (compile: scripts or flows the vendor checked)

Any event may carry ``requests`` and ``retries``: the vendor client's counts so far
(:func:`traffic`), from which the renderer computes a request rate. No clock here: the
renderer passes the elapsed seconds to :meth:`Tally.eta`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxops.model.bundle import Bundle
    from cxops.vendors.base import ProjectRef, VendorAdapter

__all__ = ["FLOW_STAGES", "Emit", "Tally", "read_project", "traffic"]

#: The adapters' ``on_progress`` stages that count flows (CXone's flows are scripts).
FLOW_STAGES = frozenset({"flows", "scripts"})

#: ``emit(event, data)``: a pipeline's progress, for whoever waits on it.
Emit = Callable[[str, dict[str, Any]], None]


def traffic(client: Any) -> dict[str, int]:
    """``{"requests", "retries"}`` of a vendor client so far (``{}`` without one).

    Requests are every attempt sent, retries included; token requests are not counted.
    """
    budget = getattr(client, "budget", None)  # transport.retry.RetryBudget
    if budget is None:
        return {}
    return {"requests": int(budget.attempts), "retries": int(budget.retries)}


async def read_project(
    adapter: VendorAdapter, project: ProjectRef, emit: Emit | None, client: Any = None
) -> Bundle:
    """``adapter.export_project(project)``, emitting ``progress`` per flow and ``project_done``
    (with the ``client``'s traffic) when ``emit`` is given: what resolve and compile share."""
    if emit is None:
        return await adapter.export_project(project)

    def flows(stage: str, done: int, total: int) -> None:
        emit("progress", {"project": project.key, "stage": stage, "done": done, "total": total,
                          **traffic(client)})  # fmt: skip

    bundle = await adapter.export_project(project, on_progress=flows)
    emit("project_done", {"project": project.key, "flows": len(bundle.flows), **traffic(client)})
    return bundle


@dataclass
class Tally:
    """What a waiting command has done so far: projects, flows, units, requests, retries."""

    projects_total: int | None = None
    projects_done: int = 0
    projects_failed: int = 0
    #: project key → (flows done, flows total), as the project reported them
    flows: dict[str, tuple[int, int]] = field(default_factory=dict)
    units_done: int = 0
    units_total: int | None = None
    requests: int = 0
    retries: int = 0
    finished: set[str] = field(default_factory=set)

    def feed(self, event: str, data: Mapping[str, Any]) -> bool:
        """Take one event; whether a project or the unit count moved (worth a plain line)."""
        self.requests = max(self.requests, int(data.get("requests", 0)))
        self.retries = max(self.retries, int(data.get("retries", 0)))
        if event == "planned":
            self.projects_total = len(data.get("projects", ()))
            return False
        if event == "progress" and data.get("stage", "flows") in FLOW_STAGES:
            self.flows[str(data["project"])] = (int(data["done"]), int(data["total"]))
            return False
        if event in ("project_done", "project_failed"):
            key = str(data["project"])
            if key in self.finished:  # a replayed step reports again: count it once
                return False
            self.finished.add(key)
            self.projects_done += 1
            if event == "project_failed":
                self.projects_failed += 1
            elif "flows" in data:
                self.flows[key] = (int(data["flows"]), int(data["flows"]))
            return True
        if event == "units":
            self.units_done, self.units_total = int(data["done"]), int(data["total"])
            return True
        return False

    @property
    def flows_done(self) -> int:
        """Flows read so far, over every project."""
        return sum(done for done, _ in self.flows.values())

    @property
    def flows_total(self) -> int | None:
        """Flows to read, once every project has said how many (None before)."""
        if self.projects_total is None or len(self.flows) < self.projects_total:
            return None
        return sum(total for _, total in self.flows.values())

    def fraction(self) -> float | None:
        """How much is done, 0..1: each project weighs the same, a started one by its flows
        read; then the units (compile) when there are any. None before the plan."""
        if self.units_total:
            return self.units_done / self.units_total
        if not self.projects_total:
            return None
        share = 0.0
        for key, (done, total) in self.flows.items():
            if key not in self.finished and total > 0:
                share += min(done / total, 1.0)
        return min((self.projects_done + share) / self.projects_total, 1.0)

    def eta(self, elapsed: float) -> float | None:
        """Seconds left, extrapolating the pace so far (None until something is done).

        A straight line on purpose: ``transport.eta.EndWindow`` assumes progress is linear
        in time and gives no window once a rate limit or a retry bends it, which an export
        against a throttled tenant always does.
        """
        done = self.fraction()
        if done is None or done <= 0 or elapsed <= 0:
            return None
        return elapsed * (1.0 - done) / done
