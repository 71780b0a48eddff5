"""Named leases with fencing tokens: at most one holder per name, on SQLite and PostgreSQL.

A lease row is never deleted: releasing clears its holder and keeps its token, so the token of
every acquisition is larger than any before it (a fencing token: a holder that lost its lease
can tell, because the row's token moved on). Acquiring locks the row (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serializes every store transaction).

A lease whose holder is a run that already ended (a run that crashed before it could release,
in an older cxops) is stale and is taken over.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cxops.store.models import LeaseRow, RunRow
from cxops.store.records import RunStatus
from cxops.store.scope import Scope, utcnow

__all__ = ["Grant", "Leases"]


@dataclass(frozen=True)
class Grant:
    """The answer to an acquire: ``held`` by ``holder`` with ``token`` (ours when ``ok``)."""

    ok: bool
    holder: str | None
    token: int


class Leases:
    """The leases table (see the module doc)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def acquire(self, name: str, holder: str) -> Grant:
        """Take ``name`` for ``holder`` unless another live holder has it. Re-acquiring a lease
        one already holds keeps its token (a resumed run keeps its lease)."""
        with self._scope.session() as s:
            row = s.scalars(select(LeaseRow).where(LeaseRow.name == name).with_for_update()).first()
            if row is None:
                try:
                    with s.begin_nested():
                        row = LeaseRow(name=name, holder=holder, token=1, acquired=utcnow())
                        s.add(row)
                    return Grant(True, holder, 1)
                except IntegrityError:  # another writer created it first (PostgreSQL)
                    row = s.scalars(
                        select(LeaseRow).where(LeaseRow.name == name).with_for_update()
                    ).one()
            if row.holder == holder:
                return Grant(True, holder, row.token)
            if row.holder is not None:
                run = s.get(RunRow, row.holder)
                if run is not None and run.status == RunStatus.RUNNING:
                    return Grant(False, row.holder, row.token)
            row.holder, row.token, row.acquired = holder, row.token + 1, utcnow()
            s.flush()
            return Grant(True, holder, row.token)

    def release(self, name: str, holder: str) -> bool:
        """Give ``name`` up if ``holder`` holds it; True when it did."""
        with self._scope.session() as s:
            row = s.scalars(select(LeaseRow).where(LeaseRow.name == name).with_for_update()).first()
            if row is None or row.holder != holder:
                return False
            row.holder, row.acquired = None, None
            s.flush()
            return True

    def release_all(self, holder: str) -> list[str]:
        """Give up every lease ``holder`` holds (a run ending); the names released."""
        with self._scope.session() as s:
            rows = s.scalars(select(LeaseRow).where(LeaseRow.holder == holder)).all()
            for row in rows:
                row.holder, row.acquired = None, None
            s.flush()
            return [r.name for r in rows]

    def get(self, name: str) -> Grant | None:
        """Who holds ``name`` now (``holder`` None when free), or None for a lease never taken."""
        with self._scope.session() as s:
            row = s.get(LeaseRow, name)
            return None if row is None else Grant(row.holder is not None, row.holder, row.token)
