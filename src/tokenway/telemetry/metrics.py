"""Prometheus metrics, kept in plain dicts on the hot path and exposed through a collector.

``prometheus_client``'s own metric objects take a lock and a label lookup per update; here an
update is a dict increment, and the collector turns the dicts into metric families at scrape time.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class Histogram:
    __slots__ = ("buckets", "count", "counts", "sum")

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, v: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, v)] += 1
        self.sum += v
        self.count += 1

    def cumulative(self) -> list[tuple[str, float]]:
        out = []
        acc = 0
        for b, c in zip(self.buckets, self.counts, strict=False):
            acc += c
            out.append((repr(b), float(acc)))
        out.append(("+Inf", float(self.count)))
        return out


class Metrics:
    """Every metric the gateway exports. Names are documented in docs/observability.md."""

    def __init__(self) -> None:
        self.requests: defaultdict[tuple[str, str, str, str], int] = defaultdict(int)
        self.latency: dict[str, Histogram] = {}
        self.ttft: dict[str, Histogram] = {}
        self.tokens: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.retries: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.fallbacks: defaultdict[str, int] = defaultdict(int)
        self.circuit_opens: dict[str, Any] = {}  # label -> Breaker (read at scrape)
        self.alerts: defaultdict[tuple[str, str, str], int] = defaultdict(int)  # (level, id, threshold)
        self.canary_requests: defaultdict[tuple[str, str], int] = defaultdict(int)  # (model, stable|canary)
        self.canary_rollbacks: defaultdict[str, int] = defaultdict(int)  # model -> automatic rollbacks
        self.cache: defaultdict[tuple[str, str], int] = defaultdict(int)  # (model, hit|miss|bypass)
        self.route_decisions: defaultdict[tuple[str, str], int] = defaultdict(int)  # (router, route)
        self.guard_decisions: defaultdict[tuple[str, str, str], int] = defaultdict(int)  # (policy, detector, action)
        self.embedding_stats: Any = None  # the EmbeddingService's stats(), once one exists
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)  # type: ignore[arg-type]

    # -- hot path
    def observe_call(self, model: str, target: str, status: int, code: str, latency: float,
                     ttft: float | None) -> None:
        self.requests[(model, target, str(status), code)] += 1
        h = self.latency.get(model)
        if h is None:
            h = self.latency[model] = Histogram()
        h.observe(latency)
        if ttft is not None:
            t = self.ttft.get(model)
            if t is None:
                t = self.ttft[model] = Histogram()
            t.observe(ttft)

    def observe_tokens(self, model: str, target: str, prompt: int, completion: int) -> None:
        self.tokens[(model, target, "input")] += prompt
        self.tokens[(model, target, "output")] += completion

    # -- scrape
    def _counters(self) -> tuple[tuple[str, str, list[str], dict[Any, int]], ...]:
        """(name, help, labels, values keyed by label tuple or single label) of every plain counter."""
        return (
            ("tokenway_requests", "Model calls by group, target, status and code",
             ["model", "target", "status", "code"], self.requests),
            ("tokenway_tokens", "Tokens by group, target and direction", ["model", "target", "direction"],
             self.tokens),
            ("tokenway_retries", "Retried attempts by group and target", ["model", "target"], self.retries),
            ("tokenway_fallbacks", "Calls served by a fallback group", ["model"], self.fallbacks),
            ("tokenway_budget_alerts", "Budget threshold alerts sent", ["level", "id", "threshold"], self.alerts),
            ("tokenway_canary_requests", "Calls of a canaried group by arm (stable or canary)", ["model", "arm"],
             self.canary_requests),
            ("tokenway_canary_rollbacks", "Automatic canary rollbacks by group", ["model"], self.canary_rollbacks),
            ("tokenway_cache_lookups", "Response cache lookups by group and result", ["model", "result"],
             self.cache),
            ("tokenway_route_decisions", "Semantic router decisions by router and route", ["model", "route"],
             self.route_decisions),
            ("tokenway_guard_decisions", "Guard decisions by policy, detector and action (checks too weak to act "
             "on count as log)", ["policy", "detector", "action"], self.guard_decisions),
        )

    def collect(self) -> Iterator[Any]:
        for name, doc, labels, values in self._counters():
            fam = CounterMetricFamily(name, doc, labels=labels)
            for k, v in list(values.items()):
                fam.add_metric(list(k) if isinstance(k, tuple) else [k], v)
            yield fam
        for name, doc, hs in (("tokenway_request_duration_seconds", "Whole-call latency", self.latency),
                              ("tokenway_time_to_first_token_seconds", "Time to the first streamed token",
                               self.ttft)):
            hist = HistogramMetricFamily(name, doc, labels=["model"])
            for model, h in list(hs.items()):
                hist.add_metric([model], h.cumulative(), h.sum)
            yield hist
        state = GaugeMetricFamily("tokenway_circuit_state",
                                  "Circuit breaker state per target (0 closed, 1 open, 2 half-open)",
                                  labels=["target"])
        opens = CounterMetricFamily("tokenway_circuit_opens", "Times the breaker opened", labels=["target"])
        for label, breaker in list(self.circuit_opens.items()):
            state.add_metric([label], breaker.state)
            opens.add_metric([label], breaker.opens)
        yield state
        yield opens
        if self.embedding_stats is not None:
            st = self.embedding_stats()
            for name, doc, value in (
                    ("tokenway_embeddings", "Texts embedded by the shared model (cache misses)", st["embedded"]),
                    ("tokenway_embedding_batches", "Batches sent to the embedding model", st["batches"]),
                    ("tokenway_embedding_busy_seconds", "Time the embedding worker spent in the model",
                     st["worker_busy_s"])):
                one = CounterMetricFamily(name, doc)
                one.add_metric([], value)
                yield one
            el = CounterMetricFamily("tokenway_embedding_lookups", "Embedding requests by result", labels=["result"])
            for label, field in (("hit", "hits"), ("miss", "misses"), ("coalesced", "coalesced")):
                el.add_metric([label], st[field])
            yield el

    def render(self) -> bytes:
        return generate_latest(self.registry)
