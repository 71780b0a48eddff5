"""Hostile tests run exports and promotions in-process: stop the durable engine after each, so
its background threads (which draw from the global ``random``) never outlive the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxops.pipelines.engine import shutdown


@pytest.fixture(autouse=True)
def _engine_down() -> Iterator[None]:
    yield
    shutdown()
