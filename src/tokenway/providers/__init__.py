"""Vendors: how to reach each one, its auth and its quirks. One module per vendor."""

from __future__ import annotations

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.providers.base import Provider
from tokenway.upstream.client import Pools


def build_provider(name: str, cfg: ProviderConfig, pools: Pools) -> Provider:
    """The provider object for one ``providers:`` entry."""
    if cfg.type == "demo":
        from tokenway.providers.demo import DemoProvider

        return DemoProvider(name, cfg)
    if cfg.type in ("openai", "openai-compatible"):
        from tokenway.providers.openai import OpenAIProvider

        return OpenAIProvider(name, cfg, pools)
    if cfg.type == "azure-openai":
        from tokenway.providers.azure import AzureOpenAIProvider

        return AzureOpenAIProvider(name, cfg, pools)
    if cfg.type == "anthropic":
        from tokenway.providers.anthropic import AnthropicProvider

        return AnthropicProvider(name, cfg, pools)
    if cfg.type == "gemini":
        from tokenway.providers.gemini import GeminiProvider

        return GeminiProvider(name, cfg, pools)
    if cfg.type == "bedrock":
        from tokenway.providers.bedrock import BedrockProvider

        return BedrockProvider(name, cfg, pools)
    raise ValueError(f"unknown provider type {cfg.type!r}")  # pragma: no cover - schema forbids it
