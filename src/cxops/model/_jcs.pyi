"""The C encoder (``_jcs.c``): RFC 8785 bytes in one pass; see ``cxops.model.canonical_fast``."""

def canonical(obj: object, /) -> bytes | None:
    """RFC 8785 bytes of ``obj``, or None where the reference ``rfc8785`` must decide (types
    other than exact dict/list/tuple/str/int/float/bool/None, keys outside the BMP or not str,
    NaN and infinities, integers beyond 2**53 - 1, lone surrogates, nesting past 254)."""
