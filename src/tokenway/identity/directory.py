"""The directory: orgs > teams > users > keys, from the config file and the admin API's store.

Config entities are read-only (the admin API answers 409 ``managed_by_config`` when asked to change
them); store entities are made through the admin API. Both are merged into one immutable in-memory
state — the key table (sha256 digest -> ``Identity`` with org/team/user resolved) and the policy
lists — swapped atomically by ``refresh``. A request never touches the database.

Resolution: ``key.user -> user.team -> team.org`` (``user.org`` wins when given), or
``key.team -> team.org``. Other workers' changes are picked up by ``watch`` (it polls the store's
version counter off the event loop); the admin API refreshes at once after its own changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokenway.config.schema import GUARD_OFF, Budget, Config, Limits
from tokenway.errors import InvalidApiKey
from tokenway.identity.keys import ANONYMOUS, Identity, _presented_key, hash_key
from tokenway.limits.engine import Policy
from tokenway.store.identity_sqlite import IdentityStore, Snapshot

if TYPE_CHECKING:
    from tokenway.telemetry.logs import Log

LEVELS = ("org", "team", "user", "key")
_POLICY_CACHE_MAX = 8192


@dataclass(slots=True, frozen=True)
class Entity:
    """An org, team or user as the admin API shows it."""

    kind: str  # org | team | user
    id: str
    name: str | None = None
    org: str | None = None
    team: str | None = None
    email: str | None = None
    budgets: tuple[Budget, ...] = ()
    limits: Limits | None = None
    managed_by: str = "api"  # config | api
    created_at: float | None = None


@dataclass(slots=True, frozen=True)
class KeyRecord:
    """A virtual key: everything but its secret."""

    id: str  # the first 12 hex digits of the hash, as Identity.key_id
    digest: bytes
    identity: Identity
    name: str | None = None
    prefix: str | None = None  # "sk-tw-…abcd" for display
    user: str | None = None
    team: str | None = None
    models: tuple[str, ...] = ("*",)
    allow_end_user: bool = False
    status: str = "active"  # active | revoked
    created_at: float | None = None
    revoked_at: float | None = None
    rotated_from: str | None = None
    expires_at: float | None = None
    budgets: tuple[Budget, ...] = ()
    limits: Limits | None = None
    managed_by: str = "api"


@dataclass(slots=True)
class _State:
    version: int
    orgs: dict[str, Entity]
    teams: dict[str, Entity]
    users: dict[str, Entity]
    keys: dict[str, KeyRecord]  # by id, revoked ones too
    by_hash: dict[bytes, KeyRecord]  # active keys only
    policy_cache: dict[tuple[str, str], list[Policy]] = field(default_factory=dict)


def key_prefix(secret: str) -> str | None:
    """How a key is shown once its secret is gone: ``sk-tw-…abcd`` (nothing for a short secret,
    where ten characters would give most of it away)."""
    return f"{secret[:6]}…{secret[-4:]}" if len(secret) >= 24 else None


def key_id_of(stored_hash: str) -> str:
    return stored_hash.split(":", 1)[1][:12]


class Directory:
    """The identity hierarchy of one loaded config plus the store; ``identify`` is the hot path."""

    def __init__(self, cfg: Config, store: IdentityStore | None = None, log: Log | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.enabled = cfg.auth.enabled
        self._anonymous = Identity(key_id=ANONYMOUS.key_id, guard_policy=cfg.guard.default_policy)
        self.log = log
        self._lock = threading.Lock()
        self._state = self._build(store.snapshot() if store is not None else None)

    # ------------------------------------------------------------------ gateway wiring
    @classmethod
    def attach(cls, cfg: Config, shared: Any, log: Log | None = None) -> Directory:
        """The directory for a new Gateway: the store lives in ``shared`` (it outlives reloads) and
        one watch task per process follows the newest directory."""
        store = open_store(cfg, shared)
        d = cls(cfg, store, log)
        old = getattr(shared, "identity_watch", None)
        if old is not None:
            old.cancel()
            shared.identity_watch = None
        if store is not None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                shared.identity_watch = loop.create_task(d.watch())
        return d

    # ------------------------------------------------------------------ hot path
    def identify(self, headers: dict[str, str]) -> Identity:
        """The caller's identity from ``Authorization: Bearer`` or ``x-api-key``."""
        if not self.enabled:
            return self._anonymous
        secret = _presented_key(headers)
        if not secret:
            raise InvalidApiKey("missing API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'")
        digest = hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()
        rec = self._state.by_hash.get(digest)
        # the dict lookup is on a hash of the secret; the final check is constant time
        if rec is None or not hmac.compare_digest(rec.digest, digest):
            raise InvalidApiKey("invalid API key")
        if rec.expires_at is not None and rec.expires_at <= time.time():
            raise InvalidApiKey("this API key has expired")
        return rec.identity

    def end_user(self, identity: Identity, headers: dict[str, str], body: Any) -> str | None:
        """The end user a call is made for (``x-tokenway-user`` or the body's ``user``), only when
        the key allows it."""
        if not identity.allow_end_user:
            return None
        v = headers.get("x-tokenway-user")
        if not v and isinstance(body, dict):
            u = body.get("user")
            v = u if isinstance(u, str) else None
        if not v:
            return None
        v = v.strip()[:256]
        return v or None

    def policies(self, identity: Identity, model: str) -> list[Policy]:
        """The org, team, user and key policies (broadest first) with budgets or limits for a call
        to ``model``. Budgets scoped to another model group are left out. Cached per key and model."""
        st = self._state
        ck = (identity.key_id, model)
        got = st.policy_cache.get(ck)
        if got is not None:
            return got
        out: list[Policy] = []
        for level, node in (("org", st.orgs.get(identity.org) if identity.org else None),
                            ("team", st.teams.get(identity.team) if identity.team else None),
                            ("user", st.users.get(identity.user) if identity.user else None)):
            if node is not None:
                p = _policy(level, node.id, node.budgets, node.limits, model)
                if p is not None:
                    out.append(p)
        rec = st.keys.get(identity.key_id)
        if rec is not None:
            p = _policy("key", rec.id, rec.budgets, rec.limits, model)
            if p is not None:
                out.append(p)
        if len(st.policy_cache) >= _POLICY_CACHE_MAX:
            st.policy_cache.clear()
        st.policy_cache[ck] = out
        return out

    # ------------------------------------------------------------------ refresh
    @property
    def version(self) -> int:
        return self._state.version

    def refresh(self) -> None:
        """Rebuild from the config and the store (synchronous: run it off the event loop)."""
        with self._lock:
            self._state = self._build(self.store.snapshot() if self.store is not None else None)

    def refresh_if_stale(self) -> bool:
        """Refresh when the store changed since the last build; True when it did."""
        if self.store is None or self.store.version() == self._state.version:
            return False
        self.refresh()
        return True

    async def watch(self, interval: float = 0.5) -> None:
        """Follow changes made by other workers and processes (revoked keys refused within a second)."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.refresh_if_stale) and self.log is not None:
                    self.log.info("identity_refreshed", version=self._state.version)
            except Exception as e:  # a locked or broken store: keep serving with what we have
                if self.log is not None:
                    self.log.error("identity_refresh_failed", error=repr(e))

    # ------------------------------------------------------------------ reads for the admin API
    def entities(self, kind: str) -> list[Entity]:
        return list(self._table(kind).values())

    def entity(self, kind: str, id: str) -> Entity | None:
        return self._table(kind).get(id)

    def all_keys(self) -> list[KeyRecord]:
        return list(self._state.keys.values())

    def key(self, id: str) -> KeyRecord | None:
        return self._state.keys.get(id)

    def _table(self, kind: str) -> dict[str, Entity]:
        st = self._state
        return {"org": st.orgs, "orgs": st.orgs, "team": st.teams, "teams": st.teams,
                "user": st.users, "users": st.users}[kind]

    # ------------------------------------------------------------------ build
    def _build(self, snap: Snapshot | None) -> _State:
        cfg = self.cfg
        orgs: dict[str, Entity] = {}
        teams: dict[str, Entity] = {}
        users: dict[str, Entity] = {}
        keys: dict[str, KeyRecord] = {}
        if snap is not None:  # store first: config entries replace any with the same id
            for r in snap.orgs:
                orgs[r["id"]] = Entity("org", r["id"], name=r["name"], budgets=tuple(r["budgets"]),
                                       limits=r["limits"], created_at=r["created_at"])
            for r in snap.teams:
                teams[r["id"]] = Entity("team", r["id"], name=r["name"], org=r["org"], budgets=tuple(r["budgets"]),
                                        limits=r["limits"], created_at=r["created_at"])
            for r in snap.users:
                users[r["id"]] = Entity("user", r["id"], team=r["team"], org=r["org"], email=r["email"],
                                        budgets=tuple(r["budgets"]), limits=r["limits"], created_at=r["created_at"])
        for oid, o in cfg.orgs.items():
            orgs[oid] = Entity("org", oid, name=o.name, budgets=tuple(o.budgets), limits=o.limits,
                               managed_by="config")
        for tid, t in cfg.teams.items():
            teams[tid] = Entity("team", tid, name=t.name, org=t.org, budgets=tuple(t.budgets), limits=t.limits,
                                managed_by="config")
        for uid, u in cfg.users.items():
            users[uid] = Entity("user", uid, team=u.team, org=u.org, email=u.email, budgets=tuple(u.budgets),
                                limits=u.limits, managed_by="config")

        def resolve(user: str | None, team: str | None) -> tuple[str | None, str | None]:
            """(org, team) of a key's owner."""
            if user is not None:
                u = users.get(user)
                team = u.team if u is not None else None
                if u is not None and u.org:
                    return u.org, team
            t = teams.get(team) if team is not None else None
            return (t.org if t is not None else None), team

        def guard_policy(key_policy: str | None, team: str | None, org: str | None) -> str | None:
            """The guard policy that applies: the key's, else its team's, else its org's, else the default.
            The first scope that sets one decides; ``none`` there means no guard."""
            t = cfg.teams.get(team) if team is not None else None
            o = cfg.orgs.get(org) if org is not None else None
            for name in (key_policy, t.guard_policy if t else None, o.guard_policy if o else None):
                if name:
                    return None if name == GUARD_OFF else name
            return cfg.guard.default_policy

        def record(stored_hash: str, secret: str | None, r: dict[str, Any], managed_by: str) -> KeyRecord:
            digest = bytes.fromhex(stored_hash.split(":", 1)[1])
            kid = digest.hex()[:12]
            models = tuple(r.get("models") or ("*",))
            org, team = resolve(r.get("user"), r.get("team"))
            ident = Identity(key_id=kid, key_name=r.get("name"),
                             models=None if "*" in models else frozenset(models),
                             org=org, team=team, user=r.get("user"),
                             allow_end_user=bool(r.get("allow_end_user")),
                             guard_policy=guard_policy(r.get("guard_policy"), team, org),
                             allow_guard_opt_out=bool(r.get("allow_guard_opt_out")))
            return KeyRecord(
                id=kid, digest=digest, identity=ident, name=r.get("name"),
                prefix=key_prefix(secret) if secret else r.get("prefix"),
                user=r.get("user"), team=r.get("team"), models=models,
                allow_end_user=bool(r.get("allow_end_user")), status=r.get("status", "active"),
                created_at=r.get("created_at"), revoked_at=r.get("revoked_at"),
                rotated_from=r.get("rotated_from"), expires_at=r.get("expires_at"),
                budgets=tuple(r.get("budgets") or ()), limits=r.get("limits"), managed_by=managed_by)

        if snap is not None:
            for r in snap.keys:
                rec = record(r["hash"], None, r, "api")
                keys[rec.id] = rec
        for k in cfg.keys:
            stored = k.key_hash or hash_key(k.key or "")
            r = {"name": k.name, "models": k.models, "user": k.user, "team": k.team,
                 "allow_end_user": k.allow_end_user, "budgets": k.budgets, "limits": k.limits,
                 "guard_policy": k.guard_policy, "allow_guard_opt_out": k.allow_guard_opt_out}
            rec = record(stored, k.key, r, "config")
            keys[rec.id] = rec
        by_hash = {rec.digest: rec for rec in keys.values() if rec.status == "active"}
        return _State(version=snap.version if snap is not None else 0, orgs=orgs, teams=teams, users=users,
                      keys=keys, by_hash=by_hash)


def _policy(level: str, id: str, budgets: tuple[Budget, ...], limits: Limits | None, model: str) -> Policy | None:
    bs = [b for b in budgets if b.model is None or b.model == model]
    if limits is not None and limits.rpm is None and limits.tpm is None and limits.concurrency is None:
        limits = None
    if not bs and limits is None:
        return None
    return Policy(level=level, id=id, budgets=bs, limits=limits)


def store_path(cfg: Config) -> Path:
    return Path(cfg.admin.store_path) if cfg.admin.store_path else Path(cfg.ledger.path) / "tokenway.db"


def admin_enabled(cfg: Config) -> bool:
    return any(k.strip() for k in cfg.admin.keys)


def open_store(cfg: Config, shared: Any) -> IdentityStore | None:
    """The store for this config, opened once per process and kept in ``shared``. It is opened when
    the admin API is on, or when the file exists (keys made earlier keep working with the API off)."""
    path = store_path(cfg)
    current: IdentityStore | None = getattr(shared, "identity_store", None)
    if current is not None and Path(current.path) == path:
        return current
    if not admin_enabled(cfg) and not path.exists():
        return None
    try:
        store = IdentityStore(path)
    except Exception as e:
        raise RuntimeError(f"cannot open the identity store at {path}: {e}") from e
    shared.identity_store = store
    return store
