"""cxops: release engineering for contact-center conversation flows.

The public surface is re-exported here; everything else is internal.
"""

from cxops._version import __version__
from cxops.errors import (
    AuthError,
    ConfigError,
    Conflict,
    CxopsError,
    GateFailed,
    InputError,
    JobError,
    NetworkError,
    NotFound,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    UsageError,
    VendorError,
)

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "CxopsError",
    "GateFailed",
    "InputError",
    "JobError",
    "NetworkError",
    "NotFound",
    "PermissionDenied",
    "ProtocolError",
    "RateLimited",
    "ServerError",
    "UsageError",
    "VendorError",
    "__version__",
]
