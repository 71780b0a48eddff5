"""CXone fixture tenants (filled in by the CXone emulator work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CxoneTenant:
    name: str
    scripts: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_tenant(seed: int, tenant: str) -> CxoneTenant:
    return CxoneTenant(tenant)
