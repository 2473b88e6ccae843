"""AWS Bedrock Runtime: Converse and ConverseStream, signed with SigV4 (botocore's signer)."""

from __future__ import annotations

import os

from tokenway.config.schema import Provider as ProviderConfig
from tokenway.dialects import bedrock as wire
from tokenway.providers.base import Provider, UpstreamResponse
from tokenway.upstream.client import Pools


class BedrockProvider(Provider):
    format = "bedrock"

    def __init__(self, name: str, cfg: ProviderConfig, pools: Pools) -> None:
        region = cfg.region or "us-east-1"
        super().__init__(name, cfg, pools, default_base=f"https://bedrock-runtime.{region}.amazonaws.com")
        self.region = region
        self.access_key = cfg.access_key_id or os.environ.get("AWS_ACCESS_KEY_ID", "")
        self.secret_key = cfg.secret_access_key or os.environ.get("AWS_SECRET_ACCESS_KEY", "")
        self.session_token = cfg.session_token or os.environ.get("AWS_SESSION_TOKEN") or None

    def path(self, op: str, model: str, stream: bool) -> str:
        if op != "chat":
            raise KeyError(op)
        return wire.request_path(model, stream)

    async def send(self, op: str, model: str, body: bytes, stream: bool,
                   deadline: float | None) -> UpstreamResponse:
        assert self.pool is not None
        path = self._prefix_path + self.path(op, model, stream)
        url = f"{self.pool.scheme}://{self.pool.host_header}{path}"
        headers = {"Content-Type": "application/json", "Host": self.pool.host_header}
        headers.update(self.cfg.headers)
        signed = wire.sign("POST", url, headers, body, self.region, self.access_key, self.secret_key,
                           self.session_token)
        lines = [f"POST {path} HTTP/1.1", "User-Agent: tokenway/0.1"]
        lines += [f"{k}: {v}" for k, v in signed.items() if k.lower() != "content-length"]
        head = ("\r\n".join(lines) + "\r\n").encode("latin-1")
        return await self.pool.request(head, body, deadline=deadline)
