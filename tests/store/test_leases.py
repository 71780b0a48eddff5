"""Leases: one holder per name, fencing tokens that only grow, stale holders taken over."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cxops.store import Store


def test_one_holder_at_a_time_and_tokens_grow(store: Store) -> None:
    """A second holder is refused while the first runs; after release the token moves on."""
    a = store.runs.start("promote", run_id="run-a")
    b = store.runs.start("promote", run_id="run-b")
    first = store.leases.acquire("promote:prod", a.id)
    assert first.ok and first.token == 1
    assert store.leases.acquire("promote:prod", a.id) == first  # re-acquiring keeps the token
    refused = store.leases.acquire("promote:prod", b.id)
    assert not refused.ok and refused.holder == a.id
    assert not store.leases.release("promote:prod", b.id)  # not b's to release
    assert store.leases.release("promote:prod", a.id)
    second = store.leases.acquire("promote:prod", b.id)
    assert second.ok and second.token == 2
    assert store.leases.get("promote:prod") == second
    assert store.leases.release_all(b.id) == ["promote:prod"]
    freed = store.leases.get("promote:prod")
    assert freed is not None and not freed.ok and freed.holder is None and freed.token == 2


def test_a_lease_of_an_ended_run_is_taken_over(store: Store) -> None:
    """A holder whose run already ended (it never released) does not block the next one."""
    a = store.runs.start("promote", run_id="run-a")
    store.leases.acquire("promote:prod", a.id)
    store.runs.finish(a.id, "failed", error="crashed before releasing")
    b = store.runs.start("promote", run_id="run-b")
    grant = store.leases.acquire("promote:prod", b.id)
    assert grant.ok and grant.holder == b.id and grant.token == 2


def test_racing_acquirers_get_one_lease(store_url: str) -> None:
    """Eight threads with their own connections race for one new lease: exactly one wins."""
    with Store.open(store_url) as st:
        ids = [st.runs.start("promote", run_id=f"run-{n}").id for n in range(8)]

    def take(run_id: str) -> bool:
        with Store.open(store_url) as mine:
            return mine.leases.acquire("promote:race", run_id).ok

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(take, ids))
    assert won.count(True) == 1
