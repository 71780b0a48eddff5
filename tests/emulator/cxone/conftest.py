"""Helpers for CXone emulator tests: tokens by plain httpx, the API root of a business unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from cxops.emulator import EmulatorThread

API = "/inContactAPI/services/v31.0"


@dataclass
class Cx:
    """A CXone tenant of the running emulator, reached over real HTTP."""

    emu: EmulatorThread
    tenant: str = "dev"
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.emu.base("cxone", self.tenant)

    @property
    def api(self) -> str:
        return self.base + API

    def token_response(
        self, key: str = "admin", client_secret: str | None = None
    ) -> httpx.Response:
        t = self.tenant
        return httpx.post(
            f"{self.base}/auth/token",
            data={
                "grant_type": "password",
                "username": f"cxone-{t}-{key}-key",
                "password": f"cxone-{t}-{key}-key-secret",
            },
            auth=(f"cxone-{t}-app", client_secret or f"cxone-{t}-app-secret"),
        )

    def headers(self, key: str = "admin") -> dict[str, str]:
        """Bearer headers for ``key``, fetching the token once per test."""
        if key not in self._tokens:
            response = self.token_response(key)
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def get(self, path: str, key: str = "admin", **params: Any) -> httpx.Response:
        return httpx.get(self.api + path, params=params, headers=self.headers(key))

    def script(self, path: str) -> dict[str, Any]:
        response = self.get("/scripts", scriptPath=path)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def save(self, script: dict[str, Any], key: str = "admin") -> httpx.Response:
        return httpx.post(
            self.api + "/scripts", json={"scriptContent": script}, headers=self.headers(key)
        )


def save_result(body: dict[str, Any]) -> dict[str, Any]:
    """The one item of a save answer's ``results`` (the answer is batch-shaped)."""
    assert set(body) == {"errorCount", "results"}, body
    assert len(body["results"]) == 1
    item: dict[str, Any] = body["results"][0]
    return item


def save_problems(body: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """``{action id: {"errors": [key, ...], "warnings": [key, ...]}}`` of a save answer."""
    actions = save_result(body)["error_code"]["details"]["actions"]
    return {
        k: {
            "errors": [e["key"] for e in v["errors"]],
            "warnings": [w["key"] for w in v["warnings"]],
        }
        for k, v in actions.items()
    }


@pytest.fixture
def cx(emu: EmulatorThread) -> Cx:
    return Cx(emu)
