"""``run_resolve``: resolve, push the lock to a registry when asked, and record it all.

The store gets a ``resolve`` run (summary: findings by severity, flows, dependencies, the lock's
SHA-256), one timed step per stage (``resolve.graph``, ``resolve.push``) for latency and
success figures, and audit entries for the lock written and the artifact published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cxops.errors import CxopsError
from cxops.pipelines.progress import Emit
from cxops.pipelines.resolve.registry import Pushed, push_artifact
from cxops.pipelines.resolve.run import ResolveOptions, ResolveReport, resolve_tenant
from cxops.store import Store
from cxops.transport import ConnectionSettings, TransportOptions, VendorClient, open_client

__all__ = ["Publish", "run_resolve"]


@dataclass(frozen=True)
class Publish:
    """Where to push the lock: registry base URL, artifact name and version."""

    registry: str
    name: str
    version: str | None = None  # None: 0.0.0+<first 12 hex of the lock's SHA-256>


async def run_resolve(
    settings: ConnectionSettings,
    options: ResolveOptions,
    *,
    store: Store | None = None,
    publish: Publish | None = None,
    client: VendorClient | None = None,
    transport: TransportOptions | None = None,
    emit: Emit | None = None,
) -> tuple[ResolveReport, Pushed | None]:
    """Resolve the tenant (see ``run.resolve_tenant``; ``emit`` hears its progress), then push
    the lock if asked."""
    run_id = store.runs.start("resolve", {"vendor": settings.vendor}).id if store else None
    stage = "graph"
    try:
        key = f"{run_id}:resolve:graph"
        if store and run_id:
            store.steps.begin(run_id, "resolve.graph", key)
        if client is None:
            async with open_client(settings, transport) as own:
                report = await resolve_tenant(own, settings, options, emit)
        else:
            report = await resolve_tenant(client, settings, options, emit)
        checksum = hashlib.sha256(report.lock_text.encode("utf-8")).hexdigest()
        if store and run_id:
            with store.transaction() as tx:
                tx.steps.finish(key, result=report.summary())
                tx.audit.append(
                    "cli", "resolve.lock", str(report.lock_path),
                    {"run": run_id, "sha256": checksum, "status": report.lock_status},
                )  # fmt: skip
        pushed = None
        if publish is not None:
            stage = "push"
            key = f"{run_id}:resolve:push"
            if store and run_id:
                store.steps.begin(run_id, "resolve.push", key)
            version = publish.version or f"0.0.0+{checksum[:12]}"
            data = report.lock_text.encode("utf-8")
            pushed = await push_artifact(publish.registry, publish.name, version, data)
            if store and run_id:
                with store.transaction() as tx:
                    tx.steps.finish(key, result={"url": pushed.url, "status": pushed.status})
                    tx.audit.append(
                        "cli", "resolve.publish", f"{publish.name}@{version}",
                        {"run": run_id, "url": pushed.url, "sha256": checksum,
                         "status": pushed.status},
                    )  # fmt: skip
    except CxopsError as exc:
        if store and run_id:
            with store.transaction() as tx:
                if (step := tx.steps.get(f"{run_id}:resolve:{stage}")) and step.ended is None:
                    tx.steps.finish(step.key, status="failed", error=exc.message)
                tx.finish_run(run_id, "failed", error=exc.message)
        raise
    if store and run_id:
        summary = {**report.summary(), "sha256": checksum}
        errors = report.summary()["findings"]
        failed = isinstance(errors, dict) and errors.get("error", 0) > 0
        with store.transaction() as tx:
            tx.finish_run(run_id, "partial" if failed else "succeeded", summary=summary)
    return report, pushed
