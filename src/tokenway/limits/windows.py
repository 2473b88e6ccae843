"""Window arithmetic: for a budget (or an rpm/tpm limit) and a time, the counter keys to read and
to add to, their TTL, and when the window resets.

Calendar windows roll at boundaries of the budget's IANA timezone: ``minute`` (UTC minutes: every
zone in use today is offset by whole minutes), ``hour`` (local hour; 3600 s from its start),
``day`` (local midnight to local midnight: 23 or 25 hours on DST days), ``month`` (local first of
the month), ``total`` (one counter, never resets). The counter key holds the window's start as a
Unix time, so a new window is a new key: nothing is ever reset in place, and the TTL only bounds
how long an old counter stays in memory.

Rolling windows (minute, hour, day) are sums of sub-buckets aligned on Unix time: minute = 6 x 10 s,
hour = 60 x 1 min, day = 24 x 1 h. The window read at time t is the current bucket and the n-1
before it, so it covers between (n-1)/n and all of the window length. A bucket leaves the window
``length`` seconds after it began; the reset time reported for a refusal is when the oldest
non-empty bucket leaves, which may free less than the call needs (approximate by design).

A ``Window`` caches its current ``Span``: on the hot path a span lookup is two float compares.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tokenway.config.schema import Budget

GRACE_S = 60.0  # counters outlive their window by this much (late settles land on a live key)

LENGTH_S = {"minute": 60.0, "hour": 3600.0, "day": 86400.0}
ROLLING_BUCKETS = {"minute": (10.0, 6), "hour": (60.0, 60), "day": (3600.0, 24)}  # bucket seconds, count
_CODE = {"minute": "m", "hour": "h", "day": "d", "month": "M", "total": "t"}


class Span:
    """The counters of one window at one time.

    ``read_keys`` are summed for the check, ``add_key`` is counted into, ``ttl_s`` is the counter
    TTL (0: never expires). ``start`` is when the window began (rolling: the oldest bucket read);
    ``reset_at`` is when it resets (calendar), None for rolling (see ``Window.reset_at``) and
    ``total``. The span is the right one for times in ``[valid_from, valid_until)``.
    ``alert_key``/``alert_ttl_s`` name the window for once-per-window alerts.
    """

    __slots__ = ("add_key", "alert_key", "alert_ttl_s", "read_keys", "reset_at", "start", "ttl_s",
                 "valid_from", "valid_until")

    def __init__(self, read_keys: tuple[str, ...], add_key: str, ttl_s: float, start: float,
                 reset_at: float | None, valid_from: float, valid_until: float, alert_key: str,
                 alert_ttl_s: float) -> None:
        self.read_keys = read_keys
        self.add_key = add_key
        self.ttl_s = ttl_s
        self.start = start
        self.reset_at = reset_at
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.alert_key = alert_key
        self.alert_ttl_s = alert_ttl_s


class Window:
    """One window definition under a key prefix; ``span(now)`` gives its counters at ``now``."""

    __slots__ = ("_span", "bucket_s", "kind", "length_s", "n", "prefix", "rolling", "tz")

    def __init__(self, prefix: str, kind: str, *, rolling: bool = False, timezone: str = "UTC") -> None:
        if kind not in _CODE:
            raise ValueError(f"unknown window {kind!r}")
        if rolling and kind not in ROLLING_BUCKETS:
            raise ValueError("rolling windows are minute, hour or day")
        self.prefix = prefix
        self.kind = kind
        self.rolling = rolling
        self.tz = ZoneInfo(timezone)
        self.length_s = LENGTH_S.get(kind, 0.0)
        self.bucket_s, self.n = ROLLING_BUCKETS[kind] if rolling else (0.0, 1)
        self._span: Span | None = None

    def span(self, now: float) -> Span:
        s = self._span
        if s is None or not (s.valid_from <= now < s.valid_until):
            s = self._span = self._rolling(now) if self.rolling else self._calendar(now)
        return s

    def reset_at(self, span: Span, values: list[float]) -> float | None:
        """When the window frees usage: the calendar reset, or (rolling, ``values`` = the read
        keys' values, oldest first) when the oldest non-empty bucket leaves the window. None when
        it never resets (``total``) or nothing is counted (rolling)."""
        if not self.rolling:
            return span.reset_at
        for j, v in enumerate(values):
            if v > 0:
                return span.start + j * self.bucket_s + self.length_s
        return None

    # -- computing spans
    def _calendar(self, now: float) -> Span:
        kind = self.kind
        if kind == "total":
            key = self.prefix + ":t"
            return Span((key,), key, 0.0, 0.0, None, -math.inf, math.inf, key, 0.0)
        start, end = calendar_bounds(kind, self.tz, now)
        key = f"{self.prefix}:{_CODE[kind]}:{int(start)}"
        ttl = (end - start) + GRACE_S  # from any moment inside the window, outlives it
        return Span((key,), key, ttl, start, end, start, end, key, ttl)

    def _rolling(self, now: float) -> Span:
        bs, n = self.bucket_s, self.n
        b = math.floor(now / bs)
        base = f"{self.prefix}:r{_CODE[self.kind]}:"
        prev = self._span
        if prev is not None and prev.valid_until == b * bs:  # the next bucket: shift by one key
            keys = (*prev.read_keys[1:], base + str(b))
        else:
            keys = tuple(base + str(j) for j in range(b - n + 1, b + 1))
        ttl = self.length_s + bs + GRACE_S
        return Span(keys, keys[-1], ttl, (b - n + 1) * bs, None, b * bs, (b + 1) * bs,
                    self.prefix + ":r" + _CODE[self.kind], self.length_s)


def calendar_bounds(kind: str, tz: ZoneInfo, now: float) -> tuple[float, float]:
    """Start and end (Unix times) of the calendar window holding ``now`` in ``tz``."""
    if kind == "minute":
        start = now - now % 60.0
        return start, start + 60.0
    local = datetime.fromtimestamp(now, tz)
    if kind == "hour":
        start = local.replace(minute=0, second=0, microsecond=0).timestamp()
        return start, start + 3600.0
    if kind == "day":
        d = local.date()
        nd = d + timedelta(days=1)
        return (datetime(d.year, d.month, d.day, tzinfo=tz).timestamp(),
                datetime(nd.year, nd.month, nd.day, tzinfo=tz).timestamp())
    if kind == "month":
        y, m = local.year, local.month
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        return datetime(y, m, 1, tzinfo=tz).timestamp(), datetime(ny, nm, 1, tzinfo=tz).timestamp()
    raise ValueError(f"no calendar bounds for {kind!r}")


def budget_window(budget: Budget, prefix: str) -> Window:
    """The window of a budget, counting under ``prefix``."""
    return Window(prefix, budget.window, rolling=budget.rolling, timezone=budget.timezone)


def minute_window(prefix: str) -> Window:
    """The window of an rpm/tpm limit: the fixed calendar (UTC) minute."""
    return Window(prefix, "minute")


def iso(ts: float | None, tz: ZoneInfo | None = None) -> str | None:
    """ISO 8601 with offset, to the second (in ``tz``, default UTC)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz or UTC).isoformat(timespec="seconds")
