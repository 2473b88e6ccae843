"""Anthropic Messages API."""

from __future__ import annotations

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.providers.base import Provider, resolve_secret
from tokenway.upstream.client import Pools

_PATHS = {"chat": "/v1/messages", "count_tokens": "/v1/messages/count_tokens"}


class AnthropicProvider(Provider):
    format = "anthropic"

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools) -> None:
        super().__init__(name, cfg, pools, default_base="https://api.anthropic.com")
        self.api_key = resolve_secret(cfg.api_key, cfg.api_key_file, "ANTHROPIC_API_KEY")

    def path(self, op: str, model: str, stream: bool) -> str:
        return _PATHS[op]

    def auth_headers(self) -> list[tuple[str, str]]:
        h = [("anthropic-version", "2023-06-01")]
        if self.api_key:
            h.append(("x-api-key", self.api_key))
        return h
