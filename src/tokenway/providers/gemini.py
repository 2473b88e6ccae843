"""Google Gemini (Generative Language API): generateContent and streamGenerateContent."""

from __future__ import annotations

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.dialects import gemini as wire
from tokenway.providers.base import Provider, resolve_secret
from tokenway.upstream.client import Pools


class GeminiProvider(Provider):
    format = "gemini"

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools) -> None:
        super().__init__(name, cfg, pools, default_base="https://generativelanguage.googleapis.com")
        self.api_key = resolve_secret(cfg.api_key, cfg.api_key_file, "GEMINI_API_KEY")

    def path(self, op: str, model: str, stream: bool) -> str:
        if op != "chat":
            raise KeyError(op)
        return wire.request_path(model, stream)

    def auth_headers(self) -> list[tuple[str, str]]:
        return [("x-goog-api-key", self.api_key)] if self.api_key else []
