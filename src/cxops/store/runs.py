"""Runs and their steps: start, finish, look up; steps recorded idempotently by key."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import Boolean, Row, bindparam, case, literal_column, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxops.errors import UsageError
from cxops.store.models import RunRow, StepRow, for_dialects, table_of
from cxops.store.records import Run, RunStatus, Step, StepStart, StepStatus
from cxops.store.scope import Scope, utcnow

__all__ = ["Runs", "Steps"]

_STEPS = table_of(StepRow)  # Core statements: one round trip, a true row count
_DONE = StepStatus.SUCCEEDED

#: Keys per statement of :meth:`Steps.begin_many` (SQLite binds at most 32,766 values).
BATCH = 500

#: Built once: a step's end is the hot path of every pipeline (compiled once, then cached).
_FINISH = (
    update(_STEPS)
    .where(_STEPS.c.key == bindparam("k"))
    .values(
        status=bindparam("status"),
        ended=bindparam("ended"),
        result=bindparam("result"),
        error=bindparam("error"),
    )
    .returning(*_STEPS.c)
)


_RUNS = table_of(RunRow)
#: The run's ``cancel_requested``, as a column of a step statement (by the step's ``run_id``:
#: no parameter of its own, so a batch of keys stays one statement). Written out because
#: SQLAlchemy does not correlate a subquery inside ``RETURNING``.
_CANCEL_FLAG = literal_column(
    f"(SELECT {_RUNS.name}.cancel_requested FROM {_RUNS.name} "
    f"WHERE {_RUNS.name}.id = {_STEPS.name}.run_id)",
    type_=_RUNS.c.cancel_requested.type,
).label("cancel_requested")


def _begin(insert: Any, with_cancel: bool) -> Any:
    """Steps.begin_many's statement: insert each key, or start the next attempt of a key that
    did not succeed (failed, or left running by a crash); a key that succeeded is left as it
    is and not returned. The rows begun come back, with the run's cancel flag when asked."""
    stmt = insert(_STEPS).values(
        run_id=bindparam("run_id"),
        name=bindparam("name"),
        key=bindparam("key"),
        status=StepStatus.RUNNING,
        started=bindparam("started"),
        attempt=1,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "attempt": _STEPS.c.attempt + 1,
            "status": StepStatus.RUNNING,
            "started": stmt.excluded.started,
            "ended": null(),  # SQL NULL, not a parameter: a batch stays one statement
            "error": null(),
        },
        where=_STEPS.c.status != _DONE,
    )
    return stmt.returning(*_STEPS.c, *([_CANCEL_FLAG] if with_cancel else []))


# Steps.begin_many's statements, by cancel flag and dialect; and the read of keys that had
# succeeded already (what a resumed run finds), with the cancel flag or without.
_BEGIN = {cancel: for_dialects(partial(_begin, with_cancel=cancel)) for cancel in (False, True)}
_READ = select(_STEPS).where(_STEPS.c.key.in_(bindparam("keys", expanding=True)))
_READ_CANCEL = select(*_STEPS.c, _CANCEL_FLAG).where(
    _STEPS.c.key.in_(bindparam("keys", expanding=True))
)


def _open(insert: Any) -> Any:
    """Runs.open's statement: the run's row, or a queued one made running (started now, its
    params replaced unless ``keep``); a run already running or ended is left as it is and not
    returned."""
    stmt = insert(_RUNS).values({c.name: bindparam(c.name, type_=c.type) for c in _RUNS.c})
    return stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "status": stmt.excluded.status,
            "started": stmt.excluded.started,
            "params": case(
                (bindparam("keep", type_=Boolean()), _RUNS.c.params), else_=stmt.excluded.params
            ),
        },
        where=_RUNS.c.status == RunStatus.QUEUED,
    ).returning(*_RUNS.c)


_OPEN = for_dialects(_open)
_END = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("rid"), _RUNS.c.status == RunStatus.RUNNING)
    .values(
        status=bindparam("status"),
        ended=bindparam("ended"),
        summary=bindparam("summary"),
        error=bindparam("error"),
    )
    .returning(*_RUNS.c)
)


_CANCEL_QUEUED = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("rid"), _RUNS.c.status == RunStatus.QUEUED)
    .values(
        status=RunStatus.CANCELLED,
        ended=bindparam("ended"),
        cancel_requested=bindparam("requested"),
        error=bindparam("error"),
    )
    .returning(*_RUNS.c)
)


def _run(row: RunRow | Row[Any]) -> Run:
    return Run(
        id=row.id,
        kind=row.kind,
        status=row.status,
        started=row.started,
        ended=row.ended,
        params=dict(row.params),
        summary=None if row.summary is None else dict(row.summary),
        error=row.error,
        cancel_requested=row.cancel_requested,
    )


def _step(row: StepRow | Row[Any]) -> Step:
    return Step(
        run_id=row.run_id,
        name=row.name,
        key=row.key,
        status=row.status,
        started=row.started,
        ended=row.ended,
        attempt=row.attempt,
        result=None if row.result is None else dict(row.result),
        error=row.error,
    )


def _row_values(run_id: str, kind: str, status: str, params: dict[str, Any]) -> dict[str, Any]:
    """A run's row as recorded when it is queued or started: started now, nothing else yet."""
    return {
        "id": run_id,
        "kind": kind,
        "status": status,
        "started": utcnow(),
        "ended": None,
        "params": params,
        "summary": None,
        "error": None,
        "cancel_requested": None,
    }


def _new_row(run_id: str, kind: str, status: str, params: dict[str, Any]) -> RunRow:
    """:func:`_row_values` as an ORM row."""
    return RunRow(**_row_values(run_id, kind, status, params))


def _start(
    s: Session,
    kind: str,
    params: dict[str, Any] | None,
    run_id: str | None,
    found: RunRow | None,
) -> Run:
    if found is not None and found.status == RunStatus.QUEUED:
        found.status, found.started = RunStatus.RUNNING, utcnow()
        found.params = params or found.params
        s.flush()
        return _run(found)
    if found is not None:
        s.expunge(found)  # the insert below is refused (IntegrityError): the id is taken
    row = _new_row(run_id or uuid.uuid4().hex, kind, RunStatus.RUNNING, params or {})
    s.add(row)
    s.flush()
    return _run(row)


class Runs:
    """The runs table: one row per command invocation (export, compile, promote, ...)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def start(
        self, kind: str, params: dict[str, Any] | None = None, *, run_id: str | None = None
    ) -> Run:
        """Record a new running run; ``run_id`` lets a workflow engine choose the id. A queued
        run with that id (:meth:`queue`) becomes running, started now."""
        with self._scope.session() as s:
            found = None if run_id is None else s.get(RunRow, run_id)
            return _start(s, kind, params, run_id, found)

    def open(self, kind: str, params: dict[str, Any], run_id: str) -> Run:
        """The run ``run_id`` as recorded, else started now (a workflow's first step: a replay
        finds it); a queued run becomes running (:meth:`start`). One transaction of one
        statement (an upsert that yields to a run already running or ended, which one read
        then returns)."""
        values = {**_row_values(run_id, kind, RunStatus.RUNNING, params), "keep": not params}
        with self._scope.connection() as conn:
            row = conn.execute(_OPEN[conn.dialect.name], values).one_or_none()
            if row is None:
                row = conn.execute(select(_RUNS).where(_RUNS.c.id == run_id)).one()
            return _run(row)

    def queue(self, kind: str, params: dict[str, Any], run_id: str) -> bool:
        """Record a run put on a shared queue (status ``queued``) unless a run with that id
        exists; True when recorded. :meth:`start` makes it running when a worker takes it."""
        with self._scope.session() as s:
            if s.get(RunRow, run_id) is not None:
                return False
            try:
                with s.begin_nested():
                    s.add(_new_row(run_id, kind, RunStatus.QUEUED, params))
            except IntegrityError:  # another enqueuer of the same request recorded it first
                return False
            return True

    def finish(
        self,
        run_id: str,
        status: str = RunStatus.SUCCEEDED,
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Run:
        """Mark a run ended with a final status, its summary (see docs/store.md) and error."""
        if status not in RunStatus.FINAL:
            raise ValueError(f"not a final run status: {status!r}")
        with self._scope.session() as s:
            row = s.get(RunRow, run_id)
            if row is None:
                raise UsageError(f"no run {run_id!r}", hint="see `cxops runs list`")
            row.status, row.ended, row.error = status, utcnow(), error
            if summary is not None:
                row.summary = summary
            s.flush()
            return _run(row)

    def end(
        self,
        run_id: str,
        status: str,
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Run | None:
        """End the run if it is running (one ``UPDATE ... RETURNING``): the run as ended, or
        None when it is not running (ended already, as a replayed workflow finds it, or
        queued) or does not exist. The summary replaces the stored one."""
        if status not in RunStatus.FINAL:
            raise ValueError(f"not a final run status: {status!r}")
        values = {"rid": run_id, "status": status, "ended": utcnow(), "summary": summary,
                  "error": error}  # fmt: skip
        with self._scope.connection() as conn:
            row = conn.execute(_END, values).one_or_none()
            return None if row is None else _run(row)

    def cancel_queued(self, run_id: str, error: str) -> Run | None:
        """Cancel a run still waiting on a shared queue (one ``UPDATE ... WHERE status =
        'queued'``): it ends ``cancelled`` with ``error`` and its cancel request, so a worker
        that takes it anyway finds it ended (:meth:`open` leaves it as it is) and its first
        step stops. None when it is not queued: a worker took it meanwhile, or it ended."""
        now = utcnow()
        values = {"rid": run_id, "ended": now, "requested": now, "error": error}
        with self._scope.connection() as conn:
            row = conn.execute(_CANCEL_QUEUED, values).one_or_none()
            return None if row is None else _run(row)

    def request_cancel(self, run_id: str) -> Run:
        """Ask a running run to stop (its process checks between steps); the first request's
        time is kept. A run that already ended is returned unchanged."""
        with self._scope.session() as s:
            row = s.get(RunRow, run_id)
            if row is None:
                raise UsageError(f"no run {run_id!r}", hint="see `cxops runs list`")
            if row.status == RunStatus.RUNNING and row.cancel_requested is None:
                row.cancel_requested = utcnow()
                s.flush()
            return _run(row)

    def get(self, run_id: str) -> Run | None:
        """The run with this exact id, or None."""
        with self._scope.session() as s:
            row = s.get(RunRow, run_id)
            return None if row is None else _run(row)

    def find(self, prefix: str) -> Run:
        """The run whose id is ``prefix``, else the one run whose id starts with it (as ``git``
        resolves short hashes). A promotion ``X`` and its rollback ``X-rollback`` share every
        prefix of ``X``: such a prefix names the promotion."""
        with self._scope.session() as s:
            exact = s.get(RunRow, prefix)
            if exact is not None:
                return _run(exact)
            rows = s.scalars(select(RunRow).where(RunRow.id.startswith(prefix)).limit(3)).all()
        if not rows:
            raise UsageError(f"no run matches {prefix!r}", hint="see `cxops runs list`")
        ids = {r.id for r in rows}
        if len(rows) == 2 and any(f"{i}-rollback" in ids for i in ids):
            # A promotion and its own rollback: the prefix names the promotion, whose
            # ``runs show`` links to the rollback.
            rows = [r for r in rows if not r.id.endswith("-rollback")]
        if len(rows) > 1:
            raise UsageError(f"{prefix!r} matches several runs", hint="give more of the id")
        return _run(rows[0])

    def list(
        self, *, kind: str | None = None, status: str | None = None, limit: int | None = 50
    ) -> list[Run]:
        """Runs, newest first, optionally filtered by kind and status."""
        query = select(RunRow).order_by(RunRow.started.desc(), RunRow.id)
        if kind:
            query = query.where(RunRow.kind == kind)
        if status:
            query = query.where(RunRow.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self._scope.session() as s:
            return [_run(r) for r in s.scalars(query)]


class Steps:
    """The steps table: each unit of work of a run, keyed for idempotence."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def begin(self, run_id: str, name: str, key: str, *, with_cancel: bool = False) -> StepStart:
        """Start the step with this idempotency key, unless it already succeeded.

        A key that succeeded before returns ``done=True`` and its stored result, untouched (so
        a resumed run skips it). A key that failed or was left running by a crash starts its
        next attempt (``attempt`` + 1). Keys are unique across all runs. ``with_cancel`` also
        reads whether ``cxops runs cancel`` asked the run to stop, in the same transaction.

        One statement, its own transaction (see :meth:`begin_many`).
        """
        return self.begin_many(run_id, name, [key], with_cancel=with_cancel)[key]

    def begin_many(
        self, run_id: str, name: str, keys: Sequence[str], *, with_cancel: bool = False
    ) -> dict[str, StepStart]:
        """:meth:`begin` for several steps of one run at once, by key.

        ONE statement per :data:`BATCH` keys, its own transaction (on PostgreSQL one round
        trip): an upsert that inserts each new key and starts the next attempt of each key
        that failed or was left running, returning the rows it began (with the run's cancel
        flag when asked for). Two writers never both insert one key: the second restarts it.
        Keys it does not return had succeeded already; one read fetches them (a resumed run).
        More than a batch of keys is one transaction.
        """
        keys = list(dict.fromkeys(keys))
        out: dict[str, StepStart] = {}
        if not keys:
            return out
        with self._scope.progress(atomic=len(keys) > BATCH) as conn:
            now = utcnow()
            begin = _BEGIN[with_cancel][conn.dialect.name]
            for i in range(0, len(keys), BATCH):
                chunk = keys[i : i + BATCH]
                rows = [{"run_id": run_id, "name": name, "key": k, "started": now} for k in chunk]
                for r in conn.execute(begin, rows):
                    cancelled = r.cancel_requested if with_cancel else None
                    out[r.key] = StepStart(_step(r), done=False, cancel_requested=cancelled)
                done = [k for k in chunk if k not in out]
                if done:
                    read = _READ_CANCEL if with_cancel else _READ
                    for r in conn.execute(read, {"keys": done}):
                        cancelled = r.cancel_requested if with_cancel else None
                        out[r.key] = StepStart(_step(r), done=True, cancel_requested=cancelled)
        return {k: out[k] for k in keys}

    def finish(
        self,
        key: str,
        *,
        status: str = StepStatus.SUCCEEDED,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Step:
        """End the current attempt of the step with this key (one ``UPDATE ... RETURNING``)."""
        if status not in StepStatus.FINAL:
            raise ValueError(f"not a final step status: {status!r}")
        with self._scope.progress(atomic=False) as conn:  # one statement
            params = {
                "k": key,
                "status": status,
                "ended": utcnow(),
                "result": result,
                "error": error,
            }
            row = conn.execute(_FINISH, params).one_or_none()
        if row is None:
            raise ValueError(f"no step with key {key!r}; call begin() first")
        return _step(row)

    def get(self, key: str) -> Step | None:
        """The step with this idempotency key, or None."""
        with self._scope.session() as s:
            row = s.scalars(select(StepRow).where(StepRow.key == key)).one_or_none()
            return None if row is None else _step(row)

    def for_run(self, run_id: str) -> list[Step]:
        """A run's steps in the order they were first begun."""
        with self._scope.session() as s:
            rows = s.scalars(select(StepRow).where(StepRow.run_id == run_id).order_by(StepRow.id))
            return [_step(r) for r in rows]

    def all(self) -> list[Step]:
        """Every step (for metrics), oldest first."""
        with self._scope.session() as s:
            return [_step(r) for r in s.scalars(select(StepRow).order_by(StepRow.id))]
