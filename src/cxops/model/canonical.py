"""RFC 8785 canonical JSON and the content hash.

The reference is the ``rfc8785`` package (pure Python, about 7 MB/s). The fast path
(:mod:`cxops.model.canonical_fast`) encodes with orjson and rewrites the few number tokens whose
form differs from ECMAScript's; where it cannot prove the result identical it answers None and the
reference runs. Property tests prove the two agree on generated documents.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from cxops.model.bundle import IDENTITY_FIELDS, VOLATILE_FIELDS, Bundle
from cxops.model.canonical_fast import fast_canonical_bytes
from cxops.model.errors import CanonicalError

__all__ = ["canonical_bytes", "content_hash", "hash_document"]


def canonical_bytes(doc: Any, *, fast: bool = True) -> bytes:
    """The RFC 8785 canonical form of ``doc`` (JSON-ready dicts, lists, str, int, float, bool).

    Raises :class:`CanonicalError` for values RFC 8785 cannot represent (NaN, infinities,
    integers beyond 2**53 - 1, lone surrogates).

    >>> canonical_bytes({"b": 1, "a": [True, None]})
    b'{"a":[true,null],"b":1}'
    """
    if fast:
        out = fast_canonical_bytes(doc)
        if out is not None:
            return out
    try:
        result: bytes = rfc8785.dumps(doc)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalError(
            f"cannot canonicalise: {exc}",
            hint="RFC 8785 has no form for NaN, infinities or integers beyond 2**53 - 1",
        ) from exc
    return result


def hash_document(doc: Any) -> str:
    """``sha256:<hex>`` of the canonical form of a JSON-ready document."""
    return "sha256:" + hashlib.sha256(canonical_bytes(doc)).hexdigest()


def content_hash(bundle_or_doc: Any) -> str:
    """The content hash of a Bundle (or a bundle document): volatile fields and the tenant
    left out, listing orders canonical (``Bundle.content_document``)."""
    if isinstance(bundle_or_doc, Bundle):
        return hash_document(bundle_or_doc.content_document())
    if isinstance(bundle_or_doc, dict):
        if bundle_or_doc.get("format") == "cxops.bundle/1":  # the same rules as a Bundle's
            return hash_document(Bundle.model_validate(bundle_or_doc).content_document())
        drop = VOLATILE_FIELDS | IDENTITY_FIELDS
        doc = {k: v for k, v in bundle_or_doc.items() if k not in drop}
        return hash_document(doc)
    return hash_document(bundle_or_doc)
