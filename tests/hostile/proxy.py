"""A hostile vendor: a small Starlette app over real HTTP (uvicorn in a thread) that serves a
vendor tenant by forwarding to an upstream (the emulator) and rewriting chosen answers.

It is written for these tests, not from the emulator's code: the emulator only supplies the
ordinary answers; every hostile one (oversized, non-finite, deep, NUL-laden, path-like ids,
broken JSON) is made here. Every request it receives is recorded with the credentials it
carried, so a test can prove where the bearer token or API key went.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

#: A rule: (path regex, rewrite). The rewrite takes the upstream body and the hit count for
#: this rule (1 for the first hit) and returns the new body, a streaming generator, or None to
#: leave the answer alone.
Rewrite = Callable[[bytes, int], "bytes | AsyncIterator[bytes] | None"]


@dataclass
class Seen:
    method: str
    raw_path: str
    credentials: str  # Authorization or X-API-Key, "" when none


@dataclass
class HostileVendor:
    """Forward to ``upstream``; answers whose path matches a rule are rewritten."""

    upstream: str
    rules: list[tuple[str, Rewrite]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    hits: dict[int, int] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def forward(request: Request) -> Response:
            raw = request.scope.get("raw_path", b"").decode("latin-1")
            query = request.url.query
            creds = request.headers.get("authorization") or request.headers.get("x-api-key") or ""
            self.seen.append(Seen(request.method, raw, creds))
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() not in ("host", "content-length")
            }
            async with httpx.AsyncClient(base_url=self.upstream, timeout=60) as client:
                upstream = await client.request(
                    request.method,
                    raw + (f"?{query}" if query else ""),
                    headers=headers,
                    content=await request.body(),
                )
            body: bytes | AsyncIterator[bytes] = upstream.content
            for i, (pattern, rewrite) in enumerate(self.rules):
                if upstream.status_code == 200 and re.search(pattern, raw):
                    self.hits[i] = self.hits.get(i, 0) + 1
                    changed = rewrite(upstream.content, self.hits[i])
                    if changed is not None:
                        body = changed
                        break
            media = upstream.headers.get("content-type", "application/json")
            if isinstance(body, bytes):
                return Response(body, status_code=upstream.status_code, media_type=media)
            return StreamingResponse(body, status_code=upstream.status_code, media_type=media)

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


class ServerThread:
    """Any ASGI app on loopback, in a daemon thread (uvicorn), for one test."""

    def __init__(self, app: Starlette) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        # An endless answer still streaming at exit is cut after a second: the thread ends
        # with the test, not at interpreter exit logging to a closed stream.
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="hostile-vendor", daemon=True)

    def _serve(self) -> None:
        self._server.run(sockets=[self._sock])

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hostile vendor did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
