"""Budgets and rate limits with reservations: the counter store's atomic semantics, windows in
real time zones, the limiter's admit/settle under concurrency, alerts (fake sink and a real
webhook on loopback) and the response headers."""

from __future__ import annotations

import asyncio
import json
import math
import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tokenway.config.schema import Budget, Limits
from tokenway.limits.alerts import WebhookAlerts
from tokenway.limits.engine import Limiter, Policy, Ticket
from tokenway.limits.errors import BudgetExceeded, RateLimitExceeded
from tokenway.limits.windows import Window, calendar_bounds
from tokenway.store.counters import Check, MemoryCounterStore
from tokenway.telemetry.logs import Log
from tokenway.telemetry.metrics import Metrics

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
T0 = 1_700_000_040.0  # a whole minute (and 10 s bucket) boundary
assert T0 % 60 == 0


def ts(tz: ZoneInfo, *args: int) -> float:
    return datetime(*args, tzinfo=tz).timestamp()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class YieldingStore(MemoryCounterStore):
    """Each call first yields to the loop, like a network round trip: concurrent admits interleave
    there, and only the store's own atomicity keeps them from overspending."""

    async def reserve(self, checks: list[Check], totals: list[float] | None = None) -> int | None:
        await asyncio.sleep(0)
        return await super().reserve(checks, totals)

    async def adjust(self, deltas: list[tuple[str, float, float]]) -> None:
        await asyncio.sleep(0)
        await super().adjust(deltas)


class Sink:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> None:
        self.events.append(event)


async def value(store: MemoryCounterStore, key: str) -> float:
    return (await store.get_many([key]))[0]


def key_of(ticket: Ticket, kind_prefix: str) -> str:
    keys = [k for k, _ in ticket.reserved if kind_prefix in k]
    assert len(keys) == 1, ticket.reserved
    return keys[0]


# ---------------------------------------------------------------- the counter store


def test_reserve_is_all_or_nothing() -> None:
    async def go() -> None:
        s = MemoryCounterStore()
        assert await s.reserve([Check(("a",), "a", 5, 10, 60)]) is None
        checks = [Check(("a",), "a", 3, 10, 60), Check(("b", "c"), "b", 5, 4, 60)]
        assert await s.reserve(checks) == 1  # the second fails: nothing changes
        assert await s.get_many(["a", "b", "c"]) == [5.0, 0.0, 0.0]
        # the first failing index is reported
        assert await s.reserve([Check(("a",), "a", 6, 10, 60), Check(("b",), "b", 5, 4, 60)]) == 0
        # a check without a limit always passes and still counts
        assert await s.reserve([Check(("a",), "a", 3, 10, 60), Check(("b", "c"), "b", 5, None, 60)]) is None
        assert await s.get_many(["a", "b"]) == [8.0, 5.0]
        # read keys are summed: c + b = 5 already, 2 more exceeds 6
        assert await s.reserve([Check(("c", "b"), "c", 2, 6, 60)]) == 0
        assert await s.reserve([Check(("c", "b"), "c", 1, 6, 60)]) is None
        # the limit is inclusive
        assert await s.reserve([Check(("a",), "a", 2, 10, 60)]) is None
        assert await s.reserve([Check(("a",), "a", 0.5, 10, 60)]) == 0
        totals: list[float] = []
        assert await s.reserve([Check(("a",), "x", 0, 100, 60), Check(("b",), "b", 1, None, 60)], totals) is None
        assert totals == [10.0, 6.0]  # sums before + the amount reserved

    run(go())


def test_store_expiry_adjust_and_set_once() -> None:
    async def go() -> None:
        clock = Clock()
        s = MemoryCounterStore(clock=clock, sweep_every_s=30)
        await s.reserve([Check(("k",), "k", 1, None, 10)])
        clock.t += 8
        await s.reserve([Check(("k",), "k", 1, None, 10)])  # pushes the expiry out to t+18
        clock.t += 9
        assert await s.get_many(["k"]) == [2.0]
        clock.t += 2
        assert await s.get_many(["k"]) == [0.0]  # expired: reads as 0
        assert await s.reserve([Check(("k",), "k", 1, 1, 10)]) is None  # replaced, not added to
        assert await s.get_many(["k"]) == [1.0]
        # adjust: live keys add; negative deltas on missing keys are dropped; positive create
        await s.adjust([("k", -1.0, 10), ("gone", -5.0, 10), ("new", 3.0, 10)])
        assert await s.get_many(["k", "gone", "new"]) == [0.0, 0.0, 3.0]
        # ttl 0: never expires
        await s.reserve([Check(("forever",), "forever", 1, None, 0)])
        # set_once: True once within the TTL
        assert await s.set_once("once", 5) is True
        assert await s.set_once("once", 5) is False
        clock.t += 6
        assert await s.set_once("once", 5) is True
        # the periodic sweep drops expired keys
        clock.t += 100
        assert len(s) == 4  # k, new, forever, once (all but "forever" expired)
        await s.reserve([Check(("z",), "z", 1, None, 10)])
        assert len(s) == 2  # "forever" and "z"
        assert await s.get_many(["forever"]) == [1.0]

    run(go())


# ---------------------------------------------------------------- windows


def test_calendar_windows_follow_the_time_zone() -> None:
    # DST days are 23 and 25 hours long in Paris
    s, e = calendar_bounds("day", PARIS, ts(PARIS, 2024, 3, 31, 12))
    assert (s, e) == (ts(PARIS, 2024, 3, 31), ts(PARIS, 2024, 4, 1)) and e - s == 23 * 3600
    s, e = calendar_bounds("day", PARIS, ts(PARIS, 2024, 10, 27, 12))
    assert e - s == 25 * 3600
    # months start on the local first of the month
    s, e = calendar_bounds("month", NEW_YORK, ts(NEW_YORK, 2024, 12, 31, 23, 59))
    assert (s, e) == (ts(NEW_YORK, 2024, 12, 1), ts(NEW_YORK, 2025, 1, 1))
    # local hours in a half-hour zone start at :30 UTC
    s, e = calendar_bounds("hour", ZoneInfo("Asia/Kolkata"), 1_700_000_000.0)
    assert s % 3600 == 1800 and e - s == 3600 and s <= 1_700_000_000 < e
    # a window's span is cached within the window and changes at its end
    w = Window("p", "day", timezone="Europe/Paris")
    a = w.span(ts(PARIS, 2024, 1, 15, 1))
    assert w.span(ts(PARIS, 2024, 1, 15, 23, 59)) is a
    b = w.span(ts(PARIS, 2024, 1, 16, 0, 0))
    assert b.add_key != a.add_key and b.start == a.reset_at == ts(PARIS, 2024, 1, 16)
    total = Window("p", "total").span(0.0)
    assert total.reset_at is None and total.ttl_s == 0


def test_rolling_window_buckets() -> None:
    w = Window("p", "minute", rolling=True)
    s = w.span(T0 + 25)
    assert len(s.read_keys) == 6 and s.add_key == s.read_keys[-1]
    assert s.start == T0 + 20 - 50 and s.valid_from == T0 + 20 and s.valid_until == T0 + 30
    s2 = w.span(T0 + 31)  # the next bucket: the window slides by one bucket
    assert s2.read_keys == (*s.read_keys[1:], s2.add_key)
    far = w.span(T0 + 1000)
    assert not set(far.read_keys) & set(s.read_keys)
    # the oldest non-empty bucket leaves the window one window length after it began
    assert w.reset_at(s, [0, 0, 3, 0, 0, 1]) == s.start + 2 * 10 + 60
    assert w.reset_at(s, [0] * 6) is None
    h = Window("p", "hour", rolling=True).span(T0)
    d = Window("p", "day", rolling=True).span(T0)
    assert len(h.read_keys) == 60 and len(d.read_keys) == 24


# ---------------------------------------------------------------- admission


def test_concurrent_admits_never_overspend_a_token_budget() -> None:
    async def go() -> None:
        store = YieldingStore()
        lim = Limiter(store)
        org = Policy("org", "acme", [Budget(tokens=2000, window="month")])
        rng = random.Random(7)
        sizes = [rng.randint(20, 120) for _ in range(64)]

        async def one(n: int) -> int:
            try:
                await lim.admit([org], "gpt", n // 2, n - n // 2, None, now=T0)
                return n
            except BudgetExceeded:
                return 0

        got = await asyncio.gather(*(one(n) for n in sizes))
        admitted = sum(got)
        assert 0 < admitted <= 2000
        assert any(g == 0 for g in got)  # 64 calls of ~70 tokens cannot all fit
        key = lim._plans[id(org)].items[0].window.span(T0).add_key
        assert await value(store, key) == admitted  # reserved == what was admitted, exactly

    run(go())


def test_rpm_admits_exactly_n_per_calendar_minute_and_refusals_reserve_nothing() -> None:
    async def go() -> None:
        store = YieldingStore()
        lim = Limiter(store)
        org = Policy("org", "acme", [Budget(tokens=10**9, window="day")])
        key = Policy("key", "k1", limits=Limits(rpm=10))

        async def one(now: float) -> bool:
            try:
                await lim.admit([org, key], "gpt", 1, 1, None, now=now)
                return True
            except RateLimitExceeded as e:
                assert e.status == 429 and e.code == "rate_limit_exceeded"
                wait = str(math.ceil(T0 + 60 - now))
                assert e.headers["retry-after"] == wait and e.headers["x-ratelimit-remaining-requests"] == "0"
                assert e.details["limit"] == "rpm" and e.details["level"] == "key"
                return False

        first = await asyncio.gather(*(one(T0 + 5) for _ in range(25)))
        assert sum(first) == 10
        assert sum(await asyncio.gather(*(one(T0 + 30.5) for _ in range(3)))) == 0
        # the org budget counted only the 10 admitted calls (all-or-nothing across policies)
        bkey = lim._plans[id(org)].items[0].window.span(T0).add_key
        assert await value(store, bkey) == 20
        nxt = await asyncio.gather(*(one(T0 + 65) for _ in range(12)), return_exceptions=True)
        assert sum(1 for r in nxt if r is True) == 10

    run(go())


def test_concurrency_limit_released_on_settle_and_settle_is_idempotent() -> None:
    async def go() -> None:
        store = MemoryCounterStore()
        lim = Limiter(store)
        user = Policy("user", "u1", [Budget(tokens=1000, window="day")], Limits(concurrency=2))
        a = await lim.admit([user], "gpt", 50, 50, None, now=T0)
        b = await lim.admit([user], "gpt", 50, 50, None, now=T0)
        with pytest.raises(RateLimitExceeded) as e:
            await lim.admit([user], "gpt", 50, 50, None, now=T0)
        assert e.value.headers["retry-after"] == "1" and e.value.details["limit"] == "concurrency"
        conc = key_of(a, ":conc")
        budget = key_of(a, ":b:tok:")
        assert await value(store, budget) == 200
        await lim.settle(a, 30, None)
        assert await value(store, conc) == 1
        assert await value(store, budget) == 130  # 100 reserved became the 30 used
        await lim.settle(a, 30, None)  # again: no effect
        await lim.settle(a, 999, 1.0)
        assert await value(store, conc) == 1 and await value(store, budget) == 130
        c = await lim.admit([user], "gpt", 50, 50, None, now=T0)
        assert await value(store, conc) == 2
        await asyncio.gather(lim.settle(b, 0, None), lim.settle(b, 0, None), lim.settle(c, 10, None))
        assert await value(store, conc) == 0 and await value(store, budget) == 40

    run(go())


def test_budget_refusal_error_and_structured_details() -> None:
    async def go() -> None:
        lim = Limiter(MemoryCounterStore())
        team = Policy("team", "ml", [Budget(tokens=100, window="day", timezone="Europe/Paris")])
        now = ts(PARIS, 2024, 1, 15, 23, 30)
        t = await lim.admit([team], "gpt", 30, 30, None, now=now)
        await lim.settle(t, 60, None)
        with pytest.raises(BudgetExceeded) as e:
            await lim.admit([team], "gpt", 30, 30, None, now=now)
        err = e.value
        assert (err.status, err.code) == (429, "budget_exceeded")
        assert err.headers["x-should-retry"] == "false"
        assert err.headers["x-tokenway-budget-reset"] == "2024-01-16T00:00:00+01:00"
        assert {"level": "team", "id": "ml", "window": "day", "limit": 100.0, "unit": "tokens",
                "reset_at": "2024-01-16T00:00:00+01:00"}.items() <= err.details.items()
        assert "team 'ml'" in err.message and "day budget of 100 tokens" in err.message
        assert "2024-01-16T00:00:00+01:00" in err.message and "used 60" in err.message
        # a call that could never fit says so
        with pytest.raises(BudgetExceeded) as e2:
            await lim.admit([Policy("key", "k", [Budget(tokens=10, window="total")])], "gpt", 5, 50, None, now=now)
        assert "alone exceeds" in e2.value.message and e2.value.details["reset_at"] is None
        assert "x-tokenway-budget-reset" not in e2.value.headers

    run(go())


def test_day_budget_rolls_at_local_midnight_not_utc() -> None:
    async def go() -> None:
        lim = Limiter(MemoryCounterStore())
        p = Policy("org", "acme", [Budget(tokens=100, window="day", timezone="Europe/Paris")])
        await lim.admit([p], "gpt", 100, 0, None, now=ts(PARIS, 2024, 1, 15, 23, 30))
        with pytest.raises(BudgetExceeded):
            await lim.admit([p], "gpt", 1, 0, None, now=ts(PARIS, 2024, 1, 15, 23, 59, 59))
        # 00:00:01 in Paris is still 23:00:01 UTC on the 15th: the Paris day has rolled over
        await lim.admit([p], "gpt", 100, 0, None, now=ts(PARIS, 2024, 1, 16, 0, 0, 1))
        # New York: UTC midnight changes nothing, local midnight does
        ny = Policy("org", "nyc", [Budget(tokens=100, window="day", timezone="America/New_York")])
        await lim.admit([ny], "gpt", 100, 0, None, now=ts(NEW_YORK, 2024, 1, 15, 18))  # 23:00 UTC
        with pytest.raises(BudgetExceeded):
            await lim.admit([ny], "gpt", 1, 0, None, now=ts(NEW_YORK, 2024, 1, 15, 19, 30))  # 00:30 UTC
        await lim.admit([ny], "gpt", 100, 0, None, now=ts(NEW_YORK, 2024, 1, 16, 0, 0, 1))

    run(go())


def test_month_budget_rolls_on_the_local_first_of_the_month() -> None:
    async def go() -> None:
        lim = Limiter(MemoryCounterStore())
        p = Policy("org", "nyc", [Budget(usd=10.0, window="month", timezone="America/New_York")])
        await lim.admit([p], "gpt", 1, 1, 10.0, now=ts(NEW_YORK, 2024, 1, 31, 20))  # Feb 1 in UTC
        with pytest.raises(BudgetExceeded) as e:
            await lim.admit([p], "gpt", 1, 1, 0.01, now=ts(NEW_YORK, 2024, 1, 31, 23, 59))
        assert e.value.headers["x-tokenway-budget-reset"] == "2024-02-01T00:00:00-05:00"
        assert e.value.details["unit"] == "usd"
        await lim.admit([p], "gpt", 1, 1, 10.0, now=ts(NEW_YORK, 2024, 2, 1, 0, 0, 30))

    run(go())


def test_rolling_budget_expires_old_buckets() -> None:
    async def go() -> None:
        lim = Limiter(MemoryCounterStore())
        p = Policy("key", "k", [Budget(tokens=100, window="hour", rolling=True)])
        t0 = T0 + 30  # inside the minute bucket that began at T0
        await lim.admit([p], "gpt", 100, 0, None, now=t0)
        with pytest.raises(BudgetExceeded) as e:
            await lim.admit([p], "gpt", 1, 0, None, now=t0 + 1800)
        assert e.value.details["rolling"] is True
        assert e.value.details["reset_at"] == datetime.fromtimestamp(T0 + 3600, ZoneInfo("UTC")).isoformat()
        with pytest.raises(BudgetExceeded):
            await lim.admit([p], "gpt", 1, 0, None, now=T0 + 3599)
        await lim.admit([p], "gpt", 60, 0, None, now=T0 + 3600)  # the first bucket left the window
        await lim.admit([p], "gpt", 40, 0, None, now=T0 + 3700)
        with pytest.raises(BudgetExceeded):
            await lim.admit([p], "gpt", 1, 0, None, now=T0 + 3710)

    run(go())


def test_usd_budget_reserves_worst_case_then_settles_to_actual_cost() -> None:
    async def go() -> None:
        store = MemoryCounterStore()
        lim = Limiter(store)
        p = Policy("team", "t", [Budget(usd=1.0, window="day")])
        a = await lim.admit([p], "gpt", 10, 10, 0.4, now=T0)
        await lim.admit([p], "gpt", 10, 10, 0.4, now=T0)
        with pytest.raises(BudgetExceeded) as e:
            await lim.admit([p], "gpt", 10, 10, 0.4, now=T0)
        assert e.value.details["unit"] == "usd" and "0.4 usd" in e.value.message
        k = key_of(a, ":b:usd:")
        assert await value(store, k) == pytest.approx(0.8)
        await lim.settle(a, 20, 0.1)
        assert await value(store, k) == pytest.approx(0.5)
        c = await lim.admit([p], "gpt", 10, 10, 0.4, now=T0)
        # the price is unknown: nothing reserved, nothing counted at settle
        u = await lim.admit([p], "gpt", 10, 10, None, now=T0)
        assert await value(store, k) == pytest.approx(0.9)
        await lim.settle(u, 20, 5.0)
        assert await value(store, k) == pytest.approx(0.9)
        # a known worst case with an unknown final cost keeps the worst case
        await lim.settle(c, 20, None)
        assert await value(store, k) == pytest.approx(0.9)

    run(go())


def test_model_filtered_budget_counts_only_its_model_group() -> None:
    async def go() -> None:
        store = MemoryCounterStore()
        lim = Limiter(store)
        p = Policy("team", "t", [Budget(tokens=100, window="day", model="gpt-4o")])
        t = await lim.admit([p], "cheap", 500, 500, None, now=T0)
        assert t.reserved == []
        await lim.admit([p], "gpt-4o", 50, 50, None, now=T0)
        with pytest.raises(BudgetExceeded) as e:
            await lim.admit([p], "gpt-4o", 1, 0, None, now=T0)
        assert "model 'gpt-4o'" in e.value.message

    run(go())


def test_tpm_reserves_max_output_and_settles_to_usage() -> None:
    async def go() -> None:
        store = MemoryCounterStore()
        lim = Limiter(store)
        k = Policy("key", "k", limits=Limits(tpm=1000))
        a = await lim.admit([k], "gpt", 100, 500, None, now=T0)
        with pytest.raises(RateLimitExceeded) as e:
            await lim.admit([k], "gpt", 100, 500, None, now=T0 + 10)
        assert e.value.headers["retry-after"] == "50" and e.value.details["limit"] == "tpm"
        assert e.value.headers["x-ratelimit-remaining-tokens"] == "400"
        await lim.settle(a, 150, None)
        assert await value(store, key_of(a, ":tpm:")) == 150
        await lim.admit([k], "gpt", 100, 500, None, now=T0 + 10)
        # a call that can never fit in the limit: retrying cannot help
        with pytest.raises(RateLimitExceeded) as e2:
            await lim.admit([k], "gpt", 100, 5000, None, now=T0 + 10)
        assert e2.value.headers["x-should-retry"] == "false" and "retry-after" not in e2.value.headers

    run(go())


def test_ratelimit_headers_come_from_the_tightest_limits() -> None:
    async def go() -> None:
        lim = Limiter(MemoryCounterStore())
        org = Policy("org", "o", limits=Limits(rpm=100, tpm=500))
        key = Policy("key", "k", limits=Limits(rpm=10, tpm=100_000))
        t = await lim.admit([org, key], "gpt", 60, 40, None, now=T0 + 48)
        assert t.headers == (b"x-ratelimit-limit-requests: 10\r\nx-ratelimit-remaining-requests: 9\r\n"
                             b"x-ratelimit-reset-requests: 12s\r\n"
                             b"x-ratelimit-limit-tokens: 500\r\nx-ratelimit-remaining-tokens: 400\r\n"
                             b"x-ratelimit-reset-tokens: 12s\r\n")
        t2 = await lim.admit([org, key], "gpt", 60, 40, None, now=T0 + 50.5)
        assert b"x-ratelimit-remaining-requests: 8\r\n" in t2.headers
        assert b"x-ratelimit-remaining-tokens: 300\r\n" in t2.headers and b"reset-tokens: 10s\r\n" in t2.headers
        only_tpm = await lim.admit([Policy("org", "p", limits=Limits(tpm=50))], "gpt", 1, 1, None, now=T0)
        assert b"requests" not in only_tpm.headers and b"x-ratelimit-remaining-tokens: 48\r\n" in only_tpm.headers
        none = await lim.admit([Policy("org", "q", [Budget(tokens=10)], Limits(concurrency=3))], "gpt", 1, 1,
                               None, now=T0)
        assert none.headers == b""

    run(go())


# ---------------------------------------------------------------- alerts


def test_soft_budget_never_refuses_and_alerts_once_per_window_per_threshold() -> None:
    async def go() -> None:
        store = MemoryCounterStore()
        sink = Sink()
        metrics = Metrics()
        lim = Limiter(store, metrics, sink)
        p = Policy("user", "u", [Budget(tokens=100, window="day", timezone="Europe/Paris", mode="soft",
                                        alert_at=[1.0, 0.5])])
        day1 = ts(PARIS, 2024, 1, 15, 10)

        async def call(n: int, now: float) -> None:
            t = await lim.admit([p], "gpt", n, 1000, None, now=now)  # reserves far beyond the budget
            await lim.settle(t, n, None)

        await call(40, day1)
        assert sink.events == []
        await call(20, day1 + 1)  # 60: crosses 0.5
        assert [e["threshold"] for e in sink.events] == [0.5]
        await call(30, day1 + 2)  # 90
        await call(50, day1 + 3)  # 140: over the budget, still admitted; crosses 1.0
        await call(50, day1 + 4)
        assert [e["threshold"] for e in sink.events] == [0.5, 1.0]
        ev = sink.events[1]
        assert {"type": "budget_alert", "level": "user", "id": "u", "window": "day", "unit": "tokens",
                "limit": 100.0, "used": 140.0, "mode": "soft", "reset_at": "2024-01-16T00:00:00+01:00"}.items() \
            <= ev.items()
        # a second gateway replica on the same store does not alert again
        other = Limiter(store, None, sink)
        t = await other.admit([p], "gpt", 10, 0, None, now=day1 + 5)
        await other.settle(t, 10, None)
        assert len(sink.events) == 2
        # the next local day is a new window: alerts again
        await call(70, ts(PARIS, 2024, 1, 16, 0, 0, 1))
        assert [e["threshold"] for e in sink.events] == [0.5, 1.0, 0.5]
        assert metrics.alerts[("user", "u", "0.5")] == 2 and metrics.alerts[("user", "u", "1")] == 1
        text = metrics.render().decode()
        assert 'tokenway_budget_alerts_total{id="u",level="user",threshold="0.5"} 2.0' in text

    run(go())


async def _webhook_server(received: list[tuple[str, dict[str, str], Any]],
                          status: int = 200) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                lines = head.split("\r\n")
                hdrs = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                body = await reader.readexactly(int(hdrs["content-length"]))
                received.append((lines[0], hdrs, json.loads(body)))
                writer.write(b"HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\nok" % status)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_webhook_alerts_post_json_to_a_local_server() -> None:
    async def go() -> None:
        received: list[tuple[str, dict[str, str], Any]] = []
        server, port = await _webhook_server(received)
        hook = WebhookAlerts(f"http://127.0.0.1:{port}/hooks/budget?src=tw", 2.0, Log("error"))
        lim = Limiter(MemoryCounterStore(), Metrics(), hook)
        p = Policy("team", "ml", [Budget(usd=1.0, window="month", alert_at=[0.8])])
        t = await lim.admit([p], "gpt", 10, 10, 1.0, now=T0)
        await lim.settle(t, 20, 0.85)
        t = await lim.admit([p], "gpt", 10, 10, 0.1, now=T0)
        await lim.settle(t, 20, 0.05)  # still above 0.8: no second alert
        await asyncio.wait_for(hook.flush(), 5)
        assert hook.sent == 1 and hook.failed == 0
        line, hdrs, body = received[0]
        assert line == "POST /hooks/budget?src=tw HTTP/1.1"
        assert hdrs["content-type"] == "application/json" and hdrs["host"] == f"127.0.0.1:{port}"
        assert body["type"] == "budget_alert" and body["threshold"] == 0.8 and body["unit"] == "usd"
        assert body["level"] == "team" and body["id"] == "ml" and body["used"] == pytest.approx(0.85)
        assert len(received) == 1
        await hook.close()
        server.close()
        await server.wait_closed()

    run(go())


def test_webhook_failures_are_counted_never_raised() -> None:
    async def go() -> None:
        received: list[tuple[str, dict[str, str], Any]] = []
        server, port = await _webhook_server(received, status=500)
        bad = WebhookAlerts(f"http://127.0.0.1:{port}/x", 2.0, Log("error"))
        bad.send({"type": "budget_alert"})
        await asyncio.wait_for(bad.flush(), 5)
        assert bad.failed == 1 and len(received) == 1
        await bad.close()
        server.close()
        await server.wait_closed()
        # nothing listens there any more: a connect error, logged and counted
        down = WebhookAlerts(f"http://127.0.0.1:{port}/x", 1.0, Log("error"))
        down.send({"type": "budget_alert"})
        await asyncio.wait_for(down.flush(), 5)
        assert down.failed == 1 and down.sent == 0
        await down.close()
        # a full queue drops alerts instead of blocking the caller
        full = WebhookAlerts(f"http://127.0.0.1:{port}/x", 1.0, Log("error"), queue_size=1)
        for _ in range(5):
            full.send({"type": "budget_alert"})
        assert full.dropped >= 3
        await full.close()

    run(go())
