"""The answer cap and the per-call timeout are configurable: flag, profile key or environment."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cxops.errors import ConfigError, ProtocolError
from cxops.transport import connect
from cxops.transport.settings import TransportOptions, resolve_connection


def _app() -> Starlette:
    async def big(request: Request) -> Response:
        return Response(b'{"name": "' + b"x" * 10_000 + b'"}', media_type="application/json")

    return Starlette(routes=[Route("/new/v2.0/big", big)])


async def test_a_profile_sets_the_answer_cap_and_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """max_answer_bytes = 4096 in a profile refuses a 10 kB answer; timeout sets the deadline."""
    (tmp_path / "cxops.toml").write_text(
        '[profiles.p]\nvendor = "cognigy"\nbase_url = "http://v.test"\napi_key = "env:K"\n'
        "max_answer_bytes = 4096\ntimeout = 7\n"
    )
    monkeypatch.setenv("K", "k-answers-1234")
    settings = resolve_connection(profile="p", cwd=tmp_path)
    assert (settings.max_answer_bytes, settings.timeout) == (4096, 7.0)
    transport = httpx.ASGITransport(app=_app())
    async with await connect(settings, TransportOptions(), transport=transport) as client:
        assert client.options.deadline == 7.0 and client.options.max_answer_bytes == 4096
        with pytest.raises(ProtocolError, match="4,096-byte cap per answer"):
            await client.get_json("/new/v2.0/big")
    flags = {"vendor": "cognigy", "base_url": "http://v.test", "api_key": "k-answers-1234"}
    roomy = resolve_connection({**flags, "max_answer_bytes": "65536"}, environ={})
    async with await connect(roomy, TransportOptions(), transport=transport) as client:
        assert len((await client.get_json("/new/v2.0/big"))["name"]) == 10_000
    with pytest.raises(ConfigError, match="--max-answer-bytes"):
        resolve_connection({**flags, "max_answer_bytes": "lots"}, environ={})
