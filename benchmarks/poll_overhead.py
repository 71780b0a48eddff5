"""How fast does cxops notice a finished job, and at what request cost, against fixed polls?

For N Cognigy tasks of known durations (seeded, log-uniform between --min and --max seconds),
three pollers follow each task through the emulator's real ``GET /new/v2.0/tasks/{id}``
(in process, ``httpx.ASGITransport``), on the emulator clock, so an hour of jobs takes seconds:

- cxops:   ``transport.poller.poll_job`` (fast start, ETA from progress, backoff)
- fixed:   every 2 s (the Cognigy CLI's approach)
- doubling: 1 s, doubling up to 30 s (the seeds' approach)

Detection delay is "task done on the vendor → the poller knows"; requests are status GETs per
job. Time is simulated: each poller's sleep advances the emulator clock, which is otherwise
frozen, so network speed does not blur the figures. The last line is::

    RESULT delay_ratio_vs_fixed=<cxops/fixed mean delay> requests_ratio_vs_fixed=<cxops/fixed>

Run: ``python benchmarks/poll_overhead.py [--jobs 200] [--min 1] [--max 120] [--seed 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from cxops.emulator.app import create_app
from cxops.emulator.context import EmulatorConfig, EmulatorContext
from cxops.emulator.jobs import Job
from cxops.transport import ConnectionSettings, TransportOptions, VendorClient, connect
from cxops.transport.jobs import cognigy_task, parse_cognigy_task
from cxops.transport.lifecycle import COGNIGY_TASK
from cxops.transport.poller import poll_job

Strategy = Callable[[VendorClient, str, EmulatorContext], Awaitable[int]]


@dataclass
class Figures:
    delays: list[float]
    requests: list[int]


async def _counted(
    client: VendorClient, task_id: str, delays: Callable[[], float], ctx: EmulatorContext
) -> int:
    """A plain polling loop (the baselines): GET, stop when terminal, else sleep."""
    polls = 0
    while True:
        polls += 1
        body = await client.get_json(f"/new/v2.0/tasks/{task_id}")
        if parse_cognigy_task(body).state in COGNIGY_TASK.outcomes:
            return polls
        ctx.clock.advance(delays())


async def fixed_2s(client: VendorClient, task_id: str, ctx: EmulatorContext) -> int:
    return await _counted(client, task_id, lambda: 2.0, ctx)


async def doubling(client: VendorClient, task_id: str, ctx: EmulatorContext) -> int:
    wait = [0.5]

    def nxt() -> float:
        wait[0] = min(wait[0] * 2, 30.0)
        return wait[0]

    return await _counted(client, task_id, nxt, ctx)


async def cxops_poller(client: VendorClient, task_id: str, ctx: EmulatorContext) -> int:
    async def sleep(seconds: float) -> None:
        ctx.clock.advance(seconds)

    result = await poll_job(
        client, cognigy_task(task_id), deadline=10_000, sleep=sleep, clock=ctx.clock.now
    )
    return result.polls


async def run(
    strategy: Strategy, durations: list[float], ctx: EmulatorContext, client: VendorClient
) -> Figures:
    figures = Figures([], [])
    for i, duration in enumerate(durations):
        job = Job(
            f"bench{i:05d}{id(strategy) % 1000:03d}",
            "snapshot",
            "cognigy",
            "dev",
            created=ctx.clock.now(),
            phases=[("queued", duration * 0.1), ("active", duration * 0.9)],
            data={"type": "createSnapshot", "parameters": {}, "user": "bench"},
        )
        ctx.jobs.add(job)
        figures.requests.append(await strategy(client, job.id, ctx))
        figures.delays.append(ctx.clock.now() - job.due)
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--min", type=float, default=1.0)
    parser.add_argument("--max", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lo, hi = math.log(args.min), math.log(args.max)
    durations = [math.exp(rng.uniform(lo, hi)) for _ in range(args.jobs)]

    app = create_app(EmulatorConfig(seed=args.seed, speed=1e-9))  # frozen unless advanced
    ctx: EmulatorContext = app.state.ctx
    settings = ConnectionSettings(
        vendor="cognigy", base_url="http://emulator/cognigy/dev", api_key="cognigy-dev-admin-apikey"
    )
    options = TransportOptions(rate=1e6, burst=1e6, concurrency=64)
    strategies: dict[str, Strategy] = {
        "cxops": cxops_poller,
        "fixed-2s": fixed_2s,
        "doubling-1-30s": doubling,
    }
    results: dict[str, Figures] = {}
    async with await connect(settings, options, transport=httpx.ASGITransport(app=app)) as client:
        for name, strategy in strategies.items():
            results[name] = await run(strategy, durations, ctx, client)

    print(
        f"{args.jobs} Cognigy tasks, durations {args.min:g}-{args.max:g} s (log-uniform, "
        f"seed {args.seed}), simulated time"
    )
    print(
        f"{'poller':16} {'mean delay s':>12} {'p95 delay s':>12} {'max delay s':>12} "
        f"{'requests/job':>13}"
    )
    for name, fig in results.items():
        p95 = statistics.quantiles(fig.delays, n=20)[-1]
        print(
            f"{name:16} {statistics.mean(fig.delays):12.3f} {p95:12.3f} "
            f"{max(fig.delays):12.3f} {statistics.mean(fig.requests):13.2f}"
        )
    ours, fixed = results["cxops"], results["fixed-2s"]
    delay_ratio = statistics.mean(ours.delays) / statistics.mean(fixed.delays)
    requests_ratio = sum(ours.requests) / sum(fixed.requests)
    print(
        f"RESULT delay_ratio_vs_fixed={delay_ratio:.3f} "
        f"requests_ratio_vs_fixed={requests_ratio:.3f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
