"""Progress records (pipeline steps) cost few statements: batched begins, one-statement ends.

Issue #19: a paced export's durable overhead was mostly store round trips and, on PostgreSQL,
disk flushes. These count what reaches the database (SQLAlchemy's cursor events, and on
PostgreSQL whether the driver is in autocommit mode, that is whether it sent BEGIN and COMMIT
around the statement), so a change that adds a statement or a transaction per step fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text

from cxops.store import Store
from cxops.store.runs import BATCH

#: Statements that do a step's work (not the SQLite ``BEGIN IMMEDIATE`` nor a pool's ping).
_WORK = ("INSERT", "SELECT", "UPDATE")


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, bool]]]:
    """(statement's first word, driver in autocommit mode) for each statement the progress
    engine sends while the block runs."""
    seen: list[tuple[str, bool]] = []

    def listen(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        dbapi = conn.connection.dbapi_connection
        autocommit = bool(getattr(dbapi, "autocommit", False))
        seen.append((statement.split(None, 1)[0].upper(), autocommit))

    engine = store.progress_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _work(seen: list[tuple[str, bool]]) -> list[str]:
    return [s for s, _ in seen if s in _WORK]


def test_begin_many_is_one_statement_however_many_keys(store: Store) -> None:
    """Thirty steps begun together: one upsert, its own transaction (on PostgreSQL one round
    trip, no BEGIN or COMMIT); beginning them again restarts the ones that did not succeed in
    that same statement and reads the ones that did once; a step's end is one UPDATE."""
    run = store.runs.start("export")
    keys = [f"{run.id}:project:{i}" for i in range(30)]
    with _statements(store) as seen:
        started = store.steps.begin_many(run.id, "export.project", keys, with_cancel=True)
    assert list(started) == keys
    assert all(not s.done and s.step.attempt == 1 for s in started.values())
    assert all(s.step.status == "running" and s.cancel_requested is None for s in started.values())
    assert _work(seen) == ["INSERT"]
    if store.dialect == "postgresql":
        assert seen == [("INSERT", True)]  # its own transaction: no BEGIN or COMMIT round trip
    else:
        assert [s for s, _ in seen] == ["INSERT"]  # no BEGIN IMMEDIATE: autocommit
    store.steps.finish(keys[0], result={"n": 1})
    store.steps.finish(keys[1], status="failed", error="503")
    with _statements(store) as seen:
        again = store.steps.begin_many(run.id, "export.project", keys)
    assert _work(seen) == ["INSERT", "SELECT"]  # the one that succeeded is read back
    assert again[keys[0]].done and again[keys[0]].step.result == {"n": 1}
    assert again[keys[0]].step.attempt == 1 and again[keys[0]].step.status == "succeeded"
    assert not again[keys[1]].done and again[keys[1]].step.attempt == 2
    assert again[keys[1]].step.error is None and again[keys[1]].step.ended is None
    assert not again[keys[2]].done and again[keys[2]].step.attempt == 2  # left running: crashed
    stored = {s.key: s for s in store.steps.for_run(run.id)}
    assert stored[keys[0]].status == "succeeded" and stored[keys[0]].attempt == 1  # untouched
    assert stored[keys[1]].status == "running" and stored[keys[1]].error is None
    with _statements(store) as seen:
        fresh = store.steps.begin_many(run.id, "export.project", keys[2:])
    assert _work(seen) == ["INSERT"]  # none had succeeded: nothing to read
    assert all(s.step.attempt == 3 for s in fresh.values())
    with _statements(store) as seen:
        store.steps.finish(keys[2], result={"n": 3})
    assert _work(seen) == ["UPDATE"]
    if store.dialect == "postgresql":
        assert seen == [("UPDATE", True)]  # its own transaction: no BEGIN or COMMIT round trip
    else:
        assert [s for s, _ in seen] == ["UPDATE"]  # no BEGIN IMMEDIATE: autocommit


def test_begin_many_splits_past_a_batch(store: Store) -> None:
    """More keys than a statement binds: one upsert per batch, all in one transaction."""
    run = store.runs.start("export")
    keys = [f"{run.id}:k:{i}" for i in range(BATCH + 3)]
    with _statements(store) as seen:
        started = store.steps.begin_many(run.id, "export.project", keys)
    assert len(started) == BATCH + 3
    assert _work(seen) == ["INSERT", "INSERT"]
    if store.dialect == "postgresql":
        assert not any(autocommit for _, autocommit in seen)  # BEGIN ... COMMIT around them
    assert len(store.steps.for_run(run.id)) == BATCH + 3


def test_begin_many_reads_the_cancel_flag_once(store: Store) -> None:
    """``with_cancel``: every step started with the run's cancel request (returned by the
    upsert itself), and the ones that had succeeded with it too (read back)."""
    run = store.runs.start("export")
    done = f"{run.id}:done"
    store.steps.begin(run.id, "x", done)
    store.steps.finish(done, result={})
    store.runs.request_cancel(run.id)
    keys = [f"{run.id}:a", f"{run.id}:b"]
    with _statements(store) as seen:
        started = store.steps.begin_many(run.id, "x", keys, with_cancel=True)
    assert all(s.cancel_requested is not None for s in started.values())
    assert _work(seen) == ["INSERT"]
    again = store.steps.begin_many(run.id, "x", [done, *keys], with_cancel=True)
    assert again[done].done and again[done].cancel_requested is not None
    assert all(s.cancel_requested is not None for s in again.values())
    plain = store.steps.begin_many(run.id, "x", [f"{run.id}:c"])
    assert plain[f"{run.id}:c"].cancel_requested is None  # not asked for: not read


def test_progress_commits_without_a_flush_and_a_unit_of_work_does_not(store: Store) -> None:
    """On PostgreSQL steps' own transactions skip the WAL flush (``synchronous_commit`` off);
    the store's other transactions, and steps written inside a unit of work, keep it."""
    with store.progress() as s:
        progress = s.execute(text("SHOW synchronous_commit")).scalar_one() if _pg(store) else ""
    with store.session() as s:
        plain = s.execute(text("SHOW synchronous_commit")).scalar_one() if _pg(store) else ""
    with store.transaction() as tx, tx.progress() as s:
        in_tx = s.execute(text("SHOW synchronous_commit")).scalar_one() if _pg(store) else ""
    if _pg(store):
        assert (progress, plain, in_tx) == ("off", "on", "on")


def test_steps_in_a_unit_of_work_roll_back_with_it(store: Store) -> None:
    """A step begun and ended inside ``store.transaction()`` is gone when the block fails."""
    run = store.runs.start("export")
    key = f"{run.id}:finish"
    try:
        with store.transaction() as tx:
            tx.steps.begin(run.id, "export.finish", key)
            tx.steps.finish(key, result={"status": "succeeded"})
            tx.audit.append("cxops", "export.succeeded", run.id, {})
            raise RuntimeError("killed before the commit")
    except RuntimeError:
        pass
    assert store.steps.get(key) is None
    assert list(store.audit.iter()) == []


def _pg(store: Store) -> bool:
    return store.dialect == "postgresql"
