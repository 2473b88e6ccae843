"""Benchmark the semantic layer end to end, on loopback: a vendor that takes 300 ms, the gateway
with a semantic cache and the `auto` router in front of it.

    .venv/bin/python scripts/bench_semantic.py [--vendor-ms 300] [--n 40] [--concurrency 64] [--burst 640]

Prints, through the running gateway (official wire format, httpx):
  * p50/p95 latency of misses (distinct questions: embedding + lookup + the vendor),
    of exact hits (the same questions again) and of semantic hits (paraphrases), and the ratio
    vendor call / hit;
  * on a 0 ms vendor, a burst of distinct questions at the given concurrency to a group without and
    with the cache: requests/s, and the embedding model's cost per text (busy seconds / texts
    embedded, read from /metrics), batches, mean batch;
  * the router's decision overhead: p50 of `auto` calls minus direct calls, on a 0 ms vendor.
Nothing here asserts; the numbers go to docs/benchmarks.md with the command and the date.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FAKE = ROOT.parent / "shared" / "bench" / "fake_upstream.py"
KEY = "sk-bench-semantic"
COUNTRIES = ["France", "Peru", "Kenya", "Norway", "Vietnam", "Chile", "Egypt", "Canada", "Japan", "Ghana",
             "Poland", "Brazil", "India", "Spain", "Mexico", "Nepal", "Iraq", "Cuba", "Fiji", "Laos",
             "Mali", "Oman", "Chad", "Togo", "Iran", "Italy", "Malta", "Niger", "Qatar", "Sudan", "Syria",
             "Tonga", "Yemen", "Benin", "Gabon", "Haiti", "Kuwait", "Latvia", "Malawi", "Serbia"]
TOPICS = ["history", "cuisine", "climate", "economy", "geography", "music", "sport", "language", "wildlife",
          "architecture", "literature", "festivals", "rivers", "mountains", "railways", "coffee", "tea",
          "football", "universities", "museums"]


def config(vendor: int, port: int) -> str:
    return f"""
server: {{host: 127.0.0.1, port: {port}, reload: false}}
logging: {{access_log: false}}
providers:
  up: {{type: openai-compatible, base_url: 'http://127.0.0.1:{vendor}/v1', api_key: sk-up}}
models:
  cached: {{targets: [{{provider: up, model: gpt-4o-mini}}], cache: {{mode: semantic}}}}
  plain: {{targets: [{{provider: up, model: gpt-4o-mini}}]}}
  auto:
    router:
      preset: tier
      routes: [{{name: simple, to: plain}}, {{name: reasoning, to: plain}}, {{name: code, to: plain}}]
      default: plain
keys: [{{name: bench, key: {KEY}}}]
ledger: {{enabled: false}}
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def body(model: str, text: str) -> dict[str, object]:
    return {"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": text}]}


async def timed(c: httpx.AsyncClient, url: str, model: str, text: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = await c.post(url, json=body(model, text), headers={"authorization": f"Bearer {KEY}"})
    r.raise_for_status()
    return time.perf_counter() - t0, r.headers.get("x-tokenway-cache", "")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] * 1000


def metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


async def run(gw: str, vendor_ms: float, n: int) -> None:
    url = gw + "/v1/chat/completions"
    async with httpx.AsyncClient(timeout=60) as c:
        await timed(c, url, "cached", "warm up the gateway, please")
        qs = [f"What is the capital of {x}?" for x in COUNTRIES[:n]]
        para = [f"what's the capital city of {x}?" for x in COUNTRIES[:n]]
        miss = [await timed(c, url, "cached", q) for q in qs]
        exact = [await timed(c, url, "cached", q) for q in qs]
        sem = [await timed(c, url, "cached", q) for q in para]
        rows = [("miss (vendor)", miss), ("exact hit", exact), ("semantic hit", sem)]
        print(f"vendor latency {vendor_ms:g} ms, {n} questions each, sequential")
        for label, xs in rows:
            kinds = {k for _, k in xs}
            lat = [t for t, _ in xs]
            print(f"  {label:14s} p50 {pct(lat, 50):8.2f} ms  p95 {pct(lat, 95):8.2f} ms  cache={sorted(kinds)}")
        m50 = pct([t for t, _ in miss], 50)
        for label, xs in rows[1:]:
            hits = [t for t, k in xs if k == "hit"]
            if hits:
                print(f"  vendor call / {label}: {m50 / pct(hits, 50):.0f}x  ({len(hits)}/{len(xs)} hits)")


async def burst(gw: str, conc: int, n: int) -> None:
    """Distinct questions at ``conc`` on a 0 ms vendor, without and with the semantic cache: what
    the cache's per-request work (one embedding, lookup, put) costs in throughput."""
    url = gw + "/v1/chat/completions"
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=conc + 4)) as c:
        await timed(c, url, "cached", "What is the capital of France?")  # the scope is not empty
        for model in ("plain", "cached"):
            texts = [f"Tell me about the {TOPICS[i % len(TOPICS)]} of {COUNTRIES[(i // len(TOPICS)) % len(COUNTRIES)]}"
                     f" ({model} question {i})." for i in range(n)]
            before = httpx.get(gw + "/metrics").text
            gate = asyncio.Semaphore(conc)

            async def one(t: str, m: str = model, g: asyncio.Semaphore = gate) -> float:
                async with g:
                    return (await timed(c, url, m, t))[0]

            t0 = time.perf_counter()
            lat = list(await asyncio.gather(*(one(t) for t in texts)))
            wall = time.perf_counter() - t0
            after = httpx.get(gw + "/metrics").text

            def delta(name: str, a: str = after, b: str = before) -> float:
                return metric(a, name) - metric(b, name)

            emb, busy, batches = (delta("tokenway_embeddings_total"), delta("tokenway_embedding_busy_seconds_total"),
                                  delta("tokenway_embedding_batches_total"))
            line = (f"  {model:6s} {n} distinct questions at concurrency {conc}: {n / wall:7.1f} req/s, "
                    f"p50 {pct(lat, 50):6.1f} ms, p95 {pct(lat, 95):6.1f} ms")
            if emb:
                line += (f"; {emb:.0f} embeddings in {batches:.0f} batches (mean {emb / max(batches, 1):.1f}), "
                         f"{busy / emb * 1000:.2f} ms of model time per text")
            print(line)


async def router_overhead(gw: str, n: int) -> None:
    url = gw + "/v1/chat/completions"
    async with httpx.AsyncClient(timeout=60) as c:
        for m in ("plain", "auto"):
            await timed(c, url, m, "hello there")
        texts = [f"hi, how is the weather in {x} today?" for x in COUNTRIES[:n]]
        for t in texts:  # embeddings in the LRU: measure the decision, not the model
            await timed(c, url, "auto", t)
        direct = [(await timed(c, url, "plain", t))[0] for t in texts * 3]
        routed = [(await timed(c, url, "auto", t))[0] for t in texts * 3]
        print(f"router on a 0 ms vendor, embedding cached: plain p50 {pct(direct, 50):.3f} ms, "
              f"auto p50 {pct(routed, 50):.3f} ms (+{pct(routed, 50) - pct(direct, 50):.3f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vendor-ms", type=float, default=300.0)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--burst", type=int, default=640)
    a = ap.parse_args()
    procs: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="tokenway-bench-semantic-"))
    try:
        def start(args: list[str], port: int, log: str) -> str:
            procs.append(subprocess.Popen(args, stdout=open(tmp / log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                                          cwd=ROOT, env=os.environ.copy()))
            url = f"http://127.0.0.1:{port}"
            wait(url + ("/v1/models" if "fake" in log else "/healthz"))
            return url

        slow, fast, gport, gport2 = free_port(), free_port(), free_port(), free_port()
        start([sys.executable, str(FAKE), "--port", str(slow), "--latency-ms", str(a.vendor_ms), "--echo"], slow,
              "fake-slow.log")
        start([sys.executable, str(FAKE), "--port", str(fast), "--echo"], fast, "fake-fast.log")
        (tmp / "gw.yaml").write_text(config(slow, gport))
        (tmp / "gw2.yaml").write_text(config(fast, gport2))
        gw = start([sys.executable, "-m", "tokenway.cli", "serve", "--config", str(tmp / "gw.yaml")], gport, "gw.log")
        gw2 = start([sys.executable, "-m", "tokenway.cli", "serve", "--config", str(tmp / "gw2.yaml")], gport2,
                    "gw2.log")
        print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), f"on {os.cpu_count()} cores")
        asyncio.run(run(gw, a.vendor_ms, a.n))
        print("0 ms vendor:")
        asyncio.run(burst(gw2, a.concurrency, a.burst))
        asyncio.run(router_overhead(gw2, a.n))
    finally:
        for p in procs:
            p.terminate()
            p.wait(5)


if __name__ == "__main__":
    main()
