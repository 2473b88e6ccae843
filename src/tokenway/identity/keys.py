"""Virtual keys: stored as SHA-256 hashes, looked up in memory, compared in constant time.

No database round trip: the table is built when the config loads (and, with the admin API, when
keys change) and lives in memory.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from tokenway.config.schema import Key
from tokenway.errors import InvalidApiKey


def hash_key(secret: str) -> str:
    """The stored form of a key: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(slots=True, frozen=True)
class Identity:
    """Who a call belongs to. ``org``/``team``/``user`` are filled once the hierarchy exists;
    the ledger, budgets and policies key on these fields."""

    key_id: str  # the first 12 hex digits of the key's hash: safe to log
    key_name: str | None = None
    models: frozenset[str] | None = None  # None = every model group
    org: str | None = None
    team: str | None = None
    user: str | None = None
    allow_end_user: bool = False  # may the request name an end user (``user`` / x-tokenway-user)?
    guard_policy: str | None = None  # the guard policy that applies (key > team > org > default)
    allow_guard_opt_out: bool = False  # may a request skip guard detectors (x-tokenway-guard-skip)?
    metadata: dict[str, str] = field(default_factory=dict)

    def may_use(self, model: str) -> bool:
        return self.models is None or model in self.models


ANONYMOUS = Identity(key_id="anonymous")


class KeyTable:
    def __init__(self, keys: list[Key], enabled: bool = True) -> None:
        self.enabled = enabled
        self._by_hash: dict[bytes, tuple[bytes, Identity]] = {}
        for k in keys:
            stored = k.key_hash or hash_key(k.key or "")
            digest = bytes.fromhex(stored.split(":", 1)[1])
            models = None if "*" in k.models else frozenset(k.models)
            ident = Identity(key_id=digest.hex()[:12], key_name=k.name, models=models)
            self._by_hash[digest] = (digest, ident)

    def identify(self, headers: dict[str, str]) -> Identity:
        """The caller's identity from ``Authorization: Bearer`` or ``x-api-key``."""
        if not self.enabled:
            return ANONYMOUS
        secret = _presented_key(headers)
        if not secret:
            raise InvalidApiKey("missing API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'")
        digest = hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()
        entry = self._by_hash.get(digest)
        # the dict lookup is on a hash of the secret; the final check is constant time
        if entry is None or not hmac.compare_digest(entry[0], digest):
            raise InvalidApiKey("invalid API key")
        return entry[1]


def _presented_key(headers: dict[str, str]) -> str:
    auth = headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer":
            return token.strip()
    return headers.get("x-api-key", "").strip()
