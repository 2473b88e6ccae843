"""The usage ledger facade: one durable row per call, off the hot path.

Durability design (see journal.py and writer.py for the details):

1. The gateway calls `record(row)` on the event loop just BEFORE writing the response's last
   byte. `record` serializes the row (orjson) and appends it to the journal with one `os.write`
   on an O_APPEND fd: from then on the row survives kill -9 (page cache). With `fsync=True`
   it is also fdatasync'ed: only that survives power loss / kernel panic.
2. The row is appended to an in-memory deque; a writer thread commits the queue to SQLite
   (WAL, synchronous=NORMAL, or FULL with fsync) every ~100 ms or 500 rows, in one transaction.
3. Journal segments rotate every second that had writes (or every 10,000 rows); the writer deletes
   a segment only once the loop has moved past it AND all its rows are committed.
4. `open()` replays the segments left by dead processes (INSERT OR IGNORE on request_id, so a
   segment replayed twice or already half-committed yields no duplicates), then deletes them.

`record` costs one orjson.dumps, one write(2), an uncontended lock and a deque append (a few µs);
it never waits for SQLite. `flush()` is for tests, the CLI and shutdown.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Protocol

import orjson

from tokenway.ledger import sqlite as store
from tokenway.ledger.journal import Journal
from tokenway.ledger.row import UsageRow
from tokenway.ledger.writer import Writer
from tokenway.telemetry.logs import Log

DB_FILE = "ledger.db"
JOURNAL_DIR = "journal"
REPLAY_CHUNK = 5_000
_DUMPS_OPTS = orjson.OPT_APPEND_NEWLINE


class _LedgerConfig(Protocol):
    enabled: bool
    path: str
    retention_days: int
    fsync: bool


class Ledger:
    enabled = True

    def __init__(
        self,
        path: str,
        *,
        fsync: bool = False,
        retention_days: int = 400,
        batch_interval: float = 0.1,
        batch_rows: int = 500,
        segment_rows: int = 10_000,
        prune_interval: float = 86_400.0,
        log: Log | None = None,
    ) -> None:
        self.path = path
        self.db_path = os.path.join(path, DB_FILE)
        self.fsync = fsync
        self.retention_days = retention_days
        self.batch_interval = batch_interval
        self.batch_rows = batch_rows
        self.prune_interval = prune_interval
        self.log = log or Log("warning", access_log=False)
        self.journal = Journal(os.path.join(path, JOURNAL_DIR), fsync=fsync, segment_rows=segment_rows)
        self._lock = threading.Lock()
        self._queue: deque[UsageRow] = deque()
        self._recorded = 0
        self._journal_errors = 0
        self._open = False
        self._writer: Writer | None = None

    # --- lifetime ---------------------------------------------------------------------------

    def open(self) -> int:
        """Create the directory, replay journal segments left by dead processes, start the
        writer thread. Returns the rows the replay inserted (rows already in SQLite don't count)."""
        if self._open:
            return 0
        os.makedirs(self.path, exist_ok=True)
        self.journal.acquire()
        replayed = self._replay()
        self._writer = Writer(
            self.db_path,
            self._queue,
            boundary=self._boundary,
            release=self._release,
            log=self.log,
            full_sync=self.fsync,
            interval=self.batch_interval,
            retention_days=self.retention_days,
            prune_interval=self.prune_interval,
        )
        self._writer.start()
        self._open = True
        return replayed

    def _replay(self) -> int:
        conn = store.connect(self.db_path, full_sync=self.fsync)
        inserted = lines = bad = segments = 0
        try:
            for leftover in self.journal.claim_leftovers():
                try:
                    for rows, n_bad in leftover.rows():
                        bad += n_bad
                        lines += len(rows)
                        for i in range(0, len(rows), REPLAY_CHUNK):
                            chunk = rows[i : i + REPLAY_CHUNK]
                            inserted += store.insert_rows(conn, [store.dict_values(r) for r in chunk])
                    segments += len(leftover.segments)
                    leftover.release(delete=True)  # committed: now the segments may go
                finally:
                    leftover.release(delete=False)  # on error keep the files for the next start
        finally:
            conn.close()
        if segments:
            self.log.warning("ledger_replayed", segments=segments, rows=lines, inserted=inserted, unreadable=bad)
        return inserted

    def close(self, timeout: float = 10.0) -> None:
        """Refuse new rows, commit everything queued, delete the committed segments, stop."""
        with self._lock:
            if not self._open:
                return
            self._open = False
        if self._writer is not None:
            self._writer.stop(timeout)  # its final tick seals the active segment and commits all
        with self._lock:
            self.journal.close()

    def __enter__(self) -> Ledger:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- hot path ---------------------------------------------------------------------------

    def record(self, row: UsageRow) -> None:
        """Make `row` durable (journal write) and queue it for SQLite. A few µs; never blocks on
        SQLite. Raises RuntimeError when the ledger is not open."""
        line = orjson.dumps(row, default=str, option=_DUMPS_OPTS)
        with self._lock:
            if not self._open:
                raise RuntimeError("ledger is not open")
            try:
                self.journal.append(line)
            except OSError as e:  # disk full…: keep serving, the row still reaches SQLite
                self._journal_errors += 1
                if self._journal_errors in (1, 10, 100) or self._journal_errors % 1000 == 0:
                    self.log.error("ledger_journal_write_failed", error=repr(e), count=self._journal_errors)
            self._queue.append(row)
            self._recorded += 1
        writer = self._writer
        if len(self._queue) >= self.batch_rows and writer is not None and not writer.wake.is_set():
            writer.wake.set()

    # --- writer callbacks (writer thread) ---------------------------------------------------

    def _boundary(self, final: bool) -> int:
        with self._lock:
            if final:
                self.journal.seal()
            else:
                self.journal.seal_stale()
            return self.journal.active

    def _release(self, boundary: int) -> None:
        with self._lock:
            paths = self.journal.take_sealed(boundary)
        for p in paths:
            with suppress(FileNotFoundError):
                os.unlink(p)

    # --- flush / stats ----------------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Block until every row recorded so far is committed to SQLite (TimeoutError if not)."""
        writer = self._writer
        if writer is None or not self._open:
            return
        with self._lock:
            target = self._recorded
        writer.wake.set()
        if not writer.wait_committed(target, timeout):
            raise TimeoutError(f"ledger: {target - writer.committed} rows not committed after {timeout}s")

    def stats(self) -> dict[str, int]:
        w = self._writer
        return {
            "recorded": self._recorded,
            "committed": w.committed if w else 0,
            "queued": len(self._queue),
            "journal_errors": self._journal_errors,
            "write_failures": w.failures if w else 0,
        }

    # --- queries (any thread; each opens its own connection — WAL readers never block the writer)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        os.makedirs(self.path, exist_ok=True)
        conn = store.connect(self.db_path)
        try:
            yield conn
        finally:
            conn.close()

    def query_usage(
        self,
        *,
        by: str,
        since: float,
        until: float | None = None,
        group_by_day: bool = True,
        filters: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Sums per `by` value (org|team|user|key|model|target|end_user), per UTC day if asked."""
        with self._read() as conn:
            return store.query_usage(conn, by=by, since=since, until=until, group_by_day=group_by_day, filters=filters)

    def totals(self, since: float, until: float | None = None, filters: dict[str, str] | None = None) -> dict[str, Any]:
        with self._read() as conn:
            return store.totals(conn, since, until, filters)

    def rows(self, since: float, until: float | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Every row in [since, until), oldest first (export)."""
        with self._read() as conn:
            yield from store.iter_rows(conn, since, until, limit)

    def prune(self) -> int:
        """Delete rows older than retention_days; returns how many."""
        with self._read() as conn:
            return store.prune(conn, time.time() - self.retention_days * 86_400.0)

    def drift(self, since: float, until: float | None = None) -> list[dict[str, Any]]:
        """Per model: calls with a pre-call estimate, mean and p95 of (actual - estimate) / estimate."""
        with self._read() as conn:
            return store.drift(conn, since, until)


EMPTY_TOTALS: dict[str, Any] = {
    "requests": 0,
    "prompt_tokens": 0,
    "completion_tokens": 0,
    "cached_tokens": 0,
    "cache_creation_tokens": 0,
    "reasoning_tokens": 0,
    "total_tokens": 0,
    "cost": None,
    "cost_unknown_rows": 0,
    "errors": 0,
    "estimated_rows": 0,
    "cache_hits": 0,
    "cost_saved": None,
}


class NullLedger:
    """The ledger when `ledger.enabled: false`: same methods, keeps nothing."""

    enabled = False

    def open(self) -> int:
        return 0

    def record(self, row: UsageRow) -> None:
        return None

    def flush(self, timeout: float = 5.0) -> None:
        return None

    def close(self, timeout: float = 10.0) -> None:
        return None

    def stats(self) -> dict[str, int]:
        return {"recorded": 0, "committed": 0, "queued": 0, "journal_errors": 0, "write_failures": 0}

    def query_usage(
        self,
        *,
        by: str,
        since: float,
        until: float | None = None,
        group_by_day: bool = True,
        filters: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        return []

    def totals(self, since: float, until: float | None = None, filters: dict[str, str] | None = None) -> dict[str, Any]:
        return dict(EMPTY_TOTALS)

    def rows(self, since: float, until: float | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        return iter(())

    def prune(self) -> int:
        return 0

    def drift(self, since: float, until: float | None = None) -> list[dict[str, Any]]:
        return []


def from_config(cfg: _LedgerConfig, log: Log | None = None) -> Ledger | NullLedger:
    """The ledger for a `config.schema.Ledger` section (not opened)."""
    if not cfg.enabled:
        return NullLedger()
    return Ledger(cfg.path, fsync=cfg.fsync, retention_days=cfg.retention_days, log=log)
