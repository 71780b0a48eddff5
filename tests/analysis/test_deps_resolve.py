"""``analysis.deps.resolve``: the highest published version in semver order."""

from __future__ import annotations

from cxops.analysis.deps import resolve


def test_resolve_picks_the_highest_of_several_versions() -> None:
    """Three and more candidates are ordered by semver (``SemVer`` has no ``>``: issue #14)."""
    assert resolve(["1.0", "1.10.0", "1.2.0", "2.0.0"], ["^1.0.0"]) == "1.10.0"
    assert resolve(["1.0", "1.2.0"], [">=3"]) is None
