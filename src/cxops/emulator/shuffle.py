"""Page-order shuffling for the ``shuffle_pages`` scenario option.

Real vendors promise no order for many listings. With ``shuffle_pages: true`` the listings that
read this serve their items in an order drawn from the scenario's seed and the listing's key:
stable while the scenario is in force (paging stays consistent), different per seed.
"""

from __future__ import annotations

import random
from typing import Any, TypeVar

from cxops.emulator.context import EmulatorContext

T = TypeVar("T")


def page_order(ctx: EmulatorContext, items: list[T], key: Any) -> list[T]:
    """``items`` as served: unchanged, or shuffled by the scenario seed and ``key``."""
    scenario = ctx.faults.scenario
    if not scenario.shuffle_pages:
        return items
    out = list(items)
    random.Random(f"{scenario.seed}/{key}").shuffle(out)
    return out
