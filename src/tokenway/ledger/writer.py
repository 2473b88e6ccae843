"""The ledger's background writer: batches rows from an in-memory queue into SQLite.

The event loop never touches SQLite. `Ledger.record()` appends the row to the journal (durable
against kill -9 from that moment) and to a `deque`; this thread wakes every `interval` seconds,
or sooner when `batch_rows` rows are queued or someone flushes, and commits everything queued in
ONE transaction. A tick:

1. `boundary(final)` — under the ledger's lock: seal the active journal segment if its second
   has passed (or unconditionally when stopping) and return the active segment's seq. Every row
   of a segment below the boundary is already in the queue (journal append and queue append
   happen under the same lock).
2. drain the queue, `INSERT OR IGNORE` the batch, commit.
3. only if the commit succeeded: `release(boundary)` deletes the sealed segments below it.

A failed commit (disk full, database locked for too long) keeps the batch and retries with
backoff; the segments stay on disk, so a crash meanwhile loses nothing. Rows SQLite cannot bind
are isolated one by one, logged and dropped, so one bad row cannot stall the ledger.
Retention pruning runs when the thread starts and then every `prune_interval` seconds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from tokenway.ledger import sqlite as store
from tokenway.ledger.row import UsageRow

MAX_BACKOFF_S = 5.0


class _Log(Protocol):
    def warning(self, event: str, **fields: object) -> None: ...
    def error(self, event: str, **fields: object) -> None: ...


class Writer(threading.Thread):
    def __init__(
        self,
        db_path: str,
        queue: deque[UsageRow],
        *,
        boundary: Callable[[bool], int],
        release: Callable[[int], None],
        log: _Log,
        full_sync: bool = False,
        interval: float = 0.1,
        retention_days: int = 400,
        prune_interval: float = 86_400.0,
    ) -> None:
        super().__init__(name="tokenway-ledger-writer", daemon=True)
        self.db_path = db_path
        self.queue = queue
        self.boundary = boundary
        self.release = release
        self.log = log
        self.full_sync = full_sync
        self.interval = interval
        self.retention_days = retention_days
        self.prune_interval = prune_interval
        self.wake = threading.Event()
        self.done = threading.Condition()
        self.committed = 0  # rows taken from the queue and committed (or dropped as unbindable)
        self.failures = 0
        self._stopping = threading.Event()
        self._pending: list[UsageRow] = []
        self._delay = interval
        self._next_prune = 0.0
        self._conn: sqlite3.Connection | None = None

    # --- control (other threads) ------------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.wake.set()
        self.join(timeout)

    def wait_committed(self, target: int, timeout: float) -> bool:
        with self.done:
            return self.done.wait_for(lambda: self.committed >= target, timeout)

    # --- the thread -------------------------------------------------------------------------

    def run(self) -> None:
        self._conn = store.connect(self.db_path, full_sync=self.full_sync)
        try:
            self._maybe_prune()
            while not self._stopping.is_set():
                self.wake.wait(self._delay)
                self.wake.clear()
                self._safe_tick(final=False)
            self._safe_tick(final=True)
        finally:
            self._conn.close()

    def _safe_tick(self, *, final: bool) -> None:
        try:
            self.tick(final=final)
        except Exception as e:  # never let the thread die: flush() would wait forever
            self.failures += 1
            self._delay = min(max(self._delay * 2, self.interval), MAX_BACKOFF_S)
            self.log.error("ledger_write_failed", error=repr(e), pending=len(self._pending))

    def tick(self, *, final: bool) -> None:
        boundary = self.boundary(final)
        pending = self._pending
        q = self.queue
        while q:
            pending.append(q.popleft())
        if pending:
            self._commit(pending)
            self._pending = []
            with self.done:
                self.committed += len(pending)
                self.done.notify_all()
        self._delay = self.interval
        self.release(boundary)
        self._maybe_prune()

    def _commit(self, batch: list[UsageRow]) -> None:
        assert self._conn is not None
        try:
            store.insert_rows(self._conn, map(store.row_values, batch))
        except sqlite3.OperationalError:
            raise  # transient (locked, disk full, I/O): keep the batch, retry
        except Exception:
            self._commit_one_by_one(batch)

    def _commit_one_by_one(self, batch: list[UsageRow]) -> None:
        assert self._conn is not None
        for row in batch:
            try:
                store.insert_rows(self._conn, [store.row_values_safe(row)])
            except sqlite3.OperationalError:
                raise
            except Exception as e:
                self.log.error("ledger_row_dropped", request_id=getattr(row, "request_id", None), error=repr(e))

    def _maybe_prune(self) -> None:
        now = time.time()
        if now < self._next_prune or self._conn is None:
            return
        self._next_prune = now + self.prune_interval
        try:
            store.prune(self._conn, now - self.retention_days * 86_400.0)
        except sqlite3.Error as e:
            self.log.warning("ledger_prune_failed", error=repr(e))
