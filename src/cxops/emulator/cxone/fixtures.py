"""CXone fixture business units ``dev`` and ``prod``, deterministic from the seed.

``prod`` runs generation 1 of the healthy IVR scripts; ``dev`` runs generation 2 (its history
holds the generation-1 version of every script it changed) plus the flawed scripts of
:mod:`fixture_flawed`. The seed chooses the business unit number, the masterID range, dates and
authors; the scripts' structure (and so :data:`FLAWS`) does not depend on it.

Two more things real business units have: a retired script (:data:`INACTIVE_SCRIPT`, in dev,
inactive: only ``includeInactive=true`` searches list it), and a long history
(:data:`LONG_HISTORY`: prod's ``Billing\\Billing_Main`` was saved 150 times, each older
revision with another goodbye phrase), longer than one page of any CXone list.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from cxops.emulator.cxone.builder import ScriptBuilder
from cxops.emulator.cxone.fixture_flawed import FLAWED, FLAWS
from cxops.emulator.cxone.fixture_scripts import SCRIPTS
from cxops.emulator.cxone.store import CxoneTenant

__all__ = ["FLAWS", "INACTIVE_SCRIPT", "LONG_HISTORY", "CxoneTenant", "build_tenant"]

#: dev's retired script (valid, inactive, in a folder that gets promoted).
INACTIVE_SCRIPT = "Billing\\Promo_2025"
#: (tenant, script, number of versions) of the fixture script with a long history.
LONG_HISTORY = ("prod", "Billing\\Billing_Main", 150)

_AUTHORS = ("mgarcia", "jchen", "apatel", "lnguyen", "skowalski")
_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _stamp(rng: random.Random, day: int) -> str:
    moment = _EPOCH + timedelta(days=day, minutes=rng.randrange(0, 8 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _save(
    unit: CxoneTenant, builder: ScriptBuilder, rng: random.Random, day: int, revision: int = 0
) -> None:
    script = builder.build(unit.next_master, unit.bus_no)
    if revision:
        _revise(script, revision)
    unit.commit(script, _stamp(rng, day), rng.choice(_AUTHORS))


def _revise(script: dict[str, Any], revision: int) -> None:
    """An older revision: the goodbye prompt said something else then."""
    for key, action in script["actions"].items():
        if action["name"] == "PLAY" and action["label"] == "Goodbye":
            for prop in script["properties"][key].values():
                if prop["name"] == "Phrase":
                    prop["value"] = f"Thanks for calling Acme (revision {revision}). Goodbye."
            return
    raise ValueError(f"{script['header']['scriptName']} has no goodbye to revise")


def _promo() -> ScriptBuilder:
    b = ScriptBuilder(INACTIVE_SCRIPT)
    begin = b.add("BEGIN", "Begin")
    offer = b.add("PLAY", "Spring offer", Sequence='"promo_2025.wav"', Phrase="Ask about 2025.")
    hangup = b.add("HANGUP", "Hang up")
    b.link(begin, offer)
    b.link(offer, hangup)
    return b


def build_tenant(seed: int, tenant: str) -> CxoneTenant:
    """The fixture business unit ``tenant`` (``dev`` gets generation 2 and the flawed scripts;
    any other name gets generation 1, like ``prod``)."""
    rng = random.Random(f"{seed}/cxone/{tenant}")
    unit = CxoneTenant(
        tenant,
        bus_no=rng.randrange(4_600_000, 4_699_999),
        next_master=rng.randrange(100_000, 800_000, 1000),
    )
    gen = 2 if tenant == "dev" else 1
    long_tenant, long_script, long_count = LONG_HISTORY
    # Generation 1 first (older dates), then generation 2 where dev changed or added a script.
    for maker, first, _changed in SCRIPTS:
        if first != 1:
            continue
        builder = maker(1)
        if tenant == long_tenant and builder.path == long_script:
            for revision in range(1, long_count):  # a year of small edits before generation 1
                _save(unit, maker(1), rng, revision * 2 - 330, revision)
        _save(unit, builder, rng, rng.randrange(0, 30))
    if gen == 2:
        for maker, _first, changed in SCRIPTS:
            if changed == 2:
                _save(unit, maker(2), rng, rng.randrange(40, 70))
        for flawed in FLAWED:
            _save(unit, flawed(), rng, rng.randrange(40, 70))
        _save(unit, _promo(), rng, rng.randrange(0, 30))
        unit.deactivate(INACTIVE_SCRIPT)
    return unit
