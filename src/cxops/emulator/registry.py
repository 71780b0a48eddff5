"""Every emulated vendor, in one dict (adding a vendor is one package and one line here)."""

from __future__ import annotations

from cxops.emulator.context import VendorEmulator


def all_vendors() -> dict[str, VendorEmulator]:
    from cxops.emulator import cognigy, cxone, genesys

    return {"cognigy": cognigy.VENDOR, "cxone": cxone.VENDOR, "genesys": genesys.VENDOR}
