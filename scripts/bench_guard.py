#!/usr/bin/env python3
"""Latency of the guard's layers, for docs/guardrails.md.

* the injection rules (``InjectionRules.scan``) and the sensitive-data scanner
  (``SensitiveScanner.scan``, every detector on), alone and together, on the realistic 1 KB and
  16 KB prompts of ``scripts/bench_guard_sensitive.py`` (chat, JSON, CSV, code; a little PII): µs/KB;
* the embedding classifier: ms per text, one text at a time (``score``) and in batches of 8
  (``score_many``), for short (~100 chars), 1 KB and 16 KB texts (long texts are windowed, at most
  4 + 2 windows of 256 tokens). Every text is new (a distinct prefix), so the embedding cache never
  answers;
* ``--concurrency 64``: the amortised classifier cost per request under load: 64 concurrent tasks
  call ``score()`` on distinct realistic prompts through one ``EmbeddingService`` (micro-batching),
  with cold caches; wall time / requests, the embedder's batches (count, mean size, worker time per
  batch) and the share of texts the cascade gate kept away from the embedder. Scenarios: short chat
  prompts (40-110 characters), 1 KB prompts (a request + pasted chat, JSON, CSV or code), and a mix (60% short, 25% 500
  characters, 15% 1 KB).

    .venv/bin/python scripts/bench_guard.py [--repeat 100] [--cpu]
    .venv/bin/python scripts/bench_guard.py --concurrency 64 [--requests 512] [--head PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "scripts")]

import bench_guard_sensitive as bs  # noqa: E402

from tokenway.guard.injection_rules import InjectionRules  # noqa: E402
from tokenway.guard.sensitive import SensitiveScanner  # noqa: E402

SHORT = [
    "Can you summarise this article about the new bridge in three bullet points?",
    "What is the difference between a list and a tuple in Python, with an example?",
    "Draft a polite reply declining the meeting on Friday and proposing Monday at 10.",
    "Translate 'the invoice is attached, please confirm receipt' into German and French.",
]


_TASKS = [
    "Summarise",
    "Explain",
    "Give me three tips on",
    "Write a short email about",
    "What are the pros and cons of",
    "Draft a LinkedIn post about",
    "Compare the two approaches to",
    "How do I get started with",
    "List common mistakes in",
    "Write a haiku about",
    "Make a checklist for",
    "Suggest five titles for a talk on",
]
_TOPICS = [
    "the quarterly sales report",
    "Python decorators",
    "remote onboarding",
    "our new pricing page",
    "Kubernetes liveness probes",
    "sourdough baking",
    "the Q3 hiring plan",
    "GDPR data retention",
    "a weekend in Lisbon",
    "React state management",
    "the outage on Tuesday",
    "customer churn in SaaS",
    "SQL window functions",
    "a birthday party for ten kids",
    "the office move",
    "unit testing legacy code",
    "negotiating a salary",
    "composting at home",
    "the history of the printing press",
    "index funds",
    "a vegetarian dinner for six",
    "async IO in Rust",
    "learning Japanese",
    "a product launch checklist",
]
_TAILS = [
    "",
    " Keep it under 100 words.",
    " Use bullet points.",
    " For a non-technical audience.",
    " With an example.",
    " In a friendly tone.",
    " Please be concise.",
    " Add a one-line summary at the end.",
]


def short_prompts(n: int, seed: int = 1) -> list[str]:
    """Distinct short user prompts (about 40-110 characters)."""
    combos = [f"{a} {b}.{c}".replace("..", ".") for a in _TASKS for b in _TOPICS for c in _TAILS]
    random.Random(seed).shuffle(combos)
    return combos[:n]


def scenario_prompts(name: str, n: int) -> list[str]:
    kinds = ["chat", "json", "csv", "code"]
    if name == "short":
        return short_prompts(n)
    asks = iter(short_prompts(2 * n, seed=3))  # a distinct request before every pasted document
    if name == "1 KB":
        return [f"{next(asks)}\n\n{bs.make_prompt(kinds[i % 4], 1024, 1000 + i)}"[:1024] for i in range(n)]
    rng = random.Random(7)
    shorts = iter(short_prompts(n, seed=2))
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.60:
            out.append(next(shorts))
        elif r < 0.85:
            out.append(next(shorts) + " Context: " + bs.make_prompt("chat", 500, 2000 + i))
        else:
            out.append(f"{next(asks)}\n\n{bs.make_prompt(kinds[i % 4], 1024, 3000 + i)}"[:1024])
    return out


async def _worker(c: Any, queue: Iterator[str], lat: list[float]) -> None:
    for p in queue:  # shared iterator: each prompt is scored once, by whichever task is free
        t = time.perf_counter()
        await c.score(p)
        lat.append((time.perf_counter() - t) * 1000)


async def _concurrent(concurrency: int, requests: int, head: str | None) -> None:
    from tokenway.embed import EmbeddingService
    from tokenway.guard.classifier import InjectionClassifier

    for name in ("short", "1 KB", "mixed"):
        prompts = scenario_prompts(name, requests)
        assert len(set(prompts)) == len(prompts)
        svc = EmbeddingService()
        c = InjectionClassifier(head_path=head, service=svc)
        await svc.warmup()
        await c.score("warm-up: load the model and the tokenizer")
        b0 = svc.stats()
        g0 = dict(c.stats)
        lat: list[float] = []
        queue = iter(prompts)

        t0 = time.perf_counter()
        await asyncio.gather(*(_worker(c, queue, lat) for _ in range(concurrency)))
        wall = time.perf_counter() - t0
        st = svc.stats()
        batches = st["batches"] - b0["batches"]
        embedded = st["embedded"] - b0["embedded"]
        busy = st["worker_busy_s"] - b0["worker_busy_s"]
        gated = c.stats["gated"] - g0["gated"]
        lat.sort()
        print(
            f"classifier c={concurrency} {name:<5} {requests} requests: {wall * 1000 / requests:6.2f} ms/request "
            f"amortised (wall {wall:.2f} s); gated {gated / requests:.0%}; embedder: {embedded} windows in "
            f"{batches} batches (mean {embedded / max(1, batches):.1f}), {busy * 1000 / max(1, batches):.1f} ms/batch, "
            f"busy {busy:.2f} s; request latency p50 {lat[len(lat) // 2]:.0f} ms "
            f"p95 {lat[int(0.95 * len(lat))]:.0f} ms",
            flush=True,
        )
        await svc.aclose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=0, help="only the amortised classifier benchmark, N tasks")
    ap.add_argument("--requests", type=int, default=512, help="distinct prompts per scenario (--concurrency)")
    ap.add_argument("--head", help="injection head file (default: the shipped one)")
    ap.add_argument("--cpu", action="store_true", help="time with the thread's CPU clock (busy, shared machine)")
    ap.add_argument("--no-classifier", action="store_true")
    args = ap.parse_args()
    if args.concurrency:
        asyncio.run(_concurrent(args.concurrency, args.requests, args.head))
        return
    if args.cpu:
        bs._clock = time.thread_time_ns
    rules, scanner = InjectionRules(), SensitiveScanner()
    bs.report("rules", rules.scan, args.repeat)
    bs.report("sensitive", scanner.scan, args.repeat)

    def both(t: str) -> None:
        rules.scan(t)
        scanner.scan(t)

    bs.report("rules+sensitive", both, args.repeat)
    if not args.no_classifier:
        asyncio.run(_classifier(args.repeat))


async def _classifier(repeat: int) -> None:
    from tokenway.guard.classifier import InjectionClassifier

    c = InjectionClassifier()
    texts = {
        "short": SHORT,
        "1 KB": [bs.make_prompt("chat", 1024, s) for s in range(4)],
        "16 KB": [bs.make_prompt("chat", 16384, s) for s in range(4)],
    }
    try:
        await c.score_many(SHORT)  # warm-up (loads the model)
        c.service.clear_cache()
        for label, ts in texts.items():
            n = max(2, repeat // (1 if label == "short" else 4 if label == "1 KB" else 20))
            one: list[float] = []
            for i in range(n):
                t = f"({i}) " + ts[i % len(ts)]  # a fresh text (every window differs): no cache hit
                t0 = time.perf_counter()
                await c.score(t)
                one.append((time.perf_counter() - t0) * 1000)
            batch: list[float] = []
            for i in range(max(2, n // 8)):
                b = [f"[{i}.{k}] " + t for k in range(2) for t in ts]  # 8 fresh texts
                t0 = time.perf_counter()
                await c.score_many(b)
                batch.append((time.perf_counter() - t0) * 1000 / len(b))
            print(
                f"classifier     {label:<6} one at a time p50 {statistics.median(one):7.1f} ms/text"
                f"  p95 {sorted(one)[int(0.95 * (len(one) - 1))]:7.1f}   batch of 8 p50 "
                f"{statistics.median(batch):7.1f} ms/text"
            )
    finally:
        c.service.close()


if __name__ == "__main__":
    main()
