"""The emulator over real HTTP (uvicorn in a thread), shared by a test session and reset per test.

Use the ``emu`` fixture: a running :class:`EmulatorThread` reset to its start state (fixtures
rebuilt, ledger, jobs, tokens and faults cleared, clock speed 1). For a custom configuration,
start your own ``EmulatorThread(EmulatorConfig(...))`` in the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxops.emulator import EmulatorThread


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorThread]:
    with EmulatorThread() as server:
        yield server


@pytest.fixture
def emu(emulator_server: EmulatorThread) -> EmulatorThread:
    emulator_server.ctx.reset()
    emulator_server.ctx.clock.set_speed(1.0)
    return emulator_server
