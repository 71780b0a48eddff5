"""Every error cxops raises on purpose, sorted by whose fault it is.

The tree is shallow, as in h11, which separates local from remote protocol errors::

    CxopsError                      exit 4 unless a subclass says otherwise
    ├── UsageError                  exit 2  the user's command line is wrong
    ├── ConfigError                 exit 2  settings, profiles, secrets, files the user gave
    ├── InputError                  exit 1  a file the user asked us to read is not acceptable
    ├── VendorError                 exit 3  the vendor answered with an error (after retries)
    │   ├── AuthError               exit 2  401: credentials refused or token rejected
    │   ├── PermissionDenied        exit 2  403: missing scope or role (named when the vendor says)
    │   ├── NotFound                        404
    │   ├── Conflict                        409
    │   ├── RateLimited                     429 after the retry budget ran out
    │   └── ServerError                     5xx after the retry budget ran out
    ├── NetworkError                exit 3  no usable answer: connect, read, reset, deadline
    ├── ProtocolError               exit 3  the vendor broke its contract: bad JSON, wrong shape,
    │   │                                   illegal job transition
    │   ├── JobError                        a vendor job failed, stalled or ran past its deadline
    │   └── Unstorable                      a document cxops cannot store faithfully (RFC 8785
    │                                       values, depth, duplicate keys): one flow's finding
    └── GateFailed                  exit 1  a promotion gate said no (its evidence is attached)

Third-party exceptions (httpx, pydantic, SQLAlchemy) are translated into this tree at one
boundary per room, never caught and re-raised ad hoc. Every error carries a ``hint`` a person can
act on. Messages must never contain secrets: the transport redacts before it raises.
"""

from __future__ import annotations

from typing import Any

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
    "Unstorable",
    "UsageError",
    "VendorError",
]


class CxopsError(Exception):
    """Base of every deliberate cxops error: a message, a hint and an exit code."""

    exit_code: int = 4

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, for ``--json`` output and structured logs."""
        out: dict[str, Any] = {"error": type(self).__name__, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class UsageError(CxopsError):
    """The command line asks for something that cannot be done as written."""

    exit_code = 2


class ConfigError(CxopsError):
    """A setting, profile, secret reference or configuration file is missing or wrong."""

    exit_code = 2


class InputError(CxopsError):
    """A file or document the user gave us cannot be accepted (see ``cxops.model`` parsers)."""

    exit_code = 1


class VendorError(CxopsError):
    """The vendor answered with an error status, after any retries the transport allowed."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        vendor: str | None = None,
        vendor_code: str | None = None,
        trace_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.vendor = vendor
        self.vendor_code = vendor_code
        self.trace_id = trace_id
        self.method = method
        self.url = url

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for key in ("status", "vendor", "vendor_code", "trace_id", "method", "url"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class AuthError(VendorError):
    """401: the credentials were refused, or the token was rejected twice.

    Exit 2: the user's configuration must change, a retry later will not help (issue #15).
    """

    exit_code = 2


class PermissionDenied(VendorError):
    """403: the credentials lack a scope or role; ``missing`` names it when the vendor does.

    Exit 2, like AuthError: the credentials are what must change.
    """

    exit_code = 2

    def __init__(self, message: str, *, missing: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.missing = missing


class NotFound(VendorError):
    """404: the resource does not exist on this tenant."""


class Conflict(VendorError):
    """409: the vendor refused the change as conflicting (or, CXone, as invalid)."""


class RateLimited(VendorError):
    """429 that outlasted the retry budget or deadline."""


class ServerError(VendorError):
    """5xx that outlasted the retry budget or deadline."""


class NetworkError(CxopsError):
    """No usable answer: refused connection, reset, timeout, or the call's deadline passed."""

    exit_code = 3


class ProtocolError(CxopsError):
    """The vendor broke its contract: unparseable body, unexpected shape, illegal transition."""

    exit_code = 3


class Unstorable(ProtocolError):
    """A vendor document holds what cxops cannot store faithfully: a value RFC 8785 cannot
    represent (NaN, ``1e400``, integers beyond 2**53, over-long numbers), nesting past the depth
    cap, duplicate keys, a lone surrogate. An export reports such a flow as a finding and goes on
    with the others (issue #15); anywhere else it is a protocol error like any other."""


class JobError(ProtocolError):
    """A vendor job ended in failure, stalled, or outran its deadline."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        state: str | None = None,
        reason: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.job_id = job_id
        self.state = state
        self.reason = reason


class GateFailed(CxopsError):
    """A promotion gate refused; ``evidence`` is what it saw."""

    exit_code = 1

    def __init__(
        self, message: str, *, gate: str, evidence: dict[str, Any], hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.gate = gate
        self.evidence = evidence
