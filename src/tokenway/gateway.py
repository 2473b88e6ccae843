"""One loaded configuration, ready to serve: keys, providers, routes.

A reload builds a new ``Gateway`` and swaps it in; calls in flight keep the one they started
with. Connection pools, target health and metrics live outside it and survive reloads.
"""

from __future__ import annotations

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


class Gateway:
    def __init__(self, cfg: Config, shared: Shared) -> None:
        self.cfg = cfg
        self.metrics = shared.metrics
        self.log = Log(cfg.logging.level, cfg.logging.access_log)
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


def _guard_engine(cfg: Config, shared: Shared) -> Any:
    """The guard for a config; the classifier (an ONNX model) is loaded once per process."""
    from tokenway.guard.engine import GuardEngine

    engine = GuardEngine(cfg.guard, None)
    if engine.needs_classifier:
        if shared.classifier is None:
            from tokenway.guard.classifier import InjectionClassifier

            shared.classifier = InjectionClassifier()
        engine.classifier = shared.classifier
    return engine
