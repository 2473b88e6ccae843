"""The admin API and the CLI that mirrors it, through a running gateway: auth, keys (secret shown
once, works with the OpenAI SDK, revoked keys refused within a second, rotation), orgs/teams/users,
budgets and limits, bad inputs, config-managed entities, usage."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import ROOT, TOKENWAY, Proc
from tokenway.identity.keys import hash_key

ADMIN = "adm-" + "x" * 28
CONFIG_KEY = "sk-config-key-0123456789abcdef"


def config(tmp_path: Path, admin: bool = True) -> str:
    admin_section = 'admin: {keys: ["${TOKENWAY_ADMIN_KEY}"]}' if admin else ""
    return f"""
providers: {{demo: {{type: demo}}}}
models:
  demo: {{targets: [{{provider: demo, model: demo-1}}]}}
  gpt-4o-mini: {{targets: [{{provider: demo, model: demo-1}}]}}
{admin_section}
ledger: {{path: "{tmp_path / 'data'}"}}
orgs: {{acme: {{name: Acme}}}}
teams: {{platform: {{org: acme, budgets: [{{tokens: 1000000, window: day}}]}}}}
users: {{alice: {{team: platform, email: alice@acme.test}}}}
keys:
  - {{name: config-key, key: {CONFIG_KEY}, user: alice}}
"""


@pytest.fixture
def gw(start_gateway: Callable[..., Proc], tmp_path: Path) -> Proc:
    return start_gateway(config(tmp_path), env={"TOKENWAY_ADMIN_KEY": ADMIN})


def api(gw: Proc, method: str, path: str, body: Any = None, key: str | None = ADMIN,
        content: bytes | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    if content is not None:
        return httpx.request(method, gw.url + path, content=content, headers=headers, timeout=10)
    return httpx.request(method, gw.url + path, json=body, headers=headers, timeout=10)


def chat(gw: Proc, secret: str, model: str = "demo") -> str:
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key=secret, max_retries=0)
    r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    return r.choices[0].message.content or ""


def status_with(gw: Proc, secret: str) -> int:
    """The status of a chat call on a fresh connection (workers share the port)."""
    r = httpx.post(gw.url + "/v1/chat/completions", headers={"authorization": f"Bearer {secret}",
                                                            "connection": "close"},
                   json={"model": "demo", "messages": [{"role": "user", "content": "hi"}]}, timeout=10)
    return r.status_code


def err(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"}, body
    assert {"message", "type", "code", "param"} <= set(body["error"]), body
    return dict(body["error"])


def cli(gw: Proc, *args: str, admin_key: str = ADMIN) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TOKENWAY, *args, "--url", gw.url, "--admin-key", admin_key], capture_output=True,
                          text=True, timeout=30, cwd=ROOT)


# --------------------------------------------------------------------------- auth
def test_admin_auth_required(gw: Proc) -> None:
    r = api(gw, "GET", "/admin/keys", key=None)
    assert r.status_code == 401 and err(r)["code"] == "invalid_api_key"
    r = api(gw, "GET", "/admin/keys", key="wrong")
    assert r.status_code == 401 and err(r)["code"] == "invalid_api_key"
    r = api(gw, "GET", "/admin/orgs", key=CONFIG_KEY)  # a virtual key is not an admin key
    assert r.status_code == 401
    r = httpx.get(gw.url + "/admin/keys", headers={"x-api-key": ADMIN})  # Bearer only
    assert r.status_code == 401
    for path in ("/admin/keys/abc", "/admin/teams/platform/budgets", "/admin/nothing"):
        assert api(gw, "GET", path, key=None).status_code == 401  # auth before routing
    assert api(gw, "GET", "/admin/keys").status_code == 200


def test_admin_api_off_without_admin_keys(start_gateway: Callable[..., Proc], tmp_path: Path) -> None:
    gw = start_gateway(config(tmp_path, admin=False))
    for method, path in (("GET", "/admin/keys"), ("POST", "/admin/keys"), ("GET", "/admin/orgs/acme")):
        r = api(gw, method, path, {})
        assert r.status_code == 404 and err(r)["code"] == "not_found"
    assert chat(gw, CONFIG_KEY)  # config keys work exactly as before


# --------------------------------------------------------------------------- keys
def test_key_secret_shown_once_and_works_with_the_sdk(gw: Proc) -> None:
    r = api(gw, "POST", "/admin/teams", {"id": "web", "org": "acme", "name": "Web"})
    assert r.status_code == 201, r.text
    r = api(gw, "POST", "/admin/keys", {"name": "web-1", "team": "web", "models": ["demo"],
                                        "budgets": [{"tokens": 50000, "window": "day"}], "limits": {"rpm": 100}})
    assert r.status_code == 201, r.text
    k = r.json()
    secret = k["secret"]
    assert secret.startswith("sk-tw-") and len(secret) == len("sk-tw-") + 32
    assert k["prefix"] == f"sk-tw-…{secret[-4:]}" and k["owner"] == {"type": "team", "id": "web"}
    assert (k["team"], k["org"], k["status"], k["models"]) == ("web", "acme", "active", ["demo"])
    assert k["budgets"][0]["tokens"] == 50000 and k["limits"]["rpm"] == 100
    assert "hash" not in k and "key_hash" not in k
    # never again: not in the list, not in the key
    listing = api(gw, "GET", "/admin/keys")
    one = api(gw, "GET", f"/admin/keys/{k['id']}")
    for r in (listing, one):
        assert r.status_code == 200
        assert secret not in r.text and "sha256" not in r.text and "secret" not in r.text
    assert {x["id"] for x in listing.json()["data"]} >= {k["id"]}
    assert one.json()["id"] == k["id"] and one.json()["created_at"] > 0
    assert chat(gw, secret)
    with pytest.raises(openai.PermissionDeniedError):
        chat(gw, secret, model="gpt-4o-mini")  # the key is limited to demo
    # filters
    assert [x["id"] for x in api(gw, "GET", "/admin/keys?team=web").json()["data"]] == [k["id"]]
    assert api(gw, "GET", "/admin/keys?status=revoked").json()["data"] == []


def test_revoked_key_refused_within_a_second(gw: Proc) -> None:
    created = api(gw, "POST", "/admin/keys", {"team": "platform"}).json()
    secret, kid = created["secret"], created["id"]
    assert chat(gw, secret)
    t0 = time.monotonic()
    r = api(gw, "POST", f"/admin/keys/{kid}/revoke")
    assert r.status_code == 200 and r.json()["status"] == "revoked" and r.json()["revoked_at"]
    while status_with(gw, secret) != 401:
        assert time.monotonic() - t0 < 1.0
        time.sleep(0.02)
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, elapsed
    with pytest.raises(openai.AuthenticationError):
        chat(gw, secret)
    assert api(gw, "POST", f"/admin/keys/{kid}/revoke").status_code == 200  # idempotent


def test_revocation_reaches_every_worker_within_a_second(start_gateway: Callable[..., Proc],
                                                         tmp_path: Path) -> None:
    gw = start_gateway(config(tmp_path), env={"TOKENWAY_ADMIN_KEY": ADMIN}, args=["--workers", "3"])
    k = api(gw, "POST", "/admin/keys", {"team": "platform"}).json()
    time.sleep(0.7)  # every worker has seen the new key
    assert all(status_with(gw, k["secret"]) == 200 for _ in range(12))
    t0 = time.monotonic()
    assert api(gw, "POST", f"/admin/keys/{k['id']}/revoke").status_code == 200
    # refused by whichever worker answers: poll fresh connections until 30 in a row say 401;
    # the streak must have started within a second of the revocation
    streak, streak_start = 0, 0.0
    while streak < 30:
        now = time.monotonic()
        if status_with(gw, k["secret"]) == 401:
            streak, streak_start = streak + 1, streak_start if streak else now
        else:
            streak = 0
        assert now - t0 < 3.0, "a worker kept accepting a revoked key"
    assert streak_start - t0 < 1.0, streak_start - t0


def test_rotate(gw: Proc) -> None:
    old = api(gw, "POST", "/admin/keys", {"user": "alice", "name": "rot", "allow_end_user": True}).json()
    r = api(gw, "POST", f"/admin/keys/{old['id']}/rotate")
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["secret"] != old["secret"] and new["id"] != old["id"] and new["rotated_from"] == old["id"]
    assert (new["name"], new["user"], new["team"], new["org"], new["allow_end_user"]) == (
        "rot", "alice", "platform", "acme", True)
    assert chat(gw, new["secret"])
    assert status_with(gw, old["secret"]) == 401
    assert api(gw, "GET", f"/admin/keys/{old['id']}").json()["status"] == "revoked"
    r = api(gw, "POST", f"/admin/keys/{old['id']}/rotate")
    assert r.status_code == 409 and err(r)["code"] == "key_revoked"
    assert new["secret"] not in api(gw, "GET", "/admin/keys").text


def test_api_keys_survive_reload_and_restart(start_gateway: Callable[..., Proc], tmp_path: Path) -> None:
    gw = start_gateway(config(tmp_path), env={"TOKENWAY_ADMIN_KEY": ADMIN})
    assert api(gw, "POST", "/admin/teams", {"id": "web", "org": "acme"}).status_code == 201
    secret = api(gw, "POST", "/admin/keys", {"team": "web"}).json()["secret"]
    gw.signal(signal.SIGHUP)  # a reload rebuilds the directory from the config and the store
    time.sleep(0.5)
    assert chat(gw, secret) and chat(gw, CONFIG_KEY)
    gw.stop()
    # a restart, the admin key now given as its hash: the store's keys are still there
    text = config(tmp_path).replace('"${TOKENWAY_ADMIN_KEY}"', '"' + hash_key(ADMIN) + '"')
    gw2 = start_gateway(text, name="restarted.yaml")
    assert chat(gw2, secret)
    assert api(gw2, "GET", "/admin/teams/web").json()["org"] == "acme"
    assert api(gw2, "GET", "/admin/teams", key=hash_key(ADMIN)).status_code == 401  # the hash is no key


# --------------------------------------------------------------------------- hierarchy
def test_orgs_teams_users_crud(gw: Proc) -> None:
    assert api(gw, "POST", "/admin/orgs", {"id": "globex", "name": "Globex"}).status_code == 201
    assert api(gw, "POST", "/admin/teams", {"id": "ops", "org": "globex"}).status_code == 201
    r = api(gw, "POST", "/admin/users", {"id": "cy@globex.test", "team": "ops", "email": "cy@globex.test"})
    assert r.status_code == 201 and r.json()["managed_by"] == "api"
    k = api(gw, "POST", "/admin/keys", {"user": "cy@globex.test"}).json()
    assert (k["user"], k["team"], k["org"]) == ("cy@globex.test", "ops", "globex")
    orgs = api(gw, "GET", "/admin/orgs").json()["data"]
    assert {(o["id"], o["managed_by"]) for o in orgs} == {("acme", "config"), ("globex", "api")}
    assert api(gw, "GET", "/admin/users/cy%40globex.test").json()["team"] == "ops"
    r = api(gw, "PATCH", "/admin/teams/ops", {"name": "Operations"})
    assert r.status_code == 200 and r.json()["name"] == "Operations" and r.json()["org"] == "globex"
    # moving the team to the config org changes the key's org at once
    assert api(gw, "PATCH", "/admin/teams/ops", {"org": "acme"}).status_code == 200
    assert api(gw, "GET", f"/admin/keys/{k['id']}").json()["org"] == "acme"
    # budgets and limits
    r = api(gw, "PUT", "/admin/teams/ops/budgets", [{"tokens": 1000, "window": "day", "mode": "soft"}])
    assert r.status_code == 200 and r.json()["budgets"][0]["mode"] == "soft"
    r = api(gw, "PUT", "/admin/users/cy@globex.test/limits", {"rpm": 10, "concurrency": 2})
    assert r.status_code == 200 and r.json()["limits"]["rpm"] == 10
    r = api(gw, "PUT", f"/admin/keys/{k['id']}/budgets", [{"usd": 5, "window": "month"}])
    assert r.status_code == 200 and r.json()["budgets"][0]["usd"] == 5
    assert api(gw, "PUT", "/admin/users/cy@globex.test/limits", content=b"null").json()["limits"] is None
    # delete: refused while something refers to it
    r = api(gw, "DELETE", "/admin/teams/ops")
    assert r.status_code == 409 and err(r)["code"] == "in_use"
    assert api(gw, "POST", f"/admin/keys/{k['id']}/revoke").status_code == 200
    assert api(gw, "DELETE", "/admin/users/cy@globex.test").status_code == 200
    assert api(gw, "DELETE", "/admin/teams/ops").status_code == 200
    assert api(gw, "GET", "/admin/teams/ops").status_code == 404
    assert api(gw, "DELETE", "/admin/orgs/globex").status_code == 200


def test_config_entities_are_read_only(gw: Proc) -> None:
    cfg_key = [k for k in api(gw, "GET", "/admin/keys").json()["data"] if k["managed_by"] == "config"]
    assert len(cfg_key) == 1
    ck = cfg_key[0]
    assert (ck["name"], ck["user"], ck["team"], ck["org"]) == ("config-key", "alice", "platform", "acme")
    assert ck["prefix"] == f"{CONFIG_KEY[:6]}…{CONFIG_KEY[-4:]}" and CONFIG_KEY not in json.dumps(ck)
    for method, path, body in (
        ("PATCH", "/admin/teams/platform", {"name": "x"}),
        ("DELETE", "/admin/orgs/acme", None),
        ("DELETE", "/admin/users/alice", None),
        ("PUT", "/admin/teams/platform/budgets", []),
        ("PUT", "/admin/orgs/acme/limits", {"rpm": 1}),
        ("POST", f"/admin/keys/{ck['id']}/revoke", None),
        ("POST", f"/admin/keys/{ck['id']}/rotate", None),
        ("PUT", f"/admin/keys/{ck['id']}/budgets", []),
        ("POST", "/admin/teams", {"id": "platform"}),
    ):
        r = api(gw, method, path, body)
        assert r.status_code == 409, (method, path, r.text)
        assert err(r)["code"] == "managed_by_config", (method, path)
    assert chat(gw, CONFIG_KEY)
    team = api(gw, "GET", "/admin/teams/platform").json()
    assert team["managed_by"] == "config" and team["budgets"][0]["tokens"] == 1000000


def test_bad_inputs_are_4xx_with_clear_messages(gw: Proc) -> None:
    cases: list[tuple[str, str, Any, int, str]] = [
        ("POST", "/admin/keys", {"team": "nope"}, 400, "unknown team 'nope'"),
        ("POST", "/admin/keys", {"user": "nobody"}, 400, "unknown user 'nobody'"),
        ("POST", "/admin/keys", {"name": "x"}, 400, "exactly one of user or team"),
        ("POST", "/admin/keys", {"team": "platform", "user": "alice"}, 400, "exactly one of user or team"),
        ("POST", "/admin/keys", {"team": "platform", "budgets": [{"tokens": 5, "usd": 1}]}, 400,
         "budgets.0: a budget gives exactly one of tokens or usd"),
        ("POST", "/admin/keys", {"team": "platform", "budgets": [{"tokens": 5, "window": "week"}]}, 400,
         "budgets.0.window"),
        ("POST", "/admin/keys", {"team": "platform", "colour": "red"}, 400, "colour: Extra inputs are not permitted"),
        ("POST", "/admin/keys", {"team": "platform", "allow_end_user": "yes"}, 400, "allow_end_user"),
        ("POST", "/admin/keys", {"team": "platform", "models": "demo"}, 400, "models"),
        ("POST", "/admin/keys", {"team": "platform", "models": ["gpt-9"]}, 400, "unknown model group 'gpt-9'"),
        ("POST", "/admin/keys", {"team": "platform", "expires_at": "2001-01-01T00:00:00Z"}, 400, "in the past"),
        ("POST", "/admin/keys", {"team": "platform", "expires_at": "soon"}, 400, "expires_at"),
        ("POST", "/admin/keys", [], 400, "object"),
        ("POST", "/admin/teams", {"id": "a b"}, 400, "id:"),
        ("POST", "/admin/teams", {"id": "t1", "org": "nope"}, 400, "unknown org 'nope'"),
        ("POST", "/admin/teams", {"id": 5}, 400, "id"),
        ("POST", "/admin/users", {"id": "u1", "team": "nope"}, 400, "unknown team"),
        ("PUT", "/admin/orgs/acme/budgets", {"tokens": 5}, 400, "array"),
        ("PUT", "/admin/keys/nope/limits", {"rpm": 0}, 400, "rpm"),
        ("PUT", "/admin/keys/nope/limits", {"rpm": 5}, 404, "no key 'nope'"),
        ("GET", "/admin/keys/nope", None, 404, "no key 'nope'"),
        ("PATCH", "/admin/teams/nope", {"name": "x"}, 404, "no team 'nope'"),
        ("DELETE", "/admin/orgs/nope", None, 404, "no org 'nope'"),
        ("POST", "/admin/keys/nope/revoke", None, 404, "no key"),
        ("POST", "/admin/keys/nope/rotate", None, 404, "no key"),
        ("GET", "/admin/widgets", None, 404, "no route"),
        ("GET", "/admin/keys/a/b/c", None, 404, "no route"),
        ("DELETE", "/admin/keys", None, 405, "not allowed"),
        ("DELETE", "/admin/keys/abc", None, 405, "not allowed"),
        ("GET", "/admin/orgs/acme/budgets", None, 405, "PUT"),
        ("GET", "/admin/keys?colour=red", None, 400, "colour"),
        ("GET", "/admin/usage?by=planet", None, 400, "by is one of"),
        ("GET", "/admin/usage?format=xml", None, 400, "format"),
    ]
    for method, path, body, status, text in cases:
        r = api(gw, method, path, body)
        assert r.status_code == status, (method, path, body, r.status_code, r.text)
        assert text in err(r)["message"], (method, path, r.text)
    for raw, text in ((b"{not json", "not valid JSON"), (b"", "empty")):
        r = api(gw, "POST", "/admin/orgs", content=raw)
        assert r.status_code == 400 and text in err(r)["message"], r.text
    assert api(gw, "POST", "/admin/orgs", {"id": "dup"}).status_code == 201
    r = api(gw, "POST", "/admin/orgs", {"id": "dup"})
    assert r.status_code == 409 and err(r)["code"] == "already_exists"
    # nothing half-made: no key was created by any refused call
    assert [k["managed_by"] for k in api(gw, "GET", "/admin/keys").json()["data"]] == ["config"]


# --------------------------------------------------------------------------- CLI
def test_cli_mirrors_the_api(gw: Proc) -> None:
    r = cli(gw, "orgs", "create", "initech", "--name", "Initech")
    assert r.returncode == 0, r.stderr
    assert cli(gw, "teams", "create", "tps", "--org", "initech").returncode == 0
    assert cli(gw, "users", "create", "peter", "--team", "tps", "--email", "peter@initech.test").returncode == 0
    r = cli(gw, "keys", "create", "--user", "peter", "--name", "peters-key", "--models", "demo,gpt-4o-mini",
            "--allow-end-user")
    assert r.returncode == 0, r.stderr
    secret = next(line.split(": ", 1)[1] for line in r.stdout.splitlines() if line.startswith("secret: "))
    assert secret.startswith("sk-tw-") and "shown once" in r.stderr
    assert chat(gw, secret, model="gpt-4o-mini")
    keys = api(gw, "GET", "/admin/keys?user=peter").json()["data"]
    assert len(keys) == 1
    k = keys[0]
    assert (k["name"], k["team"], k["org"], k["models"], k["allow_end_user"]) == (
        "peters-key", "tps", "initech", ["demo", "gpt-4o-mini"], True)
    r = cli(gw, "keys", "list")
    assert r.returncode == 0 and k["id"] in r.stdout and k["prefix"] in r.stdout and secret not in r.stdout
    r = cli(gw, "keys", "list", "--json")
    assert {x["id"] for x in json.loads(r.stdout)} == {k["id"], *(x["id"] for x in api(
        gw, "GET", "/admin/keys").json()["data"])}
    for coll, ident in (("orgs", "initech"), ("teams", "tps"), ("users", "peter")):
        r = cli(gw, coll, "list")
        assert r.returncode == 0 and ident in r.stdout, r.stdout
    # budgets and limits
    r = cli(gw, "budgets", "set", "--team", "tps", "--tokens", "5000", "--window", "day", "--mode", "soft")
    assert r.returncode == 0, r.stderr
    r = cli(gw, "budgets", "set", "--team", "tps", "--usd", "20", "--add")
    assert r.returncode == 0, r.stderr
    budgets = api(gw, "GET", "/admin/teams/tps").json()["budgets"]
    assert [(b["tokens"], b["usd"], b["window"], b["mode"]) for b in budgets] == [
        (5000, None, "day", "soft"), (None, 20.0, "month", "hard")]
    assert cli(gw, "limits", "set", "--key", k["id"], "--rpm", "60").returncode == 0
    assert api(gw, "GET", f"/admin/keys/{k['id']}").json()["limits"]["rpm"] == 60
    assert cli(gw, "limits", "clear", "--key", k["id"]).returncode == 0
    assert api(gw, "GET", f"/admin/keys/{k['id']}").json()["limits"] is None
    # rotate prints the new secret once; revoke refuses it
    r = cli(gw, "keys", "rotate", k["id"])
    assert r.returncode == 0, r.stderr
    new_secret = next(line.split(": ", 1)[1] for line in r.stdout.splitlines() if line.startswith("secret: "))
    assert status_with(gw, secret) == 401 and chat(gw, new_secret)
    new_id = api(gw, "GET", "/admin/keys?user=peter&status=active").json()["data"][0]["id"]
    assert cli(gw, "keys", "revoke", new_id).returncode == 0
    assert status_with(gw, new_secret) == 401
    # refusals: the API's message, exit 1
    r = cli(gw, "keys", "create", "--team", "nope")
    assert r.returncode == 1 and "unknown team 'nope'" in r.stderr and "400" in r.stderr
    r = cli(gw, "teams", "create", "platform")
    assert r.returncode == 1 and "managed_by_config" in r.stderr
    r = cli(gw, "keys", "list", admin_key="wrong")
    assert r.returncode == 1 and "invalid admin key" in r.stderr
    r = subprocess.run([*TOKENWAY, "keys", "list", "--url", "http://127.0.0.1:9"], capture_output=True, text=True,
                       timeout=30, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "TOKENWAY_ADMIN_KEY": ADMIN})
    assert r.returncode == 1 and "cannot reach the gateway" in r.stderr
    r = subprocess.run([*TOKENWAY, "keys", "list", "--url", gw.url], capture_output=True, text=True, timeout=30,
                       cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 1 and "no admin key" in r.stderr


# --------------------------------------------------------------------------- usage
def test_usage_report(gw: Proc) -> None:
    created = api(gw, "POST", "/admin/keys", {"team": "platform"}).json()
    chat(gw, created["secret"])
    chat(gw, CONFIG_KEY)
    r = api(gw, "GET", "/admin/usage?by=team&since=1d")
    if r.status_code == 503 and err(r)["code"] == "ledger_unavailable":
        pytest.skip("the usage ledger is not wired into the gateway yet")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["by"] == "team" and isinstance(body["data"], list) and body["data"]
    assert "platform" in json.dumps(body["data"])
    by_key = api(gw, "GET", "/admin/usage?by=key").json()["data"]  # the ledger's key is the admin API's id
    assert {created["id"], hash_key(CONFIG_KEY)[7:19]} <= {row["key"] for row in by_key}, by_key
    assert sum(row["requests"] for row in by_key) == 2
    r = api(gw, "GET", "/admin/usage?by=key&since=30d&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].count(",") >= 1
    r = api(gw, "GET", "/admin/usage?since=yesterday-ish")
    assert r.status_code == 400
    r = cli(gw, "usage", "--by", "model", "--since", "30d", "--format", "json")
    assert r.returncode == 0 and "demo" in r.stdout, r.stderr
    r = cli(gw, "usage", "--by", "model", "--format", "table")
    assert r.returncode == 0 and "demo" in r.stdout, r.stderr
