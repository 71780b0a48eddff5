"""vendors.base.each_flow: a flow cxops cannot store is skipped (reported), any other error fails
them all, and without ``on_skip`` nothing changes (issue #15)."""

from __future__ import annotations

import asyncio

import pytest

from cxops.errors import ServerError, Unstorable
from cxops.vendors.base import FlowRef, each_flow

REFS = [FlowRef(id=f"f{i}", name=f"Flow {i}") for i in range(5)]


async def _fetch(ref: FlowRef) -> str:
    await asyncio.sleep(0)
    if ref.id == "f2":
        raise Unstorable("cognigy GET /flows/f2: 200 with a body cxops refuses: NaN at byte 9")
    return ref.id.upper()


def test_an_unstorable_flow_is_reported_and_the_others_kept_in_order() -> None:
    """f2 goes to on_skip with the error's message; f0, f1, f3, f4 come back in order."""
    skipped: list[tuple[str, str]] = []
    got = asyncio.run(each_flow(_fetch, REFS, lambda ref, why: skipped.append((ref.id, why))))
    assert got == ["F0", "F1", "F3", "F4"]
    assert [s[0] for s in skipped] == ["f2"] and "NaN" in skipped[0][1]


def test_without_on_skip_the_error_is_raised_as_before() -> None:
    """Promote and resolve pass no on_skip: an unstorable flow is their protocol error."""
    with pytest.raises(Unstorable, match="NaN"):
        asyncio.run(each_flow(_fetch, REFS))


def test_any_other_error_fails_every_flow() -> None:
    """A vendor failure is not a flow cxops cannot store: it is raised, the project fails."""

    async def failing(ref: FlowRef) -> str:
        if ref.id == "f3":
            raise ServerError("cognigy GET /flows/f3: 503 after 5 attempts")
        return await _fetch(ref)

    with pytest.raises(ServerError, match="503"):
        asyncio.run(each_flow(failing, REFS, lambda ref, why: None))
