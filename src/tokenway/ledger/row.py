"""One usage event: the ledger's row."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(slots=True)
class UsageRow:
    """Everything the ledger keeps about one call. Slots marked *later* are filled by later
    features (agent runs) and are null until then."""

    request_id: str
    ts: float  # unix seconds when the call started
    org: str | None
    team: str | None
    user: str | None
    key_id: str | None  # first 12 hex digits of the key hash (never the key)
    end_user: str | None  # from the request's `user` / x-tokenway-user when the key allows it
    model: str  # the public model group
    target: str | None  # provider/model that served (None when refused before routing)
    dialect: str  # openai | responses | anthropic | embeddings
    stream: bool
    status: int
    code: str | None  # stable error code, None on success
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cache_creation_tokens: int
    reasoning_tokens: int
    estimated: bool  # True when the vendor reported no usage and the tokenizer counted
    estimated_prompt_tokens: int | None  # the pre-call estimate: drift = prompt_tokens - this
    cost: float | None  # None when the price is unknown (never 0 for unknown)
    currency: str | None
    latency_ms: float
    ttft_ms: float | None
    attempts: int
    cache: str | None = None  # hit | miss | bypass (null: the group has no cache)
    guard: str | None = None  # JSON of guard decisions
    agent_run: str | None = None  # later: agent run id
    route: str | None = None  # the semantic router's decision: "<route> -> <group>"
    cost_saved: float | None = None  # a cache hit: what the cached answer cost when the vendor made it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)
