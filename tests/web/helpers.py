"""Helpers of the dashboard tests: a client on the app, schema checks, copies of the demo store."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from jsonschema import Draft202012Validator
from sqlalchemy import text

from cxops.store import Store
from cxops.web.app import create_app
from cxops.web.config import WebConfig

TOKEN = "canary-token-7f3e9a1c5b2d4e6f"


@contextmanager
def serving(store_url: str, repos: tuple[Path, ...] = (), **config: Any) -> Iterator[str]:
    """``create_app`` served by uvicorn in a thread on a free loopback port; yields its URL.

    ``config`` may say ``host="0.0.0.0"``: the app then enforces what it would off loopback,
    while the test still connects on loopback.
    """
    app = create_app(WebConfig(store_url=store_url, repos=repos, **config))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def client(store_url: str, repos: tuple[Path, ...] = (), **config: Any) -> Iterator[httpx.Client]:
    """An httpx client on the served app (real HTTP)."""
    with serving(store_url, repos, **config) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def check_schema(openapi: dict[str, Any], path: str, method: str, body: Any) -> None:
    """Validate ``body`` against the 200 response schema OpenAPI gives for ``path``."""
    op = openapi["paths"][path][method]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": openapi["components"]}).validate(body)


def copy_sqlite(url: str, to: Path) -> str:
    """A copy of a SQLite store (so a test may tamper with it)."""
    source = Path(url.removeprefix("sqlite:///"))
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, to / "state.db")
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", to / f"state.db{suffix}")
    return f"sqlite:///{to / 'state.db'}"


def tamper(url: str, seq: int) -> None:
    """Change one audit entry's subject as an attacker with database access would."""
    with Store.open(url) as st, st.session() as s:
        if st.dialect == "postgresql":
            s.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        else:
            s.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
        s.execute(text("UPDATE audit SET subject = 'forged' WHERE seq = :s"), {"s": seq})


def copy_store(source_url: str, target_url: str) -> None:
    """Copy runs, steps, audit entries and webhook endpoints/events through the store API."""
    with Store.open(source_url) as src, Store.open(target_url) as dst:
        for run in reversed(src.runs.list(limit=None)):
            dst.runs.start(run.kind, run.params, run_id=run.id)
            for step in src.steps.for_run(run.id):
                dst.steps.begin(run.id, step.name, step.key)
                dst.steps.finish(step.key, status=step.status, result=step.result, error=step.error)
            if run.status != "running":
                dst.runs.finish(run.id, run.status, summary=run.summary, error=run.error)
        for entry in src.audit.iter():
            dst.audit.append(entry.actor, entry.action, entry.subject, entry.details)
        for endpoint in src.outbox.endpoints():
            dst.outbox.register(endpoint.url, endpoint.secret_env)
        for event in src.outbox.events():
            dst.outbox.add(event.type, event.payload, run_id=event.run_id, event_id=event.id)
