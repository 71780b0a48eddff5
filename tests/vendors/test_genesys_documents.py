"""Every Genesys fixture flow, exported through the adapter, has each sequence item and each
action of the document the org serves as a node, and its entry is ``initialSequence``."""

from __future__ import annotations

import httpx
import pytest

from cxops.emulator import EmulatorThread
from tests.helpers import architect
from tests.vendors.conftest import connected, export_all


@pytest.mark.parametrize("tenant", ["dev", "prod"])
async def test_every_item_and_action_is_a_node(emu: EmulatorThread, tenant: str) -> None:
    """Nodes = the document's items + actions (read by the test-side reader), edges land on
    nodes (but in no fixture does a path go nowhere), no converter problems in the fixtures."""
    async with connected(emu, "genesys", tenant) as (_, adapter):
        bundles = await export_all(adapter)
    flows = [f for b in bundles.values() for f in b.flows]
    names = httpx.get(f"{emu.base('genesys', tenant)}/_emulator/summary").json()["flows"]
    assert {f.id for f in flows} == set(names.values())
    for flow in flows:
        doc = flow.properties["configuration"]
        assert isinstance(doc, dict)
        served = emu.ctx.tenant("genesys", tenant).flows[flow.id].version(flow.version).config
        want = {i["id"] for i in served["flowSequenceItemList"]}
        want |= {a["id"] for a in architect.actions(served)}
        assert {n.id for n in flow.nodes} == want, flow.name
        assert flow.entry == [served["initialSequence"]]
        ids = {n.id for n in flow.nodes}
        assert all(e.source in ids and e.target in ids for e in flow.edges), flow.name
        assert "_problems" not in flow.properties, flow.name
