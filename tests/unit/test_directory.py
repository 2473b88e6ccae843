"""The directory: the org > team > user > key hierarchy from the config and the store, the
in-memory key table, end users, policies, refresh on the store's version."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tokenway.config.schema import Budget, Config, Limits
from tokenway.errors import InvalidApiKey
from tokenway.identity.directory import Directory, key_id_of, key_prefix, open_store
from tokenway.identity.keys import ANONYMOUS, hash_key
from tokenway.store.identity_sqlite import IdentityStore, StoreConflict

CFG: dict[str, Any] = {
    "orgs": {"acme": {"name": "Acme", "budgets": [{"usd": 1000, "window": "month"}]}},
    "teams": {"core": {"org": "acme", "limits": {"rpm": 100}}, "loose": {}},
    "users": {
        "ann": {"team": "core", "email": "ann@acme.test"},
        "bob": {"team": "loose", "org": "acme", "budgets": [{"tokens": 5000, "window": "day", "model": "gpt-4o"}]},
    },
    "keys": [
        {"name": "ann-key", "key": "sk-ann-secret-0123456789", "user": "ann", "allow_end_user": True},
        {"name": "core-key", "key_hash": hash_key("sk-core-secret"), "team": "core", "models": ["demo"],
         "limits": {"concurrency": 2}},
        {"name": "bob-key", "key": "sk-bob", "user": "bob"},
        {"name": "ownerless", "key": "sk-nobody"},
    ],
}


def bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


def kid(secret: str) -> str:
    return key_id_of(hash_key(secret))


def store_key(store: IdentityStore, secret: str, **fields: Any) -> dict[str, Any]:
    h = hash_key(secret)
    return store.insert("keys", {"id": key_id_of(h), "hash": h, "prefix": key_prefix(secret), "status": "active",
                                 **fields})


@pytest.fixture
def store(tmp_path: Path) -> IdentityStore:
    return IdentityStore(tmp_path / "tokenway.db")


# --------------------------------------------------------------------------- hierarchy
def test_config_keys_resolve_user_team_org() -> None:
    d = Directory(Config.model_validate(CFG))
    ann = d.identify(bearer("sk-ann-secret-0123456789"))
    assert (ann.key_id, ann.key_name, ann.user, ann.team, ann.org) == (
        kid("sk-ann-secret-0123456789"), "ann-key", "ann", "core", "acme")
    assert ann.allow_end_user and ann.models is None
    core = d.identify({"x-api-key": "sk-core-secret"})  # hashed in the config, x-api-key header
    assert (core.user, core.team, core.org) == (None, "core", "acme")
    assert core.models == frozenset({"demo"}) and not core.may_use("gpt-4o")
    bob = d.identify(bearer("sk-bob"))  # the user's own org wins over the team's (none here)
    assert (bob.user, bob.team, bob.org) == ("bob", "loose", "acme")
    nobody = d.identify(bearer("sk-nobody"))
    assert (nobody.user, nobody.team, nobody.org) == (None, None, None)


def test_guard_policy_resolution_key_team_org_default_and_none() -> None:
    cfg = {
        "guard": {"policies": {"strict": {}, "loose": {}, "base": {}}, "default_policy": "base"},
        "orgs": {"acme": {"guard_policy": "loose"}, "free": {}},
        "teams": {"fin": {"org": "acme", "guard_policy": "strict"}, "lab": {"org": "acme"},
                  "off": {"org": "acme", "guard_policy": "none"}, "unset": {"org": "free", "guard_policy": ""}},
        "keys": [{"key": "sk-k1", "team": "fin", "guard_policy": "loose"}, {"key": "sk-k2", "team": "fin"},
                 {"key": "sk-k3", "team": "fin", "guard_policy": "None"}, {"key": "sk-k4", "team": "lab"},
                 {"key": "sk-k5", "team": "off"}, {"key": "sk-k6", "team": "off", "guard_policy": "strict"},
                 {"key": "sk-k7", "team": "unset"}],
    }
    d = Directory(Config.model_validate(cfg))
    policy = {k["key"]: d.identify(bearer(k["key"])).guard_policy for k in cfg["keys"]}
    assert policy == {"sk-k1": "loose", "sk-k2": "strict", "sk-k3": None, "sk-k4": "loose", "sk-k5": None,
                      "sk-k6": "strict", "sk-k7": "base"}
    with pytest.raises(ValueError, match="reserved"):
        Config.model_validate({"guard": {"policies": {"none": {}}}})


def test_unknown_missing_and_disabled() -> None:
    d = Directory(Config.model_validate(CFG))
    with pytest.raises(InvalidApiKey, match="missing"):
        d.identify({})
    with pytest.raises(InvalidApiKey, match="invalid"):
        d.identify(bearer("sk-wrong"))
    with pytest.raises(InvalidApiKey):
        d.identify({"authorization": "Basic sk-bob"})
    off = Directory(Config.model_validate({**CFG, "auth": {"enabled": False}}))
    assert off.identify({}) == ANONYMOUS  # anonymous, with the default guard policy (none here)
    assert off.policies(ANONYMOUS, "demo") == []


def test_store_entities_merge_with_config(store: IdentityStore) -> None:
    store.insert("orgs", {"id": "globex", "name": "Globex", "budgets": [Budget(tokens=10)]})
    store.insert("teams", {"id": "web", "org": "acme"})  # a store team in a config org
    store.insert("teams", {"id": "ops", "org": "globex"})
    store.insert("users", {"id": "cy", "team": "ops", "email": "cy@globex.test"})
    store.insert("users", {"id": "dee", "team": "core"})  # a store user in a config team
    store.insert("orgs", {"id": "acme", "name": "shadowed"})  # the config's acme wins
    store_key(store, "sk-tw-cy", user="cy", models=["*"])
    store_key(store, "sk-tw-web", team="web", models=["demo", "gpt-4o"])
    store_key(store, "sk-tw-dee", user="dee", models=["*"], allow_end_user=True)
    d = Directory(Config.model_validate(CFG), store)
    cy = d.identify(bearer("sk-tw-cy"))
    assert (cy.user, cy.team, cy.org) == ("cy", "ops", "globex")
    web = d.identify(bearer("sk-tw-web"))
    assert (web.user, web.team, web.org, web.models) == (None, "web", "acme", frozenset({"demo", "gpt-4o"}))
    dee = d.identify(bearer("sk-tw-dee"))
    assert (dee.team, dee.org, dee.allow_end_user) == ("core", "acme", True)
    # config keys still work beside store keys
    assert d.identify(bearer("sk-bob")).user == "bob"
    acme = d.entity("orgs", "acme")
    assert acme is not None and acme.managed_by == "config" and acme.name == "Acme"
    globex = d.entity("org", "globex")
    assert globex is not None and globex.managed_by == "api" and globex.budgets == (Budget(tokens=10),)
    assert {e.id for e in d.entities("teams")} == {"core", "loose", "web", "ops"}
    keys = {k.id: k for k in d.all_keys()}
    assert keys[kid("sk-bob")].managed_by == "config"
    assert keys[kid("sk-tw-cy")].managed_by == "api" and keys[kid("sk-tw-cy")].prefix == key_prefix("sk-tw-cy")


def test_revoked_and_expired_keys_are_refused(store: IdentityStore) -> None:
    store_key(store, "sk-tw-old", team="web")
    store_key(store, "sk-tw-soon", team="web", expires_at=time.time() + 0.2)
    d = Directory(Config.model_validate(CFG), store)
    assert d.identify(bearer("sk-tw-old")).team == "web"
    assert d.identify(bearer("sk-tw-soon")).team == "web"
    store.revoke_key(kid("sk-tw-old"))
    d.refresh()
    with pytest.raises(InvalidApiKey, match="invalid"):
        d.identify(bearer("sk-tw-old"))
    rec = d.key(kid("sk-tw-old"))
    assert rec is not None and rec.status == "revoked" and rec.revoked_at is not None
    time.sleep(0.25)
    with pytest.raises(InvalidApiKey, match="expired"):
        d.identify(bearer("sk-tw-soon"))


def test_rotate_keeps_settings_and_revokes_the_old_key(store: IdentityStore) -> None:
    store_key(store, "sk-tw-first", team="web", models=["demo"], budgets=[Budget(tokens=7)],
              limits=Limits(rpm=3), name="n")
    new_h = hash_key("sk-tw-second")
    row = store.rotate_key(kid("sk-tw-first"), {"id": key_id_of(new_h), "hash": new_h, "prefix": "p"})
    assert row["rotated_from"] == kid("sk-tw-first") and row["models"] == ["demo"] and row["name"] == "n"
    assert row["budgets"] == [Budget(tokens=7)] and row["limits"] == Limits(rpm=3)
    d = Directory(Config.model_validate(CFG), store)
    assert d.identify(bearer("sk-tw-second")).models == frozenset({"demo"})
    with pytest.raises(InvalidApiKey):
        d.identify(bearer("sk-tw-first"))
    with pytest.raises(StoreConflict):
        store.rotate_key(kid("sk-tw-first"), {"id": "x", "hash": hash_key("x"), "prefix": "p"})


def test_store_rules(store: IdentityStore) -> None:
    store.insert("teams", {"id": "web"})
    with pytest.raises(StoreConflict) as e:
        store.insert("teams", {"id": "web"})
    assert e.value.code == "already_exists"
    store_key(store, "sk-tw-k", team="web")
    with pytest.raises(StoreConflict) as e:
        store.delete("teams", "web")  # an active key still belongs to it
    assert e.value.code == "in_use"
    store.revoke_key(kid("sk-tw-k"))
    assert store.delete("teams", "web") is True
    assert store.get("teams", "web") is None


# --------------------------------------------------------------------------- refresh
def test_refresh_follows_the_store_version(store: IdentityStore, tmp_path: Path) -> None:
    d = Directory(Config.model_validate(CFG), store)
    other = IdentityStore(tmp_path / "tokenway.db")  # another worker's connection to the same file
    v0 = d.version
    store_key(other, "sk-tw-late", team="loose")
    assert other.version() > v0
    with pytest.raises(InvalidApiKey):
        d.identify(bearer("sk-tw-late"))  # the table is in memory: no database call per request
    assert d.refresh_if_stale() is True
    assert d.identify(bearer("sk-tw-late")).team == "loose"
    assert d.refresh_if_stale() is False
    other.revoke_key(kid("sk-tw-late"))
    assert d.refresh_if_stale() is True
    with pytest.raises(InvalidApiKey):
        d.identify(bearer("sk-tw-late"))


def test_watch_picks_up_changes_from_another_connection(store: IdentityStore, tmp_path: Path) -> None:
    d = Directory(Config.model_validate(CFG), store)
    other = IdentityStore(tmp_path / "tokenway.db")

    async def scenario() -> float:
        task = asyncio.create_task(d.watch(interval=0.05))
        try:
            store_key(other, "sk-tw-w", team="core")
            t0 = time.monotonic()
            while True:
                try:
                    d.identify(bearer("sk-tw-w"))
                    return time.monotonic() - t0
                except InvalidApiKey:
                    if time.monotonic() - t0 > 2:
                        raise
                    await asyncio.sleep(0.01)
        finally:
            task.cancel()

    assert asyncio.run(scenario()) < 1.0


def test_open_store_only_when_admin_is_on_or_the_file_exists(tmp_path: Path) -> None:
    shared = SimpleNamespace(identity_store=None, identity_watch=None)
    off = Config.model_validate({"ledger": {"path": str(tmp_path / "a")}})
    assert open_store(off, shared) is None and not (tmp_path / "a").exists()
    on = Config.model_validate({"ledger": {"path": str(tmp_path / "a")}, "admin": {"keys": ["adm"]}})
    s = open_store(on, shared)
    assert s is not None and Path(s.path) == tmp_path / "a" / "tokenway.db" and (tmp_path / "a").is_dir()
    assert open_store(on, shared) is s  # one per process, kept across reloads
    assert open_store(off, SimpleNamespace(identity_store=None)) is not None  # the file exists now
    custom = Config.model_validate({"admin": {"keys": ["adm"], "store_path": str(tmp_path / "x" / "ids.db")}})
    assert Path(open_store(custom, SimpleNamespace(identity_store=None)).path) == tmp_path / "x" / "ids.db"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- end users
def test_end_user_rules() -> None:
    d = Directory(Config.model_validate(CFG))
    ann = d.identify(bearer("sk-ann-secret-0123456789"))  # allow_end_user
    bob = d.identify(bearer("sk-bob"))  # not allowed
    assert d.end_user(ann, {"x-tokenway-user": "u-1"}, {"user": "u-2"}) == "u-1"  # the header wins
    assert d.end_user(ann, {}, {"user": "u-2"}) == "u-2"
    assert d.end_user(ann, {}, {"user": 42}) is None
    assert d.end_user(ann, {}, {"user": "  "}) is None
    assert d.end_user(ann, {}, None) is None
    assert d.end_user(ann, {}, {"user": "x" * 1000}) == "x" * 256
    assert d.end_user(bob, {"x-tokenway-user": "u-1"}, {"user": "u-2"}) is None


# --------------------------------------------------------------------------- policies
def test_policies_broadest_first_and_only_with_budgets_or_limits() -> None:
    d = Directory(Config.model_validate(CFG))
    ann = d.identify(bearer("sk-ann-secret-0123456789"))
    ps = d.policies(ann, "demo")
    assert [(p.level, p.id) for p in ps] == [("org", "acme"), ("team", "core")]  # ann and her key have none
    assert ps[0].budgets == [Budget(usd=1000)] and ps[0].limits is None
    assert ps[1].budgets == [] and ps[1].limits == Limits(rpm=100)
    core = d.identify(bearer("sk-core-secret"))
    assert [(p.level, p.id) for p in d.policies(core, "demo")] == [
        ("org", "acme"), ("team", "core"), ("key", kid("sk-core-secret"))]
    bob = d.identify(bearer("sk-bob"))
    # bob's budget counts only gpt-4o calls
    assert [(p.level, p.id) for p in d.policies(bob, "demo")] == [("org", "acme")]
    with_model = d.policies(bob, "gpt-4o")
    assert [(p.level, p.id) for p in with_model] == [("org", "acme"), ("user", "bob")]
    assert with_model[1].budgets[0].model == "gpt-4o"
    assert d.policies(d.identify(bearer("sk-nobody")), "demo") == []


def test_policies_are_cached_until_refresh(store: IdentityStore) -> None:
    store.insert("teams", {"id": "web"})
    store_key(store, "sk-tw-p", team="web")
    d = Directory(Config.model_validate(CFG), store)
    ident = d.identify(bearer("sk-tw-p"))
    first = d.policies(ident, "demo")
    assert first == [] and d.policies(ident, "demo") is first  # cached
    store.update("teams", "web", {"budgets": [Budget(tokens=100, window="day")], "limits": Limits(tpm=10)})
    store.update("keys", kid("sk-tw-p"), {"limits": Limits(concurrency=1)})
    assert d.policies(ident, "demo") is first  # still the cached list until the refresh
    d.refresh()
    ps = d.policies(d.identify(bearer("sk-tw-p")), "demo")
    assert [(p.level, p.id) for p in ps] == [("team", "web"), ("key", kid("sk-tw-p"))]
    assert ps[0].budgets == [Budget(tokens=100, window="day")] and ps[0].limits == Limits(tpm=10)
    assert ps[1].limits == Limits(concurrency=1)
