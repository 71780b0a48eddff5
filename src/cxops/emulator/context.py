"""The state every emulated vendor shares: clock, jobs, ledger, tokens, limits, faults, tenants.

One :class:`EmulatorContext` backs one emulator process. Each vendor package contributes its
tenants (built from the seed, so two emulators with the same seed serve the same content) and its
credentials. ``reset()`` puts everything back as it was at start.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.types import ASGIApp

from cxops.emulator.clock import Clock
from cxops.emulator.jobs import JobBoard
from cxops.emulator.ledger import Ledger
from cxops.emulator.ratelimit import RateLimiter
from cxops.emulator.scenario import Faults, Scenario
from cxops.emulator.tokens import Credential, TokenStore

DEFAULT_TENANTS = ("dev", "prod")


@dataclass
class EmulatorConfig:
    """How to start an emulator. ``token_ttl`` is in emulated seconds."""

    seed: int = 7
    speed: float = 1.0
    token_ttl: float = 3600.0
    scenario: Scenario | None = None
    webhook_secret: str = "whsec_" + "Y3hvcHMtZGVtby13ZWJob29rLXNlY3JldC0wMDAx"  # demo, not secret
    tenants: tuple[str, ...] = DEFAULT_TENANTS
    vendors: tuple[str, ...] = ("cognigy", "cxone", "genesys")


class VendorEmulator(Protocol):
    """What a vendor package of the emulator provides (one module, one line in the registry)."""

    name: str

    def build_tenant(self, ctx: EmulatorContext, tenant: str) -> Any:
        """Fresh state of one fixture tenant (deterministic from ``ctx.config.seed``)."""

    def credentials(self, tenant: str) -> list[Credential]:
        """Credentials that tenant accepts (an admin and a read-only one at least)."""

    def create_app(self, ctx: EmulatorContext, tenant: str) -> ASGIApp:
        """The ASGI app serving the vendor's real paths for one tenant, mountable alone."""

    def describe(self, base_url: str, tenant: str) -> dict[str, Any]:
        """What a user needs to connect: base URL, auth URL, credentials (demo values)."""


@dataclass
class EmulatorContext:
    """Shared mutable state; handlers reach it as ``request.app.state.ctx`` or by closure."""

    config: EmulatorConfig = field(default_factory=EmulatorConfig)
    clock: Clock = field(init=False)
    jobs: JobBoard = field(init=False)
    ledger: Ledger = field(default_factory=Ledger)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    faults: Faults = field(init=False)
    tokens: TokenStore = field(init=False)
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    receiver: Any = None  # set by the app (webhook receiver state)
    vendors: dict[str, VendorEmulator] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clock = Clock(self.config.speed)
        self.jobs = JobBoard(self.clock)
        self.faults = Faults(self.config.scenario)
        self.tokens = TokenStore(self.clock, self._ttl())

    def _ttl(self) -> float:
        scenario = self.faults.scenario
        return scenario.token_ttl if scenario.token_ttl is not None else self.config.token_ttl

    def install(self, vendors: dict[str, VendorEmulator]) -> None:
        """Register vendor packages and build their tenants and credentials."""
        self.vendors = dict(vendors)
        self._build()

    def _build(self) -> None:
        self.tenants = {}
        for name, vendor in self.vendors.items():
            self.tenants[name] = {t: vendor.build_tenant(self, t) for t in self.config.tenants}
            for tenant in self.config.tenants:
                for cred in vendor.credentials(tenant):
                    self.tokens.register(cred)

    def tenant(self, vendor: str, tenant: str) -> Any:
        return self.tenants[vendor][tenant]

    def load_scenario(self, scenario: Scenario) -> None:
        self.faults.load(scenario)
        self.tokens.ttl = self._ttl()
        self.limiter.clear()

    def reset(self) -> None:
        """Back to the state at start: fixtures rebuilt, logs, jobs, tokens and faults cleared."""
        self.ledger.clear()
        self.jobs.clear()
        self.limiter.clear()
        self.faults.load(self.config.scenario or Scenario())
        self.tokens = TokenStore(self.clock, self._ttl())
        if self.receiver is not None:
            self.receiver.clear()
        self._build()


def new_uuid() -> str:
    """A random UUID string (Genesys ids, CXone ids)."""
    return str(uuid.uuid4())


def new_object_id() -> str:
    """A random 24-hex-digit id, the shape of Cognigy's MongoDB ``_id`` values."""
    return secrets.token_hex(12)
