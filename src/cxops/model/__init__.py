"""The portable flow model: Bundle, Flow, Node, Edge, Resource, Ref. Pure: no I/O, no clock.

Also here: RFC 8785 canonical JSON and content hashes (``canonical``), the bounded strict parser
for untrusted input (``parse``), the on-disk layout of a bundle (``layout``) and the converters
from and to each vendor's native documents (``native``). Imports nothing else of cxops.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxops.model.bundle import BUNDLE_FORMAT, Bundle, Edge, Flow, Node, Ref, Release, Resource
    from cxops.model.canonical import canonical_bytes, content_hash, hash_document
    from cxops.model.errors import CanonicalError, ConvertError, ModelError, ParseError
    from cxops.model.parse import parse_json

# Imported on first use (PEP 562): ``cxops.model.errors`` is needed by the CLI's error handler
# at every start, and must not pull in pydantic and numpy with it (``cxops --version``).
_HOMES = {
    "cxops.model.bundle": (
        "BUNDLE_FORMAT",
        "Bundle",
        "Edge",
        "Flow",
        "Node",
        "Ref",
        "Release",
        "Resource",
    ),
    "cxops.model.canonical": ("canonical_bytes", "content_hash", "hash_document"),
    "cxops.model.errors": ("CanonicalError", "ConvertError", "ModelError", "ParseError"),
    "cxops.model.parse": ("parse_json",),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'cxops.model' has no attribute {name!r}")


__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "CanonicalError",
    "ConvertError",
    "Edge",
    "Flow",
    "ModelError",
    "Node",
    "ParseError",
    "Ref",
    "Release",
    "Resource",
    "canonical_bytes",
    "content_hash",
    "hash_document",
    "parse_json",
]
