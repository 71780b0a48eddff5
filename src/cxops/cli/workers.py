"""``cxops workers list``: the workers of a PostgreSQL store and the runs they hold."""

from __future__ import annotations

import typer
from rich.table import Table

from cxops.cli.common import Output, output_options
from cxops.cli.runs import store_option
from cxops.cli.text import cell

app = typer.Typer(help="The workers taking runs from the queues.", no_args_is_help=True)


@app.command("list")
@output_options("text", "json")
def list_workers(
    store: str | None = store_option(),
    *,
    out: Output,
) -> None:
    """List living workers (id, host, lease age, runs held) and dead ones still holding runs
    (a living worker returns those to their queues within a second).

    Example: cxops workers list --store postgresql://...
    """
    from cxops.cli.export import run_async
    from cxops.errors import UsageError
    from cxops.pipelines import engine, worker

    async def main() -> int:
        st = engine.launch(store)
        if st.engine.dialect.name != "postgresql":
            raise UsageError("workers run on a PostgreSQL store; this store is SQLite")
        rows = await worker.list_workers(st)
        if out.json:
            out.document([r.__dict__ for r in rows])
            return 0
        table = Table("id", "host", "state", "lease age", "runs held")
        for r in rows:
            age = "" if r.lease_age_s is None else f"{r.lease_age_s:.0f}s"
            state = "alive" if r.alive else "dead"
            table.add_row(cell(r.id), cell(r.host), state, age, str(r.runs))
        console = out.console()
        console.print(table)
        if not rows:
            console.print("no worker is running on this store")
        return 0

    run_async(main)
