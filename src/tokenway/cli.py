"""tokenway's command line: serve | check-config | demo, and the admin commands (admin_cli.py)."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from tokenway.config import ConfigError, load_config
from tokenway.config.loader import parse


def _serve(args: argparse.Namespace) -> int:
    from tokenway.server.run import serve_forever

    try:
        cfg = load_config(args.config)
    except ConfigError as e:
        print(f"tokenway: the config has problems:\n{e}", file=sys.stderr)
        return 2
    updates: dict[str, object] = {}
    if args.host:
        updates["host"] = args.host
    if args.port is not None:
        updates["port"] = args.port
    if args.workers:
        updates["workers"] = args.workers
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            print("tokenway: --tls-cert and --tls-key go together", file=sys.stderr)
            return 2
        from tokenway.config.schema import TLS

        updates["tls"] = TLS(cert=args.tls_cert, key=args.tls_key)
    if updates:
        cfg = cfg.model_copy(update={"server": cfg.server.model_copy(update=updates)})
    s = cfg.server
    return serve_forever(cfg, args.config, s.host, s.port, s.workers)


def _check(args: argparse.Namespace) -> int:
    try:
        cfg = load_config(args.config)
    except ConfigError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"{args.config}: OK — {len(cfg.providers)} providers, {len(cfg.models)} model groups, "
          f"{len(cfg.keys)} keys")
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Serve the built-in demo config: no file, no API key, the demo vendor answers."""
    from tokenway.server.run import serve_forever

    text = resources.files("tokenway").joinpath("data/demo.yaml").read_text(encoding="utf-8")
    cfg = parse(text, "<built-in demo config>")
    print(f"tokenway demo on http://{args.host}:{args.port} — key sk-tokenway-demo, models: "
          f"{', '.join(cfg.models)}", flush=True)
    return serve_forever(cfg, None, args.host, args.port, 1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tokenway", description="An AI gateway.")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the gateway")
    s.add_argument("--config", required=True, help="YAML config file")
    s.add_argument("--host", help="override server.host")
    s.add_argument("--port", type=int, help="override server.port")
    s.add_argument("--workers", type=int, help="override server.workers (processes sharing the port)")
    s.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    s.add_argument("--tls-key", help="PEM private key for --tls-cert")
    s.set_defaults(fn=_serve)
    c = sub.add_parser("check-config", help="validate a config file and explain every problem")
    c.add_argument("config")
    c.set_defaults(fn=_check)
    d = sub.add_parser("demo", help="serve the built-in demo config (no file, no API key)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=4000)
    d.set_defaults(fn=_demo)
    from tokenway.admin_cli import add_admin_commands

    add_admin_commands(sub)  # keys, orgs, teams, users, budgets, limits, usage: over the admin API
    from tokenway.guard.cli import add_guard_commands

    add_guard_commands(sub)  # guard scan | guard eval
    args = p.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
