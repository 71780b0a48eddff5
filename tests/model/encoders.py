"""The two fast paths to RFC 8785 bytes, for tests that run against each (``encode``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cxops.model.canonical_fast import compiled_canonical_bytes, numpy_canonical_bytes

Encoder = Callable[[Any], bytes | None]

ENCODERS = [
    pytest.param(
        compiled_canonical_bytes,
        id="compiled",
        # where it is not built, test_the_compiled_path_is_installed fails and these skip
        marks=pytest.mark.skipif(compiled_canonical_bytes is None, reason="_jcs not built"),
    ),
    pytest.param(numpy_canonical_bytes, id="numpy"),
]
#: Runs a test taking ``encode`` once with the C encoder and once with the numpy path.
both_paths = pytest.mark.parametrize("encode", ENCODERS)
