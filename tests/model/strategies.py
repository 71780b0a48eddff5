"""Hypothesis strategies shared by the model and analysis tests."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck
from hypothesis import strategies as st

# Text that exercises escaping and key ordering: controls, quotes, BMP and astral characters.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], max_codepoint=0x1F64F), max_size=12
)
KEYS = st.text(
    alphabet=st.sampled_from(list('abcAB_-~/"\\é\u00ff\ue000\U0001f600\x01 ')), max_size=5
)
#: Generation is slow on a loaded CI machine; that is not a failure of the code under test.
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
SAFE_INT = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
FLOAT = st.floats(allow_nan=False, allow_infinity=False)


def json_values(floats: bool = True) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values RFC 8785 can represent."""
    leaves = st.none() | st.booleans() | SAFE_INT | TEXT
    if floats:
        leaves = leaves | FLOAT
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
        max_leaves=20,
    )
