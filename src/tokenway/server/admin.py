"""The admin API under /admin/: orgs, teams, users, keys, their budgets and limits, and usage.

Authentication: ``Authorization: Bearer <admin key>`` against ``admin.keys`` (secrets or
``sha256:<hex>``), compared in constant time. With no admin key configured the API is off and every
/admin/ path answers 404. JSON in and out, OpenAI-style error bodies; request bodies are validated
strictly (unknown fields and wrong types are 400s). Entities defined in the config file are
read-only here (409 ``managed_by_config``).

Routes without a path parameter are registered in the App's dicts; the rest go through
``dispatch``, a small prefix router. Database calls run off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl, unquote

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from tokenway.config.schema import Budget, Limits
from tokenway.errors import GatewayError, InvalidApiKey, InvalidRequest, MethodNotAllowed, NotFound
from tokenway.identity.directory import Directory, Entity, KeyRecord, key_id_of, key_prefix
from tokenway.identity.keys import hash_key
from tokenway.store.identity_sqlite import StoreConflict

if TYPE_CHECKING:
    from tokenway.gateway import Gateway
    from tokenway.server.http import Request, Responder

Route = Callable[["Gateway", "Request", "Responder"], Awaitable[None]]

KINDS = {"orgs": "org", "teams": "team", "users": "user"}
USAGE_BY = ("org", "team", "user", "key", "model", "target", "end_user")
KEY_PREFIX = "sk-tw-"


class Conflict(GatewayError):
    status = 409
    code = "conflict"
    type = "invalid_request_error"


class LedgerUnavailable(GatewayError):
    status = 503
    code = "ledger_unavailable"
    type = "api_error"


# --------------------------------------------------------------------------- request bodies
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}$")]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Text = Annotated[str, StringConstraints(max_length=256)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class OrgIn(_In):
    id: Id
    name: Text | None = None
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None


class OrgPatch(_In):
    name: Text | None = None
    budgets: list[Budget] | None = None
    limits: Limits | None = None


class TeamIn(OrgIn):
    org: Ref | None = None


class TeamPatch(OrgPatch):
    org: Ref | None = None


class UserIn(_In):
    id: Id
    team: Ref | None = None
    org: Ref | None = None
    email: Text | None = None
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None


class UserPatch(_In):
    team: Ref | None = None
    org: Ref | None = None
    email: Text | None = None
    budgets: list[Budget] | None = None
    limits: Limits | None = None


class KeyIn(_In):
    name: Text | None = None
    user: Ref | None = None
    team: Ref | None = None
    models: list[Annotated[str, StringConstraints(min_length=1)]] = Field(default_factory=lambda: ["*"],
                                                                          min_length=1)
    allow_end_user: bool = False
    budgets: list[Budget] = Field(default_factory=list)
    limits: Limits | None = None
    expires_at: datetime | int | None = None  # ISO 8601, or unix seconds

    @model_validator(mode="after")
    def _owner(self) -> KeyIn:
        if (self.user is None) == (self.team is None):
            raise ValueError("a key belongs to exactly one of user or team")
        return self


_CREATE: dict[str, type[_In]] = {"orgs": OrgIn, "teams": TeamIn, "users": UserIn}
_PATCH: dict[str, type[_In]] = {"orgs": OrgPatch, "teams": TeamPatch, "users": UserPatch}
_BUDGETS = TypeAdapter(list[Budget])
_LIMITS = TypeAdapter(Limits | None)


def _parse(model: Any, raw: bytes) -> Any:
    if not raw.strip():
        raise InvalidRequest("the request body is empty; send JSON")
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_json(raw, strict=True)
        return model.model_validate_json(raw, strict=True)
    except ValidationError as e:
        raise _invalid(e) from None


def _invalid(e: ValidationError) -> InvalidRequest:
    """One readable message: ``field.path: what is wrong`` for each problem."""
    parts: list[str] = []
    first: str | None = None
    for err in e.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if loc and loc[-1] in ("datetime", "int") and loc[0] == "expires_at":
            loc, msg = ["expires_at"], "expected an ISO 8601 date-time or unix seconds"
        elif err["type"] == "string_pattern_mismatch" and loc == ["id"]:
            msg = "use letters, digits and . _ @ : + - (at most 128, starting with a letter or digit)"
        elif err["type"] == "json_invalid":
            msg = f"the request body is not valid JSON: {(err.get('ctx') or {}).get('error', msg)}"
        where = ".".join(loc)
        parts.append(f"{where}: {msg}" if where else msg)
        first = first or where or None
    return InvalidRequest("; ".join(dict.fromkeys(parts)), param=first)


# --------------------------------------------------------------------------- responses
def _ts(v: float | None) -> int | None:
    return None if v is None else int(v)


def _policy_json(budgets: tuple[Budget, ...], limits: Limits | None) -> dict[str, Any]:
    return {"budgets": [b.model_dump(mode="json") for b in budgets],
            "limits": limits.model_dump(mode="json") if limits is not None else None}


def entity_json(e: Entity) -> dict[str, Any]:
    d: dict[str, Any] = {"object": e.kind, "id": e.id}
    if e.kind in ("org", "team"):
        d["name"] = e.name
    if e.kind == "team":
        d["org"] = e.org
    if e.kind == "user":
        d.update(team=e.team, org=e.org, email=e.email)
    d.update(_policy_json(e.budgets, e.limits))
    d.update(managed_by=e.managed_by, created_at=_ts(e.created_at))
    return d


def key_json(k: KeyRecord) -> dict[str, Any]:
    """A key as the API shows it: never its secret or hash."""
    owner = {"type": "user", "id": k.user} if k.user else {"type": "team", "id": k.team} if k.team else None
    return {
        "object": "key", "id": k.id, "name": k.name, "prefix": k.prefix, "owner": owner,
        "user": k.identity.user, "team": k.identity.team, "org": k.identity.org,
        "models": list(k.models), "allow_end_user": k.allow_end_user, "status": k.status,
        **_policy_json(k.budgets, k.limits),
        "created_at": _ts(k.created_at), "expires_at": _ts(k.expires_at), "revoked_at": _ts(k.revoked_at),
        "rotated_from": k.rotated_from, "managed_by": k.managed_by,
    }


def _send(resp: Responder, status: int, obj: Any) -> None:
    resp.send(status, orjson.dumps(obj))


def _list(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": data}


# --------------------------------------------------------------------------- auth
def _authorize(gw: Gateway, req: Request) -> None:
    configured = [k.strip() for k in gw.cfg.admin.keys if k.strip()]
    if not configured:
        raise NotFound(f"no route for {req.method} {req.path} (the admin API is off: set admin.keys)")
    auth = req.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise InvalidApiKey("missing admin key: send 'Authorization: Bearer <admin key>'")
    digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
    ok = False
    for k in configured:
        if k.startswith("sha256:") and len(k) == 71:
            try:
                want = bytes.fromhex(k[7:])
            except ValueError:
                want = hashlib.sha256(k.encode()).digest()
        else:
            want = hashlib.sha256(k.encode("utf-8", "surrogateescape")).digest()
        ok = hmac.compare_digest(want, digest) or ok  # no early exit: every key is compared
    if not ok:
        raise InvalidApiKey("invalid admin key")


def _dir(gw: Gateway) -> Directory:
    d = gw.keys
    if not isinstance(d, Directory) or d.store is None:  # pragma: no cover - admin on implies a store
        raise GatewayError("the identity store is not open")
    return d


async def _fresh(gw: Gateway) -> Directory:
    """The directory, brought up to date with other workers' changes."""
    d = _dir(gw)
    await asyncio.to_thread(d.refresh_if_stale)
    return d


async def _write(d: Directory, fn: Callable[..., Any], *args: Any) -> Any:
    """A store write off the loop, then refresh this worker's directory at once."""
    try:
        out = await asyncio.to_thread(fn, *args)
    except StoreConflict as e:
        raise Conflict(str(e), code=e.code) from None
    await asyncio.to_thread(d.refresh)
    return out


def _entity_or_404(d: Directory, coll: str, id: str) -> Entity:
    e = d.entity(coll, id)
    if e is None:
        raise NotFound(f"no {KINDS[coll]} {id!r}")
    return e


def _not_config(kind: str, id: str, managed_by: str) -> None:
    if managed_by == "config":
        raise Conflict(f"{kind} {id!r} is defined in the config file; change it there", code="managed_by_config")


def _check_refs(d: Directory, **refs: str | None) -> None:
    for kind, id in refs.items():
        if id is not None and d.entity(kind, id) is None:
            raise InvalidRequest(f"unknown {kind} {id!r}", param=kind)


# --------------------------------------------------------------------------- orgs, teams, users
def _create(coll: str) -> Route:
    async def create(gw: Gateway, req: Request, resp: Responder) -> None:
        _authorize(gw, req)
        body = _parse(_CREATE[coll], req.body)
        d = await _fresh(gw)
        existing = d.entity(coll, body.id)
        if existing is not None:
            _not_config(KINDS[coll], body.id, existing.managed_by)
            raise Conflict(f"{KINDS[coll]} {body.id!r} already exists", code="already_exists")
        row = body.model_dump(exclude_unset=False)
        row["budgets"], row["limits"] = body.budgets, body.limits
        _check_refs(d, org=row.get("org"), team=row.get("team"))
        await _write(d, d.store.insert, coll, row)  # type: ignore[union-attr]
        _send(resp, 201, entity_json(_entity_or_404(d, coll, body.id)))

    return create


def _list_route(coll: str) -> Route:
    async def list_(gw: Gateway, req: Request, resp: Responder) -> None:
        _authorize(gw, req)
        d = await _fresh(gw)
        _send(resp, 200, _list([entity_json(e) for e in d.entities(coll)]))

    return list_


async def _get_entity(gw: Gateway, req: Request, resp: Responder, coll: str, id: str) -> None:
    d = await _fresh(gw)
    _send(resp, 200, entity_json(_entity_or_404(d, coll, id)))


async def _patch_entity(gw: Gateway, req: Request, resp: Responder, coll: str, id: str) -> None:
    body = _parse(_PATCH[coll], req.body)
    d = await _fresh(gw)
    e = _entity_or_404(d, coll, id)
    _not_config(KINDS[coll], id, e.managed_by)
    changes = {f: getattr(body, f) for f in body.model_fields_set}
    if "budgets" in changes and changes["budgets"] is None:
        changes["budgets"] = []
    _check_refs(d, org=changes.get("org"), team=changes.get("team"))
    await _write(d, d.store.update, coll, id, changes)  # type: ignore[union-attr]
    _send(resp, 200, entity_json(_entity_or_404(d, coll, id)))


async def _delete_entity(gw: Gateway, req: Request, resp: Responder, coll: str, id: str) -> None:
    d = await _fresh(gw)
    e = _entity_or_404(d, coll, id)
    _not_config(KINDS[coll], id, e.managed_by)
    # config keys and users may refer to store entities too
    cfg = gw.cfg
    used = ([f"team {t!r}" for t, v in cfg.teams.items() if coll == "orgs" and v.org == id]
            + [f"user {u!r}" for u, v in cfg.users.items()
               if (coll == "orgs" and v.org == id) or (coll == "teams" and v.team == id)]
            + [f"a key in the config ({k.name or 'unnamed'})" for k in cfg.keys
               if (coll == "teams" and k.team == id) or (coll == "users" and k.user == id)])
    if used:
        raise Conflict(f"{KINDS[coll]} {id!r} is still used by {', '.join(used)}", code="in_use")
    await _write(d, d.store.delete, coll, id)  # type: ignore[union-attr]
    _send(resp, 200, {"object": KINDS[coll], "id": id, "deleted": True})


# --------------------------------------------------------------------------- keys
def _new_secret() -> tuple[str, str]:
    secret = KEY_PREFIX + secrets.token_urlsafe(24)  # 32 url-safe characters
    return secret, hash_key(secret)


def _expiry(v: datetime | int | None) -> float | None:
    if v is None:
        return None
    ts = (v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp() if isinstance(v, datetime) else float(v)
    if ts <= datetime.now(UTC).timestamp():
        raise InvalidRequest("expires_at is in the past", param="expires_at")
    return ts


async def _create_key(gw: Gateway, req: Request, resp: Responder) -> None:
    _authorize(gw, req)
    body: KeyIn = _parse(KeyIn, req.body)
    d = await _fresh(gw)
    _check_refs(d, user=body.user, team=body.team)
    unknown = [m for m in body.models if m != "*" and m not in gw.router.routes]
    if unknown:
        known = ", ".join(sorted(gw.router.routes)) or "none"
        raise InvalidRequest(f"unknown model group {unknown[0]!r} (known: {known}, or '*' for all)", param="models")
    secret, h = _new_secret()
    kid = key_id_of(h)
    row = {"id": kid, "name": body.name, "hash": h, "prefix": key_prefix(secret), "user": body.user,
           "team": body.team, "models": body.models, "allow_end_user": body.allow_end_user, "status": "active",
           "expires_at": _expiry(body.expires_at), "budgets": body.budgets, "limits": body.limits}
    await _write(d, d.store.insert, "keys", row)  # type: ignore[union-attr]
    rec = d.key(kid)
    assert rec is not None
    _send(resp, 201, {**key_json(rec), "secret": secret})


async def _list_keys(gw: Gateway, req: Request, resp: Responder) -> None:
    _authorize(gw, req)
    q = dict(parse_qsl(req.query))
    unknown = set(q) - {"status", "user", "team", "org"}
    if unknown:
        raise InvalidRequest(f"unknown query parameter {sorted(unknown)[0]!r} (use status, user, team, org)")
    if q.get("status") not in (None, "active", "revoked"):
        raise InvalidRequest("status is active or revoked", param="status")
    d = await _fresh(gw)
    out = [key_json(k) for k in d.all_keys()
           if all(q.get(f) in (None, v) for f, v in (("status", k.status), ("user", k.identity.user),
                                                      ("team", k.identity.team), ("org", k.identity.org)))]
    _send(resp, 200, _list(out))


def _key_or_404(d: Directory, id: str) -> KeyRecord:
    k = d.key(id)
    if k is None:
        raise NotFound(f"no key {id!r}")
    return k


async def _get_key(gw: Gateway, req: Request, resp: Responder, id: str) -> None:
    d = await _fresh(gw)
    _send(resp, 200, key_json(_key_or_404(d, id)))


async def _revoke_key(gw: Gateway, req: Request, resp: Responder, id: str) -> None:
    d = await _fresh(gw)
    k = _key_or_404(d, id)
    _not_config("key", id, k.managed_by)
    await _write(d, d.store.revoke_key, id)  # type: ignore[union-attr]
    _send(resp, 200, key_json(_key_or_404(d, id)))


async def _rotate_key(gw: Gateway, req: Request, resp: Responder, id: str) -> None:
    d = await _fresh(gw)
    k = _key_or_404(d, id)
    _not_config("key", id, k.managed_by)
    secret, h = _new_secret()
    new = {"id": key_id_of(h), "hash": h, "prefix": key_prefix(secret)}
    await _write(d, d.store.rotate_key, id, new)  # type: ignore[union-attr]
    _send(resp, 201, {**key_json(_key_or_404(d, new["id"])), "secret": secret})


# --------------------------------------------------------------------------- budgets and limits
async def _put_policy(gw: Gateway, req: Request, resp: Responder, coll: str, id: str, what: str) -> None:
    value = _parse(_BUDGETS if what == "budgets" else _LIMITS, req.body)
    d = await _fresh(gw)
    if coll == "keys":
        k = _key_or_404(d, id)
        _not_config("key", id, k.managed_by)
    else:
        e = _entity_or_404(d, coll, id)
        _not_config(KINDS[coll], id, e.managed_by)
    if isinstance(value, Limits) and not value.model_dump(exclude_none=True):
        value = None  # {} clears the limits, as null does
    await _write(d, d.store.update, coll, id, {what: value})  # type: ignore[union-attr]
    out = key_json(_key_or_404(d, id)) if coll == "keys" else entity_json(_entity_or_404(d, coll, id))
    _send(resp, 200, out)


# --------------------------------------------------------------------------- usage
async def _usage(gw: Gateway, req: Request, resp: Responder) -> None:
    """Token and cost totals from the ledger, grouped by ``by`` and by day."""
    _authorize(gw, req)
    q = dict(parse_qsl(req.query))
    unknown = set(q) - {"by", "since", "until", "format"}
    if unknown:
        raise InvalidRequest(f"unknown query parameter {sorted(unknown)[0]!r} (use by, since, until, format)")
    by, fmt = q.get("by", "key"), q.get("format", "json")
    if by not in USAGE_BY:
        raise InvalidRequest(f"by is one of {', '.join(USAGE_BY)}", param="by")
    if fmt not in ("json", "csv"):
        raise InvalidRequest("format is json or csv", param="format")
    ledger = getattr(gw, "ledger", None)
    if ledger is None or not hasattr(ledger, "query_usage"):
        raise LedgerUnavailable("the usage ledger is off on this gateway (ledger.enabled)")
    try:
        from tokenway.ledger import report
    except ImportError:  # pragma: no cover - arrives with the ledger
        raise LedgerUnavailable("usage reports are not available in this build") from None
    try:
        since = report.parse_since(q.get("since", "30d"))
        until = report.parse_since(q["until"]) if q.get("until") else None
    except ValueError as e:
        raise InvalidRequest(str(e), param="until" if "until" in str(e) else "since") from None
    flush = getattr(ledger, "flush", None)
    if flush is not None:  # this worker's queued rows first, so a report includes the latest calls
        await asyncio.to_thread(flush)
    rows = await asyncio.to_thread(ledger.query_usage, by=by, since=since, until=until, group_by_day=True)
    if inspect.isawaitable(rows):
        rows = await rows
    if fmt == "csv":
        from tokenway.ledger.ledger import EMPTY_TOTALS

        columns = list(rows[0]) if rows else ["day", by, *EMPTY_TOTALS]
        resp.send(200, report.to_csv(rows, columns).encode(), content_type=b"text/csv; charset=utf-8")
    else:
        _send(resp, 200, {"object": "list", "by": by, "since": since, "until": until, "data": rows})


async def _export(gw: Gateway, req: Request, resp: Responder) -> None:
    """Every ledger row in a period, oldest first, as JSON lines or CSV (streamed in chunks)."""
    _authorize(gw, req)
    q = dict(parse_qsl(req.query))
    unknown = set(q) - {"since", "until", "format", "limit"}
    if unknown:
        raise InvalidRequest(f"unknown query parameter {sorted(unknown)[0]!r} (use since, until, format, limit)")
    fmt = q.get("format", "jsonl")
    if fmt not in ("jsonl", "csv"):
        raise InvalidRequest("format is jsonl or csv", param="format")
    if not gw.ledger.enabled:
        raise LedgerUnavailable("the usage ledger is off on this gateway (ledger.enabled)")
    from tokenway.ledger import report
    from tokenway.ledger.row import UsageRow

    try:
        since = report.parse_since(q.get("since", "30d"))
        until = report.parse_since(q["until"]) if q.get("until") else None
        limit = int(q["limit"]) if q.get("limit") else None
    except ValueError as e:
        raise InvalidRequest(str(e)) from None
    await asyncio.to_thread(gw.ledger.flush)
    rows = await asyncio.to_thread(lambda: list(gw.ledger.rows(since, until, limit)))
    columns = list(UsageRow.columns())
    if fmt == "csv":
        resp.start(200, content_type=b"text/csv; charset=utf-8")
        await resp.write(report.to_csv(rows, columns).encode())
    else:
        resp.start(200, content_type=b"application/x-ndjson")
        for i in range(0, len(rows), 1000):
            await resp.write(b"".join(orjson.dumps(r) + b"\n" for r in rows[i:i + 1000]))
    resp.end()


# --------------------------------------------------------------------------- canaries
async def _canaries(gw: Gateway, req: Request, resp: Responder) -> None:
    """Live per-arm stats of this worker's canaries (the current config's groups with a canary)."""
    _authorize(gw, req)
    _send(resp, 200, _list([gw.canaries[g].snapshot() for g in sorted(gw.canaries)]))


async def _canary_route(gw: Gateway, req: Request, resp: Responder, parts: list[str]) -> None:
    """GET /admin/canaries/{group}; POST /admin/canaries/{group}/reset (un-roll-back, clear the stats)."""
    m, group = req.method, parts[1]
    state = gw.canaries.get(group)
    if len(parts) == 3 and parts[2] != "reset":
        raise NotFound(f"no route for {m} {req.path}")
    if state is None:
        raise NotFound(f"model group {group!r} has no canary")
    if len(parts) == 2:
        if m not in ("GET", "HEAD"):
            raise MethodNotAllowed(f"{m} is not allowed on {req.path}")
        return _send(resp, 200, state.snapshot())
    if m != "POST":
        raise MethodNotAllowed(f"{m} is not allowed on {req.path} (POST resets the canary)")
    state.reset()
    _send(resp, 200, state.snapshot())


# --------------------------------------------------------------------------- router
async def dispatch(gw: Gateway, req: Request, resp: Responder) -> None:
    """Every /admin/ path the App's dicts do not hold: paths with an id, and wrong methods."""
    _authorize(gw, req)
    parts = [unquote(p) for p in req.path[len("/admin/"):].split("/")]
    coll, m = parts[0], req.method
    if coll not in (*KINDS, "keys", "usage", "canaries") or len(parts) > 3 or "" in parts[1:]:
        raise NotFound(f"no route for {m} {req.path}")
    if coll == "canaries" and len(parts) > 1:
        return await _canary_route(gw, req, resp, parts)
    if len(parts) == 1:
        raise MethodNotAllowed(f"{m} is not allowed on {req.path}")
    id = parts[1]
    if coll == "usage":
        raise NotFound(f"no route for {m} {req.path}")
    if len(parts) == 2:
        if coll == "keys":
            if m in ("GET", "HEAD"):
                return await _get_key(gw, req, resp, id)
        elif m in ("GET", "HEAD"):
            return await _get_entity(gw, req, resp, coll, id)
        elif m == "PATCH":
            return await _patch_entity(gw, req, resp, coll, id)
        elif m == "DELETE":
            return await _delete_entity(gw, req, resp, coll, id)
        raise MethodNotAllowed(f"{m} is not allowed on {req.path}")
    sub = parts[2]
    if sub in ("budgets", "limits"):
        if m != "PUT":
            raise MethodNotAllowed(f"{m} is not allowed on {req.path} (PUT replaces the {sub})")
        return await _put_policy(gw, req, resp, coll, id, sub)
    if coll == "keys" and sub in ("rotate", "revoke"):
        if m != "POST":
            raise MethodNotAllowed(f"{m} is not allowed on {req.path}")
        return await (_rotate_key if sub == "rotate" else _revoke_key)(gw, req, resp, id)
    raise NotFound(f"no route for {m} {req.path}")


def admin_routes(post: dict[str, Route], get: dict[str, Route]) -> Route:
    """Register the admin routes without path parameters; returns the router for the others."""
    for coll in KINDS:
        post[f"/admin/{coll}"] = _create(coll)
        get[f"/admin/{coll}"] = _list_route(coll)
    post["/admin/keys"] = _create_key
    get["/admin/keys"] = _list_keys
    get["/admin/usage"] = _usage
    get["/admin/usage/export"] = _export
    get["/admin/canaries"] = _canaries
    return dispatch
