"""Which cxops processes are alive: one liveness lock per executor, held for the process' life.

Every process that runs pipelines has its own DBOS executor id (``engine.executor_id``). While
it runs it holds a lock named by that id, which the operating system or the database releases
the moment the process dies (kill -9 included), with no timeout to wait for:

- SQLite store: ``flock`` on ``<store folder>/executors/<id>.lock`` (one host, as the file is);
- PostgreSQL store: a session advisory lock ``pg_advisory_lock(NAMESPACE, crc32(id))`` on a
  connection kept open for the process' life (any host that reaches the database).

:func:`alive` asks whether another executor's lock is held: a run whose executor is alive is
somebody else's, and is never taken over (issue #14: a second process used to recover the
first one's live run). Issue #17 (workers) builds on the same answer.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from cxops.errors import UsageError
from cxops.store import Store

__all__ = ["NAMESPACE", "WORKER_APP", "Liveness"]

#: The PostgreSQL ``application_name`` prefix of a worker's liveness session.
WORKER_APP = "cxops-worker:"

#: First key of cxops' executor advisory locks ("cxEx"); the second is crc32 of the id.
NAMESPACE = 0x63784578


def _key(executor: str, where: str = "") -> int:
    # ``where`` names the store (database and search_path): advisory locks are per server, and
    # a worker's id is stable, so two stores on one server must not share a worker's lock.
    return zlib.crc32(f"{where}|{executor}".encode()) - 2**31  # int4 range


class Liveness:
    """This process' liveness lock in one store, and the question about other executors."""

    def __init__(self, store: Store, url: URL, executor: str, *, worker: str | None = None) -> None:
        self.executor = executor
        self._store = store
        self._file: IO[bytes] | None = None
        self._conn: Connection | None = None
        self._folder: Path | None = None
        self._where = f"{url.database}?{url.query.get('options', '')}"
        if url.get_backend_name() == "sqlite":
            self._folder = Path(url.database or ".cxops/state.db").resolve().parent / "executors"
            self._folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self._folder / f"{executor}.lock", "wb")  # noqa: SIM115
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                self._file = None
                raise UsageError(
                    f"a worker with id {worker!r} is already running on this store",
                    hint="give this worker another --id",
                ) from None
        else:
            self._conn = store.engine.connect()
            args = {"a": NAMESPACE, "b": _key(executor, self._where)}
            if worker is None:
                self._conn.execute(text("SELECT pg_advisory_lock(:a, :b)"), args)
            else:
                # A worker's id is stable (issue #17): a second worker with the same id while
                # the first lives would run its workflows twice, so it is refused. The session's
                # application_name is how `cxops workers list` finds living workers.
                name = f"{WORKER_APP}{worker}"[:63]
                self._conn.execute(
                    text("SELECT set_config('application_name', :n, false)"), {"n": name}
                )
                got = self._conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), args).scalar()
                if not got:
                    self._conn.close()
                    self._conn = None
                    raise UsageError(
                        f"a worker with id {worker!r} is already running on this store",
                        hint="give this worker another --id",
                    )
            self._conn.commit()

    def alive(self, executor: str | None) -> bool:
        """True when ``executor``'s process holds its lock (this process counts as alive)."""
        if not executor:
            return False
        if executor == self.executor:
            return True
        if self._folder is not None:
            return self._file_held(self._folder / f"{executor}.lock")
        with self._store.engine.connect() as conn:
            args = {"a": NAMESPACE, "b": _key(executor, self._where)}
            got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), args).scalar()
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), args)
            conn.commit()
            return not got

    @staticmethod
    def _file_held(path: Path) -> bool:
        try:
            handle = open(path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
        path.unlink(missing_ok=True)  # a dead executor's file: tidy up
        return False

    def close(self) -> None:
        """Release the lock (end of the process' pipelines)."""
        if self._file is not None:
            path = Path(self._file.name)
            self._file.close()
            path.unlink(missing_ok=True)
            self._file = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def new_executor_id() -> str:
    """A fresh executor id for this process: host, pid and a random part (never reused)."""
    host = os.uname().nodename.split(".")[0][:24] or "host"
    return f"cxops-{host}-{os.getpid()}-{os.urandom(4).hex()}"
