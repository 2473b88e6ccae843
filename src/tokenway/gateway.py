"""One loaded configuration, ready to serve: keys, providers, routes.

A reload builds a new ``Gateway`` and swaps it in; calls in flight keep the one they started
with. Connection pools, target health and metrics live outside it and survive reloads.
"""

from __future__ import annotations

from typing import Any

from tokenway.config.schema import Config
from tokenway.identity.directory import Directory
from tokenway.providers import build_provider
from tokenway.providers.base import Provider
from tokenway.routing.targets import Router, TargetHealth
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
        for label, h in shared.health.items():
            self.metrics.circuit_opens[label] = h.breaker
