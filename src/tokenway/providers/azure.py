"""Azure OpenAI: deployments in the path, ``api-version`` in the query, ``api-key`` header."""

from __future__ import annotations

from urllib.parse import quote

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.providers.base import Provider, resolve_secret
from tokenway.upstream.client import Pools

_OPS = {"chat": "chat/completions", "embeddings": "embeddings"}


class AzureOpenAIProvider(Provider):
    format = "openai"
    supports_embeddings = True

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools) -> None:
        super().__init__(name, cfg, pools)
        self.api_key = resolve_secret(cfg.api_key, cfg.api_key_file, "AZURE_OPENAI_API_KEY")

    def path(self, op: str, model: str, stream: bool) -> str:
        # target.model is the deployment name
        return f"/openai/deployments/{quote(model, safe='')}/{_OPS[op]}?api-version={self.cfg.api_version}"

    def auth_headers(self) -> list[tuple[str, str]]:
        return [("api-key", self.api_key)] if self.api_key else []
