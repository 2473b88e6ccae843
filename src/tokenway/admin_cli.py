"""The admin commands of the CLI: keys, orgs, teams, users, budgets, limits, usage.

Every command calls the admin API of a running gateway over HTTP (``--url``, default
``$TOKENWAY_URL`` or http://127.0.0.1:4000; ``--admin-key``, default ``$TOKENWAY_ADMIN_KEY``), so
the CLI and the API can never disagree. A refusal prints the API's message and exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

DEFAULT_URL = "http://127.0.0.1:4000"
_NO_BODY: Any = object()


class CliError(Exception):
    """A problem to print (``tokenway: ...``) before exiting 1."""


# --------------------------------------------------------------------------- HTTP
class Client:
    def __init__(self, url: str, admin_key: str | None) -> None:
        self.url = url.rstrip("/")
        if not admin_key:
            raise CliError("no admin key: pass --admin-key or set TOKENWAY_ADMIN_KEY")
        self.admin_key = admin_key

    def call(self, method: str, path: str, body: Any = _NO_BODY, query: dict[str, str] | None = None,
             raw: bool = False) -> Any:
        url = self.url + path + ("?" + urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not _NO_BODY else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.admin_key}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                payload = r.read()
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                err = json.loads(text)["error"]
                detail = f"{err['message']} (HTTP {e.code}, {err.get('code')})"
            except (ValueError, KeyError, TypeError):
                detail = f"HTTP {e.code}: {text[:300] or e.reason}"
            raise CliError(detail) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise CliError(f"cannot reach the gateway at {self.url} ({reason}); set --url or TOKENWAY_URL") from None
        if raw:
            return payload.decode("utf-8", "replace")
        return json.loads(payload) if payload else None


def _client(args: argparse.Namespace) -> Client:
    url = args.url or os.environ.get("TOKENWAY_URL") or DEFAULT_URL
    return Client(url, args.admin_key or os.environ.get("TOKENWAY_ADMIN_KEY"))


# --------------------------------------------------------------------------- output
def _when(ts: Any) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%d %H:%M")


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list | dict):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def table(rows: list[dict[str, Any]], columns: list[str], out: Any = None) -> None:
    out = out or sys.stdout
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(), file=out)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(), file=out)


def _dump(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False))


def _owner(k: dict[str, Any]) -> str:
    o = k.get("owner")
    return f"{o['type']}:{o['id']}" if o else "-"


def _print_key(k: dict[str, Any], verb: str) -> None:
    name = f" ({k['name']})" if k.get("name") else ""
    print(f"key {k['id']}{name} {verb} — owner {_owner(k)}, models {','.join(k['models'])}, status {k['status']}")
    if "secret" in k:
        print(f"secret: {k['secret']}")
        print("The secret is shown once: store it now.", file=sys.stderr)


def _budget_summary(budgets: list[dict[str, Any]]) -> str:
    out = []
    for b in budgets:
        amount = f"{b['tokens']} tokens" if b.get("tokens") is not None else f"${b['usd']}"
        extra = [b.get("mode", "hard")]
        if b.get("rolling"):
            extra.append("rolling")
        if b.get("model"):
            extra.append(f"model={b['model']}")
        out.append(f"{amount}/{b.get('window', 'month')} ({', '.join(extra)})")
    return "; ".join(out) or "-"


# --------------------------------------------------------------------------- keys
def _keys_create(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"user": args.user} if args.user else {"team": args.team}
    if args.name:
        body["name"] = args.name
    if args.models:
        body["models"] = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.allow_end_user:
        body["allow_end_user"] = True
    if args.expires_at:
        body["expires_at"] = int(args.expires_at) if args.expires_at.isdigit() else args.expires_at
    k = _client(args).call("POST", "/admin/keys", body)
    if args.json:
        _dump(k)
    else:
        _print_key(k, "created")
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    query = {f: getattr(args, f) for f in ("status", "team", "user") if getattr(args, f)}
    data = _client(args).call("GET", "/admin/keys", query=query)["data"]
    if args.json:
        _dump(data)
        return 0
    rows = [{**k, "owner": _owner(k), "models": ",".join(k["models"]), "created": _when(k.get("created_at"))}
            for k in data]
    table(rows, ["id", "name", "prefix", "owner", "org", "models", "status", "managed_by", "created"])
    return 0


def _keys_show(args: argparse.Namespace) -> int:
    k = _client(args).call("GET", f"/admin/keys/{quote(args.id, safe='')}")
    if args.json:
        _dump(k)
    else:
        _print_key(k, "is")
        print(f"team {k.get('team') or '-'}, org {k.get('org') or '-'}, budgets {_budget_summary(k['budgets'])}, "
              f"limits {_cell(k.get('limits'))}, created {_when(k.get('created_at'))}")
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    k = _client(args).call("POST", f"/admin/keys/{quote(args.id, safe='')}/rotate", {})
    if args.json:
        _dump(k)
    else:
        _print_key(k, f"replaces {args.id} (revoked)")
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    k = _client(args).call("POST", f"/admin/keys/{quote(args.id, safe='')}/revoke", {})
    if args.json:
        _dump(k)
    else:
        print(f"key {k['id']} revoked")
    return 0


# --------------------------------------------------------------------------- orgs, teams, users
_ENTITY_FIELDS = {"orgs": ("name",), "teams": ("org", "name"), "users": ("team", "org", "email")}


def _entity_create(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"id": args.id}
    for f in _ENTITY_FIELDS[args.coll]:
        if getattr(args, f, None):
            body[f] = getattr(args, f)
    e = _client(args).call("POST", f"/admin/{args.coll}", body)
    if args.json:
        _dump(e)
    else:
        print(f"{e['object']} {e['id']} created")
    return 0


def _entity_list(args: argparse.Namespace) -> int:
    data = _client(args).call("GET", f"/admin/{args.coll}")["data"]
    if args.json:
        _dump(data)
        return 0
    rows = [{**e, "budgets": _budget_summary(e["budgets"]), "created": _when(e.get("created_at"))} for e in data]
    table(rows, ["id", *_ENTITY_FIELDS[args.coll], "budgets", "limits", "managed_by", "created"])
    return 0


def _entity_show(args: argparse.Namespace) -> int:
    _dump(_client(args).call("GET", f"/admin/{args.coll}/{quote(args.id, safe='')}"))
    return 0


def _entity_delete(args: argparse.Namespace) -> int:
    _client(args).call("DELETE", f"/admin/{args.coll}/{quote(args.id, safe='')}")
    print(f"{args.coll[:-1]} {args.id} deleted")
    return 0


# --------------------------------------------------------------------------- budgets and limits
def _target(args: argparse.Namespace) -> str:
    for coll, attr in (("orgs", "org"), ("teams", "team"), ("users", "user"), ("keys", "key")):
        v = getattr(args, attr, None)
        if v:
            return f"/admin/{coll}/{quote(v, safe='')}"
    raise CliError("name what the budget is for: --org, --team, --user or --key")  # argparse prevents this


def _budgets_set(args: argparse.Namespace) -> int:
    c = _client(args)
    target = _target(args)
    b: dict[str, Any] = {"window": args.window, "mode": args.mode}
    if args.tokens is not None:
        b["tokens"] = args.tokens
    else:
        b["usd"] = args.usd
    for f in ("model", "timezone"):
        if getattr(args, f):
            b[f] = getattr(args, f)
    if args.rolling:
        b["rolling"] = True
    if args.alert_at:
        b["alert_at"] = [float(x) for x in args.alert_at.split(",") if x.strip()]
    budgets = [b]
    if args.add:
        budgets = [*c.call("GET", target)["budgets"], b]
    e = c.call("PUT", target + "/budgets", budgets)
    if args.json:
        _dump(e)
    else:
        print(f"{e['object']} {e['id']} budgets: {_budget_summary(e['budgets'])}")
    return 0


def _budgets_clear(args: argparse.Namespace) -> int:
    e = _client(args).call("PUT", _target(args) + "/budgets", [])
    print(f"{e['object']} {e['id']} budgets cleared")
    return 0


def _budgets_show(args: argparse.Namespace) -> int:
    e = _client(args).call("GET", _target(args))
    if args.json:
        _dump(e["budgets"])
    else:
        print(f"{e['object']} {e['id']} budgets: {_budget_summary(e['budgets'])}")
    return 0


def _limits_set(args: argparse.Namespace) -> int:
    lim = {f: getattr(args, f) for f in ("rpm", "tpm", "concurrency") if getattr(args, f) is not None}
    if not lim:
        raise CliError("give at least one of --rpm, --tpm, --concurrency")
    e = _client(args).call("PUT", _target(args) + "/limits", lim)
    if args.json:
        _dump(e)
    else:
        print(f"{e['object']} {e['id']} limits: {_cell(e['limits'])}")
    return 0


def _limits_clear(args: argparse.Namespace) -> int:
    e = _client(args).call("PUT", _target(args) + "/limits", None)
    print(f"{e['object']} {e['id']} limits cleared")
    return 0


# --------------------------------------------------------------------------- usage
def _usage(args: argparse.Namespace) -> int:
    if args.export:
        query = {"since": args.since, "format": "csv" if args.format == "csv" else "jsonl"}
        if args.until:
            query["until"] = args.until
        sys.stdout.write(_client(args).call("GET", "/admin/usage/export", query=query, raw=True))
        return 0
    query = {"by": args.by, "since": args.since, "format": "csv" if args.format == "csv" else "json"}
    if args.until:
        query["until"] = args.until
    c = _client(args)
    if args.format == "csv":
        sys.stdout.write(c.call("GET", "/admin/usage", query=query, raw=True))
        return 0
    res = c.call("GET", "/admin/usage", query=query)
    rows = res.get("data", []) if isinstance(res, dict) else res
    if args.format == "json":
        _dump(res)
    elif not rows:
        print("no usage in that period")
    else:
        from tokenway.ledger.report import to_table

        sys.stdout.write(to_table(rows, list(rows[0])))
    return 0


# --------------------------------------------------------------------------- parser
def _run(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(fn(args))
        except CliError as e:
            print(f"tokenway: {e}", file=sys.stderr)
            return 1

    return run


def add_admin_commands(sub: Any) -> None:
    """Add keys, orgs, teams, users, budgets, limits and usage to the ``tokenway`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help=f"the gateway (default $TOKENWAY_URL or {DEFAULT_URL})")
    common.add_argument("--admin-key", help="an admin key (default $TOKENWAY_ADMIN_KEY)")
    common.add_argument("--json", action="store_true", help="print the API's JSON")

    def cmd(parent: Any, name: str, fn: Any, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help, parents=[common])
        p.set_defaults(fn=_run(fn))
        return p

    def owner_of(p: argparse.ArgumentParser, key: bool = True) -> None:
        g = p.add_mutually_exclusive_group(required=True)
        g.add_argument("--org")
        g.add_argument("--team")
        g.add_argument("--user")
        if key:
            g.add_argument("--key", help="a key id")

    keys = sub.add_parser("keys", help="virtual keys (admin API)").add_subparsers(dest="keys_cmd", required=True)
    p = cmd(keys, "create", _keys_create, "create a key; its secret is printed once")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--team", help="the team the key belongs to")
    g.add_argument("--user", help="the user the key belongs to")
    p.add_argument("--name")
    p.add_argument("--models", help="comma-separated model groups (default: all)")
    p.add_argument("--allow-end-user", action="store_true",
                   help="take an end-user id from the request's user field / x-tokenway-user")
    p.add_argument("--expires-at", help="ISO 8601 date-time or unix seconds")
    p = cmd(keys, "list", _keys_list, "list keys (never their secrets)")
    p.add_argument("--status", choices=["active", "revoked"])
    p.add_argument("--team")
    p.add_argument("--user")
    for name, fn, h in (("show", _keys_show, "one key"),
                        ("rotate", _keys_rotate, "a new secret for a key (printed once); the old one is revoked"),
                        ("revoke", _keys_revoke, "revoke a key (refused by every worker within a second)")):
        cmd(keys, name, fn, h).add_argument("id")

    for coll, fields in _ENTITY_FIELDS.items():
        s = sub.add_parser(coll, help=f"{coll} (admin API)").add_subparsers(dest=f"{coll}_cmd", required=True)
        p = cmd(s, "create", _entity_create, f"create a {coll[:-1]}")
        p.add_argument("id")
        for f in fields:
            p.add_argument(f"--{f}")
        p.set_defaults(coll=coll)
        cmd(s, "list", _entity_list, f"list {coll}").set_defaults(coll=coll)
        for name, fn in (("show", _entity_show), ("delete", _entity_delete)):
            p = cmd(s, name, fn, f"{name} a {coll[:-1]}")
            p.add_argument("id")
            p.set_defaults(coll=coll)

    b = sub.add_parser("budgets", help="budgets of an org, team, user or key (admin API)")
    bs = b.add_subparsers(dest="budgets_cmd", required=True)
    p = cmd(bs, "set", _budgets_set, "set a budget (replaces the budgets; --add appends)")
    owner_of(p)
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--tokens", type=int)
    amount.add_argument("--usd", type=float)
    p.add_argument("--window", default="month", choices=["minute", "hour", "day", "month", "total"])
    p.add_argument("--mode", default="hard", choices=["hard", "soft"])
    p.add_argument("--rolling", action="store_true", help="the last window-length instead of calendar windows")
    p.add_argument("--model", help="count only calls to this model group")
    p.add_argument("--timezone", help="IANA name for calendar windows (default UTC)")
    p.add_argument("--alert-at", help="comma-separated fractions, e.g. 0.5,0.8,1.0")
    p.add_argument("--add", action="store_true", help="add to the existing budgets instead of replacing them")
    owner_of(cmd(bs, "clear", _budgets_clear, "remove every budget"))
    owner_of(cmd(bs, "show", _budgets_show, "print the budgets"))

    lim = sub.add_parser("limits", help="rate limits of an org, team, user or key (admin API)")
    ls = lim.add_subparsers(dest="limits_cmd", required=True)
    p = cmd(ls, "set", _limits_set, "set rate limits (replaces them)")
    owner_of(p)
    p.add_argument("--rpm", type=int)
    p.add_argument("--tpm", type=int)
    p.add_argument("--concurrency", type=int)
    owner_of(cmd(ls, "clear", _limits_clear, "remove the rate limits"))

    p = cmd(sub, "usage", _usage, "token and cost totals from the ledger (admin API)")
    p.add_argument("--by", default="key", choices=["org", "team", "user", "key", "model", "target", "end_user"])
    p.add_argument("--since", default="30d", help="e.g. 24h, 30d, or a date (default 30d)")
    p.add_argument("--until", help="end of the period (default now)")
    p.add_argument("--format", default="table", choices=["table", "csv", "json"])
    p.add_argument("--export", action="store_true",
                   help="every ledger row of the period instead of totals (csv, or JSON lines)")
