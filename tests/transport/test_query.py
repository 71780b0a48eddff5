"""A URL's own query survives extra params (signed links keep their signature)."""

from __future__ import annotations

from cxops.emulator import EmulatorThread
from cxops.transport import open_client
from tests.transport.conftest import fast, settings_for


async def test_query_in_url_is_merged_with_params(emu: EmulatorThread) -> None:
    """pageSize from the URL and pageNumber from params both reach the vendor."""
    async with open_client(settings_for(emu, "genesys"), fast()) as client:
        page = await client.get_json("/api/v2/flows?pageSize=1", params={"pageNumber": 2})
        plain = await client.get_json("/api/v2/flows?pageSize=1&pageNumber=2")
    assert page["pageSize"] == 1
    assert page["pageNumber"] == 2
    assert page["entities"] == plain["entities"]
