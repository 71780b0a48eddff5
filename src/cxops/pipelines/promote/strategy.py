"""The seam between the promotion workflow and each vendor's way of deploying.

The workflow (``workflow.py``) is vendor-neutral: plan → gates → rollback point → deploy stages
→ verify → (restore) → artifact → finish. What a rollback point is, which vendor effects a deploy
consists of, how the target is checked and restored, is a :class:`Strategy`, one per vendor
(``cognigy.py``, ``genesys.py``, ``cxone.py`` in this package), picked by :func:`strategy_for`.

Rules every strategy keeps:

- Every method returns JSON-able dicts (they are DBOS step results and store step results).
- :meth:`Strategy.stages` is **pure**: it names the deploy effects, in order, from the two
  bundles the plan exported; the workflow runs each name as its own DBOS + store step
  (``promote.deploy``, store key ``<run>:deploy:<stage>``), so a crash resumes at the stage.
- Every vendor effect (:meth:`rollback_point`, :meth:`deploy`, :meth:`restore`) first asks the
  vendor whether it already happened (by name, task, version or content) and, when it did,
  returns what it finds instead of doing it again; every mutating call carries ``key`` (an
  idempotency key) where the vendor takes one.
- A refusal is evidence, not an exception: gates and :meth:`verify` return ``passed``. They raise
  a :class:`~cxops.errors.CxopsError` only when they cannot look at all.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from cxops.errors import UsageError
from cxops.model.bundle import Bundle
from cxops.pipelines.connections import settings_for
from cxops.transport import TransportOptions, VendorClient, connect
from cxops.vendors import ProjectRef, VendorAdapter, adapter_for
from cxops.vendors.base import Progress

__all__ = ["SIDES", "Context", "Strategy", "register", "strategy_for"]

SIDES = ("source", "target")


@dataclass
class Context:
    """What a strategy may use during one run in this process: two lazily opened clients and
    the bundles exported so far (cached; after a crash they are exported again)."""

    run_id: str
    params: dict[str, Any]
    clients: dict[str, VendorClient] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def name(self, what: str) -> str:
        """A vendor-side name for this run's object: ``cxops-<run12>-<what>``."""
        return f"cxops-{self.run_id[:12]}-{what}"

    def key(self, what: str) -> str:
        """The idempotency key of one effect: ``<run>:<what>``."""
        return f"{self.run_id}:{what}"

    @property
    def tests(self) -> dict[str, Any]:
        """The ``--tests`` document (empty when none)."""
        return dict(self.params.get("tests") or {})

    async def client(self, side: str) -> VendorClient:
        """The transport client of ``source`` or ``target`` (opened on first use)."""
        async with self.lock:
            if side not in self.clients:
                settings = settings_for(self.params["connections"][side])
                options = TransportOptions(**self.params.get("transport", {}))
                self.clients[side] = await connect(settings, options)
            return self.clients[side]

    async def adapter(self, side: str) -> VendorAdapter:
        """The read-side adapter of one side."""
        settings = settings_for(self.params["connections"][side])
        tenant = (self.params.get("identities") or self.params["tenants"])[side]
        return adapter_for(await self.client(side), settings, tenant=tenant)

    async def bundle(
        self,
        side: str,
        project: dict[str, Any],
        *,
        fresh: bool = False,
        on_progress: Progress | None = None,
    ) -> Bundle:
        """The project's bundle on one side (``project`` = ``planned[side]``: id and name);
        ``on_progress`` hears the flows read (the plan's progress, issue #16)."""
        if fresh or side not in self.bundles:
            ref = ProjectRef(id=project["id"], name=project["name"])
            adapter = await self.adapter(side)
            self.bundles[side] = await adapter.export_project(ref, on_progress=on_progress)
        return self.bundles[side]

    async def aclose(self) -> None:
        """Close both clients."""
        for client in self.clients.values():
            await client.aclose()
        self.clients.clear()


class Strategy(Protocol):
    """How one vendor promotes (see the module doc for the rules)."""

    #: The vendor name of ``ConnectionSettings.vendor``.
    vendor: ClassVar[str]

    def portable(self, bundle: Bundle) -> Bundle:
        """``bundle`` with tenant-local ids replaced or dropped, so that the same content in two
        environments compares equal (used for the plan's diff and for parity). Cognigy drops
        the ``_id`` lists of flow properties; a vendor whose flow ids are org-local (Genesys)
        re-keys flows, nodes and refs by something both orgs share (type and name)."""
        ...

    def portable_flows(self, bundle: Bundle, flows: list[str] | None) -> list[str] | None:
        """The plan's scoped ``flows`` (source flow ids) as ids of ``portable(bundle)``, for
        parity over portable bundles (the identity where portable keeps flow ids)."""
        ...

    def fingerprint(self, bundle: Bundle) -> str:
        """What "restored to identical" compares: a content hash of the target without what a
        restore cannot undo (Cognigy: the project's audit stamps; Genesys: version bookkeeping,
        Architect cannot delete a version; CXone: the masterID every save mints)."""
        ...

    def stages(self, source: Bundle, target: Bundle, flows: list[str] | None) -> list[str]:
        """The deploy effects in order (pure; e.g. ``["package", "upload", "merge"]``, or one
        ``import:<flow>`` and ``publish:<flow>`` per flow, callees first). ``flows`` is the
        plan's scoped flow list (portable flow ids) or None for the whole project."""
        ...

    # Optional: ``OWN_GATES: ClassVar[frozenset[str]]`` names generic gates (``validation``,
    # ``lock``) the strategy evaluates itself through :meth:`gate` (CXone validates the source
    # folder together with the target's other folders, as it will run there).

    async def gate(self, name: str, planned: dict[str, Any]) -> dict[str, Any]:
        """Evidence of a vendor gate (``simulation``, ``health``, ``sessions``):
        ``{"gate": name, "passed": bool, ...}``. A gate the vendor has no API for passes with
        ``"skipped": "<why>"`` so the evidence says it was not checked."""
        ...

    async def rollback_point(self, planned: dict[str, Any]) -> dict[str, Any]:
        """Record (or create) what the target is now, so :meth:`restore` can put it back."""
        ...

    async def deploy(
        self, stage: str, planned: dict[str, Any], point: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        """Do one stage on the target (``done``: results of the earlier stages by name)."""
        ...

    async def verify(self, planned: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
        """Post-deploy checks: ``{"passed", "health", "smoke", "id_map"}`` (parity and the
        content hash after are the workflow's, from the bundles)."""
        ...

    async def restore(self, planned: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        """Put the target back to ``point`` (what was restored, JSON)."""
        ...


_registry: dict[str, Callable[[Context], Strategy]] = {}
#: Where each vendor's strategy lives (imported on first use; the module calls :func:`register`).
MODULES = {v: f"cxops.pipelines.promote.{v}" for v in ("cognigy", "cxone", "genesys")}


def register(vendor: str, make: Callable[[Context], Strategy]) -> None:
    """Make ``make(ctx)`` the strategy of ``vendor`` (each strategy module calls this once)."""
    _registry[vendor] = make


def strategy_for(ctx: Context) -> Strategy:
    """The strategy of the run's vendor."""
    vendor = str(ctx.params["connections"]["target"]["vendor"])
    if vendor not in _registry and vendor in MODULES:
        importlib.import_module(MODULES[vendor])
    make = _registry.get(vendor)
    if make is None:
        raise UsageError(
            f"promote does not support {vendor}", hint=f"supported: {', '.join(sorted(MODULES))}"
        )
    return make(ctx)
