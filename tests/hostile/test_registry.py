"""resolve's artifact registry: a hostile artifact name or version stays one path segment each."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.pipelines.resolve.registry import push_artifact
from tests.hostile.proxy import ServerThread


class Registry:
    """A registry that stores bodies by the raw request path, and records every request."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.held: dict[str, bytes] = {}

    def app(self) -> Starlette:
        async def any_path(request: Request) -> Response:
            raw = request.scope["raw_path"].decode("ascii")
            self.seen.append((request.method, raw))
            if request.method == "GET":
                if raw not in self.held:
                    return Response(status_code=404)
                checksum = hashlib.sha256(self.held[raw]).hexdigest()
                return Response(self.held[raw], headers={"X-Checksum": checksum})
            self.held[raw] = await request.body()
            return Response(status_code=201)

        return Starlette(routes=[Route("/{path:path}", any_path, methods=["GET", "POST"])])


@pytest.fixture
def registry() -> Iterator[tuple[Registry, str]]:
    stub = Registry()
    with ServerThread(stub.app()) as server:
        yield stub, f"{server.url}/reg/"


@pytest.mark.parametrize(
    ("name", "version", "encoded"),
    [
        ("../../admin", "1.0.0", "..%2F..%2Fadmin/1.0.0"),
        ("lock", "..", "lock/%2E%2E"),
        ("lock?version=9", "1.0.0#frag", "lock%3Fversion%3D9/1.0.0%23frag"),
        ("a%2Fb", "1.0.0", "a%252Fb/1.0.0"),
        ("team/lock", "../2.0.0", "team%2Flock/..%2F2.0.0"),
    ],
)
def test_name_and_version_are_one_segment_each(
    registry: tuple[Registry, str], name: str, version: str, encoded: str
) -> None:
    """The read-back and the push go to {registry}/{name}/{version} exactly, each one segment;
    a second push of the same bytes is found there (unchanged), never at another path."""
    stub, url = registry
    first = asyncio.run(push_artifact(url, name, version, b"lock-bytes"))
    assert first.status == "created"
    assert first.url == f"{url}{encoded}"
    path = f"/reg/{encoded}"
    assert stub.seen == [("GET", path), ("POST", path)]
    assert stub.held == {path: b"lock-bytes"}
    again = asyncio.run(push_artifact(url, name, version, b"lock-bytes"))
    assert again.status == "unchanged"
    assert stub.seen[2:] == [("GET", path)]
