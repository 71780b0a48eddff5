"""ASGI middleware in front of every vendor app: settle jobs, inject faults, log what was seen.

Vendor and tenant come from the mount path ``/{vendor}/{tenant}/...`` or are fixed when a vendor
app is served alone. Faults act before the vendor app (``error``, ``reset``, ``latency``) or on
its response (``truncate``, ``corrupt``). A reset sends the response head and then drops the
connection, which clients see as a connection closed mid-body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxops.emulator import problems
from cxops.emulator.context import EmulatorContext
from cxops.emulator.ledger import IDEMPOTENCY_HEADERS, Seen
from cxops.emulator.scenario import FaultRule


class InjectedReset(Exception):
    """Raised after the response head to make the server drop the connection."""


class _QuietResets(logging.Filter):
    """Keep uvicorn from logging a traceback for every reset we injected on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedReset)


logging.getLogger("uvicorn.error").addFilter(_QuietResets())


class EmulatorMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        ctx: EmulatorContext,
        vendor: str | None = None,
        tenant: str | None = None,
    ) -> None:
        self.app = app
        self.ctx = ctx
        self.vendor = vendor
        self.tenant = tenant

    def _where(self, scope: Scope) -> tuple[str, str, str] | None:
        path: str = scope["path"]
        if self.vendor is not None and self.tenant is not None:
            root = scope.get("root_path", "")
            return self.vendor, self.tenant, path[len(root) :] if path.startswith(root) else path
        parts = path.split("/", 3)
        if (
            len(parts) >= 3
            and parts[1] in self.ctx.tenants
            and parts[2] in self.ctx.tenants[parts[1]]
        ):
            return parts[1], parts[2], "/" + (parts[3] if len(parts) > 3 else "")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = self._where(scope)
        if where is None:
            await self.app(scope, receive, send)
            return
        vendor, tenant, rel = where
        ctx = self.ctx
        ctx.jobs.tick()
        state: dict[str, Any] = scope.setdefault("state", {})
        state.update(vendor=vendor, tenant=tenant)
        wall, clock = time.time(), ctx.clock.now()
        method: str = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        idem = next((headers[h] for h in IDEMPOTENCY_HEADERS if h in headers), None)
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        rule = ctx.faults.match_request(vendor, tenant, method, rel)
        try:
            if rule is None:
                await self.app(scope, receive, send_status)
            else:
                await self._fault(rule, vendor, scope, receive, send_status)
        finally:
            ctx.ledger.record(
                Seen(
                    seq=ctx.ledger.next_seq(),
                    wall=wall,
                    clock=clock,
                    vendor=vendor,
                    tenant=tenant,
                    method=method,
                    path=rel,
                    client=state.get("client"),
                    status=status[0],
                    fault=rule.action if rule else None,
                    idempotency_key=idem,
                    effect=state.get("effect"),
                    resource=state.get("resource"),
                )
            )
            ctx.jobs.tick()

    async def _fault(
        self, rule: FaultRule, vendor: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if rule.action == "latency":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
        elif rule.action == "error":
            if rule.status == 429:
                wait = rule.retry_after if rule.retry_after is not None else 1.0
                http_date = self.ctx.faults.scenario.retry_after_format == "http-date"
                response = problems.too_many_requests(vendor, wait, http_date=http_date)
            else:
                response = problems.error_response(vendor, rule.status, rule.message, rule.code)
            await response(scope, receive, send)
        elif rule.action == "reset":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"partial":', "more_body": True})
            raise InjectedReset(f"injected reset on {scope['path']}")
        else:
            await self._mangle(rule, scope, receive, send)

    async def _mangle(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        head: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                head.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if rule.action == "truncate":
            body = body[: len(body) // 2]
        else:  # corrupt: keep the length, break the syntax
            body = bytes(b ^ 0x5A if i % 7 == 0 else b for i, b in enumerate(body)) or b"\x00"
        hdrs = [(k, v) for k, v in head.get("headers", []) if k.lower() != b"content-length"]
        hdrs.append((b"content-length", str(len(body)).encode()))
        await send(
            {"type": "http.response.start", "status": head.get("status", 200), "headers": hdrs}
        )
        await send({"type": "http.response.body", "body": body})
