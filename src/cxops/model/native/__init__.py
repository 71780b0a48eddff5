"""Converters between each vendor's native documents and the portable bundle, both ways.

Every converter is lossless: ``to_native(to_bundle(x)) == x``. Node ``properties`` hold the
vendor's node object verbatim; what the bundle derives (edges, refs, entry points, terminal
flags) is computed from it and ignored on the way back.
"""

from __future__ import annotations

from cxops.model.native import cognigy as cognigy
from cxops.model.native import cxone as cxone
from cxops.model.native import genesys as genesys

__all__ = ["CONVERTERS", "cognigy", "cxone", "genesys"]

#: vendor name → module with ``to_bundle(native, tenant=...)`` and ``to_native(bundle)``.
CONVERTERS = {"cognigy": cognigy, "cxone": cxone, "genesys": genesys}
