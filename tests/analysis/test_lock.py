"""cxops.lock: deterministic TOML with hashes and resolved versions; drift is named."""

from __future__ import annotations

from cxops.analysis.lock import build_lock, dumps_lock, loads_lock, lock_drift
from cxops.model.bundle import Bundle
from tests.analysis.bundles import bundle, flow, menu_flow, node


def _bundle(text: str = "hi") -> Bundle:
    user = flow(
        "user",
        [
            node(
                "start",
                properties={"text": text},
                refs=[{"kind": "prompt", "id": "p", "version": "^1.2"}],
            )
        ],
        [],
    )
    return Bundle.model_validate(
        bundle(
            [menu_flow(), user],
            [{"kind": "prompt", "id": "p", "name": "P", "versions": ["1.1.0", "1.4.0", "2.0.0"]}],
        )
    )


def test_lock_is_deterministic_and_round_trips() -> None:
    """The same content gives the same bytes; the text parses back to the same document."""
    one = dumps_lock(build_lock([_bundle()]))
    two = dumps_lock(build_lock([Bundle.model_validate(_bundle().model_dump())]))
    assert one == two
    assert loads_lock(one) == build_lock([_bundle()])


def test_lock_resolves_ranges_and_hashes_flows() -> None:
    """The dependency resolves to the highest published version in range; flows have hashes."""
    lock = build_lock([_bundle()])
    (dep,) = lock["dependency"]
    assert (dep["id"], dep["version"], dep["ranges"], dep["used_by"]) == (
        "p",
        "1.4.0",
        ["^1.2"],
        ["user"],
    )
    assert [f["id"] for f in lock["flow"]] == ["menu", "user"]
    assert all(f["hash"].startswith("sha256:") for f in lock["flow"])


def test_drift_names_what_changed() -> None:
    """A changed flow is reported with the field that moved; identical locks have no drift."""
    locked = build_lock([_bundle()])
    assert lock_drift(locked, build_lock([_bundle()])) == []
    drift = lock_drift(locked, build_lock([_bundle("hello")]))
    fields = {(d.table, d.key, d.field) for d in drift}
    assert ("flow", "cognigy/p1/user", "hash") in fields
    assert ("bundle", "cognigy/p1", "content_hash") in fields
