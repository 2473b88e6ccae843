"""The configuration schema. Unknown keys are errors; every field is documented in
docs/configuration.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TLS(Strict):
    cert: str
    key: str


class Server(Strict):
    host: str = "127.0.0.1"
    port: int = Field(4000, ge=0, le=65535)
    workers: PositiveInt = 1
    max_body_bytes: PositiveInt = 10 * 1024 * 1024
    tls: TLS | None = None
    reload: bool = True  # watch the config file and reload on change (SIGHUP always reloads)


class Logging(Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    access_log: bool = True  # one JSON line per request (no bodies, no keys)
    log_bodies: bool = False  # reserved for the guardrails issue (redacted bodies)


class Metrics(Strict):
    enabled: bool = True
    path: str = "/metrics"


ProviderType = Literal["openai", "azure-openai", "anthropic", "gemini", "bedrock", "openai-compatible", "demo"]


class Provider(Strict):
    """A vendor connection: where it is and how to authenticate."""

    type: ProviderType
    base_url: str | None = None
    api_key: str | None = None
    api_key_file: str | None = None
    api_version: str | None = None  # azure-openai
    region: str | None = None  # bedrock
    access_key_id: str | None = None  # bedrock
    secret_access_key: str | None = None  # bedrock
    session_token: str | None = None  # bedrock
    headers: dict[str, str] = Field(default_factory=dict)
    connect_timeout_s: PositiveFloat = 10.0
    verify_tls: bool = True
    ca_file: str | None = None
    # demo vendor only: delay between streamed chunks, and before the answer
    demo_chunk_delay_ms: float = Field(0.0, ge=0)
    demo_latency_ms: float = Field(0.0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> Provider:
        if self.type in ("openai-compatible", "azure-openai") and not self.base_url:
            raise ValueError(f"a provider of type {self.type!r} needs base_url")
        if self.type == "azure-openai" and not self.api_version:
            raise ValueError("a provider of type 'azure-openai' needs api_version (e.g. 2024-10-21)")
        if self.type == "bedrock" and not self.region:
            raise ValueError("a provider of type 'bedrock' needs region")
        if self.api_key and self.api_key_file:
            raise ValueError("give api_key or api_key_file, not both")
        return self


class Target(Strict):
    provider: str
    model: str
    weight: float = Field(1.0, gt=0)


class CircuitBreaker(Strict):
    consecutive_failures: PositiveInt = 5
    error_rate: float = Field(0.5, gt=0, le=1)
    window_s: PositiveFloat = 30.0
    min_requests: PositiveInt = 20
    cooldown_s: PositiveFloat = 10.0


class RoutingDefaults(Strict):
    retries: int = Field(2, ge=0, le=10)
    backoff_base_s: float = Field(0.05, ge=0)
    backoff_max_s: float = Field(2.0, ge=0)
    max_retry_after_s: float = Field(10.0, ge=0)  # a longer Retry-After moves on to a fallback
    timeout_s: PositiveFloat = 600.0  # total deadline per request
    first_token_timeout_s: PositiveFloat = 60.0
    circuit_breaker: CircuitBreaker = CircuitBreaker()


class ModelGroup(Strict):
    """A public model name and the targets that serve it."""

    targets: list[Target] = Field(min_length=1)
    balance: Literal["weighted", "least-latency"] = "weighted"
    fallbacks: list[str] = Field(default_factory=list)
    retries: int | None = Field(None, ge=0, le=10)
    timeout_s: PositiveFloat | None = None
    first_token_timeout_s: PositiveFloat | None = None


class Key(Strict):
    """A virtual key. Give the secret (``key``) or its hash (``key_hash: sha256:<hex>``)."""

    name: str | None = None
    key: str | None = None
    key_hash: str | None = None
    models: list[str] = Field(default_factory=lambda: ["*"])

    @model_validator(mode="after")
    def _check(self) -> Key:
        if bool(self.key) == bool(self.key_hash):
            raise ValueError("give exactly one of key or key_hash")
        if self.key_hash is not None:
            algo, _, hexd = self.key_hash.partition(":")
            if algo != "sha256" or len(hexd) != 64 or any(c not in "0123456789abcdef" for c in hexd):
                raise ValueError("key_hash must be 'sha256:' followed by 64 lower-case hex digits")
        return self


class Auth(Strict):
    enabled: bool = True


class Config(Strict):
    server: Server = Server()
    logging: Logging = Logging()
    metrics: Metrics = Metrics()
    auth: Auth = Auth()
    routing: RoutingDefaults = RoutingDefaults()
    providers: dict[str, Provider] = Field(default_factory=dict)
    models: dict[str, ModelGroup] = Field(default_factory=dict)
    keys: list[Key] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_refs(self) -> Config:
        for name, group in self.models.items():
            for i, t in enumerate(group.targets):
                if t.provider not in self.providers:
                    known = ", ".join(sorted(self.providers)) or "none defined"
                    raise ValueError(
                        f"models.{name}.targets.{i}.provider: unknown provider {t.provider!r} (known: {known})"
                    )
            for fb in group.fallbacks:
                if fb not in self.models:
                    raise ValueError(f"models.{name}.fallbacks: unknown model group {fb!r}")
                if fb == name:
                    raise ValueError(f"models.{name}.fallbacks: a group cannot fall back to itself")
        return self
