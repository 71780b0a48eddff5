"""Push a lock file to an artifact registry: immutable versions, checked by SHA-256.

``POST {registry}/{name}/{version}`` (``name`` and ``version`` each percent-encoded as one path
segment, ``transport.urls.seg``: a ``/``, ``..``, ``?`` or ``#`` in them cannot reach another
resource of the registry, issue #15) with the bytes and ``X-Checksum: <sha256 hex>``. Before
pushing, cxops reads the version back: the same checksum is a no-op (``unchanged``); another
checksum means someone published different content under that version, and cxops refuses to
replace it (a registry that answers 409 says the same). The registry is not a vendor, so this
talks HTTP with httpx directly, as the webhook relay does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import httpx

from cxops.errors import Conflict, NetworkError, VendorError
from cxops.transport.urls import seg

__all__ = ["Pushed", "push_artifact"]


@dataclass(frozen=True)
class Pushed:
    """Where the artifact is, its checksum, and ``created`` or ``unchanged``."""

    url: str
    checksum: str
    status: str


async def push_artifact(
    registry: str, name: str, version: str, data: bytes, *, timeout: float = 30.0
) -> Pushed:
    """Publish ``data`` as ``name@version``; :class:`Conflict` if that version holds other bytes."""
    url = f"{registry.rstrip('/')}/{seg(name)}/{seg(version)}"
    checksum = hashlib.sha256(data).hexdigest()
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            current = await http.get(url)
            if current.status_code == 200:
                theirs = (
                    current.headers.get("x-checksum") or hashlib.sha256(current.content).hexdigest()
                )
                if theirs.removeprefix("sha256:") == checksum:
                    return Pushed(url, checksum, "unchanged")
                raise _conflict(url, theirs)
            response = await http.post(
                url,
                content=data,
                headers={"X-Checksum": checksum, "Content-Type": "application/toml"},
            )
    except httpx.HTTPError as exc:
        raise NetworkError(
            f"artifact registry {url}: {type(exc).__name__}",
            hint="check --registry and that the registry is reachable",
        ) from None
    if response.status_code == 409:
        raise _conflict(url, None)
    if response.status_code >= 400:
        raise VendorError(
            f"artifact registry {url} answered {response.status_code}: {response.text[:200]}",
            hint="check --registry; the lock file was written locally all the same",
        )
    status = "unchanged" if response.status_code == 200 else "created"
    return Pushed(url, checksum, status)


def _conflict(url: str, theirs: str | None) -> Conflict:
    held = f" (it holds sha256 {theirs})" if theirs else ""
    return Conflict(
        f"artifact registry {url} already has different content at this version{held}; "
        "refusing to replace it",
        hint="publish the new lock under a new --artifact-version",
    )
