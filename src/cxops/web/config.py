"""What ``cxops serve`` was started with, and the rule for when a token is required."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["WebConfig", "is_loopback"]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1): only this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere: treat it as reachable from outside


@dataclass(frozen=True)
class WebConfig:
    """The store, the repositories, where the server listens and its token (if any).

    ``token`` is the secret value (read from ``--token-env``); it is compared, never rendered.
    """

    store_url: str | None = None
    repos: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    token: str | None = field(default=None, repr=False)
    audit_head: Path | None = None

    @property
    def token_required(self) -> bool:
        """Reading needs the token when the server is reachable from other machines."""
        return not is_loopback(self.host)
