"""Admission and settlement: rate limits and budgets with reservations.

``admit`` builds every check that applies to a call (per policy: rpm, tpm, concurrency, budgets)
and reserves them in ONE atomic ``CounterStore.reserve``: either all are counted or none is, so
64 concurrent calls can never overspend a budget, and an RPM of N admits exactly N calls per
calendar minute. ``settle`` replaces each reservation by the actual usage in ONE
``CounterStore.adjust``, releases the concurrency slot, then sends threshold alerts.

What is reserved:

- rpm: 1 per call (fixed calendar minute); tpm: prompt + max output tokens (settled to the
  tokens actually used); concurrency: 1 (released on settle; the counter has a leak-guard TTL
  refreshed by every admit, so slots lost by a crashed worker come back).
- token budgets: prompt + max output; usd budgets: the worst-case cost given by the caller. When
  the price is unknown (``worst_cost=None``) a usd budget cannot be checked: 0 is reserved and
  settle counts nothing for it (the ledger still records the call). When the worst case was known
  but ``settle`` gets ``cost=None``, the worst-case reservation is kept (never undercount).
- soft budgets reserve and count like hard ones but never refuse (their check has no limit);
  they exist for their alerts.

Alerts: after settling, the usage of every budget with ``alert_at`` thresholds is read (one
``get_many``); the usage is the counter, so it includes the reservations of calls still in flight
(conservative). Each crossed threshold is claimed with ``set_once("alert:<window>:<threshold>")``
in the shared store, so one replica sends it, once per calendar window (rolling windows: at most
once per window length).

Policies are compiled once (keys, windows) and cached by identity: build ``Policy`` objects when
the configuration loads and pass the same objects on every call.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from tokenway.config.schema import Budget, Limits
from tokenway.errors import GatewayError
from tokenway.limits.alerts import AlertSink
from tokenway.limits.errors import BudgetExceeded, RateLimitExceeded
from tokenway.limits.windows import Span, Window, budget_window, iso, minute_window
from tokenway.store.counters import Check, CounterStore
from tokenway.telemetry.logs import Log
from tokenway.telemetry.metrics import Metrics

RPM, TPM, CONC, TOKENS, USD = 0, 1, 2, 3, 4
_new = tuple.__new__  # Check(...) without the namedtuple's Python-level __new__ (hot path)
_MAX_PLANS = 4096  # compiled policies kept (cleared when exceeded)
_MAX_ALERTED = 10000  # locally remembered "already alerted" keys (cleared when exceeded)


@dataclass
class Policy:
    """The limits of one scope that apply to a call. ``level``: org | team | user | key | model."""

    level: str
    id: str
    budgets: list[Budget] = field(default_factory=list)
    limits: Limits | None = None


class _Item:
    """One compiled limit of a policy: an rpm, tpm or concurrency limit, or a budget."""

    __slots__ = ("akeys", "akeys_span", "budget", "check", "check_span", "hard", "header", "id", "kind", "labels",
                 "level", "limit", "model", "thresholds", "window")

    def __init__(self, kind: int, policy: Policy, limit: float, window: Window | None = None,
                 budget: Budget | None = None) -> None:
        self.kind = kind
        self.level = policy.level
        self.id = policy.id
        self.limit = limit
        self.window: Window = window  # type: ignore[assignment]  # None only for concurrency
        self.budget = budget
        self.hard = budget is None or budget.mode == "hard"
        self.model = budget.model if budget is not None else None
        self.thresholds = tuple(sorted(budget.alert_at)) if budget is not None else ()
        self.labels = tuple(f"{t:g}" for t in self.thresholds)
        self.check: Check | None = None  # cached for rpm (per span) and concurrency (constant)
        self.check_span: Span | None = None
        self.akeys: tuple[str, ...] = ()  # alert keys, per span
        self.akeys_span: Span | None = None
        what = b"requests" if kind == RPM else b"tokens"  # response headers (rpm/tpm): remaining, reset
        self.header = (b"x-ratelimit-limit-%s: %d\r\nx-ratelimit-remaining-%s: %%d\r\nx-ratelimit-reset-%s: %%ds\r\n"
                       % (what, limit, what, what))


class _Plan:
    __slots__ = ("items", "policy", "rate")

    def __init__(self, policy: Policy, items: tuple[_Item, ...]) -> None:
        self.policy = policy  # held so id(policy) cannot be reused while cached
        self.items = items
        self.rate = any(it.kind in (RPM, TPM) for it in items)


class Ticket:
    """What ``admit`` reserved: ``checks[i]`` (keys, amount) for ``items[i]``, and the response's
    ``x-ratelimit-*`` headers as ``b"Name: value\\r\\n"`` lines (empty when no rpm/tpm applies)."""

    __slots__ = ("checks", "headers", "items", "now", "priced", "settled")

    def __init__(self, checks: list[Check], items: list[_Item], now: float, headers: bytes, priced: bool) -> None:
        self.checks = checks
        self.items = items
        self.now = now
        self.headers = headers
        self.priced = priced  # a worst-case cost was known (usd budgets were really reserved)
        self.settled = False

    @property
    def reserved(self) -> list[tuple[str, float]]:
        return [(c.add_key, c.amount) for c in self.checks]


def _esc(s: str) -> str:
    return s.replace("%", "%25").replace(":", "%3A")


def _num(x: float) -> str:
    return f"{x:.6g}"


class Limiter:
    def __init__(self, store: CounterStore, metrics: Metrics | None = None, alerts: AlertSink | None = None,
                 *, log: Log | None = None, concurrency_ttl_s: float = 900.0) -> None:
        self.store = store
        self.metrics = metrics
        self.alerts = alerts
        self.log = log
        self.concurrency_ttl_s = concurrency_ttl_s  # leak guard: longer than any call's deadline
        self._plans: dict[int, _Plan] = {}
        self._alerted: dict[str, float] = {}  # alert key -> until when it is known to be sent

    # -- admission
    async def admit(self, policies: list[Policy], model: str, prompt_tokens: int, max_output_tokens: int,
                    worst_cost: float | None, now: float | None = None) -> Ticket:
        """Reserve everything that applies, atomically; raise ``BudgetExceeded`` or
        ``RateLimitExceeded`` (nothing reserved) when something would be exceeded."""
        if now is None:
            now = time.time()
        tokens = float(prompt_tokens + max_output_tokens)
        cost = 0.0 if worst_cost is None else float(worst_cost)
        plans = self._plans
        checks: list[Check] = []
        items: list[_Item] = []
        rate = False
        for p in policies:
            plan = plans.get(id(p))
            if plan is None or plan.policy is not p:
                plan = self._compile(p)
            rate = rate or plan.rate
            for it in plan.items:
                k = it.kind
                if k == RPM:
                    span = it.window._span
                    if span is None or not (span.valid_from <= now < span.valid_until):
                        span = it.window.span(now)
                    if it.check_span is not span:
                        it.check = Check(span.read_keys, span.add_key, 1.0, it.limit, span.ttl_s)
                        it.check_span = span
                    checks.append(it.check)  # type: ignore[arg-type]
                elif k == CONC:
                    checks.append(it.check)  # type: ignore[arg-type]
                elif k == TPM:
                    span = it.window._span
                    if span is None or not (span.valid_from <= now < span.valid_until):
                        span = it.window.span(now)
                    checks.append(_new(Check, (span.read_keys, span.add_key, tokens, it.limit, span.ttl_s)))
                else:
                    if it.model is not None and it.model != model:
                        continue
                    span = it.window._span
                    if span is None or not (span.valid_from <= now < span.valid_until):
                        span = it.window.span(now)
                    checks.append(_new(Check, (span.read_keys, span.add_key, tokens if k == TOKENS else cost,
                                               it.limit if it.hard else None, span.ttl_s)))
                items.append(it)
        if not checks:
            return Ticket(checks, items, now, b"", worst_cost is not None)
        totals: list[float] | None = [] if rate else None
        failed = await self.store.reserve(checks, totals)
        if failed is not None:
            raise await self._refusal(checks[failed], items[failed], now)
        return Ticket(checks, items, now, self._headers(items, totals, now) if totals else b"",
                      worst_cost is not None)

    @staticmethod
    def _headers(items: list[_Item], totals: list[float], now: float) -> bytes:
        """OpenAI-style headers from the tightest rpm and tpm (least remaining, then lowest limit)."""
        r = t = None
        r_rem = t_rem = 0.0
        for i, it in enumerate(items):
            k = it.kind
            if k == RPM:
                rem = it.limit - totals[i]
                if r is None or rem < r_rem or (rem == r_rem and it.limit < r.limit):
                    r, r_rem = it, rem
            elif k == TPM:
                rem = it.limit - totals[i]
                if t is None or rem < t_rem or (rem == t_rem and it.limit < t.limit):
                    t, t_rem = it, rem
        reset = math.ceil(60.0 - now % 60.0)  # every rpm/tpm window is the same calendar minute
        if r is None:
            return t.header % (max(t_rem, 0.0), reset)  # type: ignore[union-attr]
        if t is None:
            return r.header % (max(r_rem, 0.0), reset)
        return r.header % (max(r_rem, 0.0), reset) + t.header % (max(t_rem, 0.0), reset)

    async def _refusal(self, c: Check, it: _Item, now: float) -> GatewayError:
        """The error for a failed check (the failure path: one extra read for the message)."""
        vals = await self.store.get_many(list(c.read_keys))
        used = sum(vals)
        k = it.kind
        who = f"{it.level} '{it.id}'"
        if k >= TOKENS:
            b = it.budget
            assert b is not None
            w = it.window
            reset = w.reset_at(w.span(now), vals)
            reset_iso = iso(reset, None if w.rolling else w.tz)
            unit = "tokens" if k == TOKENS else "usd"
            wname = ("rolling " if b.rolling else "") + ("lifetime" if b.window == "total" else b.window)
            msg = (f"budget exceeded: {who} has used {_num(used)} of its {wname} budget of {_num(it.limit)} {unit}"
                   + (f" for model '{b.model}'" if b.model else "")
                   + (f"; this call reserves {_num(c.amount)} tokens (prompt + max output)" if k == TOKENS
                      else f"; this call may cost up to {_num(c.amount)} usd"))
            if c.amount > it.limit:
                msg += "; the call alone exceeds the budget" + (": lower max_tokens" if k == TOKENS else "")
            elif reset_iso is not None:
                msg += f"; the budget resets at {reset_iso}"
            else:
                msg += "; the budget does not reset"
            headers = {"x-should-retry": "false"}
            if reset_iso is not None:
                headers["x-tokenway-budget-reset"] = reset_iso
            details = {"level": it.level, "id": it.id, "window": b.window, "limit": it.limit, "unit": unit,
                       "reset_at": reset_iso, "rolling": b.rolling, "model": b.model}
            return BudgetExceeded(msg, details=details, headers=headers)
        limit = int(it.limit)
        if k == CONC:
            return RateLimitExceeded(
                f"concurrency limit: {who} allows {limit} calls in flight; retry shortly",
                details={"level": it.level, "id": it.id, "limit": "concurrency", "value": limit, "reset_at": None},
                headers={"retry-after": "1"})
        what = "requests" if k == RPM else "tokens"
        reset_at = it.window.span(now).reset_at or now + 60.0
        wait = max(1, math.ceil(reset_at - now))
        headers = {f"x-ratelimit-limit-{what}": str(limit),
                   f"x-ratelimit-remaining-{what}": str(max(0, int(it.limit - used))),
                   f"x-ratelimit-reset-{what}": f"{wait}s"}
        details = {"level": it.level, "id": it.id, "limit": "rpm" if k == RPM else "tpm", "value": limit,
                   "reset_at": iso(reset_at)}
        if k == TPM and c.amount > it.limit:
            headers["x-should-retry"] = "false"
            msg = (f"this call reserves {int(c.amount)} tokens (prompt + max output) but {who} allows "
                   f"{limit} tokens per minute: lower max_tokens")
        else:
            headers["retry-after"] = str(wait)
            msg = f"rate limit: {who} allows {limit} {what} per minute; retry in {wait}s"
        return RateLimitExceeded(msg, details=details, headers=headers)

    # -- settlement
    async def settle(self, ticket: Ticket, tokens: int, cost: float | None) -> None:
        """Replace each reservation by the actual usage (``tokens`` for tpm and token budgets,
        ``cost`` for usd budgets) and release the concurrency slot, in one ``adjust``; then send
        threshold alerts. Idempotent per ticket: a second call does nothing."""
        if ticket.settled:
            return
        ticket.settled = True  # before any await: a concurrent second call must not settle again
        actual = float(max(tokens, 0))
        priced = ticket.priced
        deltas: list[tuple[str, float, float]] = []
        alerting = False
        for c, it in zip(ticket.checks, ticket.items, strict=True):
            k = it.kind
            if k == RPM:
                continue
            if k == CONC:
                deltas.append((c.add_key, -1.0, c.ttl_s))
                continue
            if k == USD:
                if not priced:
                    continue  # unknown price: nothing reserved, nothing counted
                d = (float(cost) - c.amount) if cost is not None else 0.0
            else:
                d = actual - c.amount
            if d:
                deltas.append((c.add_key, d, c.ttl_s))
            if it.thresholds:
                alerting = True
        if deltas:
            await self.store.adjust(deltas)
        if alerting:
            try:
                await self._alert(ticket)
            except Exception as e:  # alerts must never fail a call
                if self.log is not None:
                    self.log.warning("budget_alert_error", error=f"{type(e).__name__}: {e}")

    async def _alert(self, t: Ticket) -> None:
        """Once per window and threshold (``set_once`` in the shared store; remembered locally so
        a crossed threshold costs no store call afterwards)."""
        now = t.now
        alerted = self._alerted
        todo: list[tuple[Check, _Item, Span]] = []
        keys: list[str] = []
        for c, it in zip(t.checks, t.items, strict=True):
            if not it.thresholds or it.kind < TOKENS or (it.kind == USD and not t.priced):
                continue
            span = it.window.span(now)
            if it.akeys_span is not span:
                it.akeys = tuple(f"alert:{span.alert_key}:{lab}" for lab in it.labels)
                it.akeys_span = span
            for a in it.akeys:
                if alerted.get(a, -1.0) <= now:  # a threshold not yet alerted in this window
                    todo.append((c, it, span))
                    keys.extend(c.read_keys)
                    break
        if not todo:
            return
        vals = await self.store.get_many(keys)
        pos = 0
        for c, it, span in todo:
            n = len(c.read_keys)
            mine = vals[pos:pos + n]
            pos += n
            used = sum(mine)
            for th, lab, akey in zip(it.thresholds, it.labels, it.akeys, strict=True):
                if used < th * it.limit * (1 - 1e-9):
                    break
                if alerted.get(akey, -1.0) > now:
                    continue
                if len(alerted) >= _MAX_ALERTED:
                    alerted.clear()
                ttl = span.alert_ttl_s
                alerted[akey] = now + ttl if ttl > 0 else math.inf
                if await self.store.set_once(akey, ttl):
                    self._send(it, th, lab, used, it.window.reset_at(span, mine), now)

    def _send(self, it: _Item, th: float, label: str, used: float, reset: float | None, now: float) -> None:
        b = it.budget
        assert b is not None
        w = it.window
        event: dict[str, Any] = {
            "type": "budget_alert", "level": it.level, "id": it.id, "window": b.window, "rolling": b.rolling,
            "unit": "tokens" if it.kind == TOKENS else "usd", "limit": it.limit, "used": used, "threshold": th,
            "mode": b.mode, "model": b.model, "reset_at": iso(reset, None if w.rolling else w.tz), "at": iso(now),
        }
        if self.metrics is not None:
            self.metrics.alerts[(it.level, it.id, label)] += 1
        if self.alerts is not None:
            try:
                self.alerts.send(event)
            except Exception as e:
                if self.log is not None:
                    self.log.warning("budget_alert_error", error=f"{type(e).__name__}: {e}")

    # -- compiling policies
    def _compile(self, p: Policy) -> _Plan:
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        base = f"tw:{_esc(p.level)}:{_esc(p.id)}"
        items: list[_Item] = []
        lim = p.limits
        if lim is not None:
            if lim.rpm is not None:
                items.append(_Item(RPM, p, float(lim.rpm), minute_window(base + ":rpm")))
            if lim.tpm is not None:
                items.append(_Item(TPM, p, float(lim.tpm), minute_window(base + ":tpm")))
            if lim.concurrency is not None:
                it = _Item(CONC, p, float(lim.concurrency))
                key = base + ":conc"
                it.check = Check((key,), key, 1.0, it.limit, self.concurrency_ttl_s)
                items.append(it)
        seen: dict[str, int] = {}
        for b in p.budgets:
            tokens = b.tokens is not None
            prefix = (f"{base}:b:{'tok' if tokens else 'usd'}:{_esc(b.model) if b.model else '*'}:"
                      f"{b.window}{':r' if b.rolling else ''}")
            n = seen[prefix] = seen.get(prefix, 0) + 1
            if n > 1:  # two budgets counting the same thing keep separate counters
                prefix += f"#{n}"
            limit = float(b.tokens if tokens else b.usd)  # type: ignore[arg-type]
            items.append(_Item(TOKENS if tokens else USD, p, limit, budget_window(b, prefix), b))
        plan = _Plan(p, tuple(items))
        self._plans[id(p)] = plan
        return plan
