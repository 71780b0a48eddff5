"""The portable flow model: Bundle, Flow, Node, Edge, Resource, Ref. Pure: no I/O, no clock.

Also here: RFC 8785 canonical JSON and content hashes (``canonical``), the bounded strict parser
for untrusted input (``parse``), the on-disk layout of a bundle (``layout``) and the converters
from and to each vendor's native documents (``native``). Imports nothing else of cxops.
"""

from __future__ import annotations

from cxops.model.bundle import BUNDLE_FORMAT, Bundle, Edge, Flow, Node, Ref, Release, Resource
from cxops.model.canonical import canonical_bytes, content_hash, hash_document
from cxops.model.errors import CanonicalError, ConvertError, ModelError, ParseError
from cxops.model.parse import parse_json

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
