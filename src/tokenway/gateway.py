"""One loaded configuration, ready to serve: keys, providers, routes.

A reload builds a new ``Gateway`` and swaps it in; calls in flight keep the one they started
with. Connection pools, target health and metrics live outside it and survive reloads.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tokenway.config.schema import Config, Price
from tokenway.identity.directory import Directory
from tokenway.ledger.ledger import NullLedger
from tokenway.limits.alerts import WebhookAlerts
from tokenway.limits.engine import Limiter, Policy
from tokenway.metering.prices import PriceCatalog
from tokenway.metering.tokenizer import Tokenizers
from tokenway.providers import build_provider
from tokenway.providers.base import Provider
from tokenway.routing.targets import Router, TargetHealth
from tokenway.store.counters import MemoryCounterStore
from tokenway.store.ledger import UsageLedger
from tokenway.telemetry.bodies import BodyRedactor
from tokenway.telemetry.logs import Log
from tokenway.telemetry.metrics import Metrics
from tokenway.upstream.client import Pools


class Shared:
    """State that outlives a config: pools, target health, metrics."""

    def __init__(self) -> None:
        self.pools = Pools()
        self.health: dict[str, TargetHealth] = {}
        self.metrics = Metrics()
        self.identity_store: Any = None  # the admin API's SQLite store (opened by Directory.attach)
        self.identity_watch: Any = None  # the task following the store's changes
        self.tokenizers = Tokenizers()
        self.counters = MemoryCounterStore()  # budgets and rate limits (in-process; Redis for replicas)
        self.ledger: UsageLedger | None = None  # opened by the server before it listens
        self.classifier: Any = None  # the injection classifier (its embedding model), made on first need
        self.embeddings: Any = None  # the one EmbeddingService (guard, cache, router), made on first need
        self.response_cache: Any = None  # the semantic layer's ResponseCache, made when a group caches
        self.embedding_for_cache: dict[bytes, set[Any]] = {}  # scope -> embeddings of kept answers in flight
        self.canaries: dict[str, Any] = {}  # model group -> CanaryState (kept across reloads if unchanged)
        from tokenway.routing.canary import RecentCalls

        self.recent_calls = RecentCalls()  # request id -> (group, arm), for feedback

    def embedder(self) -> Any:
        """The process's one embedding service: one model, one cache, one batching worker."""
        if self.embeddings is None:
            from tokenway.embed.service import EmbeddingService

            self.embeddings = EmbeddingService()
            self.metrics.embedding_stats = self.embeddings.stats
        return self.embeddings


class Gateway:
    def __init__(self, cfg: Config, shared: Shared) -> None:
        self.cfg = cfg
        self.metrics = shared.metrics
        self.log = Log(cfg.logging.level, cfg.logging.access_log)
        self.bodies = BodyRedactor() if cfg.logging.log_bodies and cfg.logging.access_log else None
        self.keys = Directory.attach(cfg, shared, self.log)  # keys, orgs > teams > users, policies
        self.providers: dict[str, Provider] = {
            name: build_provider(name, p, shared.pools) for name, p in cfg.providers.items()
        }
        self.router = Router(cfg, self.providers, shared.health)
        self.tokenizers = shared.tokenizers
        self.ledger: UsageLedger = shared.ledger if shared.ledger is not None else NullLedger()
        self.prices = PriceCatalog(cfg.prices)
        self._price_cache: dict[str, Price | None] = {}
        alerts = WebhookAlerts(cfg.alerts.webhook_url, cfg.alerts.webhook_timeout_s, self.log) \
            if cfg.alerts.webhook_url else None
        self.limiter = Limiter(shared.counters, self.metrics, alerts, log=self.log)
        self.guard = _guard_engine(cfg, shared) if cfg.guard.policies else None
        self.model_policies: dict[str, Policy] = {
            name: Policy("model", name, [], g.limits) for name, g in cfg.models.items() if g.limits
        }
        for label, h in shared.health.items():
            self.metrics.circuit_opens[label] = h.breaker
        self.shared = shared
        self.recent_calls = shared.recent_calls
        self.response_cache = _response_cache(cfg, shared)
        self.canaries = _canaries(cfg, shared, self)
        self.semantic_routers = _semantic_routers(cfg, self)
        self.needs_embeddings = bool(self.semantic_routers) or any(
            r.cache is not None and r.cache.mode == "semantic" for r in self.router.routes.values())
        self._ready: asyncio.Future[None] | None = None
        self.is_ready = not self.semantic_routers and not self.needs_embeddings

    async def ready(self) -> None:
        """Load what the semantic layer needs before it serves: the embedding model, the routers'
        example embeddings. Awaited before the server listens, and by the first calls after a reload."""
        if self.is_ready:
            return
        self.prepare_soon()
        assert self._ready is not None
        await asyncio.shield(self._ready)

    def prepare_soon(self) -> None:
        """Start loading what :meth:`ready` waits for (after a reload), without waiting."""
        if self.is_ready or self._ready is not None:
            return
        self._ready = asyncio.ensure_future(self._prepare())
        self._ready.add_done_callback(self._prepared)

    def _prepared(self, f: asyncio.Future[None]) -> None:
        if not f.cancelled() and f.exception() is not None:
            self.log.error("semantic_layer_unavailable", problem=repr(f.exception()),
                           detail="router groups and semantic caches fail until a reload fixes it")
            self._ready = None  # the next call tries again

    async def _prepare(self) -> None:
        service = self.shared.embedder()
        await service.warmup()
        for r in self.semantic_routers.values():
            await r.prepare(service)
        self.is_ready = True

    def price(self, vendor_model: str) -> Price | None:
        """The price of a vendor model (cached); warns once for a model with no known price."""
        try:
            return self._price_cache[vendor_model]
        except KeyError:
            p = self._price_cache[vendor_model] = self.prices.lookup(vendor_model)
            if p is None and self.prices.warn_unknown(vendor_model):
                self.log.warning("price_unknown", model=vendor_model,
                                 detail="cost recorded as null; add it under prices: in the config")
            return p

    def vendor_models(self) -> list[str]:
        return sorted({t.model for r in self.router.routes.values() for t in r.targets})


def _response_cache(cfg: Config, shared: Shared) -> Any:
    """The one ResponseCache, made when a group caches; a reload keeps its entries unless the
    store settings changed."""
    if not any(g.cache is not None and g.cache.mode != "off" for g in cfg.models.values()):
        return None
    from tokenway.semantic.cache import ResponseCache

    c = shared.response_cache
    settings = (cfg.cache.max_entries, cfg.cache.max_entry_bytes)
    if c is None or getattr(c, "settings", None) != settings:
        c = shared.response_cache = ResponseCache(*settings)
        c.settings = settings
    return c


def _canaries(cfg: Config, shared: Shared, gw: Gateway) -> dict[str, Any]:
    """Each group's CanaryState; an unchanged canary keeps its stats and its rollback across reloads."""
    from tokenway.routing.canary import CanaryState

    out: dict[str, Any] = {}
    for name, route in gw.router.routes.items():
        c = cfg.models[name].canary
        if c is None or route.canary_route is None:
            continue
        label = route.canary_route.targets[0].label
        old = shared.canaries.get(name)
        stable = ",".join(t.label for t in route.targets)
        if old is not None and old.matches(c, label):
            state = old
            state.log, state.stable_label = gw.log, stable
        else:
            state = CanaryState(name, stable, label, c, gw.metrics, gw.log)
        route.canary = out[name] = state
    shared.canaries = out
    return out


def _semantic_routers(cfg: Config, gw: Gateway) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, g in cfg.models.items():
        if g.router is None:
            continue
        from tokenway.semantic.router import SemanticRouter

        gw.router.routes[name].semantic = out[name] = SemanticRouter(name, g.router)
    return out


def _guard_engine(cfg: Config, shared: Shared) -> Any:
    """The guard for a config; the classifier (an ONNX model) is loaded once per process."""
    from tokenway.guard.engine import GuardEngine

    engine = GuardEngine(cfg.guard, None)
    if engine.needs_classifier:
        if shared.classifier is None:
            from tokenway.guard.classifier import InjectionClassifier

            shared.classifier = InjectionClassifier(service=shared.embedder())
        engine.classifier = shared.classifier
    return engine
