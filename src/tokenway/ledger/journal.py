"""The ledger's write-ahead journal: JSON-lines segments that make a row durable before SQLite has it.

Durability design:

- `append()` writes one whole line (`orjson` JSON + newline) with ONE `os.write` on an `O_APPEND`
  fd. Once `write()` returns the bytes are in the kernel page cache: they survive the process
  being killed (kill -9, OOM, crash) but NOT a power loss or kernel panic. With `fsync=True`
  each append is followed by `fdatasync` (and each new segment by an fsync of the directory):
  only that survives power loss, at the price of a disk flush per call.
- Segments are named `<owner>.<seq>.jsonl`; `owner` is unique per Journal instance (pid + random)
  and is protected by an exclusive `flock` on `<owner>.lock` held for the instance's lifetime.
  Several processes (`--workers N`) can share one directory: at start-up only segments whose
  owner lock can be taken (owner dead, the kernel released its flock) are replayed.
- The active segment is sealed (closed, `seq + 1`) when it holds `segment_rows` rows, when the
  (monotonic) second changes on append, or by `seal_stale()` once its second has passed.
  Sealed segments are listed; the ledger's writer thread deletes one (`take_sealed`) only after
  every row appended before the seal is committed to SQLite.
- A torn or garbage line (power loss mid-write) is skipped at replay, never fatal.

Only `acquire()`/`claim_leftovers()` run before the ledger serves; the caller (Ledger) serializes
`append`, `seal*`, `take_sealed` and `close` with its own lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

SUFFIX = ".jsonl"
LOCK_SUFFIX = ".lock"
ORPHAN_LOCK_AGE_S = 60.0


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _try_lock(path: str) -> int | None:
    """Open and exclusively flock `path`; the fd, or None if another live process holds it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def read_segment(path: str) -> tuple[list[dict[str, Any]], int]:
    """Rows of one segment and the number of unreadable lines (torn tail, NULs after power loss)."""
    with open(path, "rb") as f:
        data = f.read()
    rows: list[dict[str, Any]] = []
    bad = 0
    for line in data.split(b"\n"):
        if not line.strip(b"\x00 \r\t"):
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        if isinstance(obj, dict) and obj.get("request_id"):
            rows.append(obj)
        else:
            bad += 1
    return rows, bad


@dataclass
class Leftover:
    """Segments of one dead owner, whose lock we hold until `release()` deletes them."""

    owner: str
    segments: list[str]
    lock_path: str
    lock_fd: int | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[list[dict[str, Any]], int]]:
        for seg in self.segments:
            yield read_segment(seg)

    def release(self, *, delete: bool = True) -> None:
        """Delete the segments (call only once their rows are committed), then the lock file."""
        if delete:
            for seg in self.segments:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(seg)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_path)
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


class Journal:
    def __init__(self, directory: str, *, fsync: bool = False, segment_rows: int = 10_000) -> None:
        self.dir = directory
        self.fsync = fsync
        self.segment_rows = segment_rows
        self.owner = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.active = 0  # seq of the segment the next append goes to; every seq below is sealed
        self._fd: int | None = None
        self._second = 0
        self._rows = 0
        self._sealed: list[tuple[int, str]] = []
        self._lock_fd: int | None = None

    # --- lifetime ---------------------------------------------------------------------------

    def _path(self, seq: int) -> str:
        return os.path.join(self.dir, f"{self.owner}.{seq:010d}{SUFFIX}")

    @property
    def lock_path(self) -> str:
        return os.path.join(self.dir, f"{self.owner}{LOCK_SUFFIX}")

    def acquire(self) -> None:
        """Create the directory and take this instance's owner lock (before any segment exists)."""
        os.makedirs(self.dir, exist_ok=True)
        fd = _try_lock(self.lock_path)
        if fd is None:
            raise RuntimeError(f"cannot lock journal {self.lock_path}")
        self._lock_fd = fd

    def close(self) -> None:
        """Seal the active segment and drop the owner lock. Segments still listed as sealed
        (rows not committed) stay on disk and are replayed by the next start."""
        self.seal()
        if self._lock_fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_path)
            os.close(self._lock_fd)
            self._lock_fd = None

    def claim_leftovers(self) -> list[Leftover]:
        """Segments of owners that are no longer alive, each with its owner lock taken."""
        by_owner: dict[str, list[str]] = {}
        locks: set[str] = set()
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(SUFFIX):
                owner = name[: -len(SUFFIX)].rsplit(".", 1)[0]
                by_owner.setdefault(owner, []).append(os.path.join(self.dir, name))
            elif name.endswith(LOCK_SUFFIX):
                locks.add(name[: -len(LOCK_SUFFIX)])
        out: list[Leftover] = []
        for owner, segments in by_owner.items():
            if owner == self.owner:
                continue
            lock_path = os.path.join(self.dir, owner + LOCK_SUFFIX)
            fd = _try_lock(lock_path)  # creates it if missing: the owner is gone either way
            if fd is not None:
                out.append(Leftover(owner, segments, lock_path, fd))
        for owner in locks - set(by_owner) - {self.owner}:
            self._drop_orphan_lock(os.path.join(self.dir, owner + LOCK_SUFFIX))
        return out

    @staticmethod
    def _drop_orphan_lock(lock_path: str) -> None:
        """A dead owner's lock file with no segment. Young ones are left alone: their owner may be
        starting (file created, flock not yet taken)."""
        try:
            if time.time() - os.stat(lock_path).st_mtime < ORPHAN_LOCK_AGE_S:
                return
        except FileNotFoundError:
            return
        fd = _try_lock(lock_path)
        if fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)
            os.close(fd)

    # --- hot path (caller holds the ledger lock) --------------------------------------------

    def append(self, line: bytes) -> None:
        """One row, one write(): durable against kill -9 on return; against power loss with fsync."""
        now = int(time.monotonic())
        fd = self._fd
        if fd is not None and (self._rows >= self.segment_rows or now != self._second):
            self.seal()
            fd = None
        if fd is None:
            fd = self._open_segment(now)
        n = os.write(fd, line)
        while n < len(line):  # regular files do not short-write short of ENOSPC; be correct anyway
            line = line[n:]
            n = os.write(fd, line)
        self._rows += 1
        if self.fsync:
            os.fdatasync(fd)

    def _open_segment(self, now: int) -> int:
        fd = os.open(self._path(self.active), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        if self.fsync:
            _fsync_dir(self.dir)
        self._fd, self._second, self._rows = fd, now, 0
        return fd

    def seal(self) -> None:
        """Close the active segment (if any) and move on to the next seq."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._sealed.append((self.active, self._path(self.active)))
        self._fd = None
        self.active += 1

    def seal_stale(self) -> None:
        """Seal the active segment once its second has passed (idle gateway: no append to rotate it)."""
        if self._fd is not None and int(time.monotonic()) != self._second:
            self.seal()

    def take_sealed(self, boundary: int) -> list[str]:
        """Forget and return the sealed segments with seq < boundary (the caller deletes them)."""
        done = [path for seq, path in self._sealed if seq < boundary]
        if done:
            self._sealed = [(seq, path) for seq, path in self._sealed if seq >= boundary]
        return done

    def segments_on_disk(self) -> list[str]:
        """This owner's segment files (tests, diagnostics)."""
        prefix = self.owner + "."
        return sorted(n for n in os.listdir(self.dir) if n.startswith(prefix) and n.endswith(SUFFIX))
