"""A lexicon's keyphrases travel: exported losslessly (a lexicon read has none: they come from
``GET /lexicons/{id}/keyphrases``) and promoted dev → prod with equal content hashes."""

from __future__ import annotations

import asyncio
from typing import Any

from cxops.emulator import EmulatorThread
from cxops.model.bundle import Bundle
from cxops.model.canonical import content_hash
from cxops.model.native import cognigy as native
from cxops.transport import TransportOptions, open_client
from cxops.vendors import adapter_for
from tests.pipelines.promote.conftest import FAST, PROJECT, admin_settings
from tests.pipelines.promote.test_promote import promote


def _export(emu: EmulatorThread, tenant: str) -> Bundle:
    settings = admin_settings(emu, tenant)

    async def read() -> Bundle:
        async with open_client(settings, TransportOptions(**FAST)) as client:
            adapter = adapter_for(client, settings)
            project = next(p for p in await adapter.list_projects() if p.name == PROJECT)
            return await adapter.export_project(project)

    return asyncio.run(read())


def _hashes(bundle: Bundle) -> dict[str, str]:
    """Lexicon referenceId → content hash of its keyphrases in their portable form."""
    return {
        r.id: content_hash({"keyphrases": native.portable_keyphrases(dict(r.properties))})
        for r in bundle.resources
        if r.kind == "lexicon"
    }


def test_export_carries_every_keyphrase_losslessly(fast_emu: EmulatorThread) -> None:
    """Each exported lexicon holds exactly what its keyphrases listing serves (paged), and the
    bundle converts back to the same native lexicons."""
    bundle = _export(fast_emu, "dev")
    lexicons = [r for r in bundle.resources if r.kind == "lexicon"]
    assert len(lexicons) == 2
    for lex in lexicons:
        rows: Any = lex.properties["keyphrases"]
        # v2 lexicons: 7 entries, a main keyphrase and a synonym each.
        assert len(rows) == 14 and sum(1 for k in rows if k["isMainKeyphrase"]) == 7
        assert set(rows[0]) == {"_id", "value", "isMainKeyphrase", "lexiconEntryReference"}
    again = {x["referenceId"]: x["keyphrases"] for x in native.to_native(bundle)["lexicons"]}
    assert again == {lex.id: lex.properties["keyphrases"] for lex in lexicons}


def test_keyphrases_round_trip_through_a_promotion(
    fast_emu: EmulatorThread, store_url: str
) -> None:
    """prod's keyphrases differ from dev's before; after the promotion their content hashes are
    equal, lexicon by lexicon."""
    dev, before = _hashes(_export(fast_emu, "dev")), _hashes(_export(fast_emu, "prod"))
    assert set(dev) == set(before) and all(dev[k] != before[k] for k in dev)
    out = promote(fast_emu, store_url)
    assert out["outcome"] == "promoted", out.get("error")
    assert out["parity"]["score"] == 1.0, out["parity"]["differences"]
    assert _hashes(_export(fast_emu, "prod")) == dev
