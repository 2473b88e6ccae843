"""Model groups resolved against providers: targets with their live health, and balancing."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from tokenway.config.schema import Config, GroupCache, ModelGroup
from tokenway.providers.base import Provider
from tokenway.routing.breaker import Breaker


class TargetHealth:
    """Live state of one (provider, model): EWMA time to first token and the circuit breaker.
    Kept across config reloads, keyed by ``provider/model``."""

    __slots__ = ("breaker", "ewma_ttft", "inflight")

    ALPHA = 0.2

    def __init__(self, breaker: Breaker) -> None:
        self.breaker = breaker
        self.ewma_ttft: float | None = None
        self.inflight = 0

    def observe_ttft(self, seconds: float) -> None:
        e = self.ewma_ttft
        self.ewma_ttft = seconds if e is None else e + self.ALPHA * (seconds - e)


@dataclass(slots=True)
class Target:
    provider: Provider
    model: str
    weight: float
    health: TargetHealth
    label: str  # "provider/model", as in x-tokenway-target and metrics


@dataclass(slots=True)
class Route:
    """One model group, ready to pick targets."""

    name: str
    targets: list[Target]
    balance: str
    fallbacks: list[str]
    retries: int
    timeout_s: float
    first_token_timeout_s: float
    attempt_timeout_s: float | None
    cache: GroupCache | None = None  # the group's response cache (None: off)
    semantic: Any = None  # a router group: its SemanticRouter (and no targets)
    canary: Any = None  # its CanaryState, when a canary takes part of the traffic
    canary_route: Route | None = None  # the canary arm as a one-target route (no retries: the stable arm is next)
    _cum: list[float] = field(default_factory=list)
    _rr: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self._cum = list(itertools.accumulate(t.weight for t in self.targets))

    def arms(self, canary: bool) -> Route:
        """The route an arm's attempts go to (the canary's one-target route, or this one)."""
        return self.canary_route if canary and self.canary_route is not None else self

    def pick(self, tried: set[int]) -> int | None:
        """Index of the target for the next attempt: healthy and untried first, then healthy
        and tried; ``None`` when every breaker is open."""
        ts = self.targets
        if len(ts) == 1:
            return 0 if ts[0].health.breaker.would_allow() else None
        candidates = [i for i, t in enumerate(ts) if i not in tried and t.health.breaker.would_allow()]
        if not candidates:
            candidates = [i for i, t in enumerate(ts) if t.health.breaker.would_allow()]
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        if self.balance == "least-latency":
            unknown = [i for i in candidates if ts[i].health.ewma_ttft is None]
            if unknown:
                return unknown[next(self._rr) % len(unknown)]
            return min(candidates, key=lambda i: (ts[i].health.ewma_ttft or 0.0, ts[i].health.inflight))
        if len(candidates) == len(ts):
            return bisect.bisect_right(self._cum, random.random() * self._cum[-1])
        weights = [ts[i].weight for i in candidates]
        return random.choices(candidates, weights)[0]


class Router:
    """All routes of one config, plus the health registry shared across reloads."""

    def __init__(self, cfg: Config, providers: dict[str, Provider], health: dict[str, TargetHealth]) -> None:
        self.routes: dict[str, Route] = {}
        d = cfg.routing
        for name, g in cfg.models.items():
            self.routes[name] = self._route(name, g, providers, health, cfg)
        self.defaults = d

    @staticmethod
    def _route(name: str, g: ModelGroup, providers: dict[str, Provider], health: dict[str, TargetHealth],
               cfg: Config) -> Route:
        d = cfg.routing

        def target(t: Any) -> Target:
            label = f"{t.provider}/{t.model}"
            h = health.get(label)
            if h is None or h.breaker.cfg != d.circuit_breaker:
                h = health[label] = TargetHealth(Breaker(d.circuit_breaker))
            return Target(providers[t.provider], t.model, t.weight, h, label)

        route = Route(
            name=name, targets=[target(t) for t in g.targets], balance=g.balance, fallbacks=list(g.fallbacks),
            retries=d.retries if g.retries is None else g.retries,
            timeout_s=g.timeout_s or d.timeout_s,
            first_token_timeout_s=g.first_token_timeout_s or d.first_token_timeout_s,
            attempt_timeout_s=g.attempt_timeout_s or d.attempt_timeout_s,
            cache=g.cache if g.cache is not None and g.cache.mode != "off" else None,
        )
        if g.canary is not None:
            route.canary_route = Route(
                name=name, targets=[target(g.canary.target)], balance="weighted", fallbacks=[], retries=0,
                timeout_s=route.timeout_s, first_token_timeout_s=route.first_token_timeout_s,
                attempt_timeout_s=route.attempt_timeout_s)
        return route

    def chain(self, name: str) -> list[Route]:
        """The group and its fallback groups, in order, each once."""
        out: list[Route] = []
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop(0)
            if n in seen or n not in self.routes:
                continue
            seen.add(n)
            r = self.routes[n]
            out.append(r)
            todo.extend(r.fallbacks)
        return out
