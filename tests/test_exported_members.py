"""The public surface of ``cxops`` is exactly its sorted ``__all__``."""

import cxops


def test_all_is_sorted_and_complete() -> None:
    """Every public name is listed once, sorted, and importable; nothing public is unlisted."""
    names = cxops.__all__
    assert names == sorted(names)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(cxops, name), name
    public = {n for n in vars(cxops) if not n.startswith("_")} - {
        "errors",
        "logs",
        "safefile",
        "cli",
        "demo",
    }
    assert public <= set(names) | {
        "emulator",
        "model",
        "analysis",
        "transport",
        "pipelines",
        "store",
        "sinks",
        "vendors",
        "web",
    }
