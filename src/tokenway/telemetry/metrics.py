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
    def collect(self) -> Iterator[Any]:
        c = CounterMetricFamily("tokenway_requests", "Model calls by group, target, status and code",
                                labels=["model", "target", "status", "code"])
        for k, v in list(self.requests.items()):
            c.add_metric(list(k), v)
        yield c
        for name, doc, hs in (("tokenway_request_duration_seconds", "Whole-call latency", self.latency),
                              ("tokenway_time_to_first_token_seconds", "Time to the first streamed token",
                               self.ttft)):
            fam = HistogramMetricFamily(name, doc, labels=["model"])
            for model, h in list(hs.items()):
                fam.add_metric([model], h.cumulative(), h.sum)
            yield fam
        t = CounterMetricFamily("tokenway_tokens", "Tokens by group, target and direction",
                                labels=["model", "target", "direction"])
        for k, v in list(self.tokens.items()):
            t.add_metric(list(k), v)
        yield t
        r = CounterMetricFamily("tokenway_retries", "Retried attempts by group and target",
                                labels=["model", "target"])
        for k, v in list(self.retries.items()):
            r.add_metric(list(k), v)
        yield r
        f = CounterMetricFamily("tokenway_fallbacks", "Calls served by a fallback group", labels=["model"])
        for k2, v in list(self.fallbacks.items()):
            f.add_metric([k2], v)
        yield f
        state = GaugeMetricFamily("tokenway_circuit_state",
                                  "Circuit breaker state per target (0 closed, 1 open, 2 half-open)",
                                  labels=["target"])
        opens = CounterMetricFamily("tokenway_circuit_opens", "Times the breaker opened", labels=["target"])
        for label, breaker in list(self.circuit_opens.items()):
            state.add_metric([label], breaker.state)
            opens.add_metric([label], breaker.opens)
        yield state
        yield opens
        al = CounterMetricFamily("tokenway_budget_alerts", "Budget threshold alerts sent",
                                 labels=["level", "id", "threshold"])
        for k, v in list(self.alerts.items()):
            al.add_metric(list(k), v)
        yield al
        cr = CounterMetricFamily("tokenway_canary_requests", "Calls of a canaried group by arm (stable or canary)",
                                 labels=["model", "arm"])
        for k, v in list(self.canary_requests.items()):
            cr.add_metric(list(k), v)
        yield cr
        rb = CounterMetricFamily("tokenway_canary_rollbacks", "Automatic canary rollbacks by group",
                                 labels=["model"])
        for k2, v in list(self.canary_rollbacks.items()):
            rb.add_metric([k2], v)
        yield rb
        ca = CounterMetricFamily("tokenway_cache_lookups", "Response cache lookups by group and result",
                                 labels=["model", "result"])
        for k, v in list(self.cache.items()):
            ca.add_metric(list(k), v)
        yield ca
        rd = CounterMetricFamily("tokenway_route_decisions", "Semantic router decisions by router and route",
                                 labels=["model", "route"])
        for k, v in list(self.route_decisions.items()):
            rd.add_metric(list(k), v)
        yield rd
        if self.embedding_stats is not None:
            st = self.embedding_stats()
            em = CounterMetricFamily("tokenway_embeddings", "Texts embedded by the shared model (cache misses)")
            em.add_metric([], st["embedded"])
            yield em
            el = CounterMetricFamily("tokenway_embedding_lookups", "Embedding requests by result",
                                     labels=["result"])
            for label, field in (("hit", "hits"), ("miss", "misses"), ("coalesced", "coalesced")):
                el.add_metric([label], st[field])
            yield el
            eb = CounterMetricFamily("tokenway_embedding_batches", "Batches sent to the embedding model")
            eb.add_metric([], st["batches"])
            yield eb
            es = CounterMetricFamily("tokenway_embedding_busy_seconds", "Time the embedding worker spent in the model")
            es.add_metric([], st["worker_busy_s"])
            yield es

    def render(self) -> bytes:
        return generate_latest(self.registry)
