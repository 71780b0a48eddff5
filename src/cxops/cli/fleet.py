"""``cxops fleet export``: export many tenants at once through the workers, one table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxops.cli.common import Output, list_option, output_options, split
from cxops.cli.runs import store_option
from cxops.cli.text import cell

app = typer.Typer(help="Work on many tenants at once through the workers.", no_args_is_help=True)


@app.command("export")
@output_options("text", "json", report=True)
def export(
    profiles: list[str] | None = list_option(
        None, "--profiles", metavar="PROFILE", help="Profiles to export."
    ),
    all_profiles: bool = typer.Option(False, "--all-profiles", help="Every profile."),
    repos: Path = typer.Option(
        ..., "--repos", help="Folder of repositories: one per profile, <repos>/<profile>."
    ),
    project: str | None = typer.Option(None, "--project", help="This project of each tenant."),
    all_projects: bool = typer.Option(False, "--all", help="Every project of each tenant."),
    rate: float = typer.Option(10.0, "--rate", min=0.1, help="Requests per second per tenant."),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Requests in flight."),
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """Queue one export per profile for the workers, wait for all, print one table and which
    tenants failed (exit 1 when any did). Needs a PostgreSQL store and running workers.

    Example: cxops fleet export --all-profiles --all --repos /srv/flows --store postgresql://...
    """
    from cxops.cli.export import run_async
    from cxops.errors import UsageError
    from cxops.pipelines.engine import worker_store
    from cxops.pipelines.fleet import export_fleet, profile_names
    from cxops.pipelines.runner import ExportOptions

    if bool(split(profiles)) == all_profiles:
        raise UsageError("name the tenants: --profiles a,b,c or --all-profiles (one of them)")
    worker_store(store)
    names = profile_names(Path.cwd()) if all_profiles else split(profiles)
    options = ExportOptions(
        repo=repos,
        project=project,
        all=all_projects,
        store=store,
        transport={"rate": rate, "burst": max(rate, 1.0) * 2, "concurrency": concurrency},
    )

    async def main() -> int:
        rows = await export_fleet(names, repos.resolve(), options)
        failed = [r for r in rows if r.status not in ("succeeded",)]
        if out.json:
            out.document({"tenants": [r.__dict__ for r in rows],
                          "failed": [r.profile for r in failed]})  # fmt: skip
            return 1 if failed else 0
        table = Table("profile", "run", "status", "projects", "commit", "error")
        for r in rows:
            s = r.summary or {}
            table.add_row(
                cell(r.profile),
                (r.run or "")[:12],
                r.status,
                f"{len(s.get('projects_ok', []))} ok, {len(s.get('projects_failed', []))} failed"
                if s
                else "",
                (s.get("commit") or "")[:10],
                cell(r.error),
            )
        console = out.console()
        console.print(table)
        if failed:
            names_failed = ", ".join(f"{cell(r.profile)} ({r.status})" for r in failed)
            console.print(f"{len(failed)} of {len(rows)} tenant(s) not exported: {names_failed}")
        else:
            console.print(f"all {len(rows)} tenant(s) exported")
        return 1 if failed else 0

    code = run_async(main)
    if code:
        raise typer.Exit(code)
