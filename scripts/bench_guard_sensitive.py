#!/usr/bin/env python3
"""Benchmark the sensitive-data scanner (tokenway.guard.sensitive) on realistic prompts.

Prompts: English chat, JSON, CSV and code, each at 1 KB and 16 KB, with a little real PII / a
secret in some of them (as in real traffic: mostly clean text). Reports p50/p99 microseconds per
scan and per KB, with all detectors on, on one core.

    .venv/bin/python scripts/bench_guard_sensitive.py             # the scanner as shipped
    .venv/bin/python scripts/bench_guard_sensitive.py --engines   # also: regex pass alone, re vs re2
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.guard_data.gen_sensitive import make_card, make_email, make_openai, make_phone_intl  # noqa: E402

from tokenway.guard.sensitive import SensitiveScanner  # noqa: E402
from tokenway.guard.sensitive_patterns import ALL_KINDS, ReEngine, make_engine  # noqa: E402

_CHAT = [
    "Hi! Can you help me rewrite the introduction of my report? It feels too long and a bit repetitive.",
    "The quarterly numbers went up 12.5% compared to last year, mostly thanks to the new product line.",
    "I tried restarting the router twice but the connection still drops every 10 minutes or so.",
    "Please summarise the following meeting notes in five bullet points for the team newsletter.",
    "We are planning a trip to Lisbon in May 2025 for 4 people; what neighbourhoods would you suggest?",
    "My manager asked for the draft by Friday, so I need the key risks and mitigations listed clearly.",
    "Version 3.2.1 of the app crashes on startup on Android 14; the log says NullPointerException.",
    "Can you explain the difference between a Roth IRA and a traditional IRA in simple terms?",
    "Thanks, that was helpful. One more question: how do I cite a website in APA 7th edition?",
    "Order #A-20391 arrived damaged, the box was crushed and two of the 6 glasses were broken.",
]
_CHAT_PII = [
    "You can reach me at {email} or call {phone} after 5pm.",
    "My card {card} was charged twice, can you draft a complaint to the bank?",
]
_CODE = '''def load_config(path: str) -> dict:
    """Read the YAML config and apply defaults."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    data.setdefault("timeout", 30)
    data.setdefault("retries", 3)
    for key, value in sorted(data.items()):
        logger.debug("config %s=%r", key, value)
    return data


class RateLimiter:
    def __init__(self, rate: float, burst: int = 10) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

'''
_CODE_SECRET = 'client = OpenAI(api_key="{key}")\n'


def _json_record(rng: random.Random, i: int) -> str:
    return (
        f'{{"id": {1000 + i}, "sku": "SKU-{rng.randint(10000, 99999)}", "name": "Widget {i}", '
        f'"price": {rng.randint(1, 500)}.{rng.randint(0, 99):02d}, "qty": {rng.randint(0, 40)}, '
        f'"updated_at": "2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:{rng.randint(10, 59)}:00Z", '
        f'"tags": ["blue", "summer", "sale"]}}'
    )


def _csv_row(rng: random.Random, i: int) -> str:
    return (
        f"{i},{rng.randint(10**9, 10**10 - 1)},{rng.randint(1_600_000_000, 1_750_000_000)},"
        f"{rng.choice(['Alice', 'Bob', 'Chen', 'Dana', 'Emil'])},{rng.choice(['Smith', 'Ng', 'Ruiz'])},"
        f"{rng.randint(18, 80)},{rng.choice(['Berlin', 'Austin', 'Lyon', 'Osaka'])},"
        f"{rng.randint(100, 99999)}.{rng.randint(0, 99):02d},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    )


def make_prompt(kind: str, size: int, seed: int = 0) -> str:
    """A realistic prompt of about ``size`` characters."""
    rng = random.Random(f"{kind}-{size}-{seed}")
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        if kind == "chat":
            if rng.random() < 0.08:  # fresh values each time: no validator result is reused
                values = {"email": make_email(rng), "phone": make_phone_intl(rng), "card": make_card(rng)}
                part = rng.choice(_CHAT_PII).format(**values)
            else:
                part = rng.choice(_CHAT)
            part += " "
        elif kind == "json":
            part = _json_record(rng, i) + ",\n"
            if rng.random() < 0.05:
                email, phone = make_email(rng), make_phone_intl(rng)
                part = f'{{"customer": "Lena Vogel", "email": "{email}", "phone": "{phone}"}},\n'
        elif kind == "csv":
            header = "id,customer_id,created,first,last,age,city,balance,date\n" if i == 0 else ""
            part = header + _csv_row(rng, i) + "\n"
        elif kind == "code":
            part = _CODE_SECRET.format(key=make_openai(rng)) if rng.random() < 0.1 else _CODE
        else:
            raise ValueError(kind)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)[:size]


KINDS = ("chat", "json", "csv", "code")
SIZES = (1024, 16384)


_clock = time.perf_counter_ns


def _measure(fn: Callable[[str], object], texts: list[str], repeat: int) -> list[float]:
    samples: list[float] = []
    for _ in range(repeat):
        for t in texts:
            t0 = _clock()
            fn(t)
            samples.append((_clock() - t0) / 1000.0)
    return samples


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def report(label: str, fn: Callable[[str], object], repeat: int) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for size in SIZES:
        kb = size / 1024
        per_kind: list[float] = []
        for kind in KINDS:
            texts = [make_prompt(kind, size, seed) for seed in range(8)]
            fn(texts[0])  # warm-up
            us = _measure(fn, texts, repeat if size == 1024 else max(3, repeat // 8))
            per_kind.extend(us)
            print(
                f"{label:<14} {kind:<5} {size // 1024:>3} KB  p50 {_pct(us, 0.5) / kb:8.1f} µs/KB"
                f"  p99 {_pct(us, 0.99) / kb:8.1f} µs/KB  (p50 {_pct(us, 0.5):8.1f} µs/scan)"
            )
        out[f"{size // 1024}KB"] = (_pct(per_kind, 0.5) / kb, _pct(per_kind, 0.99) / kb)
        print(
            f"{label:<14} all   {size // 1024:>3} KB  p50 {out[f'{size // 1024}KB'][0]:8.1f} µs/KB"
            f"  p99 {out[f'{size // 1024}KB'][1]:8.1f} µs/KB"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", action="store_true", help="also time the regex pass alone with re and re2")
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--cpu", action="store_true", help="time with this thread's CPU clock (on a shared, busy machine)")
    args = ap.parse_args()
    if args.cpu:
        global _clock
        _clock = time.thread_time_ns
    if args.engines:
        for eng in (ReEngine(ALL_KINDS), make_engine(ALL_KINDS, "re2")):
            report(f"regex:{eng.name}", lambda t, e=eng: sum(1 for _ in e.finditer(t)), args.repeat)
    for engine in ("re", "re2") if args.engines else ("auto",):
        scanner = SensitiveScanner(engine=engine)
        report(f"scan:{scanner.engine}", scanner.scan, args.repeat)


if __name__ == "__main__":
    main()
