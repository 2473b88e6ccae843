"""A circuit breaker per target.

Closed: calls flow; it opens after ``consecutive_failures`` failures in a row, or when the error
rate over ``window_s`` reaches ``error_rate`` with at least ``min_requests`` calls. Open: calls
are refused without touching the vendor until ``cooldown_s`` has passed. Half-open: exactly one
probe call goes through; success closes the breaker, failure opens it again.
"""

from __future__ import annotations

import collections
import time

from tokenway.config.schema import CircuitBreaker as BreakerConfig

CLOSED, OPEN, HALF_OPEN = 0, 1, 2
STATE_NAMES = {CLOSED: "closed", OPEN: "open", HALF_OPEN: "half_open"}


class Breaker:
    __slots__ = ("_buckets", "_consecutive", "_probe", "cfg", "opened_at", "opens", "state")

    def __init__(self, cfg: BreakerConfig) -> None:
        self.cfg = cfg
        self.state = CLOSED
        self.opened_at = 0.0
        self.opens = 0
        self._consecutive = 0
        self._probe = False
        # one bucket per second: [second, ok, failed]
        self._buckets: collections.deque[list[int]] = collections.deque()

    def allow(self, now: float | None = None) -> bool:
        """May a call go to this target now? (Claims the half-open probe when it says yes.)"""
        if self.state == CLOSED:
            return True
        now = time.monotonic() if now is None else now
        if self.state == OPEN:
            if now - self.opened_at < self.cfg.cooldown_s:
                return False
            self.state = HALF_OPEN
            self._probe = False
        if self._probe:
            return False
        self._probe = True
        return True

    def would_allow(self, now: float | None = None) -> bool:
        """Like ``allow`` but claims nothing."""
        if self.state == CLOSED:
            return True
        now = time.monotonic() if now is None else now
        if self.state == OPEN:
            return now - self.opened_at >= self.cfg.cooldown_s
        return not self._probe

    def record(self, ok: bool, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        sec = int(now)
        b = self._buckets
        if b and b[-1][0] == sec:
            b[-1][1 if ok else 2] += 1
        else:
            b.append([sec, 1 if ok else 0, 0 if ok else 1])
            horizon = sec - self.cfg.window_s
            while b and b[0][0] <= horizon:
                b.popleft()
        if self.state == HALF_OPEN:
            self._probe = False
            if ok:
                self._close()
            else:
                self._open(now)
            return
        if ok:
            self._consecutive = 0
            return
        self._consecutive += 1
        if self.state == CLOSED:
            if self._consecutive >= self.cfg.consecutive_failures:
                self._open(now)
                return
            total = failed = 0
            for _, o, f in b:
                total += o + f
                failed += f
            if total >= self.cfg.min_requests and failed / total >= self.cfg.error_rate:
                self._open(now)

    def _open(self, now: float) -> None:
        self.state = OPEN
        self.opened_at = now
        self.opens += 1

    def _close(self) -> None:
        self.state = CLOSED
        self._consecutive = 0
        self._buckets.clear()
