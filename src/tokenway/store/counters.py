"""Counters for rate limits and budgets: the interface and its in-process implementation.

Every operation is ONE atomic call by design. ``MemoryCounterStore`` gets atomicity from the event
loop (no ``await`` inside a call); a Redis store runs each operation as one Lua script with the same
semantics, so N replicas share one limit instead of spending N times it.

Semantics every implementation must match
-----------------------------------------
- A counter is a float under a string key, with an expiry. A missing or expired key reads as 0.
- ``ttl_s <= 0`` means "never expires" (``total`` budgets).
- ``reserve(checks)``: read every limited check's ``read_keys`` from the state *before* the call;
  if for each check with a limit ``sum(read_keys) + amount <= limit``, add ``amount`` to every
  check's ``add_key`` (creating it, and setting its expiry to now + ttl; an existing key's expiry
  is pushed out to now + ttl if that is later) and return None. Otherwise change nothing and
  return the index of the first failing check. Checks with ``limit=None`` always pass and still
  count. Optional ``totals`` (an empty list): the store appends, per check, the sum of its
  read keys before the call, plus its amount when the reservation succeeded; on failure it stops
  after the failing check (so ``totals[-1]`` is the failing check's current sum).
- ``adjust(deltas)``: for each ``(key, delta, ttl)``: add ``delta`` to a live key (its expiry is
  unchanged); a missing/expired key is created with ``delta`` and ``ttl`` when ``delta > 0``, and a
  negative delta on it is dropped (what it would correct has expired with the key).
- ``get_many(keys)``: the current values, 0 for missing/expired keys.
- ``set_once(key, ttl_s)``: True (and the key is set) when the key is missing or expired, else
  False: "first time within the TTL".

Lua sketch for ``reserve`` (KEYS = the keys, ARGV = per check: n_read, read key indexes, add key
index, amount, limit or '', ttl_ms): loop the checks summing ``GET`` of the read keys, return the
first failing index; otherwise ``INCRBYFLOAT`` + ``PEXPIRE`` (``GT`` where supported) each add key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple, Protocol

INF = float("inf")


class Check(NamedTuple):
    """One limit to check and count: ``sum(read_keys) + amount <= limit`` (``limit=None``: count
    only), then ``amount`` is added to ``add_key`` which expires ``ttl_s`` seconds later."""

    read_keys: tuple[str, ...]
    add_key: str
    amount: float
    limit: float | None
    ttl_s: float


class CounterStore(Protocol):
    async def reserve(self, checks: list[Check], totals: list[float] | None = None) -> int | None:
        """All or nothing: None when every check passed (and all were counted), else the index
        of the first failing check (and nothing changed)."""
        ...

    async def adjust(self, deltas: list[tuple[str, float, float]]) -> None:
        """Settle: add each ``(key, delta, ttl_s)``."""
        ...

    async def get_many(self, keys: list[str]) -> list[float]: ...

    async def set_once(self, key: str, ttl_s: float) -> bool:
        """True the first time within the TTL (once-per-window alerts)."""
        ...


class MemoryCounterStore:
    """In-process counters: ``dict[key] -> [value, expires_at]`` on a monotonic clock.

    No ``await`` inside an operation, so each call is atomic on the event loop. Expired keys read
    as 0 and are replaced on write (lazy expiry); a sweep at most every ``sweep_every_s`` seconds,
    run inside whichever call comes first after that, drops the rest so memory tracks live keys.
    """

    __slots__ = ("_clock", "_data", "_next_sweep", "sweep_every_s")

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sweep_every_s: float = 30.0) -> None:
        self._clock = clock
        self._data: dict[str, list[float]] = {}
        self.sweep_every_s = sweep_every_s
        self._next_sweep = clock() + sweep_every_s

    def __len__(self) -> int:
        return len(self._data)

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + self.sweep_every_s
        data = self._data
        for k in [k for k, e in data.items() if e[1] <= now]:
            del data[k]

    async def reserve(self, checks: list[Check], totals: list[float] | None = None) -> int | None:
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        get = self._data.get
        for i, c in enumerate(checks):
            limit = c.limit
            if limit is None and totals is None:
                continue
            s = 0.0
            for k in c.read_keys:
                e = get(k)
                if e is not None and e[1] > now:
                    s += e[0]
            if totals is not None:
                totals.append(s)
            if limit is not None and s + c.amount > limit:
                return i
        data = self._data
        for c in checks:
            e = get(c.add_key)
            ttl = c.ttl_s
            exp = now + ttl if ttl > 0 else INF
            if e is None or e[1] <= now:
                data[c.add_key] = [c.amount, exp]
            else:
                e[0] += c.amount
                if exp > e[1]:
                    e[1] = exp
        if totals is not None:
            for i, c in enumerate(checks):
                totals[i] += c.amount
        return None

    async def adjust(self, deltas: list[tuple[str, float, float]]) -> None:
        now = self._clock()
        data = self._data
        for key, delta, ttl in deltas:
            e = data.get(key)
            if e is not None and e[1] > now:
                e[0] += delta
            elif delta > 0:
                data[key] = [delta, now + ttl if ttl > 0 else INF]
            elif e is not None:
                del data[key]

    async def get_many(self, keys: list[str]) -> list[float]:
        now = self._clock()
        get = self._data.get
        out = []
        for k in keys:
            e = get(k)
            out.append(e[0] if e is not None and e[1] > now else 0.0)
        return out

    async def set_once(self, key: str, ttl_s: float) -> bool:
        now = self._clock()
        e = self._data.get(key)
        if e is not None and e[1] > now:
            return False
        self._data[key] = [1.0, now + ttl_s if ttl_s > 0 else INF]
        return True
