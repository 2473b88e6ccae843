"""``tokenway guard scan`` and ``tokenway guard eval``: the guard outside the gateway."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import orjson

# every detector, logged, and the injection layers: what `guard scan` reports without a config
_SCAN_ALL = {"injection": {"action": "block", "classifier": True}, "sensitive": {"pii": "log", "secret": "log"}}


def _engine(args: argparse.Namespace) -> tuple[Any, str]:
    """A GuardEngine and the policy name to use: from --config/--policy, else report-everything."""
    from tokenway.config.schema import Guard
    from tokenway.guard.engine import GuardEngine

    if args.config:
        from tokenway.config import load_config

        cfg = load_config(args.config)
        name = args.policy or cfg.guard.default_policy or next(iter(cfg.guard.policies), None)
        if name is None or name not in cfg.guard.policies:
            raise SystemExit(f"tokenway: no guard policy {args.policy or ''!r} in {args.config}")
    else:
        from tokenway.config.schema import Config

        cfg = Config(guard=Guard.model_validate({"policies": {"scan": _SCAN_ALL}}))
        name = "scan"
    engine = GuardEngine(cfg.guard, None)
    if engine.needs_classifier and not args.no_classifier:
        from tokenway.guard.classifier import InjectionClassifier

        engine.classifier = InjectionClassifier()
    return engine, name


def _requests(args: argparse.Namespace) -> list[tuple[dict[str, Any], str]]:
    """(body, dialect) to inspect: texts given on the command line or stdin, or a JSONL of requests."""
    if args.jsonl:
        out = []
        for n, line in enumerate(Path(args.jsonl).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            body = orjson.loads(line)
            if not isinstance(body, dict):
                raise SystemExit(f"tokenway: {args.jsonl}:{n}: each line must be a JSON request object")
            out.append((body, _dialect_of(body) if args.dialect == "auto" else args.dialect))
        return out
    texts = args.text or [sys.stdin.read()]
    return [({"messages": [{"role": "user", "content": t}]}, "openai") for t in texts]


def _dialect_of(body: dict[str, Any]) -> str:
    """``--dialect auto``: Anthropic when the body has a top-level ``system`` or Anthropic-only
    content blocks (``tool_use`` / ``tool_result``), else OpenAI."""
    if "system" in body:
        return "anthropic"
    for m in body.get("messages") or ():
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, list) and any(isinstance(b, dict) and b.get("type") in ("tool_use", "tool_result")
                                       for b in c):
            return "anthropic"
    return "openai"


async def _scan(args: argparse.Namespace) -> int:
    from tokenway.guard.engine import GuardBlocked

    engine, name = _engine(args)
    blocked = 0
    for i, (body, dialect) in enumerate(_requests(args)):
        t0 = time.perf_counter()
        try:
            state = await engine.inspect(name, body, dialect)
            verdict, code, decisions = "allow", None, state.decisions
        except GuardBlocked as e:
            blocked += 1
            verdict, code = "block", e.code
            decisions = e.state.decisions if e.state is not None else []
        rec = {"input": i, "verdict": verdict, "code": code, "decisions": decisions,
               "ms": round((time.perf_counter() - t0) * 1000, 3)}
        if args.show_rewritten and verdict == "allow":
            rec["rewritten"] = body
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if engine.classifier is not None:
        engine.classifier.service.close()
    return 1 if blocked and args.fail_on_block else 0


def _eval(args: argparse.Namespace) -> int:
    from tokenway.guard import evaluate as ev

    if args.layer == "sensitive":
        from tokenway.guard.sensitive import eval_sensitive

        rows = [orjson.loads(line) for line in Path(args.dataset).read_text(encoding="utf-8").splitlines()
                if line.strip()]
        res = eval_sensitive(rows[: args.limit] if args.limit else rows)
        res.update({"dataset": args.dataset, "layer": "sensitive", "n": len(rows)})
        sys.stdout.write(json.dumps(res, indent=2, default=float) + "\n")
        return 0
    try:
        samples = ev.load_dataset(args.dataset)
    except ev.DatasetUnavailableError as e:
        raise SystemExit(f"tokenway: {e}") from None
    if args.limit:
        samples = samples[: args.limit]
    from tokenway.guard.injection_rules import InjectionRules
    from tokenway.guard.injection_rules import score as rules_score

    rules = InjectionRules()
    classifier = None
    if args.layer in ("classifier", "cascade"):
        from tokenway.guard.classifier import InjectionClassifier

        classifier = InjectionClassifier()
    threshold = args.threshold

    async def cascade(text: str) -> float:  # the same steps as the engine and `python -m tokenway.guard.evaluate`
        assert classifier is not None
        verdict = ev.rules_verdict(rules, text, args.rules_threshold)
        return verdict if verdict is not None else await classifier.score(text)

    def only_rules(text: str) -> float:
        return rules_score(rules.scan(text))

    if args.layer == "rules":
        scorer: Any = only_rules
        threshold = args.rules_threshold if threshold is None else threshold
    elif args.layer == "classifier":
        assert classifier is not None
        scorer = classifier.score
        threshold = classifier.threshold if threshold is None else threshold
    else:
        assert classifier is not None
        scorer = cascade
        threshold = classifier.threshold if threshold is None else threshold
    res = ev.evaluate(samples, scorer, threshold)
    res.update({"dataset": args.dataset, "layer": args.layer, "threshold": threshold, "n": len(samples)})
    if classifier is not None:
        classifier.service.close()
    sys.stdout.write(json.dumps(res, indent=2, default=float) + "\n")
    return 0


def add_guard_commands(sub: Any) -> None:
    g = sub.add_parser("guard", help="run the guard outside the gateway: scan texts, evaluate on datasets")
    gs = g.add_subparsers(dest="guard_cmd", required=True)
    s = gs.add_parser("scan", help="verdicts for texts (arguments or stdin) or a JSONL of chat requests")
    s.add_argument("text", nargs="*", help="texts to scan as user messages (default: stdin)")
    s.add_argument("--jsonl", help="a file of chat request bodies, one JSON object per line")
    s.add_argument("--dialect", default="auto", choices=["auto", "openai", "anthropic"],
                   help="the request shape in --jsonl (auto: Anthropic when a line has a top-level system "
                        "or tool_use/tool_result blocks)")
    s.add_argument("--config", help="take the guard policy from this config (default: every detector, logged)")
    s.add_argument("--policy", help="the policy name in --config")
    s.add_argument("--no-classifier", action="store_true", help="rules and scanners only")
    s.add_argument("--show-rewritten", action="store_true", help="print the request as redacted/pseudonymized")
    s.add_argument("--fail-on-block", action="store_true", help="exit 1 when any input is blocked")
    s.set_defaults(fn=lambda a: asyncio.run(_scan(a)))
    e = gs.add_parser("eval", help="precision, recall, false-positive rate and latency on a labelled dataset")
    e.add_argument("dataset", help="a named dataset (see docs/guardrails.md) or a JSONL of {text, label}; "
                                   "for --layer sensitive a JSONL of {text, expected: [[detector, start, end]]}")
    e.add_argument("--layer", default="cascade", choices=["rules", "classifier", "cascade", "sensitive"])
    e.add_argument("--threshold", type=float, help="decision threshold (default: the layer's own)")
    e.add_argument("--rules-threshold", type=float, default=0.5)
    e.add_argument("--limit", type=int, help="only the first N samples")
    e.set_defaults(fn=_eval)
