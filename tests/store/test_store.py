"""The store: opening, migrations, runs and idempotent steps, and all-or-nothing transactions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import event, inspect, text

from cxops.cli.main import main
from cxops.errors import ConfigError, UsageError
from cxops.store import RunStatus, Store, StoreError, resolve_url
from cxops.store.migrate import current_revision, head
from tests.store.fixtures import PG_DEFAULT, PgServer


def test_default_store_is_sqlite_file_in_working_folder(tmp_path: Path) -> None:
    """With no URL and no env, the store is .cxops/state.db here, created with its folder, WAL."""
    with Store.open() as store:
        assert store.dialect == "sqlite"
        assert (Path.cwd() / ".cxops" / "state.db").is_file()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_env_url_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CXOPS_STORE_URL chooses the store when no URL is given."""
    monkeypatch.setenv("CXOPS_STORE_URL", f"sqlite:///{tmp_path / 'env' / 's.db'}")
    with Store.open():
        assert (tmp_path / "env" / "s.db").is_file()


def test_postgres_urls_map_to_psycopg() -> None:
    """postgresql:// and postgres:// URLs use the psycopg 3 driver; other drivers are refused."""
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(ConfigError):
        resolve_url("postgresql+asyncpg://u@h/db")
    with pytest.raises(ConfigError):
        resolve_url("mysql://u@h/db")
    with pytest.raises(ConfigError):
        resolve_url("sqlite://")


def test_unreachable_postgres_is_a_config_error() -> None:
    """A store URL nobody answers at is a configuration error naming the URL, password hidden."""
    with pytest.raises(ConfigError) as info:
        Store.open("postgresql://u:hunter2@127.0.0.1:1/db?connect_timeout=2")
    assert "127.0.0.1:1" in info.value.message
    assert "hunter2" not in info.value.message


def _pg_url(server: PgServer, schema: str, user: str | None = None) -> str:
    if server.engine is None:
        pytest.skip(f"SKIPPING THE POSTGRESQL CASE: {server.reason}")
    base = os.environ.get("CXOPS_TEST_PG_URL", PG_DEFAULT)
    if user is not None:
        base = base.replace("postgresql://postgres@", f"postgresql://{user}@", 1)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def test_a_missing_postgres_schema_is_a_config_error(
    pg_admin: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A search_path naming no schema is the user's setting to fix (exit 2 with how), not a
    crash report; nothing is created anywhere."""
    schema = f"cxops_absent_{uuid.uuid4().hex[:8]}"
    url = _pg_url(pg_admin, schema)
    with pytest.raises(ConfigError) as info:
        Store.open(url)
    assert schema in info.value.message and "CREATE SCHEMA" in (info.value.hint or "")
    assert main(["runs", "list", "--store", url]) == 2
    assert "CREATE SCHEMA" in capsys.readouterr().err
    assert pg_admin.engine is not None
    with pg_admin.engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
        assert found.first() is None


def test_a_schema_the_role_may_not_create_in_is_a_config_error(pg_admin: PgServer) -> None:
    """A role without CREATE on the schema gets a config error that says to grant it."""
    if pg_admin.engine is None:
        pytest.skip(f"SKIPPING THE POSTGRESQL CASE: {pg_admin.reason}")
    tag = uuid.uuid4().hex[:8]
    role, schema = f"cxops_ro_{tag}", f"cxops_locked_{tag}"
    with pg_admin.engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
    try:
        url = _pg_url(pg_admin, schema, user=role)
        with pytest.raises(ConfigError) as info:
            Store.open(url)
        assert "grant it CREATE" in (info.value.hint or "")
    finally:
        with pg_admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP ROLE "{role}"'))


def test_open_migrates_to_head_and_reopens(store_url: str) -> None:
    """Opening creates every table at the newest revision; opening again changes nothing."""
    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head() == "0002"
        tables = set(inspect(store.engine).get_table_names())
        assert {"runs", "steps", "audit", "outbox", "outbox_deliveries", "leases"} <= tables
        store.runs.start("export")
    with Store.open(store_url) as again:
        assert len(again.runs.list()) == 1


def test_run_lifecycle(store: Store) -> None:
    """A run starts running and ends with a status, summary, error and a duration."""
    run = store.runs.start("export", {"vendor": "genesys"})
    assert run.status == RunStatus.RUNNING and run.ended is None and run.duration is None
    done = store.runs.finish(run.id, "failed", summary={"flows": 3}, error="boom")
    assert (done.status, done.summary, done.error) == ("failed", {"flows": 3}, "boom")
    assert done.duration is not None and done.duration >= 0
    assert store.runs.get(run.id) == done
    assert store.runs.find(run.id[:8]) == done
    assert store.runs.list(kind="export", status="failed") == [done]
    assert store.runs.list(kind="compile") == []
    with pytest.raises(UsageError):
        store.runs.find("nope")
    with pytest.raises(ValueError, match="final"):
        store.runs.finish(run.id, "running")


def test_find_prefers_the_exact_id(store: Store) -> None:
    """A promotion ``X`` and its rollback ``X-rollback``: ``X`` and any shorter prefix of it find
    the promotion (whose ``runs show`` links the rollback), ``X-`` the rollback; a prefix two
    unrelated runs share is ambiguous."""
    run = store.runs.start("promote", {}, run_id="3f2a0001")
    store.runs.start("rollback", {}, run_id=f"{run.id}-rollback")
    assert store.runs.find(run.id).kind == "promote"
    assert store.runs.find(f"{run.id}-").kind == "rollback"
    assert store.runs.find(run.id[:3]).id == run.id
    store.runs.start("export", {}, run_id="3f2a0002")
    with pytest.raises(UsageError, match="several"):
        store.runs.find(run.id[:3])


def test_caller_chosen_run_id(store: Store) -> None:
    """A workflow engine may choose the run id; a second start with it is refused."""
    store.runs.start("export", run_id="wf-1")
    assert store.runs.get("wf-1") is not None
    with pytest.raises(StoreError):
        store.runs.start("export", run_id="wf-1")


def test_steps_are_idempotent_by_key(store: Store) -> None:
    """A succeeded key is done (result kept); a failed or crashed one starts its next attempt."""
    run = store.runs.start("export")
    first = store.steps.begin(run.id, "export.flow", "k1")
    assert not first.done and first.step.attempt == 1
    store.steps.finish("k1", status="failed", error="503")
    second = store.steps.begin(run.id, "export.flow", "k1")
    assert not second.done and second.step.attempt == 2 and second.step.error is None
    # a crash leaves it running: the next begin is attempt 3
    third = store.steps.begin(run.id, "export.flow", "k1")
    assert third.step.attempt == 3
    store.steps.finish("k1", result={"sha": "abc"})
    again = store.steps.begin(run.id, "export.flow", "k1")
    assert again.done and again.step.result == {"sha": "abc"} and again.step.attempt == 3
    assert [s.key for s in store.steps.for_run(run.id)] == ["k1"]


def test_transaction_commits_everything_together(store: Store) -> None:
    """Run end, step, audit entry and outbox event written in one transaction are all there."""
    run = store.runs.start("export")
    store.outbox.register("http://127.0.0.1:9/hook", "HOOK_SECRET")
    with store.transaction() as tx:
        tx.steps.begin(run.id, "commit", "c1")
        tx.steps.finish("c1", result={"commit": "abc"})
        tx.audit.append("cli", "export.completed", run.id, {"flows": 2})
        event = tx.emit("flow.export.completed", {"run": run.id}, run_id=run.id)
        tx.finish_run(run.id, summary={"flows": 2})
    assert store.runs.get(run.id) is not None
    assert store.runs.find(run.id).status == "succeeded"
    assert store.outbox.get(event.id) is not None
    assert [d.event.id for d in store.outbox.deliveries(state="pending")] == [event.id]
    assert store.audit.count() == 1


@pytest.mark.parametrize("where", ["after-run", "after-step", "after-audit", "after-emit"])
def test_exception_in_transaction_leaves_nothing(store: Store, where: str) -> None:
    """An exception anywhere inside a transaction leaves no run, step, audit or outbox row."""
    store.outbox.register("http://127.0.0.1:9/hook", "HOOK_SECRET")

    def work() -> None:
        with store.transaction() as tx:
            run = tx.runs.start("export")
            if where == "after-run":
                raise RuntimeError(where)
            tx.steps.begin(run.id, "s", "k")
            if where == "after-step":
                raise RuntimeError(where)
            tx.audit.append("cli", "x", run.id)
            if where == "after-audit":
                raise RuntimeError(where)
            tx.emit("flow.export.completed", {}, run_id=run.id)
            raise RuntimeError(where)

    with pytest.raises(RuntimeError, match=where):
        work()
    assert store.runs.list() == []
    assert store.steps.all() == []
    assert store.audit.count() == 0
    assert store.outbox.events() == [] and store.outbox.deliveries() == []


def test_audit_table_refuses_updates_and_deletes(store: Store) -> None:
    """The database itself keeps the audit log append-only (triggers refuse UPDATE/DELETE)."""
    store.audit.append("a", "b", "c")
    for sql in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(StoreError), store.session() as s:
            s.execute(text(sql))
    assert store.audit.last() is not None and store.audit.last().actor == "a"  # type: ignore[union-attr]


def test_migrations_go_down_and_up(store_url: str) -> None:
    """The initial migration can be undone and redone (what a future revision relies on)."""
    from alembic import command

    from cxops.store.migrate import _config

    with Store.open(store_url) as store:
        with store.engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert current_revision(store.engine) is None
        assert "runs" not in inspect(store.engine).get_table_names()
    with Store.open(store_url) as again:
        assert current_revision(again.engine) == head()
        assert again.audit.append("a", "b", "c").seq == 1


def test_concurrent_begin_of_one_key_never_fails(store_url: str) -> None:
    """Two writers beginning the same key at once both proceed: attempts 1 and 2, one row."""
    import threading

    stores = [Store.open(store_url) for _ in range(2)]
    run = stores[0].runs.start("export")
    results: list[int] = []
    errors: list[BaseException] = []

    def begin(st: Store, key: str, gate: threading.Barrier) -> None:
        try:
            gate.wait()
            results.append(st.steps.begin(run.id, "export.flow", key).step.attempt)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    try:
        for i in range(8):
            gate = threading.Barrier(2)
            threads = [threading.Thread(target=begin, args=(st, f"k{i}", gate)) for st in stores]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert errors == []
        assert sorted(results) == [1] * 8 + [2] * 8
        assert len(stores[0].steps.for_run(run.id)) == 8
    finally:
        for st in stores:
            st.close()


def test_emitting_a_known_event_id_changes_nothing(store: Store) -> None:
    """A resumed step re-emitting its deterministic event id gets the stored event, no new row."""
    store.outbox.register("http://127.0.0.1:9/hook", "HOOK_SECRET")
    with store.transaction() as tx:
        first = tx.emit("flow.export.completed", {"n": 1}, event_id="msg_run1_done")
    with store.transaction() as tx:
        again = tx.emit("flow.export.completed", {"n": 2}, event_id="msg_run1_done")
    assert again == first and again.payload == {"n": 1}
    assert len(store.outbox.events()) == 1 and len(store.outbox.deliveries()) == 1


def test_an_event_gets_one_pending_delivery_per_enabled_endpoint(store: Store) -> None:
    """Each endpoint enabled when the event is added gets a pending delivery, due now; a
    disabled one gets none."""
    store.outbox.register("http://127.0.0.1:9/a", "HOOK_A")
    store.outbox.register("http://127.0.0.1:9/b", "HOOK_B")
    gone = store.outbox.register("http://127.0.0.1:9/c", "HOOK_C")
    store.outbox.disable(gone.id, "410 Gone")
    event = store.outbox.add("flow.export.completed", {"n": 1})
    deliveries = store.outbox.deliveries()
    assert sorted(d.endpoint.url for d in deliveries) == [
        "http://127.0.0.1:9/a",
        "http://127.0.0.1:9/b",
    ]
    assert all(d.event.id == event.id and d.state == "pending" for d in deliveries)
    assert all(d.attempts == 0 and d.next_attempt == event.created for d in deliveries)
    assert event.created.tzinfo is not None and store.outbox.get(event.id) == event


def _statements_on(store: Store) -> Any:
    """The statements (first word) the store engine sends while the block runs."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    @contextmanager
    def block() -> Iterator[list[str]]:
        event.listen(store.engine, "before_cursor_execute", listen)
        try:
            yield seen
        finally:
            event.remove(store.engine, "before_cursor_execute", listen)

    return block()


def test_open_starts_a_run_takes_a_queued_one_or_finds_it(store: Store) -> None:
    """``runs.open`` (a workflow's first step): a new id starts running; a queued run becomes
    running, started now, with the workflow's params (its own kept when none are given); a run
    already running or ended is returned as it is. One statement, a read only for the last."""
    with _statements_on(store) as seen:
        fresh = store.runs.open("export", {"p": 1}, "new-1")
    assert (fresh.id, fresh.kind, fresh.status, fresh.params) == (
        "new-1",
        "export",
        "running",
        {"p": 1},
    )
    assert [s for s in seen if s in ("INSERT", "SELECT", "UPDATE")] == ["INSERT"]
    assert store.runs.get("new-1") == fresh

    assert store.runs.queue("export", {"q": 1}, "queued-1")
    queued = store.runs.get("queued-1")
    assert queued is not None and queued.status == "queued"
    taken = store.runs.open("export", {"p": 2}, "queued-1")
    assert (taken.status, taken.params) == ("running", {"p": 2})
    assert taken.started >= queued.started and taken.ended is None

    assert store.runs.queue("export", {"q": 3}, "queued-2")
    assert store.runs.open("export", {}, "queued-2").params == {"q": 3}  # none given: kept

    with _statements_on(store) as seen:
        again = store.runs.open("export", {"p": 9}, "new-1")
    assert again == fresh  # running: untouched, not restarted
    assert [s for s in seen if s in ("INSERT", "SELECT", "UPDATE")] == ["INSERT", "SELECT"]
    ended = store.runs.finish("new-1", "succeeded", summary={"n": 1})
    assert store.runs.open("export", {"p": 9}, "new-1") == ended


def test_end_ends_only_a_running_run(store: Store) -> None:
    """``runs.end`` (a workflow's last step): a running run ends with its status, summary and
    error; a run that ended already, a queued one and an unknown id are left alone (None)."""
    run = store.runs.start("export", {"p": 1})
    done = store.runs.end(run.id, "partial", summary={"ok": 2}, error="one failed")
    assert done is not None
    assert (done.status, done.summary, done.error) == ("partial", {"ok": 2}, "one failed")
    assert done.ended is not None and store.runs.get(run.id) == done
    assert store.runs.end(run.id, "succeeded", summary={"ok": 3}) is None
    assert store.runs.get(run.id) == done  # the first end stands
    assert store.runs.queue("export", {}, "waiting")
    assert store.runs.end("waiting", "failed") is None
    waiting = store.runs.get("waiting")
    assert waiting is not None and waiting.status == "queued"
    assert store.runs.end("nobody", "failed") is None
    with pytest.raises(ValueError, match="final"):
        store.runs.end(run.id, "running")


def test_a_queued_run_cancelled_stays_cancelled_when_a_worker_opens_it(store: Store) -> None:
    """``runs.cancel_queued`` ends a queued run at once; a worker that opens it anyway gets it
    as it is (not restarted) and its first cancellable step sees the cancel request. A run a
    worker took already is not a queued one: left alone (None)."""
    assert store.runs.queue("export", {"p": 1}, "q-1")
    stopped = store.runs.cancel_queued("q-1", "cancelled before a worker took it")
    assert stopped is not None and stopped.status == "cancelled"
    assert stopped.ended is not None and stopped.cancel_requested is not None
    assert stopped.error == "cancelled before a worker took it"
    assert store.runs.open("export", {"p": 1}, "q-1") == stopped
    first = store.steps.begin("q-1", "export.plan", "q-1:plan", with_cancel=True)
    assert first.cancel_requested == stopped.cancel_requested
    assert store.runs.cancel_queued("q-1", "again") is None  # ended: nothing to cancel
    assert store.runs.get("q-1") == stopped
    assert store.runs.queue("export", {}, "q-2")
    store.runs.open("export", {"p": 2}, "q-2")  # a worker took it
    assert store.runs.cancel_queued("q-2", "too late") is None
    taken = store.runs.get("q-2")
    assert taken is not None and taken.status == "running" and taken.cancel_requested is None
    assert store.runs.cancel_queued("nobody", "none") is None
