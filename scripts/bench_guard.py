#!/usr/bin/env python3
"""Latency of the guard's layers, for docs/guardrails.md.

* the injection rules (``InjectionRules.scan``) and the sensitive-data scanner
  (``SensitiveScanner.scan``, every detector on), alone and together, on the realistic 1 KB and
  16 KB prompts of ``scripts/bench_guard_sensitive.py`` (chat, JSON, CSV, code; a little PII): µs/KB;
* the embedding classifier: ms per text, one text at a time (``score``) and in batches of 8
  (``score_many``), for short (~100 chars), 1 KB and 16 KB texts (long texts are windowed, at most
  4 + 2 windows of 256 tokens). Every text is new (a distinct prefix), so the embedding cache never
  answers.

    .venv/bin/python scripts/bench_guard.py [--repeat 100] [--cpu]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--cpu", action="store_true", help="time with the thread's CPU clock (busy, shared machine)")
    ap.add_argument("--no-classifier", action="store_true")
    args = ap.parse_args()
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
            print(f"classifier     {label:<6} one at a time p50 {statistics.median(one):7.1f} ms/text"
                  f"  p95 {sorted(one)[int(0.95 * (len(one) - 1))]:7.1f}   batch of 8 p50 "
                  f"{statistics.median(batch):7.1f} ms/text")
    finally:
        c.service.close()


if __name__ == "__main__":
    main()
