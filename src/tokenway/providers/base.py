"""What every vendor connection provides to the pipeline."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.upstream.client import Pool, Pools


class UpstreamResponse(Protocol):
    """The part of ``upstream.client.Response`` the pipeline uses (the demo vendor fakes it)."""

    status: int
    headers: dict[str, str]

    async def read(self) -> bytes: ...
    async def first_chunk(self, timeout_at: float | None) -> bytes: ...
    def chunks(self, deadline: float | None) -> Any: ...
    def close(self) -> None: ...


def resolve_secret(value: str | None, file: str | None, env_name: str | None) -> str | None:
    """A secret from config (already ${ENV}-resolved), a file, or the vendor's usual env var."""
    if value:
        return value
    if file:
        return Path(file).read_text(encoding="utf-8").strip()
    if env_name:
        return os.environ.get(env_name) or None
    return None


class Provider:
    """A configured vendor connection.

    ``format`` names the wire format it speaks (``openai``, ``anthropic``, ``gemini``,
    ``bedrock``): the pipeline translates the canonical call into it with ``dialects/<format>``.
    Subclasses set the URL, auth headers and quirks.
    """

    format = "openai"
    supports_embeddings = False

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools | None = None,
                 default_base: str = "") -> None:
        self.name = name
        self.cfg = cfg
        self.base_url = (cfg.base_url or default_base).rstrip("/")
        self.pool: Pool | None = None
        if pools is not None:
            self.pool = pools.get(self.base_url, verify=cfg.verify_tls, ca_file=cfg.ca_file,
                                  connect_timeout=cfg.connect_timeout_s)
        self._prefix_path = _path_of(self.base_url)
        self._heads: dict[tuple[str, str, bool], bytes] = {}

    # -- subclasses override
    def path(self, op: str, model: str, stream: bool) -> str:
        """The request path (with query) for an operation: chat | embeddings | count_tokens."""
        raise NotImplementedError

    def auth_headers(self) -> list[tuple[str, str]]:
        return []

    def prepare_body(self, body: dict[str, Any], model: str, stream: bool) -> dict[str, Any]:
        """Vendor-format body -> the body to send (a hook for quirks)."""
        return body

    # -- shared
    def head(self, op: str, model: str, stream: bool) -> bytes:
        """Request line and headers, cached per (op, model, stream)."""
        key = (op, model, stream)
        h = self._heads.get(key)
        if h is None:
            assert self.pool is not None
            lines = [f"POST {self._prefix_path}{self.path(op, model, stream)} HTTP/1.1",
                     f"Host: {self.pool.host_header}", "Content-Type: application/json",
                     "User-Agent: tokenway/0.1", "Accept: " + ("text/event-stream" if stream else "application/json")]
            lines += [f"{k}: {v}" for k, v in self.auth_headers()]
            lines += [f"{k}: {v}" for k, v in self.cfg.headers.items()]
            h = ("\r\n".join(lines) + "\r\n").encode("latin-1")
            self._heads[key] = h
        return h

    async def send(self, op: str, model: str, body: bytes, stream: bool,
                   deadline: float | None) -> UpstreamResponse:
        assert self.pool is not None
        return await self.pool.request(self.head(op, model, stream), body, deadline=deadline)


def _path_of(base_url: str) -> str:
    rest = base_url.split("://", 1)[-1]
    i = rest.find("/")
    return "" if i < 0 else rest[i:]
