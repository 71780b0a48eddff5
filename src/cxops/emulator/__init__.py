"""An emulator of the three vendors' real REST surfaces, with fault injection and a ledger.

``create_app()`` serves every fixture tenant at ``/{vendor}/{tenant}/`` plus ``/_emulator``;
``create_vendor_app()`` serves one tenant at the vendor's own root paths. It imports only
``cxops.model`` (never cxops' client code), so a client bug cannot hide behind the same bug here.
"""

from cxops.emulator.app import create_app, create_vendor_app
from cxops.emulator.context import EmulatorConfig, EmulatorContext
from cxops.emulator.scenario import Scenario
from cxops.emulator.server import EmulatorThread

__all__ = [
    "EmulatorConfig",
    "EmulatorContext",
    "EmulatorThread",
    "Scenario",
    "create_app",
    "create_vendor_app",
]
