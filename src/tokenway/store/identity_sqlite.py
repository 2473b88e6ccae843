"""The identity store: orgs, teams, users, keys and their budgets/limits made through the admin API.

One SQLite file (WAL), shared by every worker process. Every change bumps ``meta.version`` in the
same transaction, so a worker polls one integer to learn that its in-memory key table is stale.

Calls are synchronous and small: callers on the event loop run them with ``asyncio.to_thread``.
Budgets and limits are the config's pydantic models, stored as JSON and validated on the way out.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokenway.config.schema import Budget, Limits

KINDS = ("orgs", "teams", "users", "keys")

# per table: the columns besides the common id/budgets/limits/created_at
_FIELDS: dict[str, tuple[str, ...]] = {
    "orgs": ("name",),
    "teams": ("org", "name"),
    "users": ("team", "org", "email"),
    "keys": ("name", "hash", "prefix", "user", "team", "models", "allow_end_user", "status", "revoked_at",
             "rotated_from", "expires_at"),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (k, v) VALUES ('version', 0), ('schema', 1);
CREATE TABLE IF NOT EXISTS orgs (
  id TEXT PRIMARY KEY, name TEXT,
  budgets TEXT NOT NULL DEFAULT '[]', limits TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY, org TEXT, name TEXT,
  budgets TEXT NOT NULL DEFAULT '[]', limits TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, team TEXT, org TEXT, email TEXT,
  budgets TEXT NOT NULL DEFAULT '[]', limits TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
  id TEXT PRIMARY KEY, name TEXT, hash TEXT NOT NULL UNIQUE, prefix TEXT,
  user TEXT, team TEXT, models TEXT NOT NULL DEFAULT '["*"]', allow_end_user INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active', revoked_at REAL, rotated_from TEXT, expires_at REAL,
  budgets TEXT NOT NULL DEFAULT '[]', limits TEXT, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS teams_org ON teams (org);
CREATE INDEX IF NOT EXISTS users_team ON users (team);
CREATE INDEX IF NOT EXISTS keys_user ON keys (user);
CREATE INDEX IF NOT EXISTS keys_team ON keys (team);
"""


class StoreConflict(Exception):
    """A write that would break a rule: an id already taken, an entity still referenced."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class Snapshot:
    """Every row, read in one transaction, with the version it reflects."""

    version: int
    orgs: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)


class IdentityStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # autocommit mode; writes take BEGIN IMMEDIATE so two processes never deadlock on upgrade
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._tx(bump=False) as db:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _tx(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                if bump:
                    db.execute("UPDATE meta SET v = v + 1 WHERE k = 'version'")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ reads
    def version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()
        return int(row[0]) if row else 0

    def snapshot(self) -> Snapshot:
        with self._lock:
            db = self._db
            db.execute("BEGIN")
            try:
                snap = Snapshot(int(db.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()[0]))
                for kind in KINDS:
                    rows = db.execute(f"SELECT * FROM {kind} ORDER BY created_at, id").fetchall()
                    getattr(snap, kind).extend(_decode(kind, r) for r in rows)
            finally:
                db.execute("COMMIT")
        return snap

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        _check_kind(kind)
        with self._lock:
            row = self._db.execute(f"SELECT * FROM {kind} WHERE id = ?", (id,)).fetchone()
        return _decode(kind, row) if row is not None else None

    def list(self, kind: str) -> list[dict[str, Any]]:
        _check_kind(kind)
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM {kind} ORDER BY created_at, id").fetchall()
        return [_decode(kind, r) for r in rows]

    # ------------------------------------------------------------------ writes
    def insert(self, kind: str, row: dict[str, Any]) -> dict[str, Any]:
        """Add one entity; ``row`` holds ``id`` and any of the table's fields, budgets, limits."""
        _check_kind(kind)
        values = _encode(kind, {"created_at": time.time(), **row})
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        try:
            with self._tx() as db:
                db.execute(f"INSERT INTO {kind} ({cols}) VALUES ({marks})", tuple(values.values()))
        except sqlite3.IntegrityError:
            raise StoreConflict(f"{kind[:-1]} {row['id']!r} already exists", "already_exists") from None
        got = self.get(kind, row["id"])
        assert got is not None
        return got

    def update(self, kind: str, id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Change some fields; None when there is no such entity."""
        _check_kind(kind)
        values = _encode(kind, changes)
        if values:
            sets = ", ".join(f"{c} = ?" for c in values)
            with self._tx() as db:
                db.execute(f"UPDATE {kind} SET {sets} WHERE id = ?", (*values.values(), id))
        return self.get(kind, id)

    def delete(self, kind: str, id: str) -> bool:
        """Remove an org, team or user that nothing refers to (keys are revoked, not deleted)."""
        _check_kind(kind)
        refs = {
            "orgs": [("teams", "org"), ("users", "org")],
            "teams": [("users", "team"), ("keys", "team")],
            "users": [("keys", "user")],
            "keys": [],
        }[kind]
        with self._tx() as db:
            for table, col in refs:
                extra = " AND status = 'active'" if table == "keys" else ""
                n = db.execute(f"SELECT count(*) FROM {table} WHERE {col} = ?{extra}", (id,)).fetchone()[0]
                if n:
                    what = "active keys" if table == "keys" else table
                    raise StoreConflict(f"{kind[:-1]} {id!r} still has {n} {what}; move or remove them first",
                                        "in_use")
            cur = db.execute(f"DELETE FROM {kind} WHERE id = ?", (id,))
        return cur.rowcount > 0

    def revoke_key(self, id: str) -> dict[str, Any] | None:
        with self._tx() as db:
            db.execute("UPDATE keys SET status = 'revoked', revoked_at = ? WHERE id = ? AND status = 'active'",
                       (time.time(), id))
        return self.get("keys", id)

    def rotate_key(self, id: str, new: dict[str, Any]) -> dict[str, Any]:
        """Revoke key ``id`` and add ``new`` (its id, hash, prefix) with the old key's settings."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM keys WHERE id = ?", (id,)).fetchone()
            if row is None:
                raise KeyError(id)
            if row["status"] != "active":
                raise StoreConflict(f"key {id!r} is revoked; only an active key can be rotated", "key_revoked")
            now = time.time()
            db.execute("UPDATE keys SET status = 'revoked', revoked_at = ? WHERE id = ?", (now, id))
            keep = {c: row[c] for c in ("name", "user", "team", "models", "allow_end_user", "expires_at",
                                        "budgets", "limits")}
            values = {**keep, "id": new["id"], "hash": new["hash"], "prefix": new["prefix"], "status": "active",
                      "rotated_from": id, "created_at": now}
            cols = ", ".join(values)
            marks = ", ".join("?" * len(values))
            try:
                db.execute(f"INSERT INTO keys ({cols}) VALUES ({marks})", tuple(values.values()))
            except sqlite3.IntegrityError:
                raise StoreConflict("key id collision; try again", "conflict") from None
        got = self.get("keys", new["id"])
        assert got is not None
        return got


def _check_kind(kind: str) -> None:
    if kind not in _FIELDS:
        raise ValueError(f"unknown kind {kind!r}")


def _encode(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    allowed = {"id", "budgets", "limits", "created_at", *_FIELDS[kind]}
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k not in allowed:
            raise ValueError(f"{kind} has no field {k!r}")
        if k == "budgets":
            v = json.dumps([b.model_dump(mode="json", exclude_defaults=True) for b in v or []])
        elif k == "limits":
            v = None if v is None else json.dumps(v.model_dump(mode="json", exclude_none=True))
        elif k == "models":
            v = json.dumps(list(v))
        elif k == "allow_end_user":
            v = int(bool(v))
        out[k] = v
    return out


def _decode(kind: str, r: sqlite3.Row) -> dict[str, Any]:
    d = dict(r)
    d["budgets"] = [Budget.model_validate(b) for b in json.loads(d.get("budgets") or "[]")]
    lim = d.get("limits")
    d["limits"] = Limits.model_validate(json.loads(lim)) if lim else None
    if kind == "keys":
        d["models"] = json.loads(d["models"])
        d["allow_end_user"] = bool(d["allow_end_user"])
    return d
