"""Runs and their steps: start, finish, look up; steps recorded idempotently by key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from cxops.errors import UsageError
from cxops.store.models import RunRow, StepRow
from cxops.store.records import Run, RunStatus, Step, StepStart, StepStatus
from cxops.store.scope import Scope, utcnow

__all__ = ["Runs", "Steps"]

_STEPS = cast(Table, StepRow.__table__)  # Core statements: one round trip, a true row count


def _run(row: RunRow) -> Run:
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


def _step(row: StepRow) -> Step:
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


class Runs:
    """The runs table: one row per command invocation (export, compile, promote, ...)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def start(
        self, kind: str, params: dict[str, Any] | None = None, *, run_id: str | None = None
    ) -> Run:
        """Record a new running run; ``run_id`` lets a workflow engine choose the id. A queued
        run with that id (:meth:`queue`) becomes running, started now."""
        if run_id is not None:
            with self._scope.session() as s:
                queued = s.get(RunRow, run_id)
                if queued is not None and queued.status == RunStatus.QUEUED:
                    queued.status, queued.started = RunStatus.RUNNING, utcnow()
                    queued.params = params or queued.params
                    s.flush()
                    return _run(queued)
        row = RunRow(
            id=run_id or uuid.uuid4().hex,
            kind=kind,
            status=RunStatus.RUNNING,
            started=utcnow(),
            ended=None,
            params=params or {},
            summary=None,
            error=None,
            cancel_requested=None,
        )
        with self._scope.session() as s:
            s.add(row)
            s.flush()
            return _run(row)

    def queue(self, kind: str, params: dict[str, Any], run_id: str) -> bool:
        """Record a run put on a shared queue (status ``queued``) unless a run with that id
        exists; True when recorded. :meth:`start` makes it running when a worker takes it."""
        with self._scope.session() as s:
            if s.get(RunRow, run_id) is not None:
                return False
            try:
                with s.begin_nested():
                    s.add(
                        RunRow(
                            id=run_id,
                            kind=kind,
                            status=RunStatus.QUEUED,
                            started=utcnow(),
                            ended=None,
                            params=params,
                            summary=None,
                            error=None,
                            cancel_requested=None,
                        )
                    )
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

        One transaction of at most three statements: an insert that yields to a key already
        there (``ON CONFLICT DO NOTHING``, so two writers never both start it), the row read
        back, and for a later attempt its update.
        """
        with self._scope.session() as s:
            now = utcnow()
            dialect = s.get_bind().dialect.name
            insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(_STEPS)
            first = s.execute(
                insert.values(
                    run_id=run_id,
                    name=name,
                    key=key,
                    status=StepStatus.RUNNING,
                    started=now,
                    attempt=1,
                )
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(_STEPS.c.id)
            ).first()
            cancelled: datetime | None = None
            if with_cancel:
                cancel = select(RunRow.cancel_requested).where(RunRow.id == run_id)
                found = s.execute(
                    select(StepRow, cancel.scalar_subquery()).where(StepRow.key == key)
                ).one()
                row, cancelled = found[0], found[1]
            else:
                row = s.scalars(select(StepRow).where(StepRow.key == key)).one()
            if first is not None:
                return StepStart(_step(row), done=False, cancel_requested=cancelled)
            if row.status == StepStatus.SUCCEEDED:
                return StepStart(_step(row), done=True, cancel_requested=cancelled)
            row.attempt += 1
            row.status, row.started, row.ended, row.error = StepStatus.RUNNING, now, None, None
            s.flush()
            return StepStart(_step(row), done=False, cancel_requested=cancelled)

    def finish(
        self,
        key: str,
        *,
        status: str = StepStatus.SUCCEEDED,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Step:
        """End the current attempt of the step with this key."""
        if status not in StepStatus.FINAL:
            raise ValueError(f"not a final step status: {status!r}")
        with self._scope.session() as s:  # one UPDATE ... RETURNING
            row = s.scalars(
                update(StepRow)
                .where(StepRow.key == key)
                .values(status=status, ended=utcnow(), result=result, error=error)
                .returning(StepRow)
            ).one_or_none()
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
