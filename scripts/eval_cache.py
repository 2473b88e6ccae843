"""Quality and speed of the semantic response cache (tokenway.semantic).

Quality, on the generated pair set (tests/semantic_data/gen_cache_pairs.py), embedded with the real
embedder (all-MiniLM-L6-v2 int8):

* baseline: one global cosine threshold, chosen on each split as the lowest with false hits <= 1%;
  the paraphrase hit rate it leaves;
* ours: what ResponseCache.get_semantic answers (verify + the fitted threshold, floor 0.80), each pair
  in its own scope: the cached question is put, the new one looked up. False-hit and paraphrase hit
  rates per category on the held-out and fresh splits (never used to fit);
* the fit: the thresholds refitted on the fit split, to compare with the constants in cache.py.

Speed: put and get_semantic with N entries (default 100,000) in ONE scope (random unit vectors,
single-turn questions), p50/p99 over >= 1000 lookups; and, with --compare-index, the same search as a
flat numpy scan, hnswlib and usearch (if installed) for the choice of index.

    .venv/bin/python scripts/eval_cache.py                    # quality + timing (about 3 min)
    .venv/bin/python scripts/eval_cache.py --quality-only
    .venv/bin/python scripts/eval_cache.py --timing-only --entries 100000 --compare-index
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.semantic_data.gen_cache_pairs import Pair, generate  # noqa: E402

from tokenway.semantic import cache as cache_mod  # noqa: E402
from tokenway.semantic.cache import ResponseCache  # noqa: E402
from tokenway.semantic.cache_key import cache_key  # noqa: E402
from tokenway.semantic.verify import features, mismatch  # noqa: E402

FLOOR = 0.80  # GroupCache.min_similarity default
MARGIN = 0.02


def answer(text: str) -> dict:
    return {"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "answer to " + text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


def chat(text: str) -> dict:
    return {"model": "g", "messages": [{"role": "system", "content": "You are helpful."},
                                       {"role": "user", "content": text}]}


def embed_pairs(embedder, pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    return embedder.embed([p.cached for p in pairs]), embedder.embed([p.new for p in pairs])


def global_threshold(cos: np.ndarray, y: np.ndarray, max_fh: float = 0.01) -> tuple[float, float, float]:
    """The lowest threshold with false-hit rate <= max_fh: (threshold, false-hit rate, paraphrase hit rate)."""
    for t in np.arange(0.50, 1.0001, 0.005):
        fh = float((cos[~y] >= t).mean())
        if fh <= max_fh:
            return float(t), fh, float((cos[y] >= t).mean())
    return 1.0, 0.0, 0.0


def fit(pairs: list[Pair], cos: np.ndarray) -> tuple[float, float]:
    """Thresholds from the fit split: just above the closest near-miss, with and without verify."""
    y = np.array([p.should_hit for p in pairs])
    ok = np.array([mismatch(features(p.cached), features(p.new)) is None for p in pairs])
    near_v = cos[~y & ok]
    t_v = math.ceil((float(near_v.max()) + MARGIN) * 100) / 100 if near_v.size else FLOOR
    t_u = min(0.99, math.ceil((float(cos[~y].max()) + MARGIN) * 100) / 100)
    return t_v, t_u


def run_cache(pairs: list[Pair], a: np.ndarray, b: np.ndarray, verify: bool = True) -> list[bool]:
    """Hit or not for each pair through ResponseCache itself (each pair in its own scope)."""
    rc = ResponseCache()
    hits = []
    for i, p in enumerate(pairs):
        k1 = cache_key(chat(p.cached), f"tenant{i}", "g")
        k2 = cache_key(chat(p.new), f"tenant{i}", "g")
        assert k1 is not None and k2 is not None
        rc.put(k1, a[i], answer(p.cached), "m", 3600)
        hits.append(rc.get_semantic(k2, b[i], FLOOR, verify=verify) is not None)
    return hits


def report_split(name: str, pairs: list[Pair], a: np.ndarray, b: np.ndarray) -> None:
    cos = (a * b).sum(1)
    y = np.array([p.should_hit for p in pairs])
    t, fh, hr = global_threshold(cos, y)
    print(f"\n== {name}: {int(y.sum())} paraphrase pairs, {int((~y).sum())} near-miss pairs")
    print(f"global threshold (lowest with false hits <= 1% on this split, i.e. tuned on the test set): "
          f"t={t:.3f}  false hits {fh:.1%}  paraphrase hit rate {hr:.1%}")
    t_floor = float((cos[~y] >= FLOOR).mean()), float((cos[y] >= FLOOR).mean())
    print(f"global threshold at the config floor {FLOOR}: false hits {t_floor[0]:.1%}  "
          f"paraphrase hit rate {t_floor[1]:.1%}")
    for verify in (True, False):
        hits = np.array(run_cache(pairs, a, b, verify))
        label = "ours (verify + fitted threshold)" if verify else "ours without verify (fitted unverified threshold)"
        print(f"{label}: false hits {hits[~y].mean():.2%}  paraphrase hit rate {hits[y].mean():.1%}")
        if verify:
            by: dict[str, list[bool]] = defaultdict(list)
            for p, h in zip(pairs, hits, strict=True):
                by[p.category].append(bool(h))
            print("  category      pairs  hit rate (paraphrase) / false-hit rate (near-misses)")
            for cat in sorted(by):
                v = by[cat]
                print(f"  {cat:<12} {len(v):>6}  {np.mean(v):.1%}")
            misses = [p for p, h in zip(pairs, hits, strict=True) if not p.should_hit and h]
            for p in misses[:10]:
                print(f"  FALSE HIT [{p.category}] {p.cached!r} -> {p.new!r}")


def quality() -> None:
    from tokenway.embed.model import Embedder

    emb = Embedder()
    splits = {s: generate(s) for s in ("fit", "heldout", "fresh")}
    vecs = {s: embed_pairs(emb, ps) for s, ps in splits.items()}
    a, b = vecs["fit"]
    t_v, t_u = fit(splits["fit"], (a * b).sum(1))
    print(f"fitted on the fit split: THRESHOLD_VERIFIED={t_v:.2f} (cache.py: {cache_mod.THRESHOLD_VERIFIED}), "
          f"THRESHOLD_UNVERIFIED={t_u:.2f} (cache.py: {cache_mod.THRESHOLD_UNVERIFIED})")
    for s in ("fit", "heldout", "fresh"):
        report_split(s, splits[s], *vecs[s])
    t0 = time.perf_counter()
    texts = [p.cached for p in splits["heldout"]] + [p.new for p in splits["heldout"]]
    feats = [features(x) for x in texts]
    t1 = time.perf_counter()
    n = len(feats) // 2
    for i in range(n):
        mismatch(feats[i], feats[n + i])
    t2 = time.perf_counter()
    print(f"\nverify: features() {1e6 * (t1 - t0) / len(texts):.1f} us/text (at put), "
          f"pair check {1e6 * (t2 - t1) / n:.2f} us/pair (at lookup)")


def pct(ts: list[float]) -> str:
    a = np.array(ts) * 1e6
    return f"p50 {np.percentile(a, 50):7.0f} us  p99 {np.percentile(a, 99):7.0f} us  max {a.max():7.0f} us"


def unit(n: int, rng: np.random.Generator) -> np.ndarray:
    x = rng.standard_normal((n, 384), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def near(x: np.ndarray, cos: float, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors at cosine ``cos`` from the rows of ``x``."""
    r = unit(len(x), rng)
    r -= (r * x).sum(1, keepdims=True) * x
    r /= np.linalg.norm(r, axis=1, keepdims=True)
    return (cos * x + math.sqrt(1 - cos * cos) * r).astype(np.float32)


def timing(n: int, lookups: int, compare: bool) -> None:
    rng = np.random.default_rng(7)
    x = unit(n, rng)
    rc = ResponseCache(max_entries=n + 10)
    keys = [cache_key(chat(f"Question number {i} about topic {i % 97}?"), "team", "g") for i in range(n)]
    resp = answer("x")
    put_ts = []
    t0 = time.perf_counter()
    for i in range(n):
        s = time.perf_counter()
        rc.put(keys[i], x[i], resp, "m", 3600)
        put_ts.append(time.perf_counter() - s)
    print(f"\n== timing: {n} entries in one scope (hnswlib {'on' if cache_mod.hnswlib else 'MISSING'}), "
          f"filled in {time.perf_counter() - t0:.0f} s")
    print(f"put (features + index add)      {pct(put_ts)}")
    qs = unit(lookups, rng)
    qkeys = [cache_key(chat(f"Something else entirely {i}?"), "team", "g") for i in range(lookups)]
    ts = []
    for i in range(lookups):
        s = time.perf_counter()
        rc.get_semantic(qkeys[i], qs[i], FLOOR)
        ts.append(time.perf_counter() - s)
    print(f"get_semantic, miss (random)     {pct(ts)}")
    idx = rng.choice(n, lookups, replace=False)
    qn = near(x[idx], 0.9, rng)
    ts, found = [], 0
    for j, i in enumerate(idx):
        k = keys[int(i)]
        s = time.perf_counter()
        h = rc.get_semantic(k, qn[j], FLOOR)
        ts.append(time.perf_counter() - s)
        found += h is not None
    print(f"get_semantic, hit (cos 0.9)     {pct(ts)}  found {found}/{lookups} (recall of the index)")
    ts = []
    for i in idx:
        s = time.perf_counter()
        rc.get_exact(keys[int(i)])
        ts.append(time.perf_counter() - s)
    print(f"get_exact                       {pct(ts)}")
    if compare:
        compare_indexes(x, qs, qn, idx)


def compare_indexes(x: np.ndarray, qs: np.ndarray, qn: np.ndarray, idx: np.ndarray) -> None:
    n = len(x)
    print(f"\n== index comparison, {n} vectors, top-8 search (1 thread)")

    def bench(name: str, f, recall_f=None) -> None:
        ts = []
        for q in qs:
            s = time.perf_counter()
            f(q)
            ts.append(time.perf_counter() - s)
        extra = f"  recall@cos0.9 {recall_f():.3f}" if recall_f else ""
        print(f"{name:<34}{pct(ts)}{extra}")

    bench("numpy flat (one matvec)", lambda q: np.argpartition(-(x @ q), 8)[:8])

    def chunked(q: np.ndarray) -> None:
        for s in range(0, n, 1024):
            np.flatnonzero(x[s : s + 1024] @ q >= FLOOR)

    bench("numpy flat (1024-row chunks)", chunked)
    try:
        import hnswlib
    except ImportError:
        print("hnswlib: not installed")
    else:
        g = hnswlib.Index(space="ip", dim=384)
        g.init_index(max_elements=n, ef_construction=100, M=16)
        g.set_num_threads(1)
        s = time.perf_counter()
        g.add_items(x, np.arange(n))
        add = time.perf_counter() - s
        g.set_ef(64)
        bench(f"hnswlib M=16 ef=64 (add {1e3 * add / n:.2f} ms)", lambda q: g.knn_query(q[None, :], k=8),
              lambda: float((g.knn_query(qn, k=1)[0][:, 0] == idx).mean()))
    try:
        from usearch.index import Index
    except ImportError:
        print("usearch: not installed")
    else:
        u = Index(ndim=384, metric="ip", dtype="f32", connectivity=16, expansion_add=100, expansion_search=64)
        s = time.perf_counter()
        u.add(np.arange(n), x, threads=1)
        add = time.perf_counter() - s
        bench(f"usearch M=16 ef=64 (add {1e3 * add / n:.2f} ms)", lambda q: u.search(q, 8),
              lambda: float((u.search(qn, 1).keys[:, 0] == idx).mean()))


def real_questions(n: int, seed: int = 11) -> list[str]:
    """``n`` distinct questions from every family's templates and slot values (with a few openers)."""
    import itertools
    import random

    from tests.semantic_data import gen_cache_pairs as g

    rng = random.Random(seed)
    out: set[str] = set()
    openers = ["", "Quick question: ", "Please tell me: ", "Hey, ", "I was wondering: ", "Help me out. "]
    fams = g.FIT_FAMILIES + g.HELDOUT_FAMILIES + g.FRESH_FAMILIES
    while len(out) < n:
        fam = rng.choice(fams)
        vals = {k: rng.choice(v) for k, v in fam.slots.items()}
        templates = fam.templates or [t for pair in fam.negations for t in pair]
        out.add(rng.choice(openers) + g._fill(rng.choice(templates), vals))
    ordered = sorted(out)
    rng.shuffle(ordered)
    return list(itertools.islice(ordered, n))


def recall_real(n: int, lookups: int) -> None:
    """HNSW recall against an exact scan on real embeddings: n templated questions in one index; queries
    are other phrasings of stored questions; recall = HNSW top-1 equals the exact top-1."""
    import hnswlib

    from tokenway.embed.model import Embedder

    emb = Embedder()
    texts = real_questions(n + lookups)
    t0 = time.perf_counter()
    x = emb.embed(texts)
    print(f"\n== HNSW recall on real embeddings: {n} stored, {lookups} queries (embedded in "
          f"{time.perf_counter() - t0:.0f} s)")
    stored, queries = x[:n], x[n:]
    exact = np.array([int(np.argmax(stored @ q)) for q in queries])
    best = np.array([float(stored[e] @ q) for e, q in zip(exact, queries, strict=True)])
    g = hnswlib.Index(space="ip", dim=384)
    g.init_index(max_elements=n, ef_construction=cache_mod.HNSW_EF_CONSTRUCTION, M=cache_mod.HNSW_M)
    g.set_num_threads(1)
    g.add_items(stored, np.arange(n))
    close = best >= FLOOR
    for ef in (16, 24, 32, 48, 64):
        g.set_ef(ef)
        ts = []
        for q in queries:
            s = time.perf_counter()
            g.knn_query(q[None, :], k=cache_mod.CANDIDATES)
            ts.append(time.perf_counter() - s)
        top = g.knn_query(queries, k=1)[0][:, 0]
        print(f"ef={ef:<3} {pct(ts)}  recall@1 {np.mean(top == exact):.3f}  "
              f"recall@1 where the exact best has cos >= {FLOOR}: {np.mean((top == exact)[close]):.3f} "
              f"({int(close.sum())} queries)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--timing-only", action="store_true")
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=2000)
    ap.add_argument("--compare-index", action="store_true", help="also time flat numpy, hnswlib and usearch")
    ap.add_argument("--recall-real", type=int, default=0, metavar="N",
                    help="HNSW recall vs exact scan on N real embedded questions (slow: embeds N texts)")
    args = ap.parse_args()
    if args.recall_real:
        recall_real(args.recall_real, 1000)
        return
    if not args.timing_only:
        quality()
    if not args.quality_only:
        timing(args.entries, args.lookups, args.compare_index)


if __name__ == "__main__":
    main()
