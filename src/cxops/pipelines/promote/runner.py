"""Starting and waiting for promotions; what the CLI and the tests call.

>>> summary = asyncio.run(run_promote(dev, prod, PromoteOptions(project="Billing")))
... # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbos import DBOS, SetWorkflowID

from cxops.errors import UsageError
from cxops.pipelines import runner
from cxops.pipelines.connections import public_settings, remember, tenant_identity
from cxops.pipelines.engine import launch
from cxops.pipelines.promote.gates import GATES, load_tests
from cxops.pipelines.promote.workflow import promote_workflow
from cxops.pipelines.runner import Resumed, fingerprint, wait_run
from cxops.sinks.git import GitRepo
from cxops.store.actor import current_actor
from cxops.transport.settings import ConnectionSettings
from cxops.vendors import tenant_label

__all__ = [
    "DEFAULT_GATES",
    "PromoteOptions",
    "enqueue_promote",
    "finish_interrupted",
    "promote_params",
    "run_promote",
    "start_promote",
]

MECHANISMS = ("merge", "repoint")
DEFAULT_GATES = ("validation", "simulation", "health", "sessions")


@dataclass
class PromoteOptions:
    """What ``cxops promote`` was asked to do (everything but the two connections)."""

    project: str | None = None
    target_project: str | None = None
    flows: list[str] | None = None
    version: str | None = None
    changelog: str | None = None
    gates: tuple[str, ...] = DEFAULT_GATES
    tests: str | None = None
    dry_run: bool = False
    override_sessions: bool = False
    sessions_timeout: float = 300.0
    repo: Path | None = None
    committed_at: str | None = None
    max_nodes: int = 500
    store: str | None = None
    transport: dict[str, Any] = field(default_factory=dict)
    mechanism: str = "merge"
    force: bool = False
    approval_timeout: float = 24 * 3600.0  # seconds the approval gate waits for a decision


def _committed_at(repo: Path | None) -> str | None:
    # Lead time starts at the change: the artifact repository's last commit (the export).
    if repo is None or not (repo / ".git").exists():
        return None
    return GitRepo(repo).git("log", "-1", "--format=%cI", ok=(0, 128)).strip() or None


def promote_params(
    source: ConnectionSettings, target: ConnectionSettings, options: PromoteOptions, store: str
) -> dict[str, Any]:
    """The workflow's input and the run's params: JSON, free of secrets.

    ``target`` is the target environment's name (what the DORA metrics group by).
    """
    unknown = [g for g in options.gates if g not in GATES]
    if unknown:
        raise UsageError(
            f"unknown gate(s): {', '.join(unknown)}", hint=f"known: {', '.join(GATES)}"
        )
    if "lock" in options.gates and options.repo is None:
        raise UsageError(
            "the lock gate compares with the cxops.lock of --repo, and no --repo was given",
            hint="pass --repo DIR (the repository `cxops export`/`cxops lock` wrote)",
        )
    if source.vendor != target.vendor:
        raise UsageError(
            f"--from is {source.vendor} and --to is {target.vendor}",
            hint="promote between two tenants of the same vendor",
        )
    if options.mechanism not in MECHANISMS:
        raise UsageError(
            f"unknown --mechanism {options.mechanism!r}", hint=f"known: {', '.join(MECHANISMS)}"
        )
    if options.mechanism != "merge" and source.vendor != "cognigy":
        raise UsageError(
            f"--mechanism {options.mechanism} is Cognigy's; {source.vendor} deploys one way",
            hint="leave --mechanism out",
        )
    if options.mechanism == "repoint" and options.flows:
        raise UsageError(
            "--mechanism repoint moves whole endpoints to a snapshot of the whole project",
            hint="leave --flows out, or use --mechanism merge for a scoped promotion",
        )
    if options.changelog and not options.version:
        raise UsageError("--changelog needs --version")
    if options.flows and not options.project:
        raise UsageError("--flows needs --project")
    repo = options.repo.resolve() if options.repo else None
    params = {
        "kind": "promote-dry-run" if options.dry_run else "promote",
        "connections": {"source": public_settings(source), "target": public_settings(target)},
        "tenants": {"source": tenant_label(source), "target": tenant_label(target)},
        "identities": {"source": tenant_identity(source), "target": tenant_identity(target)},
        "target": tenant_label(target),
        "vendor": source.vendor,
        "project": options.project,
        "target_project": options.target_project,
        "flows": options.flows,
        "version": options.version,
        "changelog": options.changelog,
        "gates": list(options.gates),
        "tests": load_tests(options.tests),
        "dry_run": options.dry_run,
        "override_sessions": options.override_sessions,
        "sessions_timeout": options.sessions_timeout,
        "repo": str(repo) if repo else None,
        "committed_at": options.committed_at or _committed_at(repo),
        "max_nodes": options.max_nodes,
        "store": store,
        "transport": options.transport,
        "mechanism": options.mechanism,
        "force": options.force,
        "approval_timeout": options.approval_timeout,
        "actor": current_actor(),  # who asked (issue #16); not part of the fingerprint
    }
    return {**params, "command": fingerprint("promote", params)}


async def start_promote(
    source: ConnectionSettings, target: ConnectionSettings, options: PromoteOptions
) -> str:
    """Launch the engine, start a promotion run and return its id."""
    store = launch(options.store)
    remember(source)
    remember(target)
    params = promote_params(source, target, options, store.url)
    run_id = uuid.uuid4().hex
    with SetWorkflowID(run_id):
        await DBOS.start_workflow_async(promote_workflow, run_id, params)
    return run_id


async def enqueue_promote(
    source: ConnectionSettings, target: ConnectionSettings, options: PromoteOptions
) -> tuple[str, bool]:
    """Put a promotion on the ``promote`` queue (one per target at a time; a worker runs it
    with the profiles' credentials it reads itself); its run id and whether the same request
    was already queued or running."""
    from cxops.pipelines import queues

    store = launch(options.store)
    params = promote_params(source, target, options, store.url)
    return await queues.enqueue("promote", promote_workflow, params)


async def run_promote(
    source: ConnectionSettings, target: ConnectionSettings, options: PromoteOptions
) -> dict[str, Any]:
    """Start a promotion and wait for it; ``{"run": id, **summary}``."""
    run_id = await start_promote(source, target, options)
    return {"run": run_id, **(await wait_run(run_id))}


async def finish_interrupted(
    source: ConnectionSettings,
    target: ConnectionSettings,
    options: PromoteOptions,
    say: Callable[[str], None] | None = None,
) -> list[Resumed]:
    """Finish this same promotion command's own interrupted run (its process was killed), and
    only that: a promotion of another command line is never finished by this one (issue #14);
    ``cxops runs resume`` or ``cxops runs cancel`` is how a person decides about it."""
    store = launch(options.store)
    remember(source)
    remember(target)
    params = promote_params(source, target, options, store.url)
    kinds = ("promote", "promote-dry-run")
    return await runner.finish_interrupted(options.store, kinds, params["command"], say)
