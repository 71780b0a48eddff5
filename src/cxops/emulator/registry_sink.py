"""``/_emulator/registry``: an immutable artifact registry, for lock-file pushes.

- ``POST|PUT /_emulator/registry/{name}/{version}``: store the body. ``X-Checksum`` (SHA-256 hex
  of the body, optionally ``sha256:``-prefixed) is required and must match (else 400). The same
  bytes at the same version again: 200 (unchanged). Different bytes at a version that exists:
  409, the stored artifact stays. A new version: 201.
- ``GET /_emulator/registry/{name}/{version}``: the bytes, with ``X-Checksum``; 404 if absent.
- ``GET /_emulator/registry/{name}``: ``{"name", "versions": {version: checksum}}``.

Artifacts live until the emulator is reset (they are dropped with the fixtures).
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cxops.emulator.context import EmulatorContext

__all__ = ["RegistrySink", "routes"]


class RegistrySink:
    """Artifacts by (name, version); emptied whenever the emulator rebuilds its fixtures."""

    def __init__(self, ctx: EmulatorContext) -> None:
        self.ctx = ctx
        self._epoch: object = None
        self._items: dict[tuple[str, str], tuple[bytes, str]] = {}

    @property
    def items(self) -> dict[tuple[str, str], tuple[bytes, str]]:
        # A reset replaces ctx.tenants with a new dict: that is the registry's reset too.
        if self._epoch is not self.ctx.tenants:
            self._epoch, self._items = self.ctx.tenants, {}
        return self._items


def routes(ctx: EmulatorContext) -> list[Route]:
    """The registry's routes, to mount under ``/_emulator``."""
    sink = RegistrySink(ctx)

    async def put(request: Request) -> Response:
        name, version = request.path_params["name"], request.path_params["version"]
        body = await request.body()
        claimed = request.headers.get("x-checksum", "").strip().lower().removeprefix("sha256:")
        actual = hashlib.sha256(body).hexdigest()
        if not claimed:
            return JSONResponse({"error": "X-Checksum (SHA-256 hex) is required"}, 400)
        if claimed != actual:
            return JSONResponse(
                {"error": "X-Checksum does not match the body", "expected": actual}, 400
            )
        stored = sink.items.get((name, version))
        if stored is not None:
            if stored[1] == actual:
                return JSONResponse(_doc(name, version, actual, "unchanged"), 200)
            return JSONResponse(
                {
                    "error": f"{name}@{version} exists with another checksum; "
                    "artifacts are immutable: publish a new version",
                    "checksum": stored[1],
                },
                409,
            )
        sink.items[(name, version)] = (body, actual)
        return JSONResponse(_doc(name, version, actual, "created"), 201)

    async def get(request: Request) -> Response:
        name, version = request.path_params["name"], request.path_params["version"]
        stored = sink.items.get((name, version))
        if stored is None:
            return JSONResponse({"error": f"no artifact {name}@{version}"}, 404)
        return Response(stored[0], headers={"X-Checksum": stored[1]})

    async def versions(request: Request) -> Response:
        name = request.path_params["name"]
        found = {v: c for (n, v), (_, c) in sorted(sink.items.items()) if n == name}
        return JSONResponse({"name": name, "versions": found})

    return [
        Route("/registry/{name}/{version}", put, methods=["POST", "PUT"]),
        Route("/registry/{name}/{version}", get, methods=["GET"]),
        Route("/registry/{name}", versions, methods=["GET"]),
    ]


def _doc(name: str, version: str, checksum: str, status: str) -> dict[str, Any]:
    return {"name": name, "version": version, "checksum": checksum, "status": status}
