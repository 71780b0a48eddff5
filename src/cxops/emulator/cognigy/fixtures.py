"""Cognigy fixture tenants (filled in by the Cognigy emulator work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CognigyTenant:
    name: str
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_tenant(seed: int, tenant: str) -> CognigyTenant:
    return CognigyTenant(tenant)
