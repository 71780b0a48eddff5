"""CXone fixture business units ``dev`` and ``prod``, deterministic from the seed.

``prod`` runs generation 1 of the healthy IVR scripts; ``dev`` runs generation 2 (its history
holds the generation-1 version of every script it changed) plus the flawed scripts of
:mod:`fixture_flawed`. The seed chooses the business unit number, the masterID range, dates and
authors; the scripts' structure (and so :data:`FLAWS`) does not depend on it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from cxops.emulator.cxone.builder import ScriptBuilder
from cxops.emulator.cxone.fixture_flawed import FLAWED, FLAWS
from cxops.emulator.cxone.fixture_scripts import SCRIPTS
from cxops.emulator.cxone.store import CxoneTenant

__all__ = ["FLAWS", "CxoneTenant", "build_tenant"]

_AUTHORS = ("mgarcia", "jchen", "apatel", "lnguyen", "skowalski")
_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _stamp(rng: random.Random, day: int) -> str:
    moment = _EPOCH + timedelta(days=day, minutes=rng.randrange(0, 8 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _save(unit: CxoneTenant, builder: ScriptBuilder, rng: random.Random, day: int) -> None:
    script = builder.build(unit.next_master, unit.bus_no)
    unit.commit(script, _stamp(rng, day), rng.choice(_AUTHORS))


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
    # Generation 1 first (older dates), then generation 2 where dev changed or added a script.
    for maker, first, _changed in SCRIPTS:
        if first == 1:
            _save(unit, maker(1), rng, rng.randrange(0, 30))
    if gen == 2:
        for maker, _first, changed in SCRIPTS:
            if changed == 2:
                _save(unit, maker(2), rng, rng.randrange(40, 70))
        for flawed in FLAWED:
            _save(unit, flawed(), rng, rng.randrange(40, 70))
    return unit
