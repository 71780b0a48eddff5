"""The dashboard's test data, made the way ``make demo`` makes it: every fixture tenant exported
into ``demo-repo/{dev,prod}``, then a promotion dev → prod and a promotion whose verification
fails and is rolled back (``cxops.demo``'s own functions, against the real emulator)."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from cxops import demo
from cxops.emulator import EmulatorThread
from cxops.pipelines.engine import shutdown


@dataclass(frozen=True)
class DemoData:
    """Where the demo's store and repositories are, and what its promotions returned."""

    store_url: str
    repos: tuple[Path, ...]
    promoted: dict[str, Any]
    rolled_back: dict[str, Any]
    secrets: set[str] = field(default_factory=set)  # values that must never be shown


@contextmanager
def _inside(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def make_demo_data(emu: EmulatorThread, root: Path) -> DemoData:
    """Export, promote and roll back as ``make demo`` does, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    store_url = f"sqlite:///{root / 'state.db'}"
    console = Console(file=io.StringIO(), width=120)
    os.environ[demo.SECRET_ENV] = emu.ctx.config.webhook_secret
    try:
        with _inside(root):
            asyncio.run(demo._export_all(console, emu, store_url))
            shutdown()
            got = demo.promote_part(console, emu, store_url, demo.REPO, "dev")
    finally:
        shutdown()
    repos = (root / demo.REPO / "dev", root / demo.REPO / "prod")
    secrets = {emu.ctx.config.webhook_secret, *(os.environ[v] for v in demo.KEY_ENV.values())}
    return DemoData(store_url, repos, got["promoted"], got["rolled_back"], secrets)


if __name__ == "__main__":  # build a store to look at by hand: python -m tests.web.demo_data DIR
    import sys

    with EmulatorThread() as emulator:
        data = make_demo_data(emulator, Path(sys.argv[1]).resolve())
    print(data.store_url, *data.repos)
