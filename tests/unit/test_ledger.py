"""The usage ledger: journal-first durability (kill -9 replay), batched SQLite writes, chargeback
queries, retention, drift, and the report formatters."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tokenway.ledger import sqlite as store
from tokenway.ledger.ledger import Ledger, NullLedger, from_config
from tokenway.ledger.report import parse_since, to_csv, to_json, to_table
from tokenway.ledger.row import UsageRow

DAY = 86_400.0
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
BASE = TODAY - 3 * DAY  # three whole UTC days ago, 00:00
NEVER = 3600.0  # batch interval that never elapses during a test: only flush/batch size commit


def mk(i: int = 0, **kw: Any) -> UsageRow:
    base: dict[str, Any] = {
        "request_id": f"req-{i}",
        "ts": BASE + 60.0 * i,
        "org": "acme",
        "team": "search",
        "user": "ann",
        "key_id": "abcdef012345",
        "end_user": None,
        "model": "gpt-x",
        "target": "openai/gpt-x",
        "dialect": "openai",
        "stream": False,
        "status": 200,
        "code": None,
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "cached_tokens": 0,
        "cache_creation_tokens": 0,
        "reasoning_tokens": 0,
        "estimated": False,
        "estimated_prompt_tokens": None,
        "cost": 0.25,
        "currency": "USD",
        "latency_ms": 12.5,
        "ttft_ms": None,
        "attempts": 1,
    }
    base.update(kw)
    return UsageRow(**base)


@pytest.fixture
def make_ledger(tmp_path: Path) -> Iterator[Callable[..., Ledger]]:
    opened: list[Ledger] = []

    def make(**kw: Any) -> Ledger:
        kw.setdefault("path", str(tmp_path / "ledger"))
        led = Ledger(**kw)
        led.open()
        opened.append(led)
        return led

    yield make
    for led in opened:
        led.close()


def db_count(path: Path | str) -> int:
    conn = sqlite3.connect(os.path.join(path, "ledger.db"))
    try:
        return int(conn.execute("SELECT COUNT(*) FROM usage").fetchone()[0])
    finally:
        conn.close()


def segments(path: Path | str) -> list[str]:
    d = os.path.join(path, "journal")
    return sorted(n for n in os.listdir(d) if n.endswith(".jsonl"))


def wait_until(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


# --- recording and queries -------------------------------------------------------------------


def test_record_is_journaled_at_once_and_queryable_after_flush(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger(batch_interval=NEVER)
    rows = [
        mk(0),
        mk(1, prompt_tokens=7, completion_tokens=3, cached_tokens=2, reasoning_tokens=1, cache_creation_tokens=4),
        mk(2, status=502, code="upstream_error", cost=None, estimated=True, prompt_tokens=0, completion_tokens=0),
    ]
    for r in rows:
        led.record(r)
    # durable before SQLite: the journal already holds every row, SQLite none yet
    lines = [
        json.loads(line)
        for seg in segments(led.path)
        for line in Path(led.path, "journal", seg).read_text().splitlines()
    ]
    assert [x["request_id"] for x in lines] == ["req-0", "req-1", "req-2"]
    assert db_count(led.path) == 0

    led.flush()
    assert led.totals(0) == {
        "requests": 3,
        "prompt_tokens": 107,
        "completion_tokens": 23,
        "cached_tokens": 2,
        "cache_creation_tokens": 4,
        "reasoning_tokens": 1,
        "total_tokens": 130,
        "cost": 0.5,
        "cost_unknown_rows": 1,
        "errors": 1,
        "estimated_rows": 1,
        "cache_hits": 0,
        "cost_saved": None,
    }
    exported = list(led.rows(0))
    assert (
        exported[1]
        == mk(
            1, prompt_tokens=7, completion_tokens=3, cached_tokens=2, reasoning_tokens=1, cache_creation_tokens=4
        ).to_dict()
    )
    assert exported[2]["estimated"] is True and exported[2]["stream"] is False


DIMS = {
    "org": "org",
    "team": "team",
    "user": "user",
    "key": "key_id",
    "model": "model",
    "target": "target",
    "end_user": "end_user",
}


def _dataset() -> list[UsageRow]:
    rows = []
    for i in range(60):
        rows.append(
            mk(
                i,
                ts=BASE + (i % 3) * DAY + i * 7.0,
                org=["acme", "globex"][i % 2],
                team=["search", "ads", None][i % 3] if i % 5 else "ads",
                user=f"u{i % 4}",
                key_id=f"key{i % 5:09d}",
                end_user=[None, "cust-1", "cust-2"][i % 3 if i % 2 else 0],
                model=["gpt-x", "claude-y"][i % 2 if i % 7 else 1],
                target=["openai/gpt-x", "anthropic/claude-y", None][i % 3],
                prompt_tokens=10 + i,
                completion_tokens=i % 11,
                cached_tokens=i % 4,
                reasoning_tokens=i % 3,
                cost=None if i % 6 == 0 else 0.25 * (i % 5),
                status=429 if i % 13 == 0 else 200,
                code="rate_limited" if i % 13 == 0 else None,
                estimated=i % 9 == 0,
            )
        )
    return rows


def _expected(rows: list[UsageRow], by: str, per_day: bool) -> list[dict[str, Any]]:
    col = DIMS[by]
    groups: dict[tuple[Any, ...], list[UsageRow]] = defaultdict(list)
    for r in rows:
        day = datetime.fromtimestamp(r.ts, UTC).strftime("%Y-%m-%d")
        groups[(day, getattr(r, col)) if per_day else (getattr(r, col),)].append(r)
    out = []
    for key in sorted(groups, key=lambda k: tuple((0, "") if v is None else (1, v) for v in k)):
        g = groups[key]
        costs = [r.cost for r in g if r.cost is not None]
        d: dict[str, Any] = {"day": key[0]} if per_day else {}
        d[by] = key[-1]
        d.update(
            requests=len(g),
            prompt_tokens=sum(r.prompt_tokens for r in g),
            completion_tokens=sum(r.completion_tokens for r in g),
            cached_tokens=sum(r.cached_tokens for r in g),
            cache_creation_tokens=0,
            reasoning_tokens=sum(r.reasoning_tokens for r in g),
            total_tokens=sum(r.prompt_tokens + r.completion_tokens for r in g),
            cost=sum(costs) if costs else None,
            cost_unknown_rows=len(g) - len(costs),
            errors=sum(1 for r in g if r.code is not None),
            estimated_rows=sum(1 for r in g if r.estimated),
            cache_hits=sum(1 for r in g if r.cache == "hit"),
            cost_saved=None,
        )
        out.append(d)
    return out


@pytest.mark.parametrize("per_day", [True, False])
@pytest.mark.parametrize("by", list(DIMS))
def test_query_usage_exact_sums_per_dimension_and_day(
    make_ledger: Callable[..., Ledger], by: str, per_day: bool
) -> None:
    led = make_ledger()
    rows = _dataset()
    for r in rows:
        led.record(r)
    led.flush()
    got = led.query_usage(by=by, since=BASE, group_by_day=per_day)
    assert got == _expected(rows, by, per_day)
    assert sum(g["requests"] for g in got) == 60
    if per_day:
        assert {g["day"] for g in got} == {
            datetime.fromtimestamp(BASE + k * DAY, UTC).strftime("%Y-%m-%d") for k in range(3)
        }


def test_time_window_and_filters(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    rows = _dataset()
    for r in rows:
        led.record(r)
    led.flush()
    day1 = [r for r in rows if BASE + DAY <= r.ts < BASE + 2 * DAY]
    assert led.totals(BASE + DAY, BASE + 2 * DAY)["requests"] == len(day1)
    acme_ads = [r for r in rows if r.org == "acme" and r.team == "ads"]
    got = led.query_usage(by="model", since=0, group_by_day=False, filters={"org": "acme", "team": "ads"})
    assert sum(g["requests"] for g in got) == len(acme_ads) > 0
    assert led.totals(0, filters={"key": "key000000001"})["requests"] == sum(1 for r in rows if r.key_id.endswith("1"))
    with pytest.raises(ValueError, match="unknown filter"):
        led.totals(0, filters={"prompt_tokens": "1; DROP TABLE usage"})
    with pytest.raises(ValueError, match="unknown dimension"):
        led.query_usage(by="secret", since=0)


def test_cost_null_means_unknown_never_zero(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    led.record(mk(0, team="a", cost=None))
    led.record(mk(1, team="a", cost=None))
    led.record(mk(2, team="b", cost=None))
    led.record(mk(3, team="b", cost=1.5))
    led.record(mk(4, team="c", cost=0.0))
    led.flush()
    by_team = {g["team"]: g for g in led.query_usage(by="team", since=0, group_by_day=False)}
    assert by_team["a"]["cost"] is None and by_team["a"]["cost_unknown_rows"] == 2
    assert by_team["b"]["cost"] == 1.5 and by_team["b"]["cost_unknown_rows"] == 1
    assert by_team["c"]["cost"] == 0.0 and by_team["c"]["cost_unknown_rows"] == 0
    t = led.totals(0)
    assert t["cost"] == 1.5 and t["cost_unknown_rows"] == 3
    assert led.totals(0, filters={"team": "a"})["cost"] is None
    assert led.totals(BASE + 100 * DAY)["cost"] is None  # nothing at all: unknown, not 0


def test_rows_export_oldest_first_with_window_and_limit(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    for i in (5, 1, 4, 2, 3):
        led.record(mk(i))
    led.flush()
    assert [r["request_id"] for r in led.rows(0)] == ["req-1", "req-2", "req-3", "req-4", "req-5"]
    assert [r["request_id"] for r in led.rows(BASE + 120, BASE + 240)] == ["req-2", "req-3"]
    assert [r["request_id"] for r in led.rows(0, limit=2)] == ["req-1", "req-2"]


def test_duplicate_request_id_is_one_row(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    led.record(mk(1))
    led.record(mk(1, prompt_tokens=999))
    led.flush()
    assert led.totals(0)["requests"] == 1


def test_non_scalar_value_does_not_stall_the_writer(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    led.record(mk(0, guard={"pii": "redacted"}))  # type: ignore[arg-type]
    led.record(mk(1))
    led.flush()
    got = {r["request_id"]: r for r in led.rows(0)}
    assert json.loads(got["req-0"]["guard"]) == {"pii": "redacted"} and "req-1" in got


# --- the writer: batching, WAL, schema -------------------------------------------------------


def test_writer_commits_a_full_batch_without_waiting_for_the_interval(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger(batch_interval=NEVER, batch_rows=500)
    for i in range(499):
        led.record(mk(i))
    time.sleep(0.3)
    assert db_count(led.path) == 0
    led.record(mk(499))
    assert wait_until(lambda: db_count(led.path) == 500, 5.0)


def test_writer_commits_on_its_interval(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger(batch_interval=0.05)
    led.record(mk(0))
    assert wait_until(lambda: db_count(led.path) == 1, 5.0)


def test_sqlite_is_wal_with_the_query_indexes(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    conn = sqlite3.connect(led.db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        idx = {
            r[1]: [c[2] for c in conn.execute(f"PRAGMA index_info({r[1]})")]
            for r in conn.execute("PRAGMA index_list(usage)")
            if not r[1].startswith("sqlite_autoindex")
        }
        cols = [r[1] for r in conn.execute("PRAGMA table_info(usage)")]
        pk = [r[1] for r in conn.execute("PRAGMA table_info(usage)") if r[5]]
    finally:
        conn.close()
    assert sorted(idx.values()) == sorted([["ts"], ["team", "ts"], ["key_id", "ts"], ["model", "ts"]])
    assert cols == list(UsageRow.columns()) and pk == ["request_id"]


def test_flush_times_out_when_sqlite_fails_and_recovers(
    make_ledger: Callable[..., Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    led = make_ledger(batch_interval=NEVER, segment_rows=10)
    real = store.insert_rows

    def broken(*a: Any, **k: Any) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    for i in range(25):
        led.record(mk(i))
    first_three = segments(led.path)
    assert len(first_three) == 3  # rotation every segment_rows rows
    monkeypatch.setattr(store, "insert_rows", broken)
    with pytest.raises(TimeoutError):
        led.flush(timeout=0.5)
    # nothing committed, so no segment may be deleted: all 25 rows still on disk
    kept = segments(led.path)
    assert set(first_three) <= set(kept)
    assert sum(len(Path(led.path, "journal", s).read_text().splitlines()) for s in kept) == 25
    assert db_count(led.path) == 0

    monkeypatch.setattr(store, "insert_rows", real)
    led.flush(timeout=10)
    assert db_count(led.path) == 25
    assert wait_until(lambda: not set(first_three[:2]) & set(segments(led.path)), 5.0)  # sealed + committed: gone
    led.close()
    assert os.listdir(Path(led.path, "journal")) == []  # active segment and owner lock gone on close


# --- crash safety -----------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    from tokenway.ledger.ledger import Ledger
    from tokenway.ledger.row import UsageRow
    path, n, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "commit"
    led = Ledger(path, batch_interval=0.05 if commit else 3600, batch_rows=10**9, segment_rows=300)
    led.open()
    for i in range(n):
        led.record(UsageRow(f"crash-{i}", time.time(), "o", "t", "u", "k", None, "m", "p/m", "openai", False,
                            200, None, 10, 2, 0, 0, 0, False, 9, 0.25, "USD", 5.0, None, 1))
    if commit:
        led.flush()
    print("recorded", flush=True)
    time.sleep(60)
""")


def _record_and_kill(path: Path, n: int, mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(n), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == b"recorded", proc.stderr.read() if proc.stderr else b""
        proc.send_signal(signal.SIGKILL)  # no close(), no flush, no atexit
    finally:
        proc.kill()
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()


def test_kill_9_before_commit_replays_every_row_once(tmp_path: Path) -> None:
    n = 1000
    path = tmp_path / "ledger"
    _record_and_kill(path, n, "uncommitted")
    assert db_count(path) == 0  # SQLite never saw them: only the journal has them
    segs = segments(path)
    assert len(segs) >= 4  # 1000 rows / 300 per segment
    saved = {s: Path(path, "journal", s).read_bytes() for s in segs}

    led = Ledger(str(path))
    assert led.open() == n
    assert segments(path) == []  # replayed rows committed, segments deleted
    ids = [r["request_id"] for r in led.rows(0)]
    assert sorted(ids) == sorted(f"crash-{i}" for i in range(n))
    led.close()

    # the same segments replayed again (crash after commit, before delete): no duplicate
    for name, data in saved.items():
        Path(path, "journal", name).write_bytes(data)
    led = Ledger(str(path))
    assert led.open() == 0
    assert led.totals(0)["requests"] == n
    assert segments(path) == []
    led.close()


def test_kill_9_after_commit_keeps_rows_without_duplicates(tmp_path: Path) -> None:
    n = 500
    path = tmp_path / "ledger"
    _record_and_kill(path, n, "commit")
    assert db_count(path) == n
    led = Ledger(str(path))
    assert led.open() == 0  # the active segment's rows were already committed
    assert led.totals(0)["requests"] == n
    assert segments(path) == []
    led.close()


def test_torn_tail_after_power_loss_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ledger"
    (path / "journal").mkdir(parents=True)
    good = b"".join(json.dumps(mk(i).to_dict()).encode() + b"\n" for i in range(3))
    torn = b'{"request_id": "req-9", "ts"' + b"\0" * 64
    (path / "journal" / "4242-deadbeef.0000000000.jsonl").write_bytes(good + torn)
    led = Ledger(str(path))
    assert led.open() == 3
    assert [r["request_id"] for r in led.rows(0)] == ["req-0", "req-1", "req-2"]
    led.close()


def test_live_process_segments_are_not_replayed_by_another(make_ledger: Callable[..., Ledger]) -> None:
    a = make_ledger(batch_interval=NEVER)
    for i in range(5):
        a.record(mk(i))
    mine = segments(a.path)
    b = make_ledger(path=a.path)  # a second worker on the same directory
    assert segments(a.path) == mine  # a's live segment untouched
    assert b.totals(0)["requests"] == 0
    a.close()
    assert b.totals(0)["requests"] == 5 and segments(a.path) == []


# --- retention, drift ------------------------------------------------------------------------


def test_prune_deletes_rows_older_than_retention(make_ledger: Callable[..., Ledger]) -> None:
    now = time.time()
    led = make_ledger(retention_days=30)
    for i, age in enumerate([31, 45, 29, 1, 0]):
        led.record(mk(i, ts=now - age * DAY))
    led.flush()
    assert led.totals(0)["requests"] == 5
    assert led.prune() == 2
    assert sorted(r["request_id"] for r in led.rows(0)) == ["req-2", "req-3", "req-4"]
    assert led.prune() == 0


def test_writer_prunes_on_its_own_schedule(make_ledger: Callable[..., Ledger]) -> None:
    now = time.time()
    led = make_ledger(retention_days=30, batch_interval=0.05, prune_interval=0.1)
    led.record(mk(0, ts=now - 40 * DAY))
    led.record(mk(1, ts=now))
    assert wait_until(lambda: [r["request_id"] for r in led.rows(0)] == ["req-1"], 5.0)


def test_drift_mean_and_p95_per_model(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    pairs = [(110, 100), (90, 100), (150, 100), (100, 100)] + [(105, 100)] * 16  # 20 calls on gpt-x
    for i, (actual, est) in enumerate(pairs):
        led.record(mk(i, prompt_tokens=actual, estimated_prompt_tokens=est))
    led.record(mk(100, model="claude-y", prompt_tokens=80, estimated_prompt_tokens=100))
    led.record(mk(101, model="claude-y", prompt_tokens=60, estimated_prompt_tokens=None))  # no estimate
    led.record(mk(102, model="claude-y", prompt_tokens=500, estimated_prompt_tokens=100, estimated=True))
    led.record(mk(103, model="claude-y", prompt_tokens=500, estimated_prompt_tokens=0))
    led.flush()
    got = {d["model"]: d for d in led.drift(0)}
    ratios = sorted((a - e) / e for a, e in pairs)
    assert got["gpt-x"]["calls"] == 20
    assert got["gpt-x"]["mean"] == pytest.approx(sum(ratios) / 20)
    assert got["gpt-x"]["p95"] == pytest.approx(0.10)  # nearest rank: 19th of 20 sorted
    assert got["claude-y"] == {"model": "claude-y", "calls": 1, "mean": pytest.approx(-0.2), "p95": pytest.approx(-0.2)}


# --- the hot path ----------------------------------------------------------------------------


def test_record_costs_a_few_microseconds(make_ledger: Callable[..., Ledger]) -> None:
    led = make_ledger()
    rows = [mk(i) for i in range(10_000)]
    times = []
    clock = time.perf_counter_ns
    for r in rows:
        t0 = clock()
        led.record(r)
        times.append(clock() - t0)
    median_us = statistics.median(times) / 1000
    assert median_us < 50, f"record() median {median_us:.1f} µs"
    led.flush(timeout=30)
    assert led.totals(0)["requests"] == 10_000


def test_record_after_close_refuses(tmp_path: Path) -> None:
    led = Ledger(str(tmp_path / "l"))
    with pytest.raises(RuntimeError):
        led.record(mk(0))
    led.open()
    led.record(mk(0))
    led.close()
    with pytest.raises(RuntimeError):
        led.record(mk(1))
    assert db_count(tmp_path / "l") == 1  # close committed what was recorded


def test_null_ledger_and_from_config(tmp_path: Path) -> None:
    null = NullLedger()
    assert null.open() == 0
    null.record(mk(0))
    null.flush()
    assert null.query_usage(by="team", since=0) == [] and list(null.rows(0)) == []
    assert null.totals(0)["requests"] == 0 and null.totals(0)["cost"] is None
    assert null.prune() == 0 and null.drift(0) == []
    null.close()

    class Cfg:
        enabled, path, retention_days, fsync = True, str(tmp_path / "c"), 7, True

    led = from_config(Cfg())
    assert isinstance(led, Ledger) and led.fsync and led.retention_days == 7
    Cfg.enabled = False
    assert isinstance(from_config(Cfg()), NullLedger)


def test_fsync_mode_syncs_every_record(make_ledger: Callable[..., Ledger], monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real(fd))[1])
    led = make_ledger(fsync=True)
    for i in range(5):
        led.record(mk(i))
    assert len(synced) == 5
    led.flush()
    assert led.totals(0)["requests"] == 5
    assert led._writer is not None and led._writer._conn is not None
    assert led._writer._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


# --- report ----------------------------------------------------------------------------------


REPORT_ROWS = [
    {"team": "search", "requests": 12, "cost": 1.5, "ok": True},
    {"team": None, "requests": 3, "cost": None, "ok": False},
    {"team": "ads-and-more", "requests": 1200, "cost": 0.000125, "ok": True},
]


def test_to_table_aligns_columns() -> None:
    out = to_table(REPORT_ROWS, ["team", "requests", "cost"]).splitlines()
    assert out == [
        "team          requests  cost",
        "------------  --------  --------",
        "search              12       1.5",
        "-                    3         -",
        "ads-and-more      1200  0.000125",
    ]
    assert to_table([], ["team"]).splitlines() == ["team", "----"]


def test_to_csv_and_json() -> None:
    text = to_csv(REPORT_ROWS, ["team", "requests", "cost", "ok"])
    assert list(csv.reader(io.StringIO(text))) == [
        ["team", "requests", "cost", "ok"],
        ["search", "12", "1.5", "true"],
        ["", "3", "", "false"],
        ["ads-and-more", "1200", "0.000125", "true"],
    ]
    assert json.loads(to_json(REPORT_ROWS)) == REPORT_ROWS
    assert json.loads(to_json(REPORT_ROWS, indent=True)) == REPORT_ROWS


def test_parse_since() -> None:
    now = 1_800_000_000.0
    assert parse_since("30d", now=now) == now - 30 * DAY
    assert parse_since("12h", now=now) == now - 12 * 3600
    assert parse_since("90m", now=now) == now - 90 * 60
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC).timestamp()
    assert parse_since("2026-11-01T12:30:00Z") == datetime(2026, 11, 1, 12, 30, tzinfo=UTC).timestamp()
    assert parse_since("2026-11-01T12:30:00+02:00") == datetime(2026, 11, 1, 10, 30, tzinfo=UTC).timestamp()
    assert parse_since("2026-11-01 12:30") == datetime(2026, 11, 1, 12, 30, tzinfo=UTC).timestamp()
    assert parse_since("1700000000") == 1_700_000_000.0
    for bad in ("", "yesterday", "30x", "2026-13-01"):
        with pytest.raises(ValueError):
            parse_since(bad)


def test_row_roundtrip_through_journal_line(make_ledger: Callable[..., Ledger]) -> None:
    """What replay reads back equals what was recorded, field for field."""
    row = replace(mk(7), end_user="cust", ttft_ms=3.25, estimated_prompt_tokens=90, stream=True, cache="hit")
    assert store.dict_values(json.loads(json.dumps(row.to_dict()))) == store.row_values(row)
