"""``--rate`` and ``--concurrency``: how hard a command may press a tenant, the same on every
command that reads a whole tenant (export, resolve)."""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_RATE", "concurrency_option", "pace", "rate_option"]

#: Safe for real tenants (docs/export.md); the emulator takes thousands.
DEFAULT_RATE = 10.0
DEFAULT_CONCURRENCY = 8


def rate_option() -> Any:
    """``--rate R``: requests per second to the tenant (at least 0.1)."""
    return typer.Option(DEFAULT_RATE, "--rate", min=0.1, help="Requests per second to the tenant.")


def concurrency_option() -> Any:
    """``--concurrency C``: requests in flight at once (at least 1)."""
    return typer.Option(DEFAULT_CONCURRENCY, "--concurrency", min=1, help="Requests in flight.")


def pace(rate: float, concurrency: int) -> dict[str, Any]:
    """The ``TransportOptions`` fields these flags set (a burst of two seconds' worth)."""
    return {"rate": rate, "burst": max(rate, 1.0) * 2, "concurrency": concurrency}
