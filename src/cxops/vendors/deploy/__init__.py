"""Write-side vendor operations for promotion (one module per vendor).

The read side (``cxops.vendors.<vendor>``) exports; these modules change a tenant: snapshots,
packages, merges, restores, and the reads the promotion gates need. Every mutating call sends an
idempotency key and every one has a matching *lookup* so a resumed promotion can ask the vendor
whether an interrupted effect already happened before repeating it.
"""

from __future__ import annotations

from cxops.vendors.deploy.cognigy import CognigyDeployer
from cxops.vendors.deploy.genesys import GenesysDeployer

__all__ = ["CognigyDeployer", "GenesysDeployer"]
