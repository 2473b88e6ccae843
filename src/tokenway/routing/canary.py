"""Canary releases: a share of a model group's traffic goes to another target, with automatic rollback.

``CanaryState`` holds one canary of one group: the arm choice (sticky by a stable hash, or random),
per-arm live stats over a sliding window of the last ``guards.window`` calls plus lifetime totals,
and the guards. After each canary observation, once the canary arm has enough samples, a breached
guard rolls the group back to its stable arm: every later ``choose`` answers False until an admin
``reset``. The state is per process (it lives in the Shared state and survives config reloads).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections import OrderedDict, deque
from typing import Any, NamedTuple

from tokenway.config.schema import Canary
from tokenway.telemetry.logs import Log
from tokenway.telemetry.metrics import Metrics

SESSION_HEADER = "x-tokenway-session"
FEEDBACK_MIN, FEEDBACK_MAX = -1.0, 1.0
_HASH_SCALE = 100.0 / 2.0**64


class _Call(NamedTuple):
    ok: bool
    latency_s: float
    ttft_s: float | None
    cost: float | None  # None: not priced (or a failed call, which does not count toward cost per call)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty): the smallest value with at least
    ``p`` percent of the values at or below it."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000.0, 3)


class ArmStats:
    """One arm's stats: lifetime totals and a window of the last ``window`` calls (running sums, so
    recording a call is O(1); percentiles are sorted from the window when asked)."""

    __slots__ = ("calls", "cost", "errors", "fb_count", "fb_sum", "fb_window", "fb_window_sum", "label",
                 "requests", "tokens", "ttft_n", "w_cost_n", "w_cost_sum", "w_errors")

    def __init__(self, label: str, window: int) -> None:
        self.label = label
        self.requests = 0
        self.errors = 0
        self.tokens = 0
        self.cost = 0.0
        self.fb_sum = 0.0
        self.fb_count = 0
        self.calls: deque[_Call] = deque(maxlen=window)
        self.w_errors = 0
        self.w_cost_sum = 0.0
        self.w_cost_n = 0
        self.ttft_n = 0
        self.fb_window: deque[float] = deque(maxlen=window)
        self.fb_window_sum = 0.0

    def record(self, ok: bool, latency_s: float, ttft_s: float | None, tokens: int, cost: float | None) -> None:
        self.requests += 1
        self.tokens += tokens
        if cost is not None:
            self.cost += cost
        if not ok:
            self.errors += 1
        call = _Call(ok, latency_s, ttft_s, cost if ok else None)
        w = self.calls
        if len(w) == w.maxlen:  # the oldest call leaves the window
            old = w[0]
            self.w_errors -= not old.ok
            if old.cost is not None:
                self.w_cost_sum -= old.cost
                self.w_cost_n -= 1
            if old.ttft_s is not None:
                self.ttft_n -= 1
        w.append(call)
        self.w_errors += not ok
        if call.cost is not None:
            self.w_cost_sum += call.cost
            self.w_cost_n += 1
        if ttft_s is not None:
            self.ttft_n += 1

    def add_feedback(self, score: float) -> None:
        self.fb_sum += score
        self.fb_count += 1
        fw = self.fb_window
        if len(fw) == fw.maxlen:
            self.fb_window_sum -= fw[0]
        fw.append(score)
        self.fb_window_sum += score

    # -- window figures
    def error_rate(self) -> float | None:
        return self.w_errors / len(self.calls) if self.calls else None

    def cost_per_call(self) -> float | None:
        return self.w_cost_sum / self.w_cost_n if self.w_cost_n else None

    def feedback_mean(self) -> float | None:
        return self.fb_window_sum / len(self.fb_window) if self.fb_window else None

    def latency_pct(self, p: float) -> float | None:
        return percentile([c.latency_s for c in self.calls], p)

    def ttft_pct(self, p: float) -> float | None:
        return percentile([c.ttft_s for c in self.calls if c.ttft_s is not None], p)

    def snapshot(self) -> dict[str, Any]:
        lat = [c.latency_s for c in self.calls]
        ttft = [c.ttft_s for c in self.calls if c.ttft_s is not None]
        er, cpc, fbm = self.error_rate(), self.cost_per_call(), self.feedback_mean()
        return {
            "label": self.label,
            # lifetime totals (since the canary started or was last reset)
            "requests": self.requests, "errors": self.errors, "tokens": self.tokens, "cost": round(self.cost, 6),
            "feedback_count": self.fb_count,
            # over the window of the last guards.window calls (what the guards look at)
            "window_requests": len(self.calls), "window_errors": self.w_errors,
            "error_rate": None if er is None else round(er, 4),
            "p50_latency_ms": _ms(percentile(lat, 50)), "p95_latency_ms": _ms(percentile(lat, 95)),
            "p50_ttft_ms": _ms(percentile(ttft, 50)), "p95_ttft_ms": _ms(percentile(ttft, 95)),
            "cost_per_call": None if cpc is None else round(cpc, 8),
            "feedback_mean": None if fbm is None else round(fbm, 4),
        }


class CanaryState:
    """One canary of one model group. Lives in the process-wide Shared state, so a config reload with the
    same canary (same group, target label, percent, sticky mode, guards) keeps its stats and its rollback."""

    def __init__(self, group: str, stable_label: str, canary_label: str, cfg: Canary, metrics: Metrics,
                 log: Log) -> None:
        self.group = group
        self.stable_label = stable_label
        self.canary_label = canary_label
        self.cfg = cfg
        self.metrics = metrics
        self.log = log
        self.percent = float(cfg.percent)
        self._salt = group.encode("utf-8", "surrogateescape") + b"\x00"
        self._random = random.random
        g = cfg.guards
        self._min_n = min(g.min_requests, g.window)  # a window smaller than min_requests could never trip
        self._pct_every = 1 + g.window // 500  # percentile guards: sort the window at most this often
        self._since_pct = 0
        self.rolled_back = False
        self.rollback: dict[str, Any] | None = None
        self.stable = ArmStats(stable_label, g.window)
        self.canary = ArmStats(canary_label, g.window)

    def matches(self, cfg: Canary, canary_label: str) -> bool:
        """Is ``cfg`` the same canary (so this state, with its stats and rollback, carries over)?"""
        return (canary_label == self.canary_label and float(cfg.percent) == self.percent
                and cfg.sticky == self.cfg.sticky and cfg.guards == self.cfg.guards)

    # -- hot path
    def choose(self, sticky_key: str | None) -> bool:
        """True: this call goes to the canary arm. A sticky key maps through a stable hash of group and
        key into [0, 100); below ``percent`` is the canary. No key: random. Always False once rolled back."""
        if self.rolled_back:
            return False
        if sticky_key is None:
            return self._random() * 100.0 < self.percent
        h = hashlib.blake2b(self._salt + sticky_key.encode("utf-8", "surrogateescape"), digest_size=8).digest()
        return int.from_bytes(h, "big") * _HASH_SCALE < self.percent

    def observe(self, canary: bool, ok: bool, latency_s: float, ttft_s: float | None, tokens: int,
                cost: float | None) -> None:
        """Record one finished call on an arm; a canary call may trip a guard."""
        (self.canary if canary else self.stable).record(ok, latency_s, ttft_s, tokens, cost)
        self.metrics.canary_requests[(self.group, "canary" if canary else "stable")] += 1
        if canary and not self.rolled_back:
            self._check()

    def feedback(self, canary: bool, score: float) -> None:
        """A caller's score for one call (in [-1, 1]); the canary's mean may trip ``min_feedback``."""
        (self.canary if canary else self.stable).add_feedback(score)
        if canary and not self.rolled_back and self.cfg.guards.min_feedback is not None:
            self._check_feedback()

    # -- guards
    def _check(self) -> None:
        a, g, n = self.canary, self.cfg.guards, len(self.canary.calls)
        if n < self._min_n:
            return
        er = a.error_rate()
        if g.max_error_rate is not None and er is not None and er > g.max_error_rate:
            return self._roll_back("max_error_rate", er, g.max_error_rate,
                                   f"error rate {er:.1%} over the last {n} calls is above {g.max_error_rate:.1%}")
        cpc = a.cost_per_call()
        if g.max_cost_per_call is not None and cpc is not None and a.w_cost_n >= self._min_n \
                and cpc > g.max_cost_per_call:
            return self._roll_back("max_cost_per_call", cpc, g.max_cost_per_call,
                                   f"cost per call {cpc:.6f} over the last {a.w_cost_n} priced calls "
                                   f"is above {g.max_cost_per_call}")
        if g.max_p95_latency_ms is None and g.max_p95_ttft_ms is None:
            return None
        self._since_pct += 1
        if self._since_pct < self._pct_every:
            return None
        self._since_pct = 0
        if g.max_p95_latency_ms is not None:
            p95 = (a.latency_pct(95) or 0.0) * 1000.0
            if p95 > g.max_p95_latency_ms:
                return self._roll_back("max_p95_latency_ms", p95, g.max_p95_latency_ms,
                                       f"p95 latency {p95:.0f} ms over the last {n} calls "
                                       f"is above {g.max_p95_latency_ms:g} ms")
        if g.max_p95_ttft_ms is not None and a.ttft_n >= self._min_n:
            p95 = (a.ttft_pct(95) or 0.0) * 1000.0
            if p95 > g.max_p95_ttft_ms:
                return self._roll_back("max_p95_ttft_ms", p95, g.max_p95_ttft_ms,
                                       f"p95 time to first token {p95:.0f} ms over the last {a.ttft_n} "
                                       f"streamed calls is above {g.max_p95_ttft_ms:g} ms")
        return None

    def _check_feedback(self) -> None:
        a, limit = self.canary, self.cfg.guards.min_feedback
        n = len(a.fb_window)
        mean = a.feedback_mean()
        if limit is not None and mean is not None and n >= self._min_n and mean < limit:
            self._roll_back("min_feedback", mean, limit,
                            f"mean feedback {mean:.3f} over the last {n} scores is below {limit:g}")

    def _roll_back(self, guard: str, value: float, limit: float, reason: str) -> None:
        self.rolled_back = True
        self.rollback = {"reason": reason, "guard": guard, "value": round(value, 6), "limit": limit,
                         "at": round(time.time(), 3)}
        self.metrics.canary_rollbacks[self.group] += 1
        self.log.warning("canary_rollback", group=self.group, canary=self.canary_label, stable=self.stable_label,
                         reason=reason, guard=guard, value=round(value, 6), limit=limit,
                         canary_requests=self.canary.requests, window_requests=len(self.canary.calls))

    # -- admin
    def reset(self) -> None:
        """Un-roll-back and clear both arms' stats (the canary takes traffic again)."""
        was = self.rolled_back
        self.rolled_back = False
        self.rollback = None
        self._since_pct = 0
        w = self.cfg.guards.window
        self.stable = ArmStats(self.stable_label, w)
        self.canary = ArmStats(self.canary_label, w)
        self.log.info("canary_reset", group=self.group, canary=self.canary_label, was_rolled_back=was)

    def snapshot(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "stable": self.stable.snapshot(),
            "canary": {**self.canary.snapshot(), "percent": self.percent},
            "sticky": self.cfg.sticky,
            "state": "rolled_back" if self.rolled_back else "active",
            "rollback": None if self.rollback is None else dict(self.rollback),
            "guards": self.cfg.guards.model_dump(mode="json"),
        }


def sticky_key(mode: str, *, user: str | None, key_id: str | None, session: str | None,
               end_user: str | None = None) -> str | None:
    """The key a call sticks to its arm by.

    ``user``: the end user (when given) else the key's user else the key id. ``session``: the
    x-tokenway-session header value, falling back to the ``user`` rule. ``key``: the key id.
    ``none``: None (each call picks at random). Pass ``user`` as the key's user (or the end user).
    """
    if mode == "none":
        return None
    if mode == "key":
        return key_id
    if mode == "session" and session:
        return session
    return end_user or user or key_id


class RecentCalls:
    """Recent canary-group calls by request id (a bounded LRU), so feedback can find its arm."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._d: OrderedDict[str, tuple[str, bool, str | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._d)

    def add(self, request_id: str, group: str, canary: bool, key_id: str | None = None) -> None:
        d = self._d
        d[request_id] = (group, canary, key_id)
        d.move_to_end(request_id)
        while len(d) > self.max_entries:
            d.popitem(last=False)

    def get(self, request_id: str) -> tuple[str, bool] | None:
        v = self._d.get(request_id)
        if v is None:
            return None
        self._d.move_to_end(request_id)
        return v[0], v[1]

    def pop(self, request_id: str, key_id: str | None = None) -> tuple[str, bool] | None:
        """Take an entry (one feedback per call). With ``key_id``, only when the call was made with
        that key (or its key was not recorded); otherwise None and the entry stays."""
        v = self._d.get(request_id)
        if v is None or (key_id is not None and v[2] is not None and v[2] != key_id):
            return None
        del self._d[request_id]
        return v[0], v[1]
