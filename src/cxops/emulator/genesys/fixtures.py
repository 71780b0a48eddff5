"""Genesys fixture tenants (filled in by the Genesys emulator work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GenesysTenant:
    name: str
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_tenant(seed: int, tenant: str) -> GenesysTenant:
    return GenesysTenant(tenant)
