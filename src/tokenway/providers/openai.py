"""OpenAI and every OpenAI-compatible server (vLLM, Ollama, Groq, DeepSeek, Mistral, …)."""

from __future__ import annotations

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.providers.base import Provider, resolve_secret
from tokenway.upstream.client import Pools

_PATHS = {"chat": "/chat/completions", "embeddings": "/embeddings"}


class OpenAIProvider(Provider):
    format = "openai"
    supports_embeddings = True

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools) -> None:
        super().__init__(name, cfg, pools, default_base="https://api.openai.com/v1")
        env = "OPENAI_API_KEY" if cfg.type == "openai" else None
        self.api_key = resolve_secret(cfg.api_key, cfg.api_key_file, env)

    def path(self, op: str, model: str, stream: bool) -> str:
        return _PATHS[op]

    def auth_headers(self) -> list[tuple[str, str]]:
        return [("Authorization", f"Bearer {self.api_key}")] if self.api_key else []
