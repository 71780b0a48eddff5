"""The runs page on a store with 10,000 runs: server time and the number of SQL queries.

A SQLite store is filled with 10,000 runs in the demo's shapes (exports, promotions with plans,
gates and rollbacks, rollback runs), then ``GET /runs`` (the HTML page, the newest 100) and
``GET /api/v1/runs?environment=prod`` are requested in process through the ASGI app (no network:
server time). The page filters in the database, so its cost does not grow with the store.

    .venv/bin/python benchmarks/dashboard_runs.py [--runs 10000]

Ends with ``RESULT runs=<n> page_ms=<median> api_ms=<median> queries=<per page>
under_300ms=<bool>``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, insert

from cxops.store import Store
from cxops.store.models import RunRow
from cxops.web.app import create_app
from cxops.web.config import WebConfig


def _row(i: int, now: datetime) -> dict[str, Any]:
    started = now - timedelta(minutes=10 * i)
    kind = ("export", "promote", "promote", "rollback")[i % 4]
    env = ("dev", "staging", "prod")[i % 3]
    params: dict[str, Any] = {"tenant": env, "connection": {"vendor": "cognigy"}}
    summary: dict[str, Any] = {"status": "succeeded", "findings": {"error": 0, "warning": 2}}
    if kind == "promote":
        params = {"vendor": "cognigy", "target": env, "project": f"Project {i % 40}",
                  "version": f"1.{i % 9}.{i % 7}", "connections": {"source": {"profile": "dev"}},
                  "tenants": {"source": "dev"}}  # fmt: skip
        summary = {"status": "succeeded", "outcome": ("promoted", "rolled_back")[i % 5 == 0],
                   "plan": {"target": {"name": f"Project {i % 40}"},
                            "diff": {"changes": [{"action": "changed", "what": "node",
                                                  "id": "n", "flow": "f"}] * 20}}}  # fmt: skip
    elif kind == "rollback":
        params = {"target": env, "promote": uuid.uuid4().hex}
    return {
        "id": uuid.uuid4().hex, "kind": kind, "status": "failed" if i % 5 == 0 else "succeeded",
        "started": started, "ended": started + timedelta(seconds=30 + i % 90),
        "params": params, "summary": summary, "error": None,
    }  # fmt: skip


async def _time(app: Any, path: str, rounds: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
        for _ in range(rounds):
            start = time.perf_counter()
            answer = await c.get(path, headers={"accept": "text/html"})
            out.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text[:300]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'state.db'}"
        store = Store.open(url)
        now = datetime.now(UTC)
        start = time.perf_counter()
        with store.session() as s:
            for chunk in range(0, args.runs, 1000):
                rows = [_row(i, now) for i in range(chunk, min(chunk + 1000, args.runs))]
                s.execute(insert(RunRow), rows)
        print(f"filled {args.runs} runs in {time.perf_counter() - start:.1f} s")
        queries = 0

        def count(*_a: Any) -> None:
            nonlocal queries
            queries += 1

        event.listen(store.engine, "before_cursor_execute", count)
        app = create_app(WebConfig(store_url=url), store=store)
        asyncio.run(_time(app, "/runs", 2))  # warm up (templates compiled, pool opened)
        queries = 0
        page = asyncio.run(_time(app, "/runs", args.rounds))
        per_page = queries / args.rounds
        api = asyncio.run(_time(app, "/api/v1/runs?environment=prod&kind=promote", args.rounds))
        store.close()
    p50, api50 = statistics.median(page), statistics.median(api)
    print(f"GET /runs: median {p50:.1f} ms, max {max(page):.1f} ms, {per_page:g} SQL queries")
    print(f"GET /api/v1/runs?environment=prod&kind=promote: median {api50:.1f} ms")
    print(
        f"RESULT runs={args.runs} page_ms={p50:.1f} api_ms={api50:.1f} "
        f"queries={per_page:g} under_300ms={str(p50 < 300).lower()}"
    )


if __name__ == "__main__":
    main()
