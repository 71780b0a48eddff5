"""The promotion's per-run context in this process (clients, cached bundles) and its strategy.

A run's params name two connections (``connections.source`` / ``connections.target``, public
halves only); the clients are opened lazily inside steps, so a recovered run (on DBOS' own loop)
opens its own. Bundles exported by one step are cached for the next; after a crash they are
simply exported again (reads are free to repeat).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cxops.pipelines.promote.strategy import Context, Strategy, strategy_for

__all__ = ["context", "run_state", "strategy"]

_runs: dict[str, Context] = {}


@asynccontextmanager
async def run_state(run_id: str, params: dict[str, Any]) -> AsyncIterator[Context]:
    """Keep the run's context for the duration of the workflow; close its clients after."""
    ctx = _runs.setdefault(run_id, Context(run_id, params))
    try:
        yield ctx
    finally:
        _runs.pop(run_id, None)
        await ctx.aclose()


def context(run_id: str, params: dict[str, Any]) -> Context:
    """The run's context (created when a step runs outside :func:`run_state`)."""
    return _runs.setdefault(run_id, Context(run_id, params))


def strategy(run_id: str, params: dict[str, Any]) -> Strategy:
    """The vendor strategy of the run."""
    return strategy_for(context(run_id, params))
