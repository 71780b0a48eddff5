"""A fleet export (issue #17): one export per profile on the ``export`` queue, then one table.

Each profile's tenant is exported into its own repository (``<repos>/<profile>``: two tenants
share project names, and one git repository takes one commit at a time). The queue's tenant
partition keeps one run per tenant; different tenants run at once on the workers. A profile
that cannot be queued (unknown, credentials missing) or whose run fails is a row of the report,
not the end of the fleet.
"""

from __future__ import annotations

import asyncio
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cxops.errors import ConfigError, CxopsError
from cxops.pipelines.runner import ExportOptions, enqueue_export, wait_run
from cxops.transport.settings import resolve_connection

__all__ = ["FleetRow", "export_fleet", "profile_names"]


def profile_names(cwd: Path) -> list[str]:
    """Every profile of ``cwd/cxops.toml`` (``--all-profiles``)."""
    path = cwd / "cxops.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the profiles of {path}: {exc}") from None
    profiles = doc.get("profiles", {})
    if not isinstance(profiles, dict) or not profiles:
        raise ConfigError(f"{path} has no [profiles.NAME] table")
    return sorted(profiles)


@dataclass
class FleetRow:
    """One profile's outcome."""

    profile: str
    run: str | None = None
    status: str = "not queued"
    existed: bool = False
    summary: dict[str, Any] | None = None
    error: str | None = None


async def export_fleet(
    profiles: list[str], repos: Path, options: ExportOptions, *, wait: bool = True
) -> list[FleetRow]:
    """Queue an export per profile (into ``repos/<profile>``), then wait for them all."""
    rows = []
    for name in profiles:
        row = FleetRow(name)
        rows.append(row)
        try:
            settings = resolve_connection({}, profile=name)
            opts = replace(options, repo=repos / name)
            row.run, row.existed = await enqueue_export(settings, opts)
            row.status = "queued"
        except CxopsError as exc:
            row.error = exc.message
    if wait:
        await asyncio.gather(*(_finish(r) for r in rows if r.run))
    return rows


async def _finish(row: FleetRow) -> None:
    assert row.run is not None
    try:
        row.summary = await wait_run(row.run)
        row.status = str(row.summary.get("status"))
        row.error = row.summary.get("error")
    except CxopsError as exc:
        row.status, row.error = "failed", exc.message
