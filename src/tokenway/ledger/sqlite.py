"""The ledger's SQLite store: schema, batch insert, chargeback queries.

One table, `usage`, one row per call, `request_id` the primary key so that replaying a journal
segment twice is harmless (every insert is `INSERT OR IGNORE`). The database runs in WAL mode:
readers (reports, `/admin/usage`) never block the writer thread and vice versa.
`synchronous=NORMAL` (default): a committed batch survives a process crash (kill -9) but the
last batches may roll back on power loss; the journal segments are the safety net for that only
with `fsync: true`, which also switches SQLite to `synchronous=FULL` (the WAL is fsynced at each
batch commit, before the writer deletes the segments that the batch covered).

Every function takes a `sqlite3.Connection`; the caller owns it (one per thread).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any

import orjson

from tokenway.ledger.row import UsageRow

COLUMNS: tuple[str, ...] = UsageRow.columns()
BOOL_COLUMNS = frozenset({"stream", "estimated"})

# `by` dimension -> column
DIMENSIONS: dict[str, str] = {
    "org": "org",
    "team": "team",
    "user": "user",
    "key": "key_id",
    "model": "model",
    "target": "target",
    "end_user": "end_user",
}
# filter key -> column (the dimensions plus a few exact-match columns)
FILTERS: dict[str, str] = {
    **DIMENSIONS,
    "key_id": "key_id",
    "dialect": "dialect",
    "code": "code",
    "currency": "currency",
}

_SQL_TYPES = {"str": "TEXT", "float": "REAL", "int": "INTEGER", "bool": "INTEGER"}


def _q(name: str) -> str:
    return f'"{name}"'


def _column_type(name: str) -> str:
    """SQLite type from the dataclass annotation (a string under `from __future__ import annotations`)."""
    ann = str(UsageRow.__dataclass_fields__[name].type)
    base = ann.replace(" ", "").replace("|None", "").replace("None|", "")
    return _SQL_TYPES.get(base, "TEXT")


def _column_def(name: str) -> str:
    if name == "request_id":
        return f"{_q(name)} TEXT PRIMARY KEY"
    return f"{_q(name)} {_column_type(name)}"


SCHEMA = f"CREATE TABLE IF NOT EXISTS usage ({', '.join(_column_def(c) for c in COLUMNS)})"
INDEXES = (
    "CREATE INDEX IF NOT EXISTS usage_ts ON usage(ts)",
    "CREATE INDEX IF NOT EXISTS usage_team_ts ON usage(team, ts)",
    "CREATE INDEX IF NOT EXISTS usage_key_ts ON usage(key_id, ts)",
    "CREATE INDEX IF NOT EXISTS usage_model_ts ON usage(model, ts)",
)
INSERT = f"INSERT OR IGNORE INTO usage ({', '.join(_q(c) for c in COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"


def connect(db_path: str, *, full_sync: bool = False) -> sqlite3.Connection:
    """Open the database in autocommit mode (transactions are explicit), WAL, schema ensured.
    Columns added to UsageRow later are added to an existing table with ALTER TABLE."""
    conn = sqlite3.connect(db_path, timeout=10.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if full_sync else 'NORMAL'}")
    conn.execute(SCHEMA)
    have = {r[1] for r in conn.execute("PRAGMA table_info(usage)")}
    for col in COLUMNS:
        if col not in have:
            conn.execute(f"ALTER TABLE usage ADD COLUMN {_column_def(col)}")
    for ddl in INDEXES:
        conn.execute(ddl)
    return conn


_SCALARS = (str, int, float, type(None))


def _bindable(v: Any) -> Any:
    """SQLite binds str/int/float/bool/None; anything else (a dict in `guard`…) is stored as JSON."""
    return v if isinstance(v, _SCALARS) else orjson.dumps(v, default=str).decode()


row_values: Callable[[UsageRow], tuple[Any, ...]] = attrgetter(*COLUMNS)
"""The row as INSERT parameters (C speed: the writer thread holds the GIL as little as possible)."""


def row_values_safe(row: UsageRow) -> tuple[Any, ...]:
    """`row_values` with non-scalar values stored as JSON (fallback when binding failed)."""
    return tuple(_bindable(getattr(row, c)) for c in COLUMNS)


def dict_values(d: dict[str, Any]) -> tuple[Any, ...]:
    """Values of a journal line (unknown keys ignored, missing ones null)."""
    return tuple(_bindable(d.get(c)) for c in COLUMNS)


def insert_rows(conn: sqlite3.Connection, values: Iterable[tuple[Any, ...]]) -> int:
    """Insert in ONE transaction (INSERT OR IGNORE); returns rows actually inserted.
    On error the transaction is rolled back and the exception propagates."""
    before = conn.total_changes
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(INSERT, values)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return conn.total_changes - before


def prune(conn: sqlite3.Connection, before_ts: float) -> int:
    return conn.execute("DELETE FROM usage WHERE ts < ?", (before_ts,)).rowcount


# --- queries ---------------------------------------------------------------------------------

_SUMS = (
    "COUNT(*) AS requests, "
    "COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, "
    "COALESCE(SUM(completion_tokens), 0) AS completion_tokens, "
    "COALESCE(SUM(cached_tokens), 0) AS cached_tokens, "
    "COALESCE(SUM(cache_creation_tokens), 0) AS cache_creation_tokens, "
    "COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens, "
    "COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS total_tokens, "
    "SUM(cost) AS cost, "  # SQL SUM over only-NULLs is NULL: unknown stays unknown, never 0
    "COALESCE(SUM(cost IS NULL), 0) AS cost_unknown_rows, "
    "COALESCE(SUM(code IS NOT NULL OR status >= 400), 0) AS errors, "
    "COALESCE(SUM(estimated), 0) AS estimated_rows, "
    "COALESCE(SUM(cache = 'hit'), 0) AS cache_hits, "
    "SUM(cost_saved) AS cost_saved"
)


def _where(since: float, until: float | None, filters: dict[str, str] | None) -> tuple[str, list[Any]]:
    clauses = ["ts >= ?"]
    params: list[Any] = [since]
    if until is not None:
        clauses.append("ts < ?")
        params.append(until)
    for key, value in (filters or {}).items():
        col = FILTERS.get(key)
        if col is None:
            raise ValueError(f"unknown filter {key!r}; expected one of {sorted(FILTERS)}")
        clauses.append(f"{_q(col)} IS ?")
        params.append(value)
    return " AND ".join(clauses), params


def query_usage(
    conn: sqlite3.Connection,
    *,
    by: str,
    since: float,
    until: float | None = None,
    group_by_day: bool = True,
    filters: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    col = DIMENSIONS.get(by)
    if col is None:
        raise ValueError(f"unknown dimension {by!r}; expected one of {sorted(DIMENSIONS)}")
    where, params = _where(since, until, filters)
    keys = [f"{_q(col)} AS {_q(by)}"]
    group = [_q(by)]
    if group_by_day:
        keys.insert(0, "strftime('%Y-%m-%d', ts, 'unixepoch') AS day")
        group.insert(0, "day")
    sql = (
        f"SELECT {', '.join(keys)}, {_SUMS} FROM usage WHERE {where} "
        f"GROUP BY {', '.join(group)} ORDER BY {', '.join(group)}"
    )
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def totals(
    conn: sqlite3.Connection, since: float, until: float | None = None, filters: dict[str, str] | None = None
) -> dict[str, Any]:
    where, params = _where(since, until, filters)
    cur = conn.execute(f"SELECT {_SUMS} FROM usage WHERE {where}", params)
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def iter_rows(
    conn: sqlite3.Connection, since: float, until: float | None = None, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Rows oldest first (ties by request_id), booleans restored."""
    where, params = _where(since, until, None)
    sql = f"SELECT {', '.join(_q(c) for c in COLUMNS)} FROM usage WHERE {where} ORDER BY ts, request_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    cur = conn.execute(sql, params)
    while batch := cur.fetchmany(1000):
        for r in batch:
            d = dict(zip(COLUMNS, r, strict=True))
            for b in BOOL_COLUMNS:
                if d[b] is not None:
                    d[b] = bool(d[b])
            yield d


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def drift(conn: sqlite3.Connection, since: float, until: float | None = None) -> list[dict[str, Any]]:
    """Per model: calls that carried a pre-call estimate (and a vendor-reported count), mean and
    p95 (nearest rank) of (prompt_tokens - estimated_prompt_tokens) / estimated_prompt_tokens.
    Rows whose prompt_tokens were themselves estimated are excluded (drift would be ~0 by construction)."""
    where, params = _where(since, until, None)
    cur = conn.execute(
        "SELECT model, (prompt_tokens - estimated_prompt_tokens) * 1.0 / estimated_prompt_tokens AS d "
        f"FROM usage WHERE {where} AND estimated_prompt_tokens > 0 AND NOT estimated ORDER BY model, d",
        params,
    )
    out: list[dict[str, Any]] = []
    model: str | None = None
    values: list[float] = []

    def emit() -> None:
        if values:
            out.append(
                {"model": model, "calls": len(values), "mean": sum(values) / len(values), "p95": percentile(values, 95)}
            )

    for m, d in cur:
        if m != model:
            emit()
            model, values = m, []
        values.append(d)
    emit()
    return out
