"""Serve the emulator with uvicorn: in the foreground (``cxops emulator``) or in a thread."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from cxops.emulator.app import create_app
from cxops.emulator.context import EmulatorConfig, EmulatorContext


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one (read it back from ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:  # a port in use: the caller reports it (exit 2); leave no socket open
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _NoDelayH11(H11Protocol):
    """h11 with ``TCP_NODELAY`` on each connection.

    Sockets accepted from a listening socket we bound ourselves come without it, so on a
    keep-alive connection the body segment waited for the client's delayed ACK: ~40 ms per
    request instead of ~1 ms.
    """

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def make_server(app: Starlette, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_keep_alive=30,
        http=_NoDelayH11,
    )
    return uvicorn.Server(config)


class EmulatorThread:
    """The emulator on loopback in a background thread, for tests and the demo.

    >>> with EmulatorThread() as emu:          # doctest: +SKIP
    ...     httpx.get(emu.url + "/_emulator/info").json()
    """

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1") -> None:
        self.app = create_app(config)
        self.ctx: EmulatorContext = self.app.state.ctx
        self._sock = bind(host, 0)
        port = self._sock.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self._server = make_server(self.app)
        self._thread = threading.Thread(target=self._serve, name="cxops-emulator", daemon=True)

    def _serve(self) -> None:
        self._server.run(sockets=[self._sock])

    def base(self, vendor: str, tenant: str = "dev") -> str:
        return f"{self.url}/{vendor}/{tenant}"

    def start(self) -> EmulatorThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
