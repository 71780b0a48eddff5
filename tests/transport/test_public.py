"""The transport's public surface is its sorted ``__all__``, and every name imports."""

import cxops.transport as transport


def test_all_is_sorted_complete_and_importable() -> None:
    """__all__ is sorted (constants first, as ruff's RUF022), unique, importable, complete."""
    names = transport.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(transport, name), name
    modules = {
        "auth",
        "client",
        "eta",
        "factory",
        "jobs",
        "lifecycle",
        "paging",
        "poller",
        "profiles",
        "ratelimit",
        "retry",
        "settings",
        "urls",
        "vendor_errors",
    }
    public = {n for n in vars(transport) if not n.startswith("_")} - modules
    assert public == set(names)
